import pytest

pytestmark = pytest.mark.django_db


def test_offices_list_the_demo_centres(api_client):
    body = api_client.get("/api/v1/offices?lang=en").json()
    assert body["count"] == 6
    kinds = [o["kind"] for o in body["items"]]
    assert kinds.count("specialized") == 1 and kinds.count("mobile") == 1
    assert {o["city"] for o in body["items"]} == {"Astana", "Almaty"}
    for office in body["items"]:
        assert office["timezone"] == "Asia/Almaty"
        assert [h["weekday"] for h in office["hours"]] == [0, 1, 2, 3, 4, 5]
        assert office["hours"][0]["opens"].startswith("09:00") and office["hours"][0][
            "closes"
        ].startswith("20:00")


def test_operator_centre_has_four_windows_serving_every_service():
    from onestop.offices.models import Office

    office = Office.objects.get(code="astana-esil")
    services = set(office.services.values_list("code", flat=True))
    assert len(services) > 20
    windows = office.windows.all()
    assert len(windows) >= 4
    for window in windows:
        assert set(window.services.values_list("code", flat=True)) == services


def test_mobile_centre_publishes_its_route(api_client):
    mobile = api_client.get("/api/v1/offices/almaty-mobile?lang=ru").json()
    assert mobile["kind"] == "mobile"
    assert len(mobile["route"]) >= 10
    assert mobile["route"][0]["settlement"]
    dates = [stop["date"] for stop in mobile["route"]]
    assert dates == sorted(dates)


def test_specialized_centre_serves_driving_and_vehicles(api_client):
    office = api_client.get("/api/v1/offices/astana-specialized").json()
    assert set(office["services"]) == {
        "driving-licence",
        "vehicle-registration",
        "premium-licence-plates",
    }


def test_filter_offices_by_service_and_unknown_office(api_client):
    found = api_client.get("/api/v1/offices?service=driving-licence").json()["items"]
    assert [o["code"] for o in found] == ["astana-specialized"]
    response = api_client.get("/api/v1/offices/nowhere")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
