import datetime
import zoneinfo

import pytest
from django.utils import timezone, translation

from onestop.people.models import Role
from onestop.problems import Conflict, Forbidden, InvalidField
from onestop.queueing import selectors, services, workflow
from onestop.queueing.models import Ticket, TicketCounter, TicketStatus
from onestop.queueing.tests.conftest import SERVICES
from onestop.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    """These tests read the English wording; other languages have their own tests."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def issue(centre, operators):
    """Takes a ticket at the centre, as its first operator would for a visitor."""

    def issue(service="passport", **kwargs):
        return services.issue_ticket(
            office_code=centre.code, service_code=service, actor=operators[1], **kwargs
        )

    return issue


def test_numbers_run_per_letter_and_day(issue):
    a = issue("passport")
    b = issue("passport")
    c = issue("real-estate-registration")
    assert a.letter == b.letter and a.number[1:] == "001" and b.number[1:] == "002"
    assert c.letter != a.letter and c.number[1:] == "001"
    assert a.day == timezone.now().astimezone(zoneinfo.ZoneInfo("Asia/Almaty")).date()


def test_numbers_go_past_999_and_read_back_as_issued(issue):
    first = issue("passport")
    TicketCounter.objects.filter(office=first.office, day=first.day, letter=first.letter).update(
        last=998
    )
    numbers = [issue("passport") for _ in range(2)]
    assert [t.number for t in numbers] == [f"{first.letter}999", f"{first.letter}1000"]
    assert [t.seq for t in numbers] == [999, 1000]
    stored = Ticket.objects.get(pk=numbers[1].pk)
    assert (stored.number, stored.seq, stored.service.code) == (numbers[1].number, 1000, "passport")


def test_priority_goes_first_then_the_order_of_arrival(centre, operators, issue):
    first = issue()
    second = issue()
    elderly_iin = "450101300012"  # born 1945: 80 years old
    from onestop.people.iin import make_iin

    elderly_iin = make_iin(datetime.date(1945, 1, 1), "male", 12) or make_iin(
        datetime.date(1945, 1, 1), "male", 13
    )
    elderly = issue(iin=elderly_iin)
    assert elderly.priority == "elderly"
    assert [
        services.call_next(actor=operators[k], office_code=centre.code, window_number=k).pk
        for k in (1, 2, 3)
    ] == [elderly.pk, first.pk, second.pk]


def test_a_window_calls_only_its_services_and_nobody_means_204(centre, operators, issue):
    window = centre.windows.get(number=4)
    window.services.set(window.services.exclude(code="passport"))
    issue("passport")
    assert services.call_next(actor=operators[4], office_code=centre.code, window_number=4) is None


def test_closed_centre_and_unknown_service_are_refused():
    office = factories.centre(services=SERVICES, open_all_day=False)  # 9-20, Monday-Saturday
    operator = factories.staff(Role.OPERATOR, office=office)
    sunday_noon = datetime.datetime(2026, 11, 22, 12, 0, tzinfo=office.zone)
    with pytest.raises(Conflict, match="closed"):
        services.issue_ticket(
            office_code=office.code, service_code="passport", actor=operator, now=sunday_noon
        )
    evening = datetime.datetime(2026, 11, 23, 20, 30, tzinfo=office.zone)
    with pytest.raises(Conflict):
        services.issue_ticket(
            office_code=office.code, service_code="passport", actor=operator, now=evening
        )
    morning = datetime.datetime(2026, 11, 23, 19, 59, tzinfo=office.zone)
    assert services.issue_ticket(
        office_code=office.code, service_code="passport", actor=operator, now=morning
    ).number
    with pytest.raises(InvalidField) as caught:
        services.issue_ticket(
            office_code=office.code, service_code="driving-licence", actor=operator, now=morning
        )
    assert caught.value.errors[0]["field"] == "service"


@pytest.mark.parametrize(
    "action", [m.action for m in workflow.MOVES if m.action not in {"call", "transfer"}]
)
@pytest.mark.parametrize("status", TicketStatus.values)
def test_every_move_from_every_status(centre, operators, issue, action, status):
    rule = workflow.BY_ACTION[action]
    ticket = issue()
    window = centre.windows.get(number=1)
    Ticket.objects.filter(pk=ticket.pk).update(
        status=status,
        window=window if status in workflow.AT_A_WINDOW else None,
        operator=operators[1] if status in workflow.AT_A_WINDOW else None,
        finished_at=None if status in workflow.OPEN else timezone.now(),
    )
    ticket.refresh_from_db()
    actor = None if rule.roles == {workflow.SYSTEM} else operators[1]
    if status not in rule.sources:
        with pytest.raises(Conflict):
            services.move(actor=actor, ticket=ticket, action=action)
        assert Ticket.objects.get(pk=ticket.pk).status == status
    else:
        moved = services.move(actor=actor, ticket=ticket, action=action)
        assert moved.status == rule.target
        assert selectors.history(moved).filter(action=f"ticket.{action}").count() == 1


def test_a_consultant_may_not_start_serving(centre, issue):
    ticket = issue()
    consultant = factories.staff(Role.CONSULTANT, office=centre)
    with pytest.raises(Forbidden):
        services.move(actor=consultant, ticket=ticket, action="start")


def test_recalls_then_no_show(centre, operators, issue, settings):
    settings.QUEUE_MAX_RECALLS = 2
    issue()
    ticket = services.call_next(actor=operators[1], office_code=centre.code, window_number=1)
    for _ in range(2):
        ticket = services.move(actor=operators[1], ticket=ticket, action="recall")
        assert ticket.status == "called"
    ticket = services.move(actor=operators[1], ticket=ticket, action="recall")
    assert ticket.status == "no_show" and ticket.recalls == 3


def test_transfer_keeps_the_place_and_the_number(centre, operators, issue, settings):
    first = issue()
    services.call_next(actor=operators[1], office_code=centre.code, window_number=1)
    later = issue()
    first.refresh_from_db()
    moved = services.transfer(
        actor=operators[1], ticket=first, service_code="real-estate-registration"
    )
    assert (
        moved.number == first.number
        and moved.queue_from == first.queue_from
        and moved.status == "waiting"
    )
    assert (
        services.call_next(actor=operators[2], office_code=centre.code, window_number=2).pk
        == moved.pk
    )
    settings.QUEUE_TRANSFER_KEEPS_PLACE = False
    services.move(actor=operators[2], ticket=Ticket.objects.get(pk=moved.pk), action="start")
    again = services.transfer(
        actor=operators[2], ticket=Ticket.objects.get(pk=moved.pk), window_number=3
    )
    assert again.queue_from > later.queue_from and again.target_window.number == 3


def test_one_visitor_at_a_time_per_window(centre, operators, issue):
    issue(), issue()
    services.call_next(actor=operators[1], office_code=centre.code, window_number=1)
    with pytest.raises(Conflict):
        services.call_next(actor=operators[1], office_code=centre.code, window_number=1)


def test_an_operator_calls_only_at_his_window(centre, operators, issue):
    issue()
    with pytest.raises(Forbidden):
        services.call_next(actor=operators[1], office_code=centre.code, window_number=2)


def test_end_of_day_closes_with_a_status_in_the_centres_time_zone():
    office = factories.centre(services=SERVICES, open_all_day=False)  # closes at 20:00
    office.timezone = "Asia/Tokyo"  # a centre four hours ahead of Astana
    office.save()
    operator = factories.staff(Role.OPERATOR, office=office, window=1)
    local_morning = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=office.zone)
    tickets = [
        services.issue_ticket(
            office_code=office.code, service_code="passport", actor=operator, now=local_morning
        )
        for _ in range(3)
    ]
    assert tickets[0].day == datetime.date(2026, 11, 23)
    called = services.call_next(
        actor=operator, office_code=office.code, window_number=1, now=local_morning
    )
    services.move(actor=operator, ticket=called, action="start", now=local_morning)
    # 19:59 in Tokyo is still open; 20:00 closes the day. In Astana it is only 16:00.
    assert (
        services.close_day(
            office=office, now=datetime.datetime(2026, 11, 23, 19, 59, tzinfo=office.zone)
        )
        == 0
    )
    closed = services.close_day(
        office=office, now=datetime.datetime(2026, 11, 23, 20, 0, tzinfo=office.zone)
    )
    assert closed == 3
    statuses = sorted(Ticket.objects.filter(office=office).values_list("status", "closed_reason"))
    assert statuses == [
        ("cancelled", "end_of_day"),
        ("cancelled", "end_of_day"),
        ("done", "end_of_day"),
    ]
    assert Ticket.objects.filter(office=office).count() == 3  # kept for statistics


def test_rating_once_by_the_person_served(centre, operators, issue):
    from onestop.queueing.models import Device, Rating

    ticket = issue()
    services.call_next(actor=operators[1], office_code=centre.code, window_number=1)
    services.move(actor=operators[1], ticket=Ticket.objects.get(pk=ticket.pk), action="start")
    with pytest.raises(Conflict):
        services.rate(
            ticket=ticket, score="good", follow_code=ticket.follow_code
        )  # not finished yet
    services.move(actor=operators[1], ticket=Ticket.objects.get(pk=ticket.pk), action="finish")
    for window in (1, 2):
        factories.device_token("rating", office=centre, window=window)
    other_window = Device.objects.get(kind="rating", window__number=2, office=centre)
    with pytest.raises(Conflict, match="not your ticket"):
        services.rate(ticket=ticket, score="good", device=other_window)
    with pytest.raises(InvalidField):
        services.rate(ticket=ticket, score="wonderful", follow_code=ticket.follow_code)
    here = Device.objects.get(kind="rating", window__number=1, office=centre)
    rating = services.rate(ticket=ticket, score="excellent", device=here)
    assert rating.operator == operators[1] and Rating.objects.count() == 1
    with pytest.raises(Conflict, match="already rated"):
        services.rate(ticket=ticket, score="poor", follow_code=ticket.follow_code)


def test_wait_estimate_grows_with_the_queue_and_shrinks_with_windows(centre, operators, issue):
    services.set_window_state(
        actor=operators[1], office_code=centre.code, window_number=1, state="open"
    )
    first = issue()
    for _ in range(5):
        issue()
    sixth = issue()
    assert first.estimated_wait_minutes == 0
    assert sixth.estimated_wait_minutes == pytest.approx(
        60.0
    )  # six ahead, 10 minutes each, one window
    services.set_window_state(
        actor=operators[2], office_code=centre.code, window_number=2, state="open"
    )
    assert issue().estimated_wait_minutes == pytest.approx(35.0)  # seven ahead over two windows


def test_a_follow_code_already_taken_is_drawn_again(issue, monkeypatch):
    first = issue("passport")
    draws = iter([first.follow_code, first.follow_code, "0badc0de"])
    monkeypatch.setattr(services.secrets, "token_hex", lambda _n: next(draws))
    second = issue("passport")
    assert second.follow_code == "0badc0de"
    assert second.number == f"{first.letter}{first.seq + 1:03d}"
    stored = Ticket.objects.filter(office=first.office, day=first.day)
    assert sorted(stored.values_list("follow_code", flat=True)) == sorted(
        [first.follow_code, "0badc0de"]
    )
    assert selectors.history(second).count() == 1


def test_a_transfer_draws_a_follow_code_not_taken(centre, operators, issue, monkeypatch):
    ticket = issue("passport")
    other = issue("passport")
    services.call_next(actor=operators[1], office_code=centre.code, window_number=1)
    ticket.refresh_from_db()
    draws = iter([other.follow_code, "5eed5eed"])
    monkeypatch.setattr(services.secrets, "token_hex", lambda _n: next(draws))
    moved = services.transfer(actor=operators[1], ticket=ticket, service_code="passport")
    assert moved.follow_code == "5eed5eed" and moved.number == ticket.number
