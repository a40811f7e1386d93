"""The main pages in Chromium under the Content-Security-Policy: each one loads, runs its
scripts (htmx, the kiosk's, the board's, the mobile centre's) and the browser reports no
refused script, style or connection. The shared `browser` fixture fails the test on any
refusal; this test makes sure every main page is visited at least once."""

import re

import pytest

from onestop.people.models import Role
from onestop.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server):
    """The server, with the register it ships (committed: the server reads it on its own
    connection)."""
    factories.reference_register()
    return live_server.url


@pytest.fixture
def centre(site):
    return factories.centre()


def visit(page, url: str, *, ready: str | None = None) -> None:
    """Opens a page and waits until its scripts have done their first work: the network
    quiet, or (a page that keeps polling) the element that says it is ready."""
    response = page.goto(url)
    assert response is not None and response.status < 400, url
    assert "script-src 'self'" in response.headers["content-security-policy"]
    if ready is None:
        page.wait_for_load_state("networkidle")
    else:
        page.wait_for_selector(ready, state="attached", timeout=20000)


def log_in(browser, site, user):
    context = browser.new_context(locale="en")
    page = context.new_page()
    page.goto(f"{site}/login/?lang=en")
    page.fill("#id_username", user.username)
    page.fill("#id_password", factories.password(user))
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/applications/.*"))
    return page


def test_main_pages_run_under_the_policy(browser, site, centre):
    anonymous = browser.new_context(locale="en").new_page()
    kiosk = factories.device_token("kiosk", office=centre)
    for path in (
        "/",
        "/services/",
        "/centres/",
        "/appointments/",
        f"/queue/kiosk/{centre.code}/?device={kiosk}",
        f"/queue/board/{centre.code}/",
        "/admin/login/",
        "/api/v1/docs",
    ):
        visit(anonymous, site + path)
    # The catalogue's live filter: htmx swaps the results in under the policy.
    anonymous.goto(f"{site}/services/")
    anonymous.fill("#q", "birth")
    anonymous.wait_for_load_state("networkidle")

    operator = log_in(browser, site, factories.staff(Role.OPERATOR, office=centre))
    for path in ("/applications/", "/queue/window/", "/appointments/"):
        visit(operator, site + path)
    # A filter applies as soon as it is chosen (the script that replaced onchange=).
    operator.goto(f"{site}/applications/")
    operator.select_option("#status", index=1)
    operator.wait_for_url(re.compile(r".*status=.+"))

    van_operator = factories.staff(Role.OPERATOR, office=factories.mobile_centre())
    visit(
        log_in(browser, site, van_operator),
        f"{site}/mobile/",
        ready="#mobile[data-offline-ready=yes]",
    )
    manager = factories.staff(Role.MANAGER, office=centre)
    visit(log_in(browser, site, manager), f"{site}/mobile/home-visits/")


def test_admin_pages_run_under_the_policy(browser, site):
    page = browser.new_context(locale="en").new_page()
    page.goto(f"{site}/admin/login/")
    admin = factories.standards_administrator()
    page.fill("#id_username", admin.username)
    page.fill("#id_password", factories.password(admin))
    page.click("input[type=submit]")
    page.wait_for_url(f"{site}/admin/")
    page.wait_for_load_state("networkidle")
    # The register's list and a service's form, with its inlines, filters and widgets.
    page.goto(f"{site}/admin/catalog/service/")
    page.wait_for_load_state("networkidle")
    page.click("#result_list tbody th a")
    page.wait_for_load_state("networkidle")
    assert page.locator("#content-main form").count() == 1
    page.goto(f"{site}/admin/catalog/standard/add/")
    page.wait_for_load_state("networkidle")
