"""The operator's screen and its service worker, as served."""

import json
import re

import pytest
from django.utils import translation

from onestop.mobile.tests.conftest import make_operator, staff_elsewhere
from onestop.offices.models import Office
from onestop.people.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    """These tests read the English wording; other languages have their own tests."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def config_of(html: str) -> dict:
    found = re.search(r'<script id="mobile-config" type="application/json">(.*?)</script>', html)
    assert found, html[:500]
    return json.loads(found.group(1))


def test_the_vans_operator_gets_the_screen_with_todays_stop(van, van_operator, client_for):
    client = client_for(van_operator)
    response = client.get("/mobile/?lang=en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Akshi" in html and "By the school" in html and "00:00–23:59" in html
    assert 'id="sync-badge"' in html
    config = config_of(html)
    assert config["syncUrl"] == "/api/v1/mobile/sync"
    assert config["officeUrl"] == f"/api/v1/offices/{van.code}?lang=en"
    assert config["servicesUrl"].startswith("/api/v1/services?channel=mobile&limit=200")
    assert config["scope"] == "/mobile/" and config["serviceWorker"] == "/mobile/sw.js"
    # The data the screen keeps for offline use answers for this operator.
    assert client.get(config["servicesUrl"]).json()["count"] > 5
    office = client.get(config["officeUrl"]).json()
    assert office["kind"] == "mobile" and office["route"]


def test_the_service_worker_may_control_the_screen(client):
    response = client.get("/mobile/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/mobile/"
    assert 'addEventListener("fetch"' in response.content.decode()


def test_others_are_told_the_screen_is_not_theirs(van, client_for):
    response = client_for(staff_elsewhere(Role.OPERATOR)).get("/mobile/?lang=en")
    assert response.status_code == 403
    assert "mobile centre" in response.content.decode().lower()


def test_a_stop_less_day_says_so(van, client_for):
    van.route_stops.all().delete()
    operator = make_operator("van-operator-x", Office.objects.get(code=van.code))
    html = client_for(operator).get("/mobile/?lang=en").content.decode()
    assert "No stop on the route today." in html


def test_the_screen_needs_a_login(client):
    response = client.get("/mobile/")
    assert response.status_code == 302 and "/login/" in response["Location"]
