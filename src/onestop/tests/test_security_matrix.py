"""Every endpoint of the API asked by every kind of caller, with the answer each must get.

The operations are read from the API's own OpenAPI document, so that an endpoint added
without a row here fails `test_every_endpoint_has_a_row`. Each request runs in a savepoint
that is rolled back, so that every caller meets the same world; a refused one must leave
the audit trail as it was (every write records an event), and a read must not bring back
what belongs to someone else.

Expected answers:
    ok       2xx
    sees     2xx, and the world's object of someone else is in the answer
    blind    2xx, and it is not
    login    401
    denied   403 or 404: the role may not, or the object is out of the caller's scope
    refused  403, 404 or 409: not the caller's to do
    passed   2xx, 409 or 422: the role and scope allow it; the object's state or the
             request's content may not (nothing is written then)
    handed_on  404 after the change was written: the caller handed the object on and
             may no longer read it (a reviewer asking for another reviewer)
"""

import copy
import datetime
import uuid

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from onestop.api import api
from onestop.appointments import services as appointments
from onestop.audit.models import AuditHead
from onestop.cases import services as cases
from onestop.catalog.models import Agency, Service
from onestop.mobile import services as mobile
from onestop.people.models import Role
from onestop.queueing import layout
from onestop.queueing import services as queue
from onestop.queueing.models import Device
from onestop.tests import factories

pytestmark = pytest.mark.django_db

CALLERS = (
    "anonymous",
    "citizen",
    "other_citizen",
    "consultant",
    "operator",
    "operator_elsewhere",
    "manager",
    "manager_elsewhere",
    "reviewer",
    "reviewer_elsewhere",
    "head",
    "agent",
    "analyst",
    "auditor",
    "standards_admin",
    "kiosk",
    "board",
    "rating",
)
DEVICES = {"kiosk", "board", "rating"}
# The service an agency's reviewer decides after the front office accepts it.
REVIEWED_SERVICE = "real-estate-registration"
HOME_VISIT_SERVICE = "retirement-pension"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

FRONT = {"consultant", "operator", "manager"}
SEES_ALL_APPLICATIONS = {"agent", "analyst", "auditor"}
EVERYONE = set(CALLERS)


def row(
    path, *, body=None, files=None, ok=(), sees=(), blind=(), passed=(), refused=(), handed_on=()
):
    return {
        "path": path,
        "body": body,
        "files": files,
        "ok": set(ok),
        "sees": set(sees),
        "blind": set(blind),
        "passed": set(passed),
        "refused": set(refused),
        "handed_on": set(handed_on),
    }


def rows(w) -> dict[str, dict]:
    """One row for each operation of the API: "METHOD /path" -> the request and who gets
    which answer. Callers not named get `login` without an account of the right kind and
    `denied` otherwise."""
    app, fresh = w["assigned"].number, w["fresh"].number
    a = w["centre"].code
    users = EVERYONE - DEVICES - {"anonymous"}
    sees_app = FRONT | {"citizen", "reviewer", "head"} | SEES_ALL_APPLICATIONS
    centre_staff = FRONT
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    return {
        # The public register, centres, boards, slots, a ticket by its code.
        "GET /agencies": row("/agencies", ok=EVERYONE),
        "GET /services": row("/services", ok=EVERYONE),
        "GET /services/{code}": row("/services/passport", ok=EVERYONE),
        "GET /life-situations": row("/life-situations", ok=EVERYONE),
        "GET /life-situations/{code}": row(f"/life-situations/{w['life_situation']}", ok=EVERYONE),
        "GET /offices": row("/offices", ok=EVERYONE),
        "GET /offices/{code}": row(f"/offices/{a}", ok=EVERYONE),
        "GET /offices/{code}/board": row(f"/offices/{a}/board", ok=EVERYONE),
        "GET /offices/{code}/slots": row(
            f"/offices/{a}/slots?service=passport&date={tomorrow}", ok=EVERYONE
        ),
        "GET /signatures/ca": row("/signatures/ca", ok=EVERYONE),
        "GET /tickets/follow/{follow_code}": row(
            f"/tickets/follow/{w['waiting'].follow_code}", ok=EVERYONE
        ),
        "POST /auth/token": row(
            "/auth/token",
            body={"username": w["operator"].username, "password": w["password"]},
            ok=EVERYONE,
        ),
        "GET /me": row("/me", ok=users),
        # Ends the calling token (rolled back here like every other write).
        "POST /auth/logout": row("/auth/logout", ok=users),
        # Public anchors of the audit trail, for witnesses outside the platform.
        "GET /audit/checkpoints": row("/audit/checkpoints", ok=EVERYONE),
        "GET /audit/certificate": row("/audit/certificate", ok=EVERYONE),
        # Applications.
        "GET /applications": row("/applications", sees=sees_app, blind=users - sees_app),
        "GET /applications/{number}": row(f"/applications/{app}", ok=sees_app),
        "GET /applications/{number}/result": row(f"/applications/{app}/result"),
        "GET /applications/{number}/result.p7s": row(f"/applications/{app}/result.p7s"),
        "POST /applications": row(
            "/applications",
            body={
                "service": "passport",
                "applicant": {"iin": w["citizen"].person.iin},
                "channel": "oss",
                "office": a,
            },
            ok={"operator", "manager"},
        ),
        "POST /applications/{number}/documents": row(
            f"/applications/{fresh}/documents",
            files={"file": ("scan.pdf", PDF)},
            ok={"citizen", "operator", "manager"},
        ),
        "POST /applications/{number}/transitions": row(
            f"/applications/{app}/transitions", body={"action": "approve"}, ok={"reviewer"}
        ),
        "POST /applications/{number}/reassign": row(
            f"/applications/{app}/reassign",
            body={"reason": "conflict"},
            handed_on={"reviewer"},
            passed={"head"},
        ),
        "POST /applications/{number}/steps": row(
            f"/applications/{fresh}/steps",
            body={"step": "photo", "station": "booth 1"},
            passed={"operator", "manager"},
        ),
        # Appointments.
        "GET /appointments": row(
            f"/appointments?iin={w['citizen'].person.iin}",
            sees={"citizen", "agent"} | centre_staff,
            blind={"other_citizen", "operator_elsewhere", "manager_elsewhere"},
        ),
        "GET /appointments/{appointment_id}": row(
            f"/appointments/{w['appointment'].pk}", ok={"citizen", "agent"} | centre_staff
        ),
        "POST /appointments": row(
            "/appointments",
            body={"office": a, "service": "passport", "start": w["free_slot"]},
            ok={"citizen", "other_citizen"},  # each for himself or herself
            passed={"agent"},
        ),
        "DELETE /appointments/{appointment_id}": row(
            f"/appointments/{w['appointment'].pk}", ok={"citizen", "agent"} | centre_staff
        ),
        "POST /appointments/{appointment_id}/check-in": row(
            f"/appointments/{w['appointment'].pk}/check-in",
            passed={"citizen", "kiosk"} | centre_staff,
        ),
        "POST /appointments/check-in": row(
            "/appointments/check-in",
            body={"code": w["appointment"].code},
            passed={"citizen", "kiosk"} | centre_staff,
        ),
        # Home visits: the centre's staff see their own mobile centre's only.
        "GET /home-visits": row(
            "/home-visits", sees={"citizen", "agent"}, blind=users - {"citizen", "agent"}
        ),
        "GET /home-visits/{visit_id}": row(
            f"/home-visits/{w['visit'].pk}", ok={"citizen", "agent"}
        ),
        "POST /home-visits": row(
            "/home-visits",
            body={
                "service": HOME_VISIT_SERVICE,
                "reason": "I use a wheelchair.",
                "iin": w["other_citizen"].person.iin,
                "address": "Abay avenue 3",
                "office": w["van"].code,
            },
            passed={"agent", "other_citizen"},  # the citizen may not ask for another
        ),
        "POST /home-visits/{visit_id}/schedule": row(
            f"/home-visits/{w['visit'].pk}/schedule",
            body={
                "operator": w["van_operator"].username,
                "scheduled_for": f"{tomorrow}T10:00:00+05:00",
            },
        ),
        "POST /home-visits/{visit_id}/visit": row(f"/home-visits/{w['visit'].pk}/visit", body={}),
        "POST /home-visits/{visit_id}/cancel": row(
            f"/home-visits/{w['visit'].pk}/cancel", body={}, ok={"citizen", "agent"}
        ),
        "POST /mobile/sync": row(
            "/mobile/sync", body={"device": str(uuid.uuid4()), "operations": []}
        ),
        # The queue.
        "POST /offices/{code}/tickets": row(
            f"/offices/{a}/tickets", body={"service": "passport"}, ok={"kiosk"} | centre_staff
        ),
        "POST /offices/{code}/windows/{window}/call-next": row(
            f"/offices/{a}/windows/1/call-next", passed={"operator", "manager"}
        ),
        "POST /offices/{code}/windows/{window}/state": row(
            f"/offices/{a}/windows/2/state", body={"state": "open"}, ok={"manager"}
        ),
        "GET /tickets/{ticket_id}": row(
            f"/tickets/{w['waiting'].pk}", ok={"citizen"} | centre_staff | DEVICES
        ),
        "POST /tickets/{ticket_id}/start": row(
            f"/tickets/{w['called'].pk}/start", ok={"operator", "manager"}
        ),
        "POST /tickets/{ticket_id}/finish": row(
            f"/tickets/{w['serving'].pk}/finish",
            ok={"manager"},
            passed={"operator"},  # another operator's visitor: 409
        ),
        "POST /tickets/{ticket_id}/no-show": row(
            f"/tickets/{w['called'].pk}/no-show", ok={"operator", "manager"}
        ),
        "POST /tickets/{ticket_id}/recall": row(
            f"/tickets/{w['called'].pk}/recall", ok={"operator", "manager"}
        ),
        "POST /tickets/{ticket_id}/cancel": row(
            f"/tickets/{w['waiting'].pk}/cancel", ok={"consultant", "operator", "manager"}
        ),
        "POST /tickets/{ticket_id}/transfer": row(
            f"/tickets/{w['called'].pk}/transfer",
            body={"window": 2},
            passed={"operator", "manager"},
        ),
        "POST /tickets/{ticket_id}/rating": row(
            f"/tickets/{w['served'].pk}/rating",
            body={"score": "good"},
            ok={"citizen", "rating"},
            refused=EVERYONE - {"anonymous", "citizen", "rating"},
        ),
    }


def operations() -> list[tuple[str, str]]:
    """Every (method, path) of the API, as its OpenAPI document lists it, and its auth."""
    found = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            schemes = {name for s in operation.get("security", []) for name in s}
            found.append((f"{method.upper()} {path.removeprefix('/api/v1')}", schemes))
    return found


def test_every_endpoint_has_a_row():
    world = {k: _Anything() for k in ("assigned", "fresh", "centre", "appointment")}
    world |= {k: _Anything() for k in ("waiting", "called", "serving", "served", "visit")}
    world |= {"citizen": _Anything(), "other_citizen": _Anything()}
    world |= {k: _Anything() for k in ("operator", "van", "van_operator")}
    world |= {"free_slot": "", "life_situation": "", "password": ""}
    known = rows(world)
    missing = [op for op, _auth in operations() if op not in known]
    assert not missing, (
        "These API operations have no row in the security matrix "
        f"(src/onestop/tests/test_security_matrix.py, rows()): {missing}. Say who may call "
        "each and what everyone else gets."
    )
    gone = set(known) - {op for op, _auth in operations()}
    assert not gone, f"Rows for operations the API no longer has: {sorted(gone)}"


class _Anything:
    """Stands for an object of the world when only the rows' names are wanted."""

    pk = 0
    number = code = follow_code = "x"

    def __getattr__(self, name):
        return _Anything()


@pytest.fixture
def world(settings):
    settings.RATE_LIMITS = False
    centre = factories.centre()
    elsewhere = factories.centre()
    van = factories.mobile_centre()
    van_operator = factories.staff(Role.OPERATOR, office=van, window=1)
    citizen, other_citizen = factories.citizen(), factories.citizen()
    operator = factories.staff(Role.OPERATOR, office=centre, window=1)
    password = factories.password(operator)
    manager = factories.staff(Role.MANAGER, office=centre)
    factories.reviewer(REVIEWED_SERVICE)

    # An application under review, drawn for one of the agency's reviewers, and one
    # still at the front office.
    assigned = cases.file_application(
        actor=operator,
        service_code=REVIEWED_SERVICE,
        channel="oss",
        applicant_iin=citizen.person.iin,
        office_code=centre.code,
    )
    cases.transition(actor=operator, application=assigned, action="accept")
    assigned.refresh_from_db()
    assert assigned.reviewer_id is not None, assigned.status
    fresh = cases.file_application(
        actor=operator,
        service_code="passport",
        channel="oss",
        applicant_iin=citizen.person.iin,
        office_code=centre.code,
    )
    agency = assigned.agency
    other_agency = Agency.objects.exclude(pk=agency.pk).order_by("code").first()
    reviewer_elsewhere = factories.staff(Role.REVIEWER, agency=other_agency)

    # The queue: a ticket served (to rate), one serving, one called, one waiting.
    def issue():
        return queue.issue_ticket(
            office_code=centre.code,
            service_code="passport",
            actor=operator,
            iin=citizen.person.iin,
            channel="consultant",
        )

    served = issue()
    queue.call_next(actor=operator, office_code=centre.code, window_number=1)
    queue.move(actor=operator, ticket=served.pk, action="start")
    queue.move(actor=operator, ticket=served.pk, action="finish")
    window2 = factories.staff(Role.OPERATOR, office=centre, window=2)
    serving = issue()
    queue.call_next(actor=window2, office_code=centre.code, window_number=2)
    queue.move(actor=window2, ticket=serving.pk, action="start")
    called = issue()
    queue.call_next(actor=operator, office_code=centre.code, window_number=1)
    waiting = issue()

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    slots = appointments.slots(office_code=centre.code, service_code="passport", day=tomorrow)
    appointment = appointments.book(
        actor=citizen,
        office_code=centre.code,
        service_code="passport",
        start=slots[0].start,
        iin=citizen.person.iin,
    )
    later = appointments.slots(
        office_code=centre.code,
        service_code="passport",
        day=tomorrow + datetime.timedelta(days=1),
    )
    visit = mobile.request_home_visit(
        actor=citizen,
        service_code=HOME_VISIT_SERVICE,
        reason="I use a wheelchair.",
        address="Abay avenue 1, flat 2",
        office_code=van.code,
    )
    window1 = centre.windows.get(number=1)
    devices = {}
    for kind in (Device.Kind.KIOSK, Device.Kind.BOARD, Device.Kind.RATING):
        _device, token = queue.register_device(
            actor=None,
            office=centre,
            kind=kind,
            name=f"{kind} of the matrix",
            window=window1 if kind == Device.Kind.RATING else None,
        )
        devices[str(kind)] = token
    accounts = {
        "citizen": citizen,
        "other_citizen": other_citizen,
        "consultant": factories.staff(Role.CONSULTANT, office=centre),
        "operator": operator,
        "operator_elsewhere": factories.staff(Role.OPERATOR, office=elsewhere, window=1),
        "manager": manager,
        "manager_elsewhere": factories.staff(Role.MANAGER, office=elsewhere),
        "reviewer": assigned.reviewer,
        "reviewer_elsewhere": reviewer_elsewhere,
        "head": factories.staff(Role.HEAD, agency=agency),
        "agent": factories.staff(Role.AGENT),
        "analyst": factories.staff(Role.ANALYST),
        "auditor": factories.staff(Role.AUDITOR),
        "standards_admin": factories.standards_administrator(),
    }
    clients = {"anonymous": Client()}
    for name, account in accounts.items():
        clients[name] = Client()
        clients[name].force_login(account)
    for name, token in devices.items():
        clients[name] = Client(headers={"Authorization": f"Bearer {token}"})
    layout.clear()
    return {
        "clients": clients,
        "centre": centre,
        "operator": operator,
        "password": password,
        "van": van,
        "van_operator": van_operator,
        "citizen": citizen,
        "other_citizen": other_citizen,
        "assigned": assigned,
        "fresh": fresh,
        "served": served,
        "serving": serving,
        "called": called,
        "waiting": waiting,
        "appointment": appointment,
        "free_slot": later[0].start.isoformat(),
        "visit": visit,
        "life_situation": "birth-of-a-child",
    }


def expected_for(caller: str, spec: dict, schemes: set[str]) -> str:
    for answer in ("ok", "sees", "blind", "passed", "refused", "handed_on"):
        if caller in spec[answer]:
            return answer
    if caller == "anonymous":
        return "login"
    if caller in DEVICES and "UserOrDevice" not in schemes:
        return "login"
    return "denied"


MEANS = {
    "ok": lambda s: 200 <= s < 300,
    "sees": lambda s: 200 <= s < 300,
    "blind": lambda s: 200 <= s < 300,
    "login": lambda s: s == 401,
    "denied": lambda s: s in {403, 404},
    "refused": lambda s: s in {403, 404, 409},
    "passed": lambda s: 200 <= s < 300 or s in {409, 422},
    "handed_on": lambda s: s == 404,
}


def mark_of(world, op: str) -> str:
    """What of someone else's a list must not show: its number or id."""
    if op.startswith("GET /applications"):
        return f'"{world["assigned"].number}"'
    if op.startswith("GET /appointments"):
        return f'"{world["appointment"].code}"'
    return f'"id": {world["visit"].pk},'


def ask(client: Client, method: str, spec: dict):
    url = "/api/v1" + spec["path"]
    if spec["files"]:
        name, content = spec["files"]["file"]
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(url, {"file": SimpleUploadedFile(name, content, "application/pdf")})
    call = getattr(client, method.lower())
    if method == "GET":
        return call(url)
    return call(url, spec["body"] or {}, content_type="application/json")


def last_event() -> int:
    """The audit trail's length: every write records an event."""
    return AuditHead.objects.values_list("seq", flat=True).first() or 0


class _Undo(Exception):
    pass


def test_every_caller_gets_the_answer_its_role_allows(world):
    table = rows(world)
    wrong = []
    for op, schemes in operations():
        spec = table[op]
        method = op.split(" ")[0]
        for caller in CALLERS:
            expected = expected_for(caller, spec, schemes)
            before = last_event()
            client = world["clients"][caller]
            cookies = copy.deepcopy(client.cookies)  # a logout ends the session: undone below
            # Rolled back like a test's own transaction (which outside calls may run in).
            savepoint = transaction.atomic()
            savepoint._from_testcase = True
            try:
                with savepoint:
                    response = ask(client, method, spec)
                    written = last_event() - before
                    raise _Undo
            except _Undo:
                pass
            if method != "GET":  # what a rolled-back write left in the process's memory
                layout.clear()
                client.cookies = cookies
            status = response.status_code
            problem = None
            if not MEANS[expected](status):
                problem = f"got {status}"
            elif expected in {"login", "denied", "refused"} and written:
                problem = f"refused with {status} but wrote {written} audit event(s)"
            elif expected == "handed_on" and not written:
                problem = "wrote nothing"
            elif expected in {"sees", "blind"}:
                shown = mark_of(world, op) in response.content.decode()
                if shown != (expected == "sees"):
                    problem = "sees someone else's" if shown else "does not see its own"
            if problem:
                wrong.append(f"{op} as {caller}: expected {expected}, {problem}")
    assert not wrong, "\n".join(wrong)


def test_a_documents_source_names_who_added_it(world):
    fresh = world["fresh"]
    for caller, source in (("citizen", "applicant"), ("operator", "operator")):
        spec = rows(world)["POST /applications/{number}/documents"]
        response = ask(world["clients"][caller], "POST", spec)
        assert response.status_code == 201, response.content
        assert response.json()[0]["source"] == source
    assert {d.source for d in fresh.documents.all()} >= {"applicant", "operator"}
    assert Service.objects.filter(code="passport").exists()
