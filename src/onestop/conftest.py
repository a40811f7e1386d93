"""Shared test fixtures: the demo data loaded once per test database, API clients, a browser."""

import os

import pytest
from django.test import Client


def pytest_configure(config):
    """Tests serve static files from their sources: no collectstatic, no manifest."""
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the demo register, centres, people and accounts."""
    from onestop.demo.services import load_demo

    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with no attempts counted against its address."""
    from django.core.cache import cache

    from onestop.queueing import layout

    cache.clear()
    # What a test's rolled-back transaction saved must not outlive it in the process.
    layout.clear()
    yield
    layout.clear()


@pytest.fixture(autouse=True)
def audit_checkpoint_dir(settings, tmp_path_factory):
    """Each test keeps the audit trail's checkpoints in a directory of its own: its
    database is rolled back, and checkpoints of another test's trail would not match it."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path_factory.mktemp("audit")
    return settings.AUDIT_CHECKPOINT_DIR


@pytest.fixture
def run_tasks():
    """Runs queued background tasks the way the worker does (its own code path), including
    the ones scheduled for later when `include_later` is set, until none is left."""
    from django.db.models import Q
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    def run(include_later: bool = False, limit: int = 200) -> int:
        worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test",
            excluded_queue_names=[],
        )
        ran = 0
        while ran < limit:
            ready = (
                DBTaskResult.objects.ready()
                if not include_later
                else DBTaskResult.objects.filter(Q(status=TaskResultStatus.READY))
            )
            task_result = ready.order_by("enqueued_at").first()
            if task_result is None:
                return ran
            task_result.claim("test")
            worker.run_task(task_result)
            task_result.refresh_from_db()
            if task_result.status == TaskResultStatus.FAILED:
                pytest.fail(f"task {task_result.task_path} failed:\n{task_result.traceback}")
            ran += 1
        return ran

    return run


@pytest.fixture
def api_client():
    return Client()


@pytest.fixture
def token_for(api_client):
    """A bearer token for a demo account."""
    from django.conf import settings

    def issue(username: str) -> str:
        response = api_client.post(
            "/api/v1/auth/token",
            {"username": username, "password": settings.DEMO_PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return response.json()["token"]

    return issue


CHROMIUM = os.environ.get("ONESTOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright. A missing browser fails the run, never skips it."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PolicyWatchingBrowser:
    """The browser as a test sees it: every page it opens reports what the
    Content-Security-Policy refused, and the test fails on any of it."""

    def __init__(self, browser):
        self._browser = browser
        self.refused: list[str] = []

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.on("console", self._console)
        return context

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.on("console", self._console)
        return page

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.refused.append(f"{message.location.get('url')}: {message.text}")

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def browser(chromium):
    watching = PolicyWatchingBrowser(chromium)
    yield watching
    assert not watching.refused, "the Content-Security-Policy refused:\n" + "\n".join(
        watching.refused
    )
