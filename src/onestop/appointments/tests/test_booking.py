"""Appointments: slots by the centre's hours and time zone, booking limits, rate limits,
check-in into a priority ticket, cancelling, missed appointments, reminders, the API and
the pages. Every date is explicit (a coming Monday), never the hour the tests run at."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from onestop.appointments import services as booking
from onestop.appointments.models import Appointment, SlotLoad
from onestop.appointments.tests.conftest import SERVICES, WINDOWS
from onestop.audit.models import AuditEvent
from onestop.notify.models import Notification, SandboxSms
from onestop.offices.models import Office, OpeningHours, RouteStop
from onestop.people.iin import make_iin
from onestop.people.models import Person, Role, User
from onestop.problems import Conflict, Forbidden, InvalidField, NotFound
from onestop.queueing import services
from onestop.queueing.models import Ticket
from onestop.tests import factories
from onestop.tests.factories import bearer

pytestmark = pytest.mark.django_db

# The time zone of the centres the tests make.
ZONE = zoneinfo.ZoneInfo("Asia/Almaty")


# ---------------------------------------------------------------- helpers


def coming_monday() -> datetime.date:
    """The first Monday after today (1 to 7 days ahead): every slot of it is in the future."""
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZONE)


def citizens(n: int) -> list[User]:
    """`n` new citizens with accounts, each a person the population registry knows."""
    return [factories.citizen() for _ in range(n)]


@pytest.fixture
def book(centre):
    """Books at the centre for `user` (his or her own IIN unless `iin` is given)."""

    def book(user: User, start: datetime.datetime, service: str = "passport", **kwargs):
        return booking.book(
            actor=user,
            office_code=kwargs.pop("office", centre.code),
            service_code=service,
            start=start,
            iin=kwargs.pop("iin", user.person.iin if user.person_id else ""),
            **kwargs,
        )

    return book


def wrong_check_digit(iin: str) -> str:
    return iin[:11] + str((int(iin[11]) + 1) % 10)


def post(client, url, body=None, headers=None):
    return client.post(url, body or {}, content_type="application/json", **(headers or {}))


def written() -> tuple[int, int, int]:
    return Appointment.objects.count(), SlotLoad.objects.count(), AuditEvent.objects.count()


# ---------------------------------------------------------------- slots


def test_slots_follow_the_opening_hours_in_the_centres_time_zone(centre):
    monday = coming_monday()
    day = booking.slots(office_code=centre.code, service_code="passport", day=monday)
    assert len(day) == 11 * 60 // booking.SLOT_MINUTES  # 9:00 to 20:00
    assert day[0].start == at(monday, 9) and day[-1].end == at(monday, 20)
    assert all(s.end - s.start == datetime.timedelta(minutes=15) for s in day)
    assert WINDOWS == 6
    assert {s.free for s in day} == {3}  # 6 windows serve passports: half, rounded up
    sunday = monday - datetime.timedelta(days=1)
    assert booking.slots(office_code=centre.code, service_code="passport", day=sunday) == []

    office = centre
    office.timezone = "Asia/Tokyo"
    office.save()
    tokyo = booking.slots(office_code=centre.code, service_code="passport", day=monday)
    first = tokyo[0].start
    assert first.utcoffset() == datetime.timedelta(hours=9)
    assert first.astimezone(datetime.UTC) == datetime.datetime.combine(
        monday, datetime.time(0), tzinfo=datetime.UTC
    )
    assert first != day[0].start  # the same 9:00 on the wall is another instant

    OpeningHours.objects.filter(office=office, weekday=0).update(
        opens=datetime.time(10, 0), closes=datetime.time(12, 10)
    )
    short = booking.slots(office_code=centre.code, service_code="passport", day=monday)
    assert [s.start.strftime("%H:%M") for s in short][:2] == ["10:00", "10:15"]
    assert short[-1].end.time() == datetime.time(12, 0)  # no slot runs past closing


def test_the_mobile_centre_takes_appointments_at_its_route_stops():
    mobile = factories.centre(kind=Office.Kind.MOBILE, services=["address-certificate"])
    today = timezone.localdate()
    for days in (3, 4, 10):
        factories.route_stop(mobile, today + datetime.timedelta(days=days))
    stop = RouteStop.objects.filter(office=mobile, date__gt=today).first()
    service = mobile.services.first()
    day = booking.slots(office_code=mobile.code, service_code=service.code, day=stop.date)
    assert day[0].start.time() == stop.starts and day[-1].end.time() == stop.ends
    no_stop = stop.date + datetime.timedelta(days=1)
    while RouteStop.objects.filter(office=mobile, date=no_stop).exists():
        no_stop += datetime.timedelta(days=1)
    assert booking.slots(office_code=mobile.code, service_code=service.code, day=no_stop) == []


def test_past_slots_and_those_starting_within_a_quarter_hour_are_not_offered(centre, book):
    monday = coming_monday()
    now = at(monday, 12, 7)
    day = booking.slots(office_code=centre.code, service_code="passport", day=monday, now=now)
    assert day[0].start == at(monday, 12, 30)
    assert (
        booking.slots(
            office_code=centre.code, service_code="passport", day=monday, now=at(monday, 21)
        )
        == []
    )
    with pytest.raises(Conflict) as caught:
        book(citizens(1)[0], at(monday, 12, 15), now=now)
    assert caught.value.code == "slot-in-past"


def test_capacity_keeps_half_the_windows_for_walk_ins(centre):
    office = centre
    monday = coming_monday()
    for window in office.windows.filter(number__gt=3):
        window.services.remove(office.services.get(code="passport"))
    assert booking.slots(office_code=centre.code, service_code="passport", day=monday)[0].free == 2
    for window in office.windows.all():
        window.services.remove(office.services.get(code="passport"))
    assert booking.slots(office_code=centre.code, service_code="passport", day=monday)[0].free == 1


def test_unknown_centre_and_service_are_refused(centre):
    monday = coming_monday()
    with pytest.raises(NotFound):
        booking.slots(office_code="nowhere", service_code="passport", day=monday)
    with pytest.raises(InvalidField) as caught:
        booking.slots(office_code=centre.code, service_code="driving-licence", day=monday)
    assert caught.value.errors[0] == {
        "field": "service",
        "code": "service_not_offered",
        "message": caught.value.errors[0]["message"],
    }


# ---------------------------------------------------------------- booking rules


def test_a_full_slot_refuses_and_writes_nothing(centre, book):
    monday = coming_monday()
    people = citizens(4)
    made = [book(p, at(monday, 10)) for p in people[:3]]
    assert len({a.code for a in made}) == 3
    assert all(len(a.code) == 8 and set(a.code) <= set(booking.CODE_ALPHABET) for a in made)
    before = written()
    with pytest.raises(Conflict) as caught:
        book(people[3], at(monday, 10))
    assert caught.value.code == "slot-full"
    assert written() == before
    assert SlotLoad.objects.get(start=at(monday, 10)).booked == 3
    ten = next(
        s
        for s in booking.slots(office_code=centre.code, service_code="passport", day=monday)
        if s.start == at(monday, 10)
    )
    assert ten.free == 0
    # The load of a slot counts every service: they share the windows.
    with pytest.raises(Conflict):
        book(people[3], at(monday, 10), service="address-certificate")


def test_a_person_holds_at_most_max_appointments(settings, book):
    settings.MAX_APPOINTMENTS = 2
    monday = coming_monday()
    person = citizens(1)[0]
    first = book(person, at(monday, 10), "passport")
    book(person, at(monday, 11), "address-certificate")
    with pytest.raises(Conflict) as caught:
        book(person, at(monday, 12), "real-estate-registration")
    assert caught.value.code == "too-many-appointments"
    booking.cancel(actor=person, appointment=first)
    book(person, at(monday, 12), "real-estate-registration")
    # Appointments whose time has passed no longer count.
    assert booking.mark_missed(at(monday, 13)) == 2
    book(person, at(monday, 15), "passport", now=at(monday, 13))


def test_one_appointment_per_service_and_day(book):
    monday = coming_monday()
    person = citizens(1)[0]
    first = book(person, at(monday, 10))
    with pytest.raises(Conflict) as caught:
        book(person, at(monday, 15))
    assert caught.value.code == "already-booked"
    book(person, at(monday + datetime.timedelta(days=1), 15))  # another day
    book(person, at(monday, 15), "address-certificate")  # another service
    booking.cancel(actor=person, appointment=first)
    book(person, at(monday, 16))  # the cancelled one no longer counts


def test_who_books_for_whom(operators, book, agent):
    monday = coming_monday()
    me, caller = citizens(2)
    with pytest.raises(Forbidden):
        book(me, at(monday, 10), iin=caller.person.iin)
    by_agent = book(agent, at(monday, 10), iin=caller.person.iin)
    assert by_agent.person == caller.person and by_agent.channel == "call_centre"
    assert by_agent.booked_by == agent
    assert book(me, at(monday, 10)).channel == "portal"
    with pytest.raises(Forbidden):
        book(operators[1], at(monday, 11), iin=caller.person.iin)
    with pytest.raises(InvalidField) as caught:
        book(agent, at(monday, 11), iin=wrong_check_digit(caller.person.iin))
    assert caught.value.errors[0]["field"] == "iin"
    unknown = next(
        iin
        for serial in range(9000, 9999)
        if (iin := make_iin(datetime.date(1990, 5, 17), "female", serial))
        and not Person.objects.filter(iin=iin).exists()
    )
    with pytest.raises(InvalidField) as caught:
        book(agent, at(monday, 11), iin=unknown)
    assert caught.value.errors[0]["code"] == "unknown_person"


def test_the_start_must_be_a_slot_of_that_day(book):
    monday = coming_monday()
    person = citizens(1)[0]
    for start in (
        at(monday, 10, 5),
        at(monday, 8, 45),
        at(monday, 20),
        at(monday - datetime.timedelta(days=1), 10),
    ):
        with pytest.raises(InvalidField) as caught:
            book(person, start)
        assert caught.value.errors[0]["field"] == "start"
    # A slot given in another offset is the same instant.
    utc = at(monday, 10).astimezone(datetime.UTC)
    assert book(person, utc).start == at(monday, 10)


# ---------------------------------------------------------------- cancel, check-in, missed


def test_cancelling_frees_the_slot(operators, book):
    monday = coming_monday()
    people = citizens(5)
    made = [book(p, at(monday, 10)) for p in people[:3]]
    with pytest.raises(NotFound):
        booking.cancel(actor=people[4], appointment=made[0])  # not his
    booking.cancel(actor=people[0], appointment=made[0])
    assert SlotLoad.objects.get(start=at(monday, 10)).booked == 2
    assert Appointment.objects.get(pk=made[0].pk).status == "cancelled"
    book(people[3], at(monday, 10))
    with pytest.raises(Conflict):
        booking.cancel(actor=people[0], appointment=made[0])  # already cancelled
    with pytest.raises(Conflict) as caught:
        booking.cancel(actor=people[1], appointment=made[1], now=at(monday, 10, 1))
    assert caught.value.code == "appointment-started"
    booking.cancel(actor=operators[1], appointment=made[2])
    assert SlotLoad.objects.get(start=at(monday, 10)).booked == 2


def test_check_in_only_near_the_slot_and_at_its_centre(centre, book):
    monday = coming_monday()
    appointment = book(citizens(1)[0], at(monday, 10))
    kiosk = services.device_for_token(factories.device_token("kiosk", office=centre))
    elsewhere = factories.centre(services=SERVICES)
    other_kiosk = services.device_for_token(factories.device_token("kiosk", office=elsewhere))
    for now in (at(monday, 9, 29), at(monday, 10, 16)):
        with pytest.raises(Conflict) as caught:
            booking.check_in(actor_or_device=kiosk, code_or_appointment=appointment.code, now=now)
        assert caught.value.code == "outside-check-in-window"
    with pytest.raises(Forbidden):
        booking.check_in(
            actor_or_device=other_kiosk, code_or_appointment=appointment.code, now=at(monday, 9, 45)
        )
    with pytest.raises(NotFound):
        booking.check_in(
            actor_or_device=kiosk, code_or_appointment="ZZZZZZZZ", now=at(monday, 9, 45)
        )
    ticket = booking.check_in(
        actor_or_device=kiosk, code_or_appointment=appointment.code.lower(), now=at(monday, 9, 30)
    )
    appointment.refresh_from_db()
    assert appointment.status == "checked_in" and appointment.ticket == ticket
    assert ticket.priority == "appointment" and ticket.channel == "appointment"
    assert ticket.iin == appointment.person.iin and ticket.day == monday
    with pytest.raises(Conflict):
        booking.check_in(
            actor_or_device=kiosk, code_or_appointment=appointment, now=at(monday, 9, 50)
        )


def test_an_appointment_is_called_before_earlier_walk_ins(centre, operators, book):
    monday = coming_monday()
    operator = operators[1]
    walk_ins = [
        services.issue_ticket(
            office_code=centre.code, service_code="passport", actor=operator, now=at(monday, 9, m)
        )
        for m in (5, 10)
    ]
    appointment = book(citizens(1)[0], at(monday, 10))
    ticket = booking.check_in(
        actor_or_device=operator, code_or_appointment=appointment, now=at(monday, 9, 45)
    )
    called = [
        services.call_next(
            actor=operators[k],
            office_code=centre.code,
            window_number=k,
            now=at(monday, 9, 50),
        )
        for k in (1, 2, 3)
    ]
    assert [t.pk for t in called] == [ticket.pk, walk_ins[0].pk, walk_ins[1].pk]


def test_missed_appointments_after_the_check_in_window(book):
    monday = coming_monday()
    appointment = book(citizens(1)[0], at(monday, 10))
    assert booking.mark_missed(at(monday, 10, 14)) == 0
    assert booking.mark_missed(at(monday, 10, 16)) == 1
    assert Appointment.objects.get(pk=appointment.pk).status == "missed"
    assert booking.mark_missed(at(monday, 10, 30)) == 0


# ---------------------------------------------------------------- reminders


def test_a_reminder_the_gateway_refuses_is_tried_again(
    django_capture_on_commit_callbacks, run_tasks, settings, book
):
    monday = coming_monday()
    (user,) = citizens(1)
    Person.objects.filter(pk=user.person_id).update(phone="+77011234567", email="")
    book(user, at(monday, 10))
    settings.SANDBOX_SMS_DOWN = True
    with django_capture_on_commit_callbacks(execute=True):
        assert booking.send_reminders(at(monday, 10) - datetime.timedelta(hours=2)) == 1
    with django_capture_on_commit_callbacks(execute=True):  # the retry is queued on commit
        run_tasks()
    note = Notification.objects.get(event="reminder")
    assert note.state == "queued" and note.attempts == 1 and note.last_error
    settings.SANDBOX_SMS_DOWN = False
    run_tasks(include_later=True)
    note.refresh_from_db()
    assert note.state == "sent" and note.attempts == 2
    assert SandboxSms.objects.filter(text__contains="onestop").count() == 1


def test_one_reminder_in_the_persons_language(
    django_capture_on_commit_callbacks, run_tasks, centre, book
):
    monday = coming_monday()
    russian, kazakh, later = citizens(3)
    for user, language in ((russian, "ru"), (kazakh, "kk"), (later, "en")):
        Person.objects.filter(pk=user.person_id).update(
            language=language, phone="+77011234567", email=f"{language}@example.kz"
        )
    ru = book(russian, at(monday, 10))
    kk = book(kazakh, at(monday, 10, 30))
    book(later, at(monday, 15))  # more than 24 hours ahead: not yet
    now = at(monday, 10) - datetime.timedelta(hours=23, minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        assert booking.send_reminders(now) == 2
    run_tasks()
    texts = list(SandboxSms.objects.filter(text__contains="onestop").values_list("text", flat=True))
    assert len(texts) == 2 and len(mail.outbox) == 2
    esil = centre
    russian_text = next(t for t in texts if ru.code in t)
    assert esil.name_ru in russian_text and "10:00" in russian_text
    assert f"{monday:%d.%m.%Y}" in russian_text
    kazakh_text = next(t for t in texts if kk.code in t)
    assert esil.name_kk in kazakh_text and "10:30" in kazakh_text
    assert {m.to[0] for m in mail.outbox} == {"ru@example.kz", "kk@example.kz"}
    # Each reminder is a notification of the appointment, with its delivery state.
    notes = Notification.objects.filter(event="reminder")
    assert sorted(notes.values_list("channel", "language", "state")) == [
        ("email", "kk", "sent"),
        ("email", "ru", "sent"),
        ("sms", "kk", "sent"),
        ("sms", "ru", "sent"),
    ]
    assert {n.appointment_id for n in notes} == {ru.pk, kk.pk}
    assert all(n.application_id is None for n in notes)
    with django_capture_on_commit_callbacks(execute=True):
        assert booking.send_reminders(now + datetime.timedelta(minutes=5)) == 0
    run_tasks()
    assert SandboxSms.objects.filter(text__contains="onestop").count() == 2
    assert Appointment.objects.filter(reminded_at__isnull=False).count() == 2


# ---------------------------------------------------------------- the API


def test_api_lists_slots_publicly(api_client, centre):
    monday = coming_monday()
    response = api_client.get(f"/api/v1/offices/{centre.code}/slots?service=passport&date={monday}")
    assert response.status_code == 200
    slots = response.json()
    assert slots[0]["free"] == 3 and set(slots[0]) == {"start", "end", "free"}
    assert datetime.datetime.fromisoformat(slots[0]["start"]) == at(monday, 9)
    assert slots[0]["start"].endswith(at(monday, 9).strftime("%z")[:3] + ":00")
    bad = api_client.get(f"/api/v1/offices/{centre.code}/slots?service=nothing&date={monday}")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "service"
    bad = api_client.get(f"/api/v1/offices/{centre.code}/slots?service=passport&date=soon")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "date"
    assert (
        api_client.get(f"/api/v1/offices/nowhere/slots?service=passport&date={monday}").status_code
        == 404
    )


def test_api_books_shows_and_cancels(api_client, centre, operators, agent):
    monday = coming_monday()
    me, other = citizens(2)
    headers = bearer(me)
    response = post(
        api_client,
        "/api/v1/appointments",
        {
            "office": centre.code,
            "service": "passport",
            "start": at(monday, 10).isoformat(),
            "iin": me.person.iin,
        },
        headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= {"id", "code", "office", "service", "start", "end", "status", "ticket"}
    assert body["status"] == "booked" and body["ticket"] is None and body["office"] == centre.code
    assert datetime.datetime.fromisoformat(body["start"]) == at(monday, 10)
    url = f"/api/v1/appointments/{body['id']}"
    assert api_client.get(url, **headers).json()["code"] == body["code"]
    assert api_client.get(url, **bearer(other)).status_code == 404
    assert api_client.get(url, **bearer(agent)).status_code == 200
    assert api_client.get(url, **bearer(operators[2])).status_code == 200
    mine = api_client.get("/api/v1/appointments?mine=true", **headers).json()
    assert mine["count"] == 1 and mine["items"][0]["id"] == body["id"]
    by_agent = api_client.get(f"/api/v1/appointments?iin={me.person.iin}", **bearer(agent))
    assert by_agent.json()["count"] == 1
    assert api_client.get("/api/v1/appointments", **bearer(agent)).status_code == 422
    # A citizen may leave the IIN out: it is his or her own.
    no_iin = post(
        api_client,
        "/api/v1/appointments",
        {
            "office": centre.code,
            "service": "address-certificate",
            "start": at(monday, 11).isoformat(),
        },
        headers,
    )
    assert no_iin.status_code == 201
    assert api_client.delete(url, **bearer(other)).status_code == 404
    assert api_client.delete(url, **headers).status_code == 204
    assert api_client.get(url, **headers).json()["status"] == "cancelled"
    assert api_client.delete(url, **headers).status_code == 409
    assert SlotLoad.objects.get(start=at(monday, 10)).booked == 0


def test_api_agent_books_for_a_caller_and_others_may_not(api_client, centre, operators, agent):
    monday = coming_monday()
    me, caller = citizens(2)
    body = {
        "office": centre.code,
        "service": "passport",
        "start": at(monday, 10).isoformat(),
        "iin": caller.person.iin,
    }
    response = post(api_client, "/api/v1/appointments", body, bearer(agent))
    assert response.status_code == 201 and response.json()["channel"] == "call_centre"
    assert post(api_client, "/api/v1/appointments", body, bearer(me)).status_code == 403
    assert post(api_client, "/api/v1/appointments", body, bearer(operators[1])).status_code == 403
    assert post(api_client, "/api/v1/appointments", body).status_code == 401


def test_api_bad_input_names_the_field_and_writes_nothing(api_client, centre, book):
    monday = coming_monday()
    people = citizens(4)
    for p in people[:3]:
        book(p, at(monday, 10))
    me = people[3]
    headers = bearer(me)
    good = {
        "office": centre.code,
        "service": "passport",
        "start": at(monday, 11).isoformat(),
        "iin": me.person.iin,
    }
    before = written()
    cases = [
        ({"service": "nothing"}, 422, "service"),
        ({"service": "driving-licence"}, 422, "service"),
        ({"iin": wrong_check_digit(me.person.iin)}, 422, "iin"),
        ({"start": at(monday, 11, 5).isoformat()}, 422, "start"),
        ({"start": "tomorrow morning"}, 422, "start"),
        ({"start": at(monday - datetime.timedelta(days=14), 11).isoformat()}, 409, None),
        ({"start": at(monday, 10).isoformat()}, 409, None),
        ({"office": "nowhere"}, 404, None),
    ]
    for change, status, field in cases:
        response = post(api_client, "/api/v1/appointments", {**good, **change}, headers)
        assert response.status_code == status, (change, response.content)
        assert response["Content-Type"].startswith("application/problem+json")
        if field:
            assert response.json()["errors"][0]["field"] == field
    assert written() == before
    past = post(
        api_client,
        "/api/v1/appointments",
        {**good, "start": at(monday - datetime.timedelta(days=14), 11).isoformat()},
        headers,
    )
    assert past.json()["type"].endswith("slot-in-past")
    full = post(
        api_client, "/api/v1/appointments", {**good, "start": at(monday, 10).isoformat()}, headers
    )
    assert full.json()["type"].endswith("slot-full")


def test_api_rate_limits_booking_attempts_per_account(api_client, settings, centre):
    monday = coming_monday()
    me = citizens(1)[0]
    headers = bearer(me)
    body = {"office": centre.code, "service": "passport", "start": at(monday, 10).isoformat()}

    def attempt() -> int:
        return post(api_client, "/api/v1/appointments", {**body, "iin": me.person.iin}, headers)

    per_account = int(settings.REQUEST_RATES["booking-account"].split("/")[0])  # 20 an hour
    codes = [attempt().status_code for _ in range(per_account + 1)]
    assert codes[0] == 201 and set(codes[1:-1]) == {409} and codes[-1] == 429
    refused = attempt()
    assert refused.json()["type"].endswith("rate-limited") and int(refused["Retry-After"]) > 0
    settings.RATE_LIMITS = False
    codes = [attempt().status_code for _ in range(25)]
    assert set(codes) == {409}  # no rate limit, but still one appointment per service and day
    assert Appointment.objects.filter(person=me.person).count() == 1


def test_api_check_in_by_the_kiosk(api_client, book):
    # A centre open around the clock, its kiosk and another centre's.
    office = factories.centre(services=SERVICES, windows=WINDOWS)
    kiosk = bearer(factories.device_token("kiosk", office=office))
    elsewhere = factories.centre(services=SERVICES)
    me = citizens(1)[0]
    # Booked 20 minutes ago: the first slot then is at most 30 minutes from now at any
    # hour, and so within its check-in window (booked now, at 23:20 the first slot would
    # be at midnight, the centre's day ending at 23:59:59).
    booked_at = timezone.now() - datetime.timedelta(minutes=20)
    local_day = booked_at.astimezone(office.zone).date()
    start = next(
        s.start
        for day in (local_day, local_day + datetime.timedelta(days=1))
        for s in booking.slots(
            office_code=office.code, service_code="passport", day=day, now=booked_at
        )
    )
    appointment = book(me, start, now=booked_at, office=office.code)
    other = bearer(factories.device_token("kiosk", office=elsewhere))
    url = f"/api/v1/appointments/{appointment.pk}/check-in"
    assert post(api_client, url, {}, other).status_code == 404
    response = post(api_client, url, {}, kiosk)
    assert response.status_code == 201, response.content
    ticket = response.json()
    assert ticket["priority"] == "appointment" and ticket["status"] == "waiting"
    assert ticket["follow_code"]
    assert Ticket.objects.get(pk=ticket["id"]).appointment.pk == appointment.pk
    again = post(api_client, "/api/v1/appointments/check-in", {"code": appointment.code}, kiosk)
    assert again.status_code == 409
    assert (
        api_client.get(f"/api/v1/appointments/{appointment.pk}", **bearer(me)).json()["ticket"]
        == ticket["id"]
    )


# ---------------------------------------------------------------- pages


def test_a_citizen_books_on_the_portal(client, centre):
    monday = coming_monday()
    me = citizens(1)[0]
    client.force_login(me)
    page = client.get(
        f"/appointments/new/?office={centre.code}&service=passport&day={monday}&lang=en"
    )
    html = page.content.decode()
    assert page.status_code == 200 and "09:00" in html and "3 places free" in html
    assert "booking.css" in html
    partial = client.get(f"/appointments/slots/?office={centre.code}&service=passport&day={monday}")
    assert "<html" not in partial.content.decode() and "09:00" in partial.content.decode()
    response = client.post(
        "/appointments/new/",
        {
            "office": centre.code,
            "service": "passport",
            "day": str(monday),
            "start": at(monday, 10).isoformat(),
        },
    )
    appointment = Appointment.objects.get(person=me.person)
    assert (
        response.status_code == 302 and response["Location"] == f"/appointments/{appointment.pk}/"
    )
    detail = client.get(response["Location"]).content.decode()
    assert appointment.code in detail and "10:00" in detail
    listing = client.get("/appointments/").content.decode()
    assert appointment.code in listing
    again = client.post(
        "/appointments/new/",
        {
            "office": centre.code,
            "service": "passport",
            "day": str(monday),
            "start": at(monday, 11).isoformat(),
        },
        follow=True,
    )
    assert "already have an appointment" in again.content.decode()
    client.post(f"/appointments/{appointment.pk}/cancel/")
    assert Appointment.objects.get(pk=appointment.pk).status == "cancelled"


def test_the_call_centre_books_for_a_caller(client, centre, agent):
    monday = coming_monday()
    caller = citizens(1)[0]
    client.force_login(agent)
    page = client.get(
        f"/appointments/new/?iin={caller.person.iin}&office={centre.code}&service=passport&day={monday}&lang=en"
    )
    assert "Caller&#x27;s IIN" in page.content.decode() or "Caller's IIN" in page.content.decode()
    response = client.post(
        "/appointments/new/",
        {
            "office": centre.code,
            "service": "passport",
            "day": str(monday),
            "iin": caller.person.iin,
            "start": at(monday, 10).isoformat(),
        },
    )
    appointment = Appointment.objects.get(person=caller.person)
    assert response["Location"] == f"/appointments/{appointment.pk}/"
    assert appointment.channel == "call_centre"
    listing = client.get(f"/appointments/?iin={caller.person.iin}").content.decode()
    assert appointment.code in listing
    assert client.get("/appointments/").status_code == 200
    client.force_login(factories.staff(Role.AUDITOR))
    assert client.get("/appointments/new/").status_code == 404
