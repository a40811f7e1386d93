"""Journeys in Chromium against the live server: what a visitor on a phone or a kiosk does."""

import pytest

from onestop.catalog.models import Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server):
    """The live server, with the reference register (a flushed database has none)."""
    from onestop.demo.services import load_register

    load_register()
    return live_server.url


def test_citizen_finds_a_service_on_a_phone_in_kazakh(browser, site):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="kk-KZ"
    )
    page = context.new_page()
    page.goto(f"{site}/")
    assert page.get_attribute("html", "lang") == "kk"
    page.fill("#hero-q", "паспортты")
    page.keyboard.press("Enter")
    page.wait_for_url("**/services/?q=*")
    passport = Service.objects.get(code="passport")
    page.get_by_role("link", name=passport.name_kk).first.click()
    page.wait_for_url("**/services/passport/")
    assert page.locator("h1").inner_text() == passport.name_kk
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="Русский").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "ru"
    assert page.locator("h1").inner_text() == passport.name_ru
    context.close()


def test_catalogue_filters_live_as_you_type(browser, site):
    page = browser.new_page(locale="en-GB")
    page.goto(f"{site}/services/?lang=en")
    total = page.locator(".service-list > li").count()
    assert total >= 40
    page.fill("#q", "certificate")
    page.wait_for_function(
        f"() => document.querySelectorAll('.service-list > li').length < {total}"
    )
    names = page.locator(".service-name").all_inner_texts()
    assert 0 < len(names) < total
    assert "q=certificate" in page.url
    page.select_option("#channel", "pap")
    page.wait_for_function("() => location.search.includes('channel=pap')")
    page.wait_for_timeout(300)
    instant = {s.name_en for s in Service.objects.filter(instant=True)}
    shown = set(page.locator(".service-name").all_inner_texts())
    assert instant & shown
    page.close()


def test_kiosk_touch_targets_and_keyboard(browser, site):
    context = browser.new_context(
        viewport={"width": 1080, "height": 1920}, has_touch=True, locale="ru-RU"
    )
    page = context.new_page()
    page.goto(f"{site}/?lang=ru")
    heights = page.eval_on_selector_all(
        ".tile", "tiles => tiles.map(t => t.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 48
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # Every form field has a label.
    unlabelled = page.evaluate(
        "[...document.querySelectorAll('input:not([type=hidden]), select')].filter(e => !e.labels || !e.labels.length).length"
    )
    assert unlabelled == 0
    context.close()
