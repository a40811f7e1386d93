"""Browser journeys per role: operator at the counter, reviewer in the back office, agency
head, citizen on the portal. Chromium against the live server; each logs in through the
login page with an account the test made."""

import re

import pytest
from django.conf import settings

from onestop.cases.models import Application
from onestop.tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("register"),  # before the test's own data
]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PASSWORD = "a-password-for-this-test-1"


@pytest.fixture
def site(live_server, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return live_server.url


def log_in(browser, site, user, language="en"):
    """A page of `user`, logged in through the login page."""
    factories.with_password(user, PASSWORD)
    username = user.username
    context = browser.new_context(locale=language, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site}/login/?lang={language}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/applications/.*"))
    return page


def test_counter_to_back_office_and_back(
    browser, site, tmp_path, run_tasks, citizen, operator, reviewers
):
    scan = tmp_path / "contract.pdf"
    scan.write_bytes(PDF)

    operator = log_in(browser, site, operator)
    operator.click("text=New application")
    operator.select_option("#service", "real-estate-registration")
    operator.fill("#pick-iin", citizen.person.iin)
    operator.click("button:has-text('Next')")
    assert operator.input_value("#iin") == citizen.person.iin
    operator.set_input_files("input[type=file]", str(scan))
    operator.click("button:has-text('File the application')")
    operator.wait_for_selector("text=is filed")
    number = operator.locator(".key-facts dd").first.inner_text()
    assert operator.locator("text=Fetched from state registries").is_visible()
    operator.click("button:has-text('Accept')")
    operator.wait_for_selector(".status-assigned")
    body = operator.content()
    for name in [r.username for r in reviewers] + [r.last_name for r in reviewers]:
        assert name not in body

    drawn = Application.objects.get(number=number).reviewer
    assert drawn in reviewers
    reviewer = log_in(browser, site, drawn)
    reviewer.click(f"text={number}")
    assert citizen.person.phone not in reviewer.content()  # the back office never sees the phone
    reviewer.fill("#reason", "The title and the contract match.")
    reviewer.click("button:has-text('Approve')")
    reviewer.wait_for_selector(".result-pending")  # the worker produces the result
    run_tasks()
    reviewer.reload()
    reviewer.wait_for_selector(".status-ready")

    operator.reload()
    operator.click("button:has-text('Hand out the result')")
    operator.wait_for_selector(".status-issued")
    pdf = operator.request.get(f"{site}/applications/{number}/result.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    portal = log_in(browser, site, citizen)
    portal.click(f"text={number}")
    timeline = portal.locator(".timeline li").all_inner_texts()
    assert len(timeline) == 6
    assert portal.locator(".result-box").is_visible()


def test_citizen_applies_on_the_portal_and_gets_the_result(browser, site, run_tasks, citizen):
    page = log_in(browser, site, citizen, "ru")
    page.goto(f"{site}/services/address-certificate/?lang=ru")
    page.click(".apply [role=button]")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector(".result-pending")  # the worker produces the result
    run_tasks()
    page.wait_for_selector(".result-box")  # the page refreshes itself until it is ready
    assert page.get_attribute("html", "lang") == "ru"
    assert page.locator(".status-ready").count() == 1
    page.click("button[value=issue]")
    page.wait_for_selector(".status-issued")


def test_head_sees_overdue_applications_first(browser, site, centre, operator, reviewers, head):
    import datetime

    from django.utils import timezone

    from onestop.cases import services

    people = [factories.citizen(), factories.citizen()]
    factories.known_to_registries()
    numbers = []
    for citizen in people:
        application = services.file_application(
            actor=operator,
            service_code="real-estate-registration",
            channel="oss",
            applicant_iin=citizen.person.iin,
            office_code=centre.code,
        )
        services.transition(actor=operator, application=application, action="accept")
        numbers.append(application.number)
    Application.objects.filter(number=numbers[1]).update(
        due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    services.flag_overdue()
    head = log_in(browser, site, head)
    first_row = head.locator("table.applications tbody tr").first
    assert numbers[1] in first_row.inner_text() and "overdue" in first_row.inner_text()
    assert "overdue" in (first_row.get_attribute("class") or "")
    head.click(f"text={numbers[1]}")
    head.fill("#reason", "conflict of interest")
    head.click("button:has-text('Draw another reviewer')")
    head.wait_for_selector("text=Another reviewer was drawn")
    assert Application.objects.get(number=numbers[1]).assignments.count() == 2
