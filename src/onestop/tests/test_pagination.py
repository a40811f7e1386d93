"""Lists page through everything (CONTRACT.md: `?limit=&offset=`, `{"items", "count"}`):
`count` is the true total, every offset works, and a page has at most MAX_LIMIT items."""

import pytest
from django.utils import timezone

from onestop.cases.models import Application
from onestop.catalog.models import Service
from onestop.pagination import MAX_LIMIT
from onestop.people.models import Role
from onestop.tests import factories

pytestmark = pytest.mark.django_db

MANY = 2489


@pytest.fixture
def many_applications():
    """2,489 applications of one agency filed at the same instant: more than any old cap, and
    ties that only a total order pages through without repeating or skipping one."""
    service = Service.objects.select_related("current_standard", "agency").get(code="passport")
    applicant = factories.person()
    filed_by = factories.citizen(applicant)
    now = timezone.now()
    Application.objects.bulk_create(
        [
            Application(
                number=f"T-{i:06d}",
                service=service,
                standard=service.current_standard,
                applicant=applicant,
                channel="portal",
                filed_by=filed_by,
                agency=service.agency,
                submitted_at=now,
                due_at=now,
            )
            for i in range(MANY)
        ],
        batch_size=500,
    )
    return service.agency


@pytest.fixture
def auditor():
    """An auditor: sees every application."""
    return factories.staff(Role.AUDITOR)


def page_through(api_client, token: str, limit: int) -> tuple[list[str], set[int]]:
    numbers, counts, offset = [], set(), 0
    while True:
        body = api_client.get(
            f"/api/v1/applications?limit={limit}&offset={offset}",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        ).json()
        counts.add(body["count"])
        if not body["items"]:
            return numbers, counts
        assert len(body["items"]) <= limit
        numbers += [a["number"] for a in body["items"]]
        offset += limit


def test_an_auditor_pages_through_every_application(api_client, auditor, many_applications):
    expected = Application.objects.count()
    assert expected >= MANY

    numbers, counts = page_through(api_client, factories.token(auditor), MAX_LIMIT)

    assert counts == {expected}
    assert len(numbers) == expected
    assert len(set(numbers)) == expected, "a row came on two pages (and so another on none)"
    assert {f"T-{i:06d}" for i in range(MANY)} <= set(numbers)


def test_any_offset_is_answered(api_client, auditor, many_applications):
    auth = factories.bearer(auditor)
    total = Application.objects.count()
    for offset, expected_items in [
        (1000, MAX_LIMIT),
        (total - 1, 1),
        (total, 0),
        (10**30, 0),
    ]:
        response = api_client.get(f"/api/v1/applications?limit={MAX_LIMIT}&offset={offset}", **auth)
        assert response.status_code == 200, response.content
        assert response.json()["count"] == total
        assert len(response.json()["items"]) == expected_items


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/services",
        "/api/v1/agencies",
        "/api/v1/life-situations",
        "/api/v1/offices",
        "/api/v1/applications",
        "/api/v1/appointments",
        "/api/v1/home-visits",
    ],
)
def test_a_page_larger_than_the_limit_is_a_422_naming_limit(api_client, manager, path):
    response = api_client.get(f"{path}?limit={MAX_LIMIT + 1}&lang=en", **factories.bearer(manager))
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "limit", "code": "too_large", "message": "This number is too large."}
    ]
    assert f"at most {MAX_LIMIT}" in str(_documented_limit(api_client, path))


def _documented_limit(api_client, path: str) -> dict:
    document = api_client.get("/api/v1/openapi.json").json()
    parameters = document["paths"][path]["get"]["parameters"]
    limit = next(p for p in parameters if p["name"] == "limit")
    assert limit["schema"]["maximum"] == MAX_LIMIT
    return limit
