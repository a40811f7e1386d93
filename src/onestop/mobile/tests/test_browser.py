"""The van's operator screen in Chromium: it keeps working with the connection down, and
what was captured reaches the server once the connection is back.

Screenshots go to ONESTOP_SCREENSHOTS (a directory) when it is set."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from onestop.cases.models import Application
from onestop.mobile.models import SyncOperation
from onestop.mobile.tests.conftest import people, wrong_check_digit
from onestop.queueing.models import Ticket
from onestop.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(live_server, committed_van):
    return live_server.url


def shoot(page, name: str) -> None:
    folder = os.environ.get("ONESTOP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def open_screen(browser, site, viewport):
    context = browser.new_context(locale="en", viewport=viewport)
    page = context.new_page()
    page.goto(f"{site}/login/?lang=en&next=/mobile/")
    page.fill("#id_username", "van-operator")
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/mobile/$"))
    # Ready for offline: the service worker controls the page and keeps what it needs.
    page.wait_for_selector("#mobile[data-offline-ready=yes]", timeout=20000)
    page.wait_for_selector("#ticket-service option[value=address-certificate]", state="attached")
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    return context, page


def badge(page) -> str:
    return page.inner_text("#sync-badge")


def test_capture_offline_then_sync_when_back_online(browser, site, committed_van):
    iin = people(1)[0].iin
    context, page = open_screen(browser, site, TABLET)
    assert page.inner_text(".stop-settlement") == "Akshi"
    assert "all synced" in badge(page)

    context.set_offline(True)
    page.reload()  # the page itself comes from the service worker now
    page.wait_for_selector("#ticket-service option[value=address-certificate]", state="attached")
    page.wait_for_function(
        "() => document.getElementById('sync-badge').textContent.includes('Offline')"
    )

    page.select_option("#ticket-service", "address-certificate")
    page.click("#ticket-form button[type=submit]")
    page.wait_for_function(
        "() => document.getElementById('sync-badge').textContent.includes('1 waiting')"
    )

    page.select_option("#application-service", "pension-contributions-certificate")
    page.fill("#application-iin", wrong_check_digit(iin))
    page.click("#application-form button[type=submit]")
    assert "check digit" in page.inner_text("#application-iin-error")
    page.fill("#application-iin", iin)
    page.click("#application-form button[type=submit]")
    page.wait_for_function(
        "() => document.getElementById('sync-badge').textContent.includes('2 waiting')"
    )
    assert page.inner_text("#application-iin-error") == ""
    assert "Offline · 2 waiting to sync" in badge(page)
    assert page.locator("#captured tbody tr.state-pending").count() == 2
    shoot(page, "tablet-offline-2-waiting")
    assert SyncOperation.objects.count() == 0  # nothing left the device

    context.set_offline(False)
    page.wait_for_function(
        "() => document.getElementById('sync-badge').textContent.includes('all synced')",
        timeout=20000,
    )
    assert page.locator("#captured tbody tr.state-synced").count() == 2
    shoot(page, "tablet-synced")

    assert SyncOperation.objects.filter(status="applied").count() == 2
    ticket = Ticket.objects.get(channel="mobile", office=committed_van)
    application = Application.objects.get(channel="mobile", office=committed_van)
    assert application.applicant.iin == iin
    outcomes = page.locator("#captured td.outcome").all_inner_texts()
    assert any(ticket.number in text for text in outcomes)
    assert any(application.number in text for text in outcomes)
    context.close()


def test_the_screen_on_a_phone(browser, site):
    context, page = open_screen(browser, site, PHONE)
    context.set_offline(True)
    page.select_option("#ticket-service", "address-certificate")
    page.click("#ticket-form button[type=submit]")
    page.wait_for_function(
        "() => document.getElementById('sync-badge').textContent.includes('1 waiting')"
    )
    page.select_option("#application-service", "retirement-pension")
    page.fill("#application-iin", unknown_iin())  # a right IIN, but nobody in the registry
    page.click("#application-form button[type=submit]")
    page.wait_for_function(
        "() => document.getElementById('sync-badge').textContent.includes('2 waiting')"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing runs off the side of the screen
    shoot(page, "phone-offline-2-waiting")
    context.set_offline(False)
    page.wait_for_function(
        "() => document.getElementById('sync-badge').textContent.includes('all synced · 1 refused')",
        timeout=20000,
    )
    shoot(page, "phone-synced-1-refused")
    assert "population registry" in page.inner_text("#captured tr.state-rejected td.outcome")
    assert page.locator("#captured tr.state-synced").count() == 1
    assert Ticket.objects.filter(channel="mobile").count() == 1
    assert SyncOperation.objects.filter(status="rejected").count() == 1
    assert not Application.objects.filter(channel="mobile").exists()
    context.close()


def unknown_iin() -> str:
    from onestop.people.iin import make_iin
    from onestop.people.models import Person

    for serial in range(9000, 9999):
        iin = make_iin(datetime.date(1951, 3, 8), "female", serial)
        if iin and not Person.objects.filter(iin=iin).exists():
            return iin
    raise AssertionError("no free IIN")


def log_in(browser, site, username: str, viewport, next_page: str, password: str = ""):
    context = browser.new_context(locale="en", viewport=viewport)
    page = context.new_page()
    page.goto(f"{site}/login/?lang=en&next={next_page}")
    page.fill("#id_username", username)
    page.fill("#id_password", password or settings.DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(f".*{re.escape(next_page)}$"))
    return context, page


def test_a_home_visit_from_request_to_filed_application(browser, site):
    from django.utils import timezone

    # A citizen of the van's town, with a phone and a home address, logs in as anyone would.
    citizen = factories.citizen(of=people(1)[0])
    context, page = log_in(
        browser,
        site,
        citizen.username,
        PHONE,
        "/mobile/home-visits/new/?service=retirement-pension",
        password=factories.password(citizen),
    )
    assert page.input_value("#address") == citizen.person.address
    page.fill("#reason", "I am 86 and cannot walk far.")
    shoot(page, "phone-home-visit-request")
    page.click("button:has-text('Ask for a visit')")
    page.wait_for_selector(".visit-requested")
    shoot(page, "phone-home-visits-citizen")
    context.close()

    context, page = log_in(browser, site, "van-operator", TABLET, "/mobile/home-visits/")
    when = (timezone.now() + datetime.timedelta(days=1)).astimezone(
        datetime.timezone(datetime.timedelta(hours=5))
    )
    page.fill("input[name=scheduled_for]", when.strftime("%Y-%m-%dT10:30"))
    page.click("button:has-text('Schedule')")
    page.wait_for_selector(".visit-scheduled")
    shoot(page, "tablet-home-visits-operator")
    page.click("button:has-text('Visited: file the application')")
    page.wait_for_url(re.compile(r".*/applications/.+/$"))
    assert "is filed" in page.inner_text(".messages")
    assert Application.objects.get(channel="home_visit").applicant == citizen.person
    context.close()
