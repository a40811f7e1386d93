"""The queue's journey in Chromium against the live server: a visitor takes a ticket at
the kiosk (a portrait touchscreen), follows it on a phone, an operator calls it and the hall's
board shows it within 2 seconds with a chime and the call read out, the operator serves
the visitor, and the rating screen at window 1 takes an "excellent".

Set ONESTOP_SCREENSHOTS=<folder> to keep a screenshot of every screen."""

import os
import re
import time
from pathlib import Path

import pytest

from onestop.people.models import Role
from onestop.queueing.models import Rating, Ticket
from onestop.queueing.tests.conftest import SERVICES, WINDOWS
from onestop.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ["ONESTOP_SCREENSHOTS"]) if os.environ.get("ONESTOP_SCREENSHOTS") else None

# Records what the board says and plays instead of saying and playing it: headless Chromium
# has no voices, and the test wants to hear the words.
LISTEN = """
window.__spoken = [];
window.__tones = 0;
(function () {
  var record = function (utterance) { window.__spoken.push(utterance.text + " @" + utterance.lang); };
  if (window.speechSynthesis) {
    window.speechSynthesis.speak = record;
    window.speechSynthesis.getVoices = function () { return []; };
  } else {
    window.speechSynthesis = { speak: record, getVoices: function () { return []; } };
  }
  var Context = window.AudioContext || window.webkitAudioContext;
  if (Context) {
    var create = Context.prototype.createOscillator;
    Context.prototype.createOscillator = function () {
      window.__tones += 1;
      return create.call(this);
    };
  }
})();
"""


@pytest.fixture
def hall(live_server):
    """A centre of its own, open around the clock, committed for the live server (the
    register first: a test before may have emptied the database)."""
    factories.reference_register()
    return factories.centre(services=SERVICES, windows=WINDOWS)


@pytest.fixture
def site(live_server, hall):
    return live_server.url


def shot(page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def screen(browser, errors: list, *, width: int, height: int, touch: bool = False, lang="ru"):
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=touch, locale=lang
    )
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return page


def test_kiosk_board_workstation_and_rating(browser, site, hall):
    errors: list[str] = []
    code = hall.code
    staff = factories.staff(Role.OPERATOR, office=hall, window=1)
    password = factories.password(staff)

    # A visitor takes a ticket at the kiosk, a portrait touchscreen.
    kiosk = screen(browser, errors, width=1080, height=1920, touch=True)
    kiosk.clock.install()
    kiosk.goto(f"{site}/queue/kiosk/{code}/?device={factories.device_token('kiosk', office=hall)}")
    assert kiosk.get_attribute("html", "lang") == "ru"
    shot(kiosk, "kiosk-1-topics")
    kiosk.tap("a.kiosk-tile[href$='topic=identity']")
    kiosk.wait_for_selector("a.kiosk-tile[href$='service=passport']")
    shot(kiosk, "kiosk-2-services")
    kiosk.tap("a.kiosk-tile[href$='service=passport']")
    kiosk.wait_for_selector(".kiosk-go")
    for digit in "1234":
        kiosk.tap(f"[data-key='{digit}']")
    kiosk.tap("[data-key='clear']")
    assert kiosk.input_value("#iin") == ""
    shot(kiosk, "kiosk-3-service")
    kiosk.tap(".kiosk-go")
    number = kiosk.locator("[data-ticket-number]").inner_text()
    assert re.fullmatch(r"A\d{3}", number)
    follow_path = kiosk.locator(".follow-path").inner_text()
    ticket = Ticket.objects.get(number=number)
    assert ticket.status == "waiting" and follow_path == f"/queue/t/{ticket.follow_code}/"
    shot(kiosk, "kiosk-4-ticket")

    # The visitor follows the ticket on a phone.
    phone = screen(browser, errors, width=390, height=844, touch=True)
    phone.goto(f"{site}{follow_path}")
    assert phone.locator("[data-ticket-number]").inner_text() == number
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "follow-1-waiting")

    # The hall's board, reading calls out loud.
    board = screen(browser, errors, width=1920, height=1080, lang="kk")
    board.add_init_script(LISTEN)
    board.goto(f"{site}/queue/board/{code}/?speech=1")
    board.wait_for_timeout(1200)  # a poll or two, with nothing called yet
    assert board.locator(".board-row").count() == 0
    assert board.evaluate("window.__spoken.length + window.__tones") == 0

    # The rating screen of window 1 waits for a finished visit.
    rating = screen(browser, errors, width=1280, height=800, touch=True, lang="kk")
    rating_token = factories.device_token("rating", office=hall, window=1)
    rating.goto(f"{site}/queue/rate/{code}/1/?device={rating_token}")
    assert rating.locator(".rate-screen.step-waiting").count() == 1

    # The operator calls the visitor to window 1: the board shows it within 2 seconds.
    operator = screen(browser, errors, width=1366, height=900, lang="en")
    operator.goto(f"{site}/login/?next=/queue/window/&lang=en")
    operator.fill("#id_username", staff.username)
    operator.fill("#id_password", password)
    operator.click("button[type=submit]")
    operator.wait_for_url(re.compile(r".*/queue/window/.*"))
    shot(operator, "desk-1-idle")
    operator.click("button.call-next")
    operator.wait_for_selector(f"[data-ticket-number]:text-is('{number}')")
    called = time.monotonic()
    board.wait_for_selector(f".board-row.is-latest .board-number:text-is('{number}')", timeout=2000)
    assert time.monotonic() - called <= 2.0
    assert board.locator(".board-row.is-latest .board-window").inner_text() == "1"
    board.wait_for_function("() => window.__spoken.length >= 2", timeout=4000)
    assert board.evaluate("window.__spoken") == [
        f"Талон {number}, терезе 1 @kk-KZ",
        f"Талон {number}, окно 1 @ru-RU",
    ]
    assert board.evaluate("window.__tones") >= 2  # the chime
    shot(board, "board-1-called")
    shot(operator, "desk-2-called")
    phone.wait_for_selector(".follow-go", timeout=7000)  # the phone page refreshes itself
    assert "1" in phone.locator(".follow-go").inner_text()
    shot(phone, "follow-2-called")

    # The operator serves the visitor.
    operator.click("button[value=start]")
    operator.wait_for_selector("button[value=finish]")
    operator.click("button[value=finish]")
    operator.wait_for_selector("button.call-next")
    assert operator.locator("[data-count=served]").inner_text() == "1"
    shot(operator, "desk-3-served")

    # The rating screen notices the finished visit by itself and takes the rating.
    rating.wait_for_selector(f"[data-ticket-number]:text-is('{number}')", timeout=5000)
    shot(rating, "rating-1-asks")
    rating.tap("button.score-excellent")
    rating.wait_for_selector(".rate-screen.step-thanks")
    shot(rating, "rating-2-thanks")
    rated = Rating.objects.select_related("operator").get()
    assert rated.score == "excellent" and rated.operator == staff
    assert rated.ticket.number == number
    rating.wait_for_selector(".rate-screen.step-waiting", timeout=10000)

    # Twenty seconds after the ticket, the kiosk is back at the start for the next visitor.
    kiosk.clock.run_for(21000)
    kiosk.wait_for_selector(".kiosk-tiles.topics")
    assert "data-ticket-number" not in kiosk.content()

    assert errors == []


def test_board_without_voices_still_shows_calls(browser, site, hall):
    """No voice, no audio permission: the board never fails, it still shows the call."""
    from onestop.queueing import services

    errors: list[str] = []
    board = screen(browser, errors, width=1080, height=1920, lang="ru")
    board.goto(f"{site}/queue/board/{hall.code}/?speech=1")
    services.issue_ticket(office_code=hall.code, service_code="passport", channel="kiosk")
    ticket = services.call_next(
        actor=factories.staff(Role.OPERATOR, office=hall, window=2),
        office_code=hall.code,
        window_number=2,
    )
    board.wait_for_selector(f".board-number:text-is('{ticket.number}')", timeout=3000)
    board.wait_for_timeout(1500)  # past the moment the call is read out
    shot(board, "board-2-portrait")
    assert errors == []
