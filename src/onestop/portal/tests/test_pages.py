import re

import pytest

from onestop.catalog.models import Service
from onestop.people.models import Role
from onestop.tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "a-password-for-this-test-1"


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_home_speaks_the_chosen_language(client, language):
    response = client.get(f"/?lang={language}")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}"' in html
    assert response["Content-Language"] == language
    passport = Service.objects.get(code="birth-registration")
    assert response.cookies["onestop_lang"].value == language
    # The choice sticks for the next page.
    page = client.get("/services/").content.decode()
    assert f'<html lang="{language}"' in page
    assert getattr(passport, f"name_{language}") in page


def test_catalogue_search_finds_and_filters(client):
    html = client.get("/services/?q=паспорт&lang=ru").content.decode()
    assert Service.objects.get(code="passport").name_ru in html
    assert Service.objects.get(code="kindergarten-queue").name_ru not in html
    partial = client.get("/services/?q=паспорт&lang=ru", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and Service.objects.get(code="passport").name_ru in partial


def test_service_page_in_plain_words(client):
    service = Service.objects.get(code="real-estate-registration")
    html = client.get("/services/real-estate-registration/?lang=en").content.decode()
    assert service.name_en in html and service.description_en in html
    for document in service.current_standard.documents.all():
        assert document.name_en in html
    assert "What to bring" in html and "What we fetch ourselves" in html
    assert "₸" in html or "free" in html
    assert re.search(r"\d+ (working|calendar) days?|\d+ (minutes?|hours?)", html)


def test_multi_step_service_lists_its_steps(client):
    html = client.get("/services/driving-licence/?lang=ru").content.decode()
    steps = list(Service.objects.get(code="driving-licence").current_standard.steps.all())
    positions = [html.index(step.name_ru) for step in steps]
    assert positions == sorted(positions)


def test_life_situation_and_category_pages(client):
    html = client.get("/life-situations/birth-of-a-child/?lang=kk").content.decode()
    assert Service.objects.get(code="child-birth-benefit").name_kk in html
    category = Service.objects.get(code="passport").category
    assert (
        Service.objects.get(code="passport").name_kk
        in client.get(f"/categories/{category.code}/?lang=kk").content.decode()
    )


def test_centres_page_shows_the_mobile_route(client):
    html = client.get("/centres/?lang=ru").content.decode()
    assert "Мобильный ЦОН" in html and "Талгар" in html


def test_unknown_pages_are_a_friendly_404(client):
    for url in [
        "/services/no-such-service/",
        "/life-situations/nothing/",
        "/categories/nothing/",
        "/nowhere",
    ]:
        response = client.get(url + "?lang=en")
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


def test_staff_log_in_on_the_page(client):
    operator = factories.with_password(factories.staff(Role.OPERATOR), PASSWORD)
    response = client.post("/login/?lang=en", {"username": operator.username, "password": PASSWORD})
    assert response.status_code == 302
    assert "Log out" in client.get("/?lang=en").content.decode()
    bad = client.post("/login/?lang=en", {"username": operator.username, "password": "wrong"})
    assert "The username or the password is wrong." in bad.content.decode()


def test_standards_admin_sees_the_readability_check(client):
    admin = factories.with_password(factories.standards_administrator(), PASSWORD)
    client.post("/login/", {"username": admin.username, "password": PASSWORD})
    service = Service.objects.get(code="passport")
    html = client.get(f"/admin/catalog/service/{service.pk}/change/?lang=en").content.decode()
    assert "readability check" in html.lower()
    standard = service.current_standard
    assert (
        client.post(
            f"/admin/catalog/standard/{standard.pk}/change/", {"fee_amount": "1.00"}
        ).status_code
        == 403
    )


def test_service_page_points_to_the_less_loaded_centre(client):
    from onestop.queueing import services as queue

    busy, quiet = factories.centre(windows=4), factories.centre(windows=4)
    for _ in range(6):
        queue.issue_ticket(
            office_code=busy.code,
            service_code="passport",
            actor=factories.staff(Role.OPERATOR, office=busy),
        )
    html = client.get("/services/passport/?lang=en").content.decode()
    assert html.index(quiet.name_en) < html.index(busy.name_en)
    assert "wait now about 60 min" in html and "wait now about 0 min" in html
