"""Pages of mobile centres: the operator's offline screen (and its service worker), and
home visits: the request form and the list the operators work from. Same services as
the API; errors come back as messages on the page."""

import datetime
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from onestop.catalog.models import Channel
from onestop.catalog.selectors import published_services
from onestop.mobile import selectors, services, workflow
from onestop.mobile.models import HomeVisitStatus
from onestop.offices.models import Office
from onestop.people.models import Role
from onestop.problems import DomainError, Forbidden, explain

SERVICE_WORKER = Path(__file__).resolve().parent / "static" / "mobile" / "sw.js"


# ---------------------------------------------------------------- the operator's screen


def _screen_texts() -> dict[str, str]:
    """What the screen's script says, in the page's language."""
    return {
        "online": _("Online"),
        "offline": _("Offline"),
        "waiting": _("%(count)s waiting to sync"),
        "allSynced": _("all synced"),
        "syncing": _("syncing…"),
        "logInAgain": _("Log in again to sync."),
        "readyOffline": _("Ready to work without a connection."),
        "notReadyOffline": _("This browser cannot work offline: keep the connection."),
        "loadFailed": _("The list of services is not loaded yet: connect once to load it."),
        "chooseService": _("Choose a service."),
        "iinDigits": _("An IIN is exactly 12 digits."),
        "iinCentury": _("The 7th digit of an IIN must be 1 to 6 (century and sex)."),
        "iinDate": _("The first six digits of an IIN must be a real birth date."),
        "iinCheck": _("The check digit of this IIN is wrong; look for a typo."),
        "ticket": _("Ticket"),
        "application": _("Application"),
        "pending": _("waiting to sync"),
        "synced": _("synced"),
        "rejected": _("refused"),
        "refused": _("%(count)s refused"),
        "ticketCaptured": _("Ticket captured."),
        "applicationCaptured": _("Application captured."),
        "noStop": _("No stop on the route today."),
        "nextStop": _("Next stop: %(date)s, %(settlement)s"),
        "priority": _("priority"),
    }


@login_required
@never_cache
def screen(request):
    """Works without a connection once loaded: the service worker keeps the page, its
    styles and the centre's services; captured work waits in the browser's IndexedDB."""
    try:
        office = services.mobile_office_of(request.user)
    except Forbidden as error:
        return render(request, "mobile/not_mobile.html", {"message": error.detail}, status=403)
    language = translation.get_language() or "kk"
    config = {
        "office": office.code,
        "timezone": office.timezone,
        "operator": request.user.username,
        "language": language,
        "scope": reverse("mobile:screen"),
        "serviceWorker": reverse("mobile:service_worker"),
        "syncUrl": reverse("api:mobile_sync"),
        "servicesUrl": reverse("api:list_services")
        + "?"
        + urlencode({"channel": Channel.MOBILE, "limit": 200, "lang": language}),
        "officeUrl": reverse("api:get_office", kwargs={"code": office.code})
        + "?"
        + urlencode({"lang": language}),
    }
    return render(
        request,
        "mobile/screen.html",
        {
            "office": office,
            "stop": selectors.stop_of_the_day(office),
            "next_stop": selectors.next_stop(office),
            "config": config,
            "texts": _screen_texts(),
        },
    )


def service_worker(request):
    """The screen's service worker, served under /mobile/ so that it may control it."""
    response = HttpResponse(
        SERVICE_WORKER.read_text(encoding="utf-8"), content_type="application/javascript"
    )
    response["Service-Worker-Allowed"] = reverse("mobile:screen")
    response["Cache-Control"] = "no-cache"
    return response


# ---------------------------------------------------------------- home visits


@login_required
def home_visit_new(request):
    """A person asks to be visited at home (from a service's page); the call centre asks
    for a caller."""
    user = request.user
    if user.role not in workflow.BY_ACTION["request"].roles:
        raise Http404
    offered = published_services().filter(
        current_standard__channels__contains=f",{Channel.HOME_VISIT},"
    )
    code = request.POST.get("service") or request.GET.get("service", "")
    service = offered.filter(code=code).first()
    person = user.person if user.role == Role.CITIZEN else None
    form = {
        "iin": request.POST.get("iin", "").strip(),
        "address": request.POST.get("address", person.address if person else ""),
        "phone": request.POST.get("phone", person.phone if person else ""),
        "reason": request.POST.get("reason", ""),
    }
    if request.method == "POST" and service is not None:
        try:
            services.request_home_visit(
                actor=user,
                service_code=service.code,
                reason=form["reason"][:500],
                iin=form["iin"] or None,
                address=form["address"][:300],
                phone=form["phone"][:20],
            )
        except DomainError as error:
            messages.error(request, explain(error))
        else:
            messages.success(
                request,
                _("Your request is sent. The mobile centre will call you to agree on a time.")
                if user.role == Role.CITIZEN
                else _("The request is sent. The mobile centre will call the person."),
            )
            return redirect("mobile:home_visits")
    return render(
        request,
        "mobile/home_visit_new.html",
        {
            "service": service,
            "services": offered.order_by("name_" + (request.LANGUAGE_CODE or "kk"))
            if service is None
            else [],
            "form": form,
            "for_caller": user.role != Role.CITIZEN,
        },
    )


def _open_first(visits):
    return visits.annotate(
        rank=Case(
            When(status=HomeVisitStatus.SCHEDULED, then=Value(0)),
            When(status=HomeVisitStatus.REQUESTED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "scheduled_for", "-requested_at")


def _actions_for(user, visit) -> list[str]:
    allowed = []
    for action in ("schedule", "visit", "cancel"):
        move = workflow.BY_ACTION[action]
        if user.role not in move.roles or visit.status not in move.sources:
            continue
        if action == "visit" and visit.operator_id != user.pk:
            continue
        allowed.append(action)
    return allowed


@login_required
def home_visit_list(request):
    user = request.user
    visits = selectors.home_visits_visible_to(user)
    status = request.GET.get("status", "")
    if status in HomeVisitStatus.values:
        visits = visits.filter(status=status)
    page = Paginator(_open_first(visits), 25).get_page(request.GET.get("page"))
    rows = [(visit, _actions_for(user, visit)) for visit in page.object_list]
    operators = []
    if any("schedule" in actions for _visit, actions in rows):
        operators = list(selectors.mobile_operators(user.office))
    return render(
        request,
        "mobile/home_visits.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": HomeVisitStatus.choices,
            "operators": operators,
            "can_request": user.role in workflow.BY_ACTION["request"].roles,
            "is_staff_view": user.role != Role.CITIZEN,
        },
    )


def _local_datetime(value: str, office: Office) -> datetime.datetime:
    """A time typed into a datetime-local field, in the visit's centre's time zone."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise DomainError(_("Enter a date and time.")) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=office.zone)


@login_required
@require_POST
def home_visit_act(request, visit_id: int):
    user = request.user
    try:
        visit = selectors.get_home_visit(user, visit_id)
    except DomainError:
        raise Http404 from None
    action = request.POST.get("action", "")
    try:
        if action == "schedule":
            visit = services.schedule_home_visit(
                actor=user,
                visit=visit,
                operator_username=request.POST.get("operator", ""),
                scheduled_for=_local_datetime(request.POST.get("scheduled_for", ""), visit.office),
            )
            messages.success(request, _("The visit is scheduled."))
        elif action == "visit":
            visit = services.record_visit(
                actor=user, visit=visit, note=request.POST.get("note", "")[:2000]
            )
            messages.success(
                request,
                _("Application %(number)s is filed.") % {"number": visit.application.number},
            )
            return redirect("cases:detail", number=visit.application.number)
        elif action == "cancel":
            services.cancel_home_visit(
                actor=user, visit=visit, reason=request.POST.get("reason", "")[:2000]
            )
            messages.success(request, _("The visit is cancelled."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, explain(error))
    return redirect(
        reverse("mobile:home_visits") + (f"?{request.GET.urlencode()}" if request.GET else "")
    )
