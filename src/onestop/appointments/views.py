"""Pages for appointments: booking a slot (a citizen for himself or herself, a call-centre
agent for a caller), the confirmation with its code, and the list of appointments to come
with cancelling. Same services as the API; refusals come back as messages on the page."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop import permissions
from onestop.appointments import selectors, services
from onestop.audit import services as audit
from onestop.offices.models import Office
from onestop.people.iin import parse_iin
from onestop.people.models import OFFICE_ROLES, Role
from onestop.problems import DomainError, explain
from onestop.queueing.services import local_now
from onestop.ratelimit import client_address

BOOKERS = permissions.WRITES["appointments.book"]  # who sees the booking form
DAYS_SHOWN = 14


def _checked_iin(request, raw: str) -> str:
    """The caller's IIN typed by an agent, or "" with a message saying what is wrong."""
    iin = raw.strip()[:12]
    if not iin:
        return ""
    try:
        parse_iin(iin, field="iin")
    except DomainError as error:
        messages.error(request, explain(error))
        return ""
    return iin


@login_required
def appointment_list(request):
    """A citizen's appointments to come; the call centre's look-up by the caller's IIN; a
    centre's appointments for its staff."""
    user = request.user
    if user.role not in BOOKERS | OFFICE_ROLES:
        raise Http404
    iin = ""
    if user.role == Role.CITIZEN:
        appointments = list(services.future_for(user.person)) if user.person_id else []
    else:
        iin = _checked_iin(request, request.GET.get("iin", ""))
        appointments = selectors.upcoming_seen_by(user, iin=iin)
        if iin or user.role in OFFICE_ROLES:
            audit.log_access(
                actor=user,
                person=selectors.person_with_iin(iin) if iin else None,
                why="appointment.viewed",
                object_type="appointments",
                object_id=iin or (user.office.code if user.office_id else ""),
            )
    return render(
        request,
        "appointments/list.html",
        {
            "appointments": appointments,
            "iin": iin,
            "can_book": user.role in BOOKERS,
            "is_agent": user.role == Role.AGENT,
        },
    )


def _picker(request, source) -> dict:
    """What the booking page shows for the chosen centre, service and day."""
    offices = selectors.bookable_offices()
    office = next((o for o in offices if o.code == source.get("office", "")), None)
    language = request.LANGUAGE_CODE or "kk"
    offered = selectors.bookable_services(office, language=language) if office else []
    service = next((s for s in offered if s.code == source.get("service", "")), None)
    today = local_now(office).date() if office else timezone.localdate()
    try:
        day = datetime.date.fromisoformat(source.get("day", ""))
    except ValueError:
        day = today
    slots: list = []
    if office and service:
        try:
            slots = services.slots(office_code=office.code, service_code=service.code, day=day)
        except DomainError as error:
            messages.error(request, explain(error))
    stops = (
        selectors.route_stops_from(office, today, limit=DAYS_SHOWN)
        if office and office.kind == Office.Kind.MOBILE
        else []
    )
    return {
        "offices": offices,
        "office": office,
        "services": offered,
        "service": service,
        "day": day,
        "today": today,
        "last_day": today + datetime.timedelta(days=60),
        "slots": slots,
        "stops": stops,
    }


@login_required
def new_appointment(request):
    """Pick a centre, a service and a day, then press a free time."""
    user = request.user
    if user.role not in BOOKERS:
        raise Http404
    source = request.POST if request.method == "POST" else request.GET
    is_agent = user.role == Role.AGENT
    iin = _checked_iin(request, source.get("iin", "")) if is_agent else ""
    if request.method == "POST":
        try:
            start = datetime.datetime.fromisoformat(source.get("start", ""))
        except ValueError:
            messages.error(request, _("Choose a time."))
        else:
            try:
                services.limit_booking_rate(request, user)
                appointment = services.book(
                    actor=user,
                    office_code=source.get("office", ""),
                    service_code=source.get("service", ""),
                    start=start,
                    iin=iin if is_agent else (user.person.iin if user.person_id else ""),
                    client=client_address(request),
                )
            except DomainError as error:
                messages.error(request, explain(error))
            else:
                messages.success(request, _("Your appointment is booked."))
                return redirect("appointments:detail", pk=appointment.pk)
        query = {k: source.get(k, "") for k in ("office", "service", "day", "iin") if source.get(k)}
        return redirect(f"{reverse('appointments:new')}?{urlencode(query)}")
    context = {**_picker(request, source), "iin": iin, "is_agent": is_agent}
    return render(request, "appointments/new.html", context)


@login_required
def slot_list(request):
    """The free times alone, for the booking page to refresh (htmx)."""
    if request.user.role not in BOOKERS:
        raise Http404
    return render(request, "appointments/_slots.html", _picker(request, request.GET))


@login_required
def appointment_detail(request, pk: int):
    appointment = selectors.visible_appointment(request.user, pk)
    if appointment is None:
        raise Http404
    now = timezone.now()
    return render(
        request,
        "appointments/detail.html",
        {
            "appointment": appointment,
            "can_cancel": appointment.status == appointment.Status.BOOKED
            and appointment.start > now,
            "check_in_from": appointment.start
            - datetime.timedelta(minutes=services.CHECK_IN_EARLY_MINUTES),
            "check_in_until": appointment.start
            + datetime.timedelta(minutes=services.CHECK_IN_LATE_MINUTES),
        },
    )


@login_required
@require_POST
def cancel_appointment(request, pk: int):
    user = request.user
    appointment = selectors.visible_appointment(user, pk)
    if appointment is None:
        raise Http404
    try:
        services.cancel(actor=user, appointment=appointment)
    except DomainError as error:
        messages.error(request, explain(error))
        return redirect("appointments:detail", pk=pk)
    messages.success(request, _("The appointment is cancelled; the time is free for others."))
    if user.role == Role.CITIZEN:
        return redirect("appointments:list")
    return redirect(f"{reverse('appointments:list')}?{urlencode({'iin': appointment.person.iin})}")
