"""Each lifecycle's table is the only way its status changes: the source is read, and a
status written anywhere but in the lifecycle's one transition function (or where the
thing is created in its first status) fails, naming the file and the line."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # src/onestop

# The models whose status follows a table in a workflow.py.
LIFECYCLES = {"Application", "Ticket", "HomeVisit", "SyncOperation", "Appointment"}
# The transition function of each lifecycle: the one place its status changes.
TRANSITIONS = {
    ("cases/services/lifecycle.py", "_move"): "applications: the table in cases/workflow.py",
    ("queueing/services.py", "_take"): "tickets: the table in queueing/workflow.py",
    ("mobile/services/home_visits.py", "_move_visit"): "home visits: mobile/workflow.py",
    ("mobile/services/offline_sync.py", "_settle"): "captured operations: mobile/workflow.CAPTURES",
    ("appointments/services.py", "_move"): "appointments: appointments/workflow.py",
}
# The functions that create one in its first status (a `create(status=...)`, nothing else).
CREATIONS = {
    ("cases/services/filing.py", "file_prepared"): "an application is filed: submitted",
    ("cases/services/filing.py", "file_life_situation"): "a life situation is filed: submitted",
    ("mobile/services/home_visits.py", "request_home_visit"): "a home visit asked for: requested",
    ("mobile/services/offline_sync.py", "apply_operation"): "a capture arrives: received",
    ("appointments/services.py", "book"): "an appointment is booked: booked",
}
CREATING = {".create(status=...)"}
# Where an attribute called `status` is written on anything (the attribute is not typed,
# so every `.status =` there counts).
LIFECYCLE_APPS = ("cases", "queueing", "mobile", "appointments")
WRITES = {"create", "get_or_create", "update_or_create", "update", "bulk_create"}


def sources() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if "tests" not in path.relative_to(ROOT).parts
        and "migrations" not in path.relative_to(ROOT).parts
    )


def root_name(node: ast.expr) -> str | None:
    """`Application` for `Application.objects.filter(...).update`, `Ticket` for `Ticket`."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return None


def writes_status_attribute(target: ast.expr) -> bool:
    if isinstance(target, ast.Tuple | ast.List):
        return any(writes_status_attribute(t) for t in target.elts)
    return isinstance(target, ast.Attribute) and target.attr == "status"


class StatusWrites(ast.NodeVisitor):
    """Collects (line, function, what) of every status written in one module."""

    def __init__(self, lifecycle_app: bool):
        self.lifecycle_app = lifecycle_app
        self.function = "<module>"
        self.found: list[tuple[int, str, str]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        outer, self.function = self.function, node.name
        self.generic_visit(node)
        self.function = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def assigned(self, node: ast.stmt, targets: list[ast.expr]) -> None:
        if self.lifecycle_app and any(writes_status_attribute(t) for t in targets):
            self.found.append((node.lineno, self.function, ".status ="))

    def visit_Assign(self, node: ast.Assign) -> None:
        self.assigned(node, node.targets)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.assigned(node, [node.target])
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.assigned(node, [node.target])
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        keywords = {k.arg for k in node.keywords}
        model = root_name(node.func)
        if "status" in keywords and model in LIFECYCLES:
            if isinstance(node.func, ast.Name):
                self.found.append((node.lineno, self.function, f"{model}(status=...)"))
            elif isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
                self.found.append((node.lineno, self.function, f".{node.func.attr}(status=...)"))
        if (
            isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "status"
        ):
            self.found.append((node.lineno, self.function, 'setattr(..., "status", ...)'))
        self.generic_visit(node)


def status_writes() -> list[tuple[str, int, str, str]]:
    found = []
    for path in sources():
        name = path.relative_to(ROOT).as_posix()
        lifecycle_app = name.split("/")[0] in LIFECYCLE_APPS
        visitor = StatusWrites(lifecycle_app)
        visitor.visit(ast.parse(path.read_text(), filename=name))
        found += [(name, line, function, what) for line, function, what in visitor.found]
    return found


def allowed(name: str, function: str, what: str) -> bool:
    return (name, function) in TRANSITIONS or ((name, function) in CREATIONS and what in CREATING)


def test_statuses_change_only_along_their_tables():
    outside = [
        f"src/onestop/{name}:{line} in {function}: {what}"
        for name, line, function, what in status_writes()
        if not allowed(name, function, what)
    ]
    assert not outside, "a status written outside its lifecycle's table:\n" + "\n".join(outside)


def test_every_allowed_place_still_writes_a_status():
    """An allowance that no longer matches the code is removed, not kept as a loophole."""
    expected = set(TRANSITIONS) | set(CREATIONS)
    writing = {(name, function) for name, _line, function, _what in status_writes()}
    assert expected <= writing, expected - writing


def test_the_scan_sees_what_it_must():
    """Writes of each form are found, in a module of a lifecycle's app."""
    visitor = StatusWrites(lifecycle_app=True)
    visitor.visit(
        ast.parse(
            "def sneak(a, t):\n"
            "    a.status = 'issued'\n"
            "    t.status, t.window = 'called', 3\n"
            "    Application.objects.filter(pk=1).update(status='ready')\n"
            "    Ticket(status='done')\n"
            "    HomeVisit.objects.create(status='visited')\n"
            "    setattr(a, 'status', 'ready')\n"
            "    Application.objects.filter(status='ready').count()\n"
        )
    )
    assert [line for line, _function, _what in visitor.found] == [2, 3, 4, 5, 6, 7]


def test_the_scan_sees_an_appointment_moved_in_place():
    """The old way of marking an appointment missed, a conditional update, is a write."""
    visitor = StatusWrites(lifecycle_app=True)
    visitor.visit(
        ast.parse(
            "def mark_missed(pk):\n"
            "    Appointment.objects.filter(pk=pk, status='booked').update(status='missed')\n"
        )
    )
    assert visitor.found == [(2, "mark_missed", ".update(status=...)")]
