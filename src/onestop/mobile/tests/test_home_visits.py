"""Home visits: asked for by the person or the call centre, scheduled by a manager or the
van's operator, ended by filing the application at home; moves follow the table."""

import datetime
import json
import secrets

import pytest
from django.utils import timezone

from onestop.audit import services as audit
from onestop.audit.models import AuditEvent
from onestop.cases.models import Application
from onestop.catalog.models import Service
from onestop.mobile import services, workflow
from onestop.mobile.models import HomeVisit, HomeVisitStatus
from onestop.mobile.tests.conftest import (
    make_operator,
    people,
    staff_elsewhere,
    wrong_check_digit,
)
from onestop.offices.models import Office
from onestop.people.models import Role, User
from onestop.problems import Conflict
from onestop.tests import factories

pytestmark = pytest.mark.django_db

SERVICE = "retirement-pension"


def tomorrow() -> str:
    return (timezone.now() + datetime.timedelta(days=1)).isoformat()


@pytest.fixture
def citizen(db) -> User:
    """A citizen of the vans' town with an account, a phone and a home address."""
    return factories.citizen(of=people(1)[0])


@pytest.fixture
def api(client_for):
    def call(user, method, path, body=None):
        client = client_for(user)
        if method == "get":
            return client.get(f"/api/v1{path}")
        return client.post(
            f"/api/v1{path}", json.dumps(body or {}), content_type="application/json"
        )

    return call


@pytest.fixture
def requested(citizen, van) -> HomeVisit:
    """The citizen's request, sent to the van of his or her town."""
    return services.request_home_visit(
        actor=citizen, service_code=SERVICE, reason="I use a wheelchair."
    )


def van_manager(van: Office) -> User:
    return make_operator(f"manager-{secrets.token_hex(4)}", van, role=Role.MANAGER)


def scheduled(visit: HomeVisit, operator: User) -> HomeVisit:
    return services.schedule_home_visit(
        actor=van_manager(operator.office),
        visit=visit,
        operator_username=operator.username,
        scheduled_for=timezone.now() + datetime.timedelta(days=1),
    )


def test_a_person_asks_for_a_visit_for_himself(citizen, van, api):
    response = api(citizen, "post", "/home-visits", {"service": SERVICE, "reason": "I am 84."})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "requested" and body["person"]["iin"] == citizen.person.iin
    assert body["address"] == citizen.person.address  # from the registry unless given
    assert body["phone"] == citizen.person.phone
    assert body["office"] == van.code and body["operator"] is None
    visit = HomeVisit.objects.get(pk=body["id"])
    assert visit.requested_by == citizen
    assert AuditEvent.objects.filter(
        action="home_visit.requested", object_id=str(visit.pk)
    ).exists()

    other = people(1)[0]
    response = api(
        citizen, "post", "/home-visits", {"service": SERVICE, "reason": "x", "iin": other.iin}
    )
    assert response.status_code == 403

    again = api(citizen, "post", "/home-visits", {"service": SERVICE, "reason": "Still 84."})
    assert again.status_code == 409
    assert HomeVisit.objects.count() == 1


def test_the_call_centre_asks_for_a_caller(van, api):
    agent = factories.staff(Role.AGENT)
    caller = people(1)[0]
    body = {"service": "disability-benefit", "reason": "Bedridden.", "iin": caller.iin}
    response = api(agent, "post", "/home-visits", {**body, "phone": "+7 701 555 0101"})
    assert response.status_code == 201, response.content
    assert response.json()["person"]["iin"] == caller.iin
    assert response.json()["phone"] == "+7 701 555 0101"

    missing = api(agent, "post", "/home-visits", {"service": SERVICE, "reason": "x"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "iin"
    wrong = api(agent, "post", "/home-visits", {**body, "iin": wrong_check_digit(caller.iin)})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0] == {
        "field": "iin",
        "code": "invalid_iin",
        "message": wrong.json()["errors"][0]["message"],
    }
    bad_phone = api(agent, "post", "/home-visits", {**body, "service": SERVICE, "phone": "call me"})
    assert bad_phone.status_code == 422 and bad_phone.json()["errors"][0]["field"] == "phone"


def test_only_services_offered_through_home_visits(citizen, van, api):
    response = api(citizen, "post", "/home-visits", {"service": "passport", "reason": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "service",
        "code": "channel_not_offered",
        "message": response.json()["errors"][0]["message"],
    }
    unknown = api(citizen, "post", "/home-visits", {"service": "nothing", "reason": "x"})
    assert unknown.status_code == 422
    no_reason = api(citizen, "post", "/home-visits", {"service": SERVICE, "reason": " "})
    assert no_reason.json()["errors"][0]["field"] == "reason"
    assert HomeVisit.objects.count() == 0


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.MANAGER, Role.CONSULTANT, Role.REVIEWER])
def test_staff_do_not_ask_for_visits(role, van, api):
    person = people(1)[0]
    response = api(
        staff_elsewhere(role),
        "post",
        "/home-visits",
        {"service": SERVICE, "reason": "x", "iin": person.iin},
    )
    assert response.status_code == 403


def test_schedule_visit_and_file_at_home(requested, van, van_operator, api):
    manager = van_manager(van)  # the van's own manager
    response = api(
        manager,
        "post",
        f"/home-visits/{requested.pk}/schedule",
        {"operator": van_operator.username, "scheduled_for": tomorrow()},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "scheduled"
    assert response.json()["operator"]["username"] == van_operator.username

    colleague = make_operator("van-operator-2", van)
    refused = api(colleague, "post", f"/home-visits/{requested.pk}/visit", {})
    assert refused.status_code == 403

    response = api(
        van_operator,
        "post",
        f"/home-visits/{requested.pk}/visit",
        {"note": "Documents seen.", "data": {"floor": "3"}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "visited" and body["visited_at"]
    application = Application.objects.get(number=body["application"]["number"])
    assert application.channel == "home_visit" and application.office == van
    assert application.applicant == requested.person and application.filed_by == van_operator
    assert application.data["home_visit"] == requested.pk and application.data["floor"] == "3"
    actions = list(
        AuditEvent.objects.filter(object_type="mobile.homevisit", object_id=str(requested.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["home_visit.requested", "home_visit.scheduled", "home_visit.visited"]
    assert audit.verify().ok


def test_the_vans_operator_schedules_within_his_centre(requested, van, van_operator, api):
    other_van = factories.mobile_centre()
    stranger = make_operator("astana-van", other_van)
    body = {"operator": stranger.username, "scheduled_for": tomorrow()}
    response = api(van_operator, "post", f"/home-visits/{requested.pk}/schedule", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "other_office"
    # The other van's operator does not even see this visit.
    body = {"operator": van_operator.username, "scheduled_for": tomorrow()}
    assert api(stranger, "post", f"/home-visits/{requested.pk}/schedule", body).status_code == 404
    # An operator of a standard centre is not a mobile operator.
    body = {"operator": staff_elsewhere(Role.OPERATOR).username, "scheduled_for": tomorrow()}
    response = api(van_operator, "post", f"/home-visits/{requested.pk}/schedule", body)
    assert response.json()["errors"][0]["code"] == "not_mobile_operator"
    past = {"operator": van_operator.username, "scheduled_for": "2020-01-01T10:00:00+05:00"}
    response = api(van_operator, "post", f"/home-visits/{requested.pk}/schedule", past)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "scheduled_for"

    body = {"operator": van_operator.username, "scheduled_for": tomorrow()}
    response = api(van_operator, "post", f"/home-visits/{requested.pk}/schedule", body)
    assert response.status_code == 200
    # The other van's manager does not see it either; the van's own sends its own people.
    assert (
        api(
            van_manager(other_van), "post", f"/home-visits/{requested.pk}/schedule", body
        ).status_code
        == 404
    )
    manager = van_manager(van)
    body = {"operator": stranger.username, "scheduled_for": tomorrow()}
    response = api(manager, "post", f"/home-visits/{requested.pk}/schedule", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "other_office"


def test_an_operator_of_a_standard_centre_cannot_schedule(requested, van_operator, api):
    body = {"operator": van_operator.username, "scheduled_for": tomorrow()}
    response = api(
        staff_elsewhere(Role.OPERATOR),
        "post",
        f"/home-visits/{requested.pk}/schedule",
        body,
    )
    assert response.status_code == 404  # not his centre's: he does not even see it
    assert HomeVisit.objects.get(pk=requested.pk).status == "requested"


def _visit_in(status: str, citizen: User, operator: User) -> HomeVisit:
    visit = services.request_home_visit(
        actor=citizen, service_code=SERVICE, reason="I cannot walk."
    )
    if status in {"scheduled", "visited"}:
        visit = scheduled(visit, operator)
    if status == "visited":
        visit = services.record_visit(actor=operator, visit=visit)
    if status == "cancelled":
        visit = services.cancel_home_visit(actor=citizen, visit=visit)
    return visit


@pytest.mark.parametrize("status", HomeVisitStatus.values)
@pytest.mark.parametrize("action", ["schedule", "visit", "cancel"])
def test_every_move_follows_the_table(status, action, citizen, van_operator, api):
    """Allowed from the table's sources, 409 from any other status, and nothing changes."""
    visit = _visit_in(status, citizen, van_operator)
    before = HomeVisit.objects.values().get(pk=visit.pk)
    events = AuditEvent.objects.count()
    applications = Application.objects.count()
    body = {
        "schedule": {"operator": van_operator.username, "scheduled_for": tomorrow()},
        "visit": {},
        "cancel": {"reason": "Feeling better."},
    }[action]
    response = api(van_operator, "post", f"/home-visits/{visit.pk}/{action}", body)
    move = workflow.BY_ACTION[action]
    if status in move.sources:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == move.target
    else:
        assert response.status_code == 409, response.content
        assert response.json()["type"].endswith("home-visit-move-not-allowed")
        assert HomeVisit.objects.values().get(pk=visit.pk) == before
        assert AuditEvent.objects.count() == events
        assert Application.objects.count() == applications


def test_a_failed_filing_leaves_the_visit_scheduled(requested, van_operator):
    visit = scheduled(requested, van_operator)
    standard = Service.objects.get(code=SERVICE).current_standard
    standard.channels = standard.channels.replace(",home_visit,", ",")
    standard.save()
    with pytest.raises(Exception):  # noqa: B017 - the application's own refusal
        services.record_visit(actor=van_operator, visit=visit)
    assert HomeVisit.objects.get(pk=visit.pk).status == "scheduled"
    assert not Application.objects.filter(channel="home_visit").exists()


def test_each_sees_the_visits_that_are_theirs(citizen, van, van_operator, api, client_for):
    mine = services.request_home_visit(actor=citizen, service_code=SERVICE, reason="Old age.")
    agent = factories.staff(Role.AGENT)
    other_person = people(1)[0]
    theirs = services.request_home_visit(
        actor=agent, service_code=SERVICE, reason="Ill.", iin=other_person.iin
    )
    other_van = Office.objects.create(
        code="astana-mobile", kind="mobile", name_en="Astana Mobile", city_en="Astana"
    )
    elsewhere = services.request_home_visit(
        actor=agent,
        service_code="disability-benefit",
        reason="Ill.",
        iin=other_person.iin,
        office_code="astana-mobile",
    )
    stranger = make_operator("astana-van", other_van)

    def ids(user):
        response = api(user, "get", "/home-visits")
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == len(body["items"])
        return {item["id"] for item in body["items"]}

    assert ids(citizen) == {mine.pk}
    assert ids(van_operator) == {mine.pk, theirs.pk}
    assert ids(stranger) == {elsewhere.pk}
    # Managers see their own centre's visits only, with addresses, phones and reasons.
    assert ids(van_manager(van)) == {mine.pk, theirs.pk}
    assert ids(van_manager(other_van)) == {elsewhere.pk}
    assert ids(staff_elsewhere(Role.MANAGER)) == set()  # of a centre without a van
    manager_elsewhere = van_manager(other_van)
    assert api(manager_elsewhere, "get", f"/home-visits/{mine.pk}").status_code == 404
    assert api(manager_elsewhere, "post", f"/home-visits/{mine.pk}/cancel", {}).status_code == 404
    page = client_for(manager_elsewhere).get("/mobile/home-visits/")
    assert page.status_code == 200 and citizen.person.address not in page.content.decode()
    assert "Old age." not in page.content.decode()
    assert ids(agent) == {mine.pk, theirs.pk, elsewhere.pk}
    for role in (Role.OPERATOR, Role.REVIEWER, Role.CONSULTANT):
        assert ids(staff_elsewhere(role)) == set()
    assert api(citizen, "get", f"/home-visits/{theirs.pk}").status_code == 404
    assert api(stranger, "get", f"/home-visits/{mine.pk}").status_code == 404
    assert api(van_operator, "get", f"/home-visits/{mine.pk}").status_code == 200
    filtered = api(agent, "get", "/home-visits?status=scheduled").json()
    assert filtered["count"] == 0


def test_the_person_or_the_call_centre_calls_it_off(requested, citizen, api):
    response = api(citizen, "post", f"/home-visits/{requested.pk}/cancel", {"reason": "Better."})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    # A new request for the same service is possible once the old one is closed.
    again = services.request_home_visit(actor=citizen, service_code=SERVICE, reason="Worse.")
    assert again.pk != requested.pk
    with pytest.raises(Conflict):
        services.request_home_visit(actor=citizen, service_code=SERVICE, reason="Twice.")


# ---------------------------------------------------------------- pages


def test_pages_request_schedule_visit(citizen, van, van_operator, client_for):
    page = client_for(citizen)
    form = page.get(f"/mobile/home-visits/new/?service={SERVICE}")
    assert form.status_code == 200
    assert citizen.person.address in form.content.decode()
    response = page.post(
        "/mobile/home-visits/new/",
        {
            "service": SERVICE,
            "address": citizen.person.address,
            "phone": citizen.person.phone,
            "reason": "I am 90.",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/mobile/home-visits/"
    visit = HomeVisit.objects.get(person=citizen.person)
    assert f'id="visit-{visit.pk}"' in page.get("/mobile/home-visits/").content.decode()
    choose = page.get("/mobile/home-visits/new/")
    assert choose.status_code == 200 and "passport" not in choose.content.decode()

    desk = client_for(van_operator)
    listing = desk.get("/mobile/home-visits/").content.decode()
    assert citizen.person.iin in listing and 'value="schedule"' in listing
    when = (timezone.now() + datetime.timedelta(days=1)).astimezone(van.zone)
    response = desk.post(
        f"/mobile/home-visits/{visit.pk}/act/",
        {
            "action": "schedule",
            "operator": van_operator.username,
            "scheduled_for": when.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "scheduled"
    assert visit.scheduled_for == when.replace(second=0, microsecond=0)
    response = desk.post(f"/mobile/home-visits/{visit.pk}/act/", {"action": "visit"})
    visit.refresh_from_db()
    assert visit.status == "visited"
    assert response["Location"] == f"/applications/{visit.application.number}/"


def test_pages_are_scoped(citizen, requested, van_operator, client_for):
    stranger = client_for(staff_elsewhere(Role.OPERATOR))
    response = stranger.post(f"/mobile/home-visits/{requested.pk}/act/", {"action": "cancel"})
    assert response.status_code == 404
    assert (
        client_for(staff_elsewhere(Role.OPERATOR)).get("/mobile/home-visits/new/").status_code
        == 404
    )
    refused = client_for(van_operator).post(
        f"/mobile/home-visits/{requested.pk}/act/", {"action": "visit"}
    )
    assert refused.status_code == 302  # back to the list, with the reason as a message
    assert HomeVisit.objects.get(pk=requested.pk).status == "requested"
