import pytest

pytestmark = pytest.mark.django_db


def codes(response):
    assert response.status_code == 200, response.content
    return [s["code"] for s in response.json()["items"]]


def test_service_has_every_field_of_the_contract(api_client):
    body = api_client.get("/api/v1/services/driving-licence?lang=en").json()
    assert set(body) >= {
        "code",
        "name",
        "description",
        "agency",
        "category",
        "result",
        "fee",
        "term",
        "documents",
        "channels",
        "access",
        "steps",
        "standard_version",
    }
    assert body["fee"]["currency"] == "KZT" and isinstance(body["fee"]["amount"], str)
    assert body["term"]["unit"] in {"minutes", "hours", "working_days", "calendar_days"}
    assert body["access"] in {"single", "alternative"}
    assert len(body["steps"]) == 5 and body["steps"][0]["code"] == "photo"
    assert {d["provided_by"] for d in body["documents"]} <= {"applicant", "registry"}


def test_documents_the_state_holds_are_marked_as_fetched(api_client):
    body = api_client.get("/api/v1/services/real-estate-certificate").json()
    assert body["documents"] and all(d["provided_by"] == "registry" for d in body["documents"])
    assert "pap" in body["channels"]


@pytest.mark.parametrize(
    ("q", "lang"), [("паспорт", "ru"), ("ПАСПОРТ", "ru"), ("passport", "en"), ("паспортты", "kk")]
)
def test_search_finds_in_every_language_and_case(api_client, q, lang):
    found = codes(api_client.get(f"/api/v1/services?q={q}&lang={lang}"))
    assert "passport" in found


def test_search_with_every_word(api_client):
    assert codes(api_client.get("/api/v1/services?q=zzzzqqq")) == []


def test_filter_by_channel_category_and_agency(api_client):
    pap = api_client.get("/api/v1/services?channel=pap&limit=200").json()["items"]
    assert {
        "real-estate-certificate",
        "address-certificate",
        "pension-contributions-certificate",
    } <= {s["code"] for s in pap}
    assert all("pap" in s["channels"] for s in pap)
    passport = api_client.get("/api/v1/services/passport").json()
    by_category = api_client.get(
        f"/api/v1/services?category={passport['category']['code']}&limit=200"
    ).json()["items"]
    assert "passport" in [s["code"] for s in by_category]
    assert all(s["category"]["code"] == passport["category"]["code"] for s in by_category)
    by_agency = api_client.get(
        f"/api/v1/services?agency={passport['agency']['code']}&limit=200"
    ).json()["items"]
    assert all(s["agency"]["code"] == passport["agency"]["code"] for s in by_agency)


def test_life_situations(api_client):
    listing = api_client.get("/api/v1/life-situations").json()
    assert listing["count"] >= 3
    birth = api_client.get("/api/v1/life-situations/birth-of-a-child?lang=kk").json()
    assert birth["services"] == [
        "birth-registration",
        "iin-assignment",
        "child-birth-benefit",
        "kindergarten-queue",
    ]
    assert api_client.get("/api/v1/life-situations/nothing").status_code == 404


def test_agencies(api_client):
    body = api_client.get("/api/v1/agencies?lang=ru").json()
    assert body["count"] >= 6
    assert all(a["name"] for a in body["items"])


def test_a_service_is_answered_in_each_language_and_a_change_shows_at_once(api_client):
    """One answer per language; a change saved to the register shows at the next look-up."""
    from onestop.catalog.models import Service, StandardStep

    def get(lang: str) -> dict:
        response = api_client.get(f"/api/v1/services/driving-licence?lang={lang}")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return response.json()

    names = {lang: get(lang)["name"] for lang in ("kk", "ru", "en")}
    service = Service.objects.get(code="driving-licence")
    assert names == {"kk": service.name_kk, "ru": service.name_ru, "en": service.name_en}
    assert get("ru") == get("ru")

    service.name_ru = "Водительское удостоверение (новое название)"
    service.save()
    assert get("ru")["name"] == "Водительское удостоверение (новое название)"
    step = StandardStep.objects.filter(standard=service.current_standard).first()
    step.name_en = "A step renamed"
    step.save()
    assert "A step renamed" in [s["name"] for s in get("en")["steps"]]
    assert api_client.get("/api/v1/services/no-such-service").status_code == 404
