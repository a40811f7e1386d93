"""Pages of the queue: the kiosk that issues tickets, the display board, the operator's
workstation, the rating screen at each window and the page a visitor follows on a phone.

Kiosks and rating screens prove what they are with their device token, given once in the
address (`?device=`) and then kept in a signed cookie. The pages call the same services as
the API; a refusal comes back as a message in the visitor's language, never a trace."""

import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop import permissions
from onestop.catalog.models import Service
from onestop.observability import set_actor
from onestop.offices.models import Office, Window
from onestop.people.iin import parse_iin
from onestop.people.models import User
from onestop.problems import DomainError, explain
from onestop.queueing import selectors, services, workflow
from onestop.queueing.advice import LONG_WAIT_MINUTES, nearby_shorter_waits
from onestop.queueing.models import Device, Priority, Rating, Ticket, WindowState
from onestop.queueing.models import TicketStatus as T

DEVICE_COOKIES = {Device.Kind.KIOSK: "onestop_kiosk", Device.Kind.RATING: "onestop_rating"}
DEVICE_COOKIE_SALT = "onestop.queueing.device"
DEVICE_COOKIE_SECONDS = 5 * 365 * 24 * 3600
KIOSK_RETURN_SECONDS = 20
KIOSK_IDLE_SECONDS = 90
RATING_THANKS_SECONDS = 6
ADVICE_LIMIT = 3  # centres shown when the wait is long
# What the hall hears, whatever the language of the captions: the state language first,
# then Russian (the board's `?speech=1`).
ANNOUNCEMENTS = {
    "kk-KZ": "Талон {number}, терезе {window}",
    "ru-RU": "Талон {number}, окно {window}",
}


# ---------------------------------------------------------------- shared helpers


def _htmx(request) -> bool:
    """A request for a fragment (htmx), not a boosted page load."""
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    )


def wait_words(minutes: float | None) -> str:
    if minutes is None:
        return ""
    whole = round(minutes)
    if whole < 1:
        return _("less than a minute")
    if whole >= 60:
        hours, rest = divmod(5 * round(whole / 5), 60)
        return _("about %(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest}
    return ngettext("about %(n)d minute", "about %(n)d minutes", whole) % {"n": whole}


def opening_hours(office: Office) -> list[tuple[str, str]]:
    """The week's hours as lines, consecutive days with the same hours together:
    [("Monday – Saturday", "09:00–20:00"), ("Sunday", "closed")]."""
    by_day = {h.weekday: (h.opens, h.closes) for h in office.hours.all()}
    lines = []
    day = 0
    while day < 7:
        hours = by_day.get(day)
        last = day
        while last + 1 < 7 and by_day.get(last + 1) == hours:
            last += 1
        days = str(WEEKDAYS[day]) if last == day else f"{WEEKDAYS[day]} – {WEEKDAYS[last]}"
        text = f"{hours[0]:%H:%M}–{hours[1]:%H:%M}" if hours else _("closed")
        lines.append((days, text))
        day = last + 1
    return lines


def _screen_device(
    request, *, kind: str, office_code: str, window_number: int | None = None
) -> tuple[Device | None, HttpResponse | None]:
    """The device this screen belongs to, from `?device=<token>` or else its signed cookie.
    With a token in the address the answer is a redirect that keeps it in the cookie and
    takes it out of the address; without a fitting device, the refusal page."""
    cookie = DEVICE_COOKIES[kind]
    given = request.GET.get("device", "")
    token = given or request.get_signed_cookie(cookie, default="", salt=DEVICE_COOKIE_SALT)
    device = services.device_for_token(token) if token else None
    fits = (
        device is not None
        and device.kind == kind
        and device.office.code == office_code
        and device.office.is_active
        and (
            window_number is None
            or (device.window is not None and device.window.number == window_number)
        )
    )
    if not fits:
        refused = render(
            request,
            "queueing/device_refused.html",
            {"kind": kind, "office_code": office_code, "window_number": window_number},
            status=403,
        )
        if token and not given:
            refused.delete_cookie(cookie, path="/queue/")
        return None, refused
    set_actor(device)
    if given:
        query = request.GET.copy()
        query.pop("device")
        response = redirect(request.path + (f"?{query.urlencode()}" if query else ""))
        response.set_signed_cookie(
            cookie,
            given,
            salt=DEVICE_COOKIE_SALT,
            max_age=DEVICE_COOKIE_SECONDS,
            path="/queue/",
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
        return device, response
    return device, None


# ---------------------------------------------------------------- kiosk


def _advice(office: Office, service: Service, minutes: float) -> list[dict]:
    """Other centres nearby with a shorter wait, shown when the wait here is long."""
    if minutes <= LONG_WAIT_MINUTES:
        return []
    return [
        {"office": item.office, "wait": wait_words(item.minutes)}
        for item in nearby_shorter_waits(office, service, minutes=minutes)[:ADVICE_LIMIT]
    ]


def _kiosk_confirm_context(office: Office, service: Service) -> dict:
    minutes = services.estimate_wait(office=office, service=service)
    return {
        "step": "service",
        "service": service,
        "topic": service.category,
        "wait": wait_words(minutes),
        "advice": _advice(office, service, minutes),
    }


@require_http_methods(["GET", "POST"])
def kiosk(request, office: str):
    """Topics, then services, then priority and IIN, then the ticket."""
    device, early = _screen_device(request, kind=Device.Kind.KIOSK, office_code=office)
    if early is not None:
        return early
    assert device is not None
    centre = device.office
    context: dict = {
        "office": centre,
        "start_url": reverse("queueing:kiosk", args=[centre.code]),
        "idle_seconds": KIOSK_IDLE_SECONDS,
    }
    if request.method == "POST":
        return _kiosk_issue(request, device, context)
    if not services.is_open(centre):
        context.update(step="closed", hours=opening_hours(centre))
        return render(request, "queueing/kiosk.html", context)
    service_code = request.GET.get("service", "")
    topic_code = request.GET.get("topic", "")
    language = request.LANGUAGE_CODE
    service = (
        selectors.kiosk_service(centre, service_code, language=language) if service_code else None
    )
    topic = selectors.kiosk_topic(centre, topic_code) if topic_code else None
    if service is not None:
        context.update(_kiosk_confirm_context(centre, service))
    elif topic is not None:
        context.update(
            step="topic",
            topic=topic,
            services=selectors.kiosk_services(centre, language=language, topic=topic),
        )
    else:
        context.update(step="start", topics=selectors.kiosk_topics(centre))
    return render(request, "queueing/kiosk.html", context)


def _kiosk_issue(request, device: Device, context: dict) -> HttpResponse:
    centre = device.office
    service_code = request.POST.get("service", "")[:60]
    iin = "".join(ch for ch in request.POST.get("iin", "") if not ch.isspace())[:20]
    wants_priority = request.POST.get("priority") == "on"
    reason = request.POST.get("priority_reason", "")
    priority: bool | str = False
    if wants_priority:  # the reason the visitor tapped, a disability when none
        priority = reason if reason in {Priority.DISABILITY, Priority.PREGNANT} else True
    try:
        permissions.require(device, "tickets.issue")
        if iin:  # checked here too: a priority asked for would let a mistyped IIN through
            parse_iin(iin, field="iin")
        ticket = services.issue_ticket(
            office_code=centre.code,
            service_code=service_code,
            device=device,
            priority=priority,
            iin=iin,
            channel="kiosk",
        )
    except DomainError as error:
        service = selectors.kiosk_service(centre, service_code, language=request.LANGUAGE_CODE)
        if error.code == "centre-closed":
            context.update(step="closed", hours=opening_hours(centre))
        elif service is None:
            context.update(
                step="start", topics=selectors.kiosk_topics(centre), error=explain(error)
            )
        else:
            context.update(_kiosk_confirm_context(centre, service))
            context.update(
                error=explain(error),
                iin=iin,
                wants_priority=wants_priority,
                priority_reason=reason,
            )
        status = 200 if request.headers.get("HX-Request") == "true" else error.status
        return render(request, "queueing/kiosk.html", context, status=status)
    follow_path = reverse("queueing:follow", args=[ticket.follow_code])
    context.update(
        step="ticket",
        ticket=ticket,
        service=ticket.service,
        position=selectors.position(ticket),
        wait=wait_words(ticket.estimated_wait_minutes),
        follow_host=request.get_host(),
        follow_path=follow_path,
        follow_url=request.build_absolute_uri(follow_path),
        return_seconds=KIOSK_RETURN_SECONDS,
        advice=_advice(centre, ticket.service, ticket.estimated_wait_minutes),
    )
    return render(request, "queueing/kiosk.html", context)


# ---------------------------------------------------------------- display board


@require_GET
def board(request, office: str):
    """The hall's screen. Rendered once; then board.js polls the API's board snapshot
    every second (ETag, 304 when nothing changed) and redraws only on a change."""
    centre = selectors.active_office(office)
    if centre is None:
        raise Http404
    snapshot = json.loads(selectors.board_snapshot(centre.code).json)
    config = {
        "url": reverse("api:board", args=[centre.code]),
        "timezone": centre.timezone,
        "language": request.LANGUAGE_CODE,
        "speech": request.GET.get("speech") == "1",
        "announcements": ANNOUNCEMENTS,
        "labels": {
            "offline": _("No connection. Trying again…"),
            "sound": _("Tap to turn the sound on"),
        },
    }
    return render(
        request,
        "queueing/board.html",
        {
            "office": centre,
            "called": snapshot["called"],
            "waiting": snapshot["waiting"],
            "config": config,
        },
    )


# ---------------------------------------------------------------- operator's workstation


def _desk_context(user: User, window: Window) -> dict:
    state = selectors.window_state(window)
    current = selectors.ticket_at_window(window)
    context: dict = {
        "window": window,
        "windows": selectors.windows_for(user),
        "state": state.state if state else WindowState.State.CLOSED,
        "state_label": state.get_state_display() if state else WindowState.State.CLOSED.label,
        "counts": selectors.window_counts(window),
        "ticket": current,
    }
    if current is not None:
        context.update(
            appointment=selectors.appointment_of(current),
            actions=[
                action
                for action in ("recall", "start", "no_show", "finish", "transfer")
                if current.status in workflow.BY_ACTION[action].sources
            ],
            transfer_windows=selectors.transfer_windows(window, current.service),
            transfer_services=selectors.transfer_services(
                window, current.service, language=_language()
            ),
            application_url=reverse("cases:new")
            + "?"
            + urlencode(
                {"service": current.service.code, **({"iin": current.iin} if current.iin else {})}
            ),
        )
    return context


def _language() -> str:
    return (get_language() or "kk").split("-")[0]


def _staff_or_refuse(request) -> HttpResponse | None:
    user = request.user
    if user.role not in workflow.STAFF or not user.office_id:
        return render(request, "queueing/not_staff.html", status=403)
    if not selectors.windows_for(user).exists():
        return render(request, "queueing/not_staff.html", {"no_windows": True}, status=403)
    return None


@login_required
@require_GET
def workstation(request):
    """Call, serve and send on the visitors of one window."""
    refused = _staff_or_refuse(request)
    if refused is not None:
        return refused
    window = selectors.chosen_window(request.user, request.GET.get("window"))
    assert window is not None
    return render(request, "queueing/workstation.html", _desk_context(request.user, window))


@login_required
@require_GET
def workstation_counts(request):
    """The window's counts, polled by the workstation."""
    refused = _staff_or_refuse(request)
    if refused is not None:
        return refused
    window = selectors.chosen_window(request.user, request.GET.get("window"))
    assert window is not None
    return render(
        request,
        "queueing/_desk_counts.html",
        {"window": window, "counts": selectors.window_counts(window)},
    )


WINDOW_STATES = {"open": "open", "break": "break", "close": "closed"}
TICKET_MOVES = {"recall", "start", "no_show", "finish"}


def _act_at_window(user: User, window: Window, post) -> tuple[str, str]:
    """Does what the button says. Returns (notice, error)."""
    action = post.get("action", "")
    office = window.office.code
    if action in WINDOW_STATES:
        state = services.set_window_state(
            actor=user, office_code=office, window_number=window.number, state=WINDOW_STATES[action]
        )
        return _("Window %(number)d: %(state)s.") % {
            "number": window.number,
            "state": state.get_state_display(),
        }, ""
    if action == "call_next":
        called = services.call_next(actor=user, office_code=office, window_number=window.number)
        if called is None:
            return "", _("Nobody is waiting for the services of this window.")
        return _("Ticket %(number)s is called to window %(window)d.") % {
            "number": called.number,
            "window": window.number,
        }, ""
    given = post.get("ticket", "")
    # only the visitor at this window: the buttons are about him or her
    ticket = selectors.window_ticket(window, int(given)) if given.isdigit() else None
    if ticket is None:
        return "", _("No such ticket.")
    if action in TICKET_MOVES:
        moved = services.move(actor=user, ticket=ticket, action=action)
        return {
            "recall": _("Ticket %(number)s is called again."),
            "start": _("Serving %(number)s."),
            "no_show": _("Ticket %(number)s did not come."),
            "finish": _("Ticket %(number)s is served."),
        }[action] % {"number": moved.number}, ""
    if action == "transfer":
        target = post.get("to", "")
        kind, _sep, value = target.partition(":")
        if kind == "window" and value.isdigit():
            moved = services.transfer(actor=user, ticket=ticket, window_number=int(value))
            return _("Ticket %(number)s is sent to window %(window)s.") % {
                "number": moved.number,
                "window": value,
            }, ""
        if kind == "service" and value:
            moved = services.transfer(actor=user, ticket=ticket, service_code=value)
            return _("Ticket %(number)s is sent to the queue for: %(service)s.") % {
                "number": moved.number,
                "service": moved.service.name,
            }, ""
        return "", _("Choose a window or a service to send the visitor to.")
    return "", _("Unknown action.")


@login_required
@require_POST
def workstation_act(request):
    refused = _staff_or_refuse(request)
    if refused is not None:
        return refused
    window = selectors.chosen_window(request.user, request.POST.get("window"))
    assert window is not None
    try:
        notice, error = _act_at_window(request.user, window, request.POST)
    except DomainError as refusal:
        notice, error = "", explain(refusal)
    if _htmx(request):
        context = _desk_context(request.user, window)
        context.update(notice=notice, error=error)
        return render(request, "queueing/_desk.html", context)
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return redirect(f"{reverse('queueing:workstation')}?window={window.number}")


# ---------------------------------------------------------------- rating screen


@require_http_methods(["GET", "POST"])
def rating_screen(request, office: str, window: int):
    """The screen facing the visitor at a window: four buttons after each visit."""
    device, early = _screen_device(
        request, kind=Device.Kind.RATING, office_code=office, window_number=window
    )
    if early is not None:
        return early
    assert device is not None and device.window is not None
    context: dict = {
        "office": device.office,
        "window": device.window,
        "scores": Rating.Score.choices,
        "poll_url": reverse("queueing:rate", args=[office, window]),
        "thanks_seconds": RATING_THANKS_SECONDS,
    }
    if request.method == "POST":
        given = request.POST.get("ticket", "")
        ticket = selectors.window_ticket(device.window, int(given)) if given.isdigit() else None
        context.update(step="thanks")
        if ticket is None:
            context.update(error=_("This visit cannot be rated here."))
        else:
            try:
                services.rate(ticket=ticket, score=request.POST.get("score", ""), device=device)
            except DomainError as error:
                context.update(error=explain(error))
    else:
        ticket = selectors.ticket_to_rate(device.window)
        shown = request.GET.get("shown")
        if _htmx(request) and shown is not None and shown == str(ticket.pk if ticket else 0):
            return HttpResponse(status=204)  # nothing new: the screen stays as it is
        context.update(step="rate" if ticket else "waiting", ticket=ticket)
    template = "queueing/_rate.html" if _htmx(request) else "queueing/rate.html"
    return render(request, template, context)


# ---------------------------------------------------------------- following a ticket


FINAL = {T.DONE, T.NO_SHOW, T.CANCELLED}


def remaining_wait(ticket: Ticket, now: datetime.datetime | None = None) -> float | None:
    """The estimate made at issue, less the time waited since; None once called."""
    if ticket.status != T.WAITING:
        return None
    waited = ((now or timezone.now()) - ticket.issued_at).total_seconds() / 60
    return max(ticket.estimated_wait_minutes - waited, 0.0)


@require_GET
@never_cache  # a visitor's ticket, though its code is all that asks for it
def follow(request, follow_code: str):
    """A visitor's ticket on his or her phone, by the code printed on it."""
    ticket = selectors.followed_ticket(follow_code)
    if ticket is None:
        return render(request, "queueing/follow.html", {"missing": True}, status=404)
    position = selectors.position(ticket)
    remaining = remaining_wait(ticket)
    if ticket.channel == "transfer":  # no estimate was made when the visitor was sent on
        wait = ""
    elif position and remaining is not None and remaining < 1:
        wait = _("soon")
    else:
        wait = wait_words(remaining)
    context = {
        "ticket": ticket,
        "position": position,
        "wait": wait,
        "final": ticket.status in FINAL,
        "at_window": ticket.status in workflow.AT_A_WINDOW,
    }
    template = "queueing/_follow.html" if _htmx(request) else "queueing/follow.html"
    return render(request, template, context)
