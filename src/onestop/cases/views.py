"""Pages for applications: the operator's counter, the reviewer's inbox, the agency head's
overview and the citizen's own applications. Same services as the API; errors come back
as messages on the page, in the visitor's language."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop import permissions
from onestop.audit import services as audit
from onestop.cases import selectors, services
from onestop.cases.models import Document, Status
from onestop.cases.services.filing import BROUGHT
from onestop.cases.uploads import Upload
from onestop.catalog.selectors import published_services
from onestop.people.models import OFFICE_ROLES, Role
from onestop.problems import DomainError, explain
from onestop.validation import check_form_data

FILERS = permissions.WRITES["applications.file"]  # who sees the filing form


def _title(user) -> str:
    return {
        Role.CITIZEN: _("My applications"),
        Role.REVIEWER: _("My inbox"),
        Role.HEAD: _("Applications of the agency"),
        Role.OPERATOR: _("Applications at this centre"),
        Role.MANAGER: _("Applications at this centre"),
        Role.CONSULTANT: _("Applications at this centre"),
    }.get(user.role, _("Applications"))


@login_required
def application_list(request):
    user = request.user
    applications = (
        selectors.visible_to(user).filter(parent__isnull=True)
        if user.role == Role.CITIZEN
        else selectors.visible_to(user)
    )
    query = request.GET.get("q", "").strip()[:20]
    if query:  # the call centre and the front office find a caller's application by number or IIN
        applications = applications.filter(Q(number=query) | Q(applicant__iin=query))
    status = request.GET.get("status", "")
    if status in Status.values:
        applications = applications.filter(status=status)
    if user.role == Role.REVIEWER:
        applications = (
            applications.filter(status=Status.ASSIGNED).order_by("due_at")
            if not status
            else applications
        )
    elif user.role == Role.HEAD:
        applications = selectors.overdue_first(applications)
    else:
        applications = applications.order_by("-submitted_at")
    page = Paginator(applications, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/list.html",
        {
            "title": _title(user),
            "page": page,
            "status": status,
            "statuses": Status.choices,
            "can_file": user.role in FILERS,
            "sees_reviewer": user.role in selectors.SEES_REVIEWER,
        },
    )


@login_required
def application_detail(request, number):
    user = request.user
    try:
        application = selectors.get_for(user, number)
    except DomainError:
        raise Http404 from None
    audit.log_access(
        actor=user,
        person=application.applicant,
        why="application.viewed",
        object_type="cases.application",
        object_id=str(application.pk),
        data={"number": number},
    )
    documents = list(application.documents.all())
    done = {s.code: s for s in application.steps_done.all()}
    steps = (
        [(s, done.get(s.code)) for s in application.standard.steps.all()]
        if application.standard_id
        else []
    )
    next_step = next((s for s, record in steps[:-1] if record is None), None)
    return render(
        request,
        "cases/detail.html",
        {
            "application": application,
            "history": list(application.history.all()),
            "bring": [d for d in documents if d.source in BROUGHT],
            "fetched": [d for d in documents if d.source == Document.Source.REGISTRY],
            "result": next((d for d in documents if d.source == Document.Source.RESULT), None),
            # Approved: the task that produces the result has not finished yet.
            "result_pending": application.status == Status.APPROVED
            and application.service_id is not None,
            "steps": steps,
            "next_step": next_step,
            "actions": _actions_for(user, application),
            "sees_reviewer": user.role in selectors.SEES_REVIEWER,
            "shows_contacts": user.role in OFFICE_ROLES or user.role == Role.CITIZEN,
            "parts": list(application.parts.all()),
        },
    )


def _actions_for(user, application) -> list[str]:
    from onestop.cases import workflow

    allowed = []
    for action in workflow.PUBLIC_ACTIONS:
        rule = workflow.BY_ACTION[action]
        if (
            user.role in rule.roles
            and application.status in rule.sources
            and not application.is_bundle
        ):
            if (
                action == "issue"
                and user.role == Role.CITIZEN
                and application.channel not in services.SELF_SERVICE_CHANNELS
            ):
                continue
            allowed.append(action)
    if user.role == Role.HEAD and application.status == Status.ASSIGNED:
        allowed.append("reassign")
    return allowed


@login_required
@require_POST
def act(request, number):
    user = request.user
    application = selectors.visible_to(user).filter(number=number).first()
    if application is None:
        raise Http404
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")[:2000]
    try:
        if action == "reassign":
            services.reassign(actor=user, application=application, reason=reason)
            messages.success(request, _("Another reviewer was drawn."))
        elif action == "step":
            services.record_step(
                actor=user,
                application=application,
                step=request.POST.get("step", ""),
                station=request.POST.get("station", "")[:100] or _("window"),
            )
            messages.success(request, _("Step recorded."))
        else:
            services.transition(actor=user, application=application, action=action, reason=reason)
            messages.success(
                request,
                _("Done: the application is now %(status)s.")
                % {
                    "status": Status(selectors.visible_to(user).get(pk=application.pk).status).label
                },
            )
    except DomainError as error:
        messages.error(request, explain(error))
    if not selectors.visible_to(user).filter(pk=application.pk).exists():
        return redirect("cases:list")
    return redirect("cases:detail", number=number)


@login_required
def new_application(request):
    user = request.user
    if user.role not in FILERS:
        raise Http404
    channel = "portal" if user.role == Role.CITIZEN else "oss"
    services_offered = published_services().filter(
        current_standard__channels__contains=f",{channel},"
    )
    if user.role in OFFICE_ROLES:
        services_offered = services_offered.filter(offices=user.office_id)
    chosen = services_offered.filter(
        code=request.GET.get("service") or request.POST.get("service", "")
    ).first()
    form = {"iin": request.POST.get("iin", "") or request.GET.get("iin", "")}
    if request.method == "POST" and chosen is not None:
        uploads = []
        for key, files in request.FILES.lists():
            if key.startswith("document-"):
                position = (
                    int(key.removeprefix("document-"))
                    if key.removeprefix("document-").isdigit()
                    else None
                )
                uploads += [
                    Upload(name=f.name, content=f.read(), for_document=position) for f in files
                ]
        applicant = user.person.iin if user.role == Role.CITIZEN else form["iin"].strip()[:12]
        try:
            with services.filing_rate(request, actor=user, applicant=applicant):
                application = services.file_application(
                    actor=user,
                    service_code=chosen.code,
                    channel=channel,
                    applicant_iin=applicant,
                    office_code=user.office.code if user.role in OFFICE_ROLES else None,
                    uploads=uploads,
                )
        except DomainError as error:
            messages.error(request, explain(error))
        else:
            messages.success(
                request, _("Application %(number)s is filed.") % {"number": application.number}
            )
            return redirect("cases:detail", number=application.number)
    documents = list(chosen.current_standard.documents.all()) if chosen else []
    return render(
        request,
        "cases/new.html",
        {
            "services": services_offered.order_by("name_" + (request.LANGUAGE_CODE or "kk"))
            if not chosen
            else [],
            "service": chosen,
            "form": form,
            "channel": channel,
            "bring": [d for d in documents if d.provided_by == "applicant"],
            "fetched": [d for d in documents if d.provided_by == "registry"],
        },
    )


@login_required
def new_life_situation(request, code):
    user = request.user
    if user.role != Role.CITIZEN:
        raise Http404
    if request.method == "POST":
        data = {k: v for k, v in request.POST.items() if k.startswith("child_")}
        try:
            check_form_data(data)
            with services.filing_rate(request, actor=user, applicant=user.person.iin):
                application = services.file_life_situation(
                    actor=user,
                    code=code,
                    channel="portal",
                    applicant_iin=user.person.iin,
                    data=data,
                )
        except DomainError as error:
            messages.error(request, explain(error))
        else:
            messages.success(
                request, _("Application %(number)s is filed.") % {"number": application.number}
            )
            return redirect("cases:detail", number=application.number)
    return redirect("portal:life_situation", code=code)


@login_required
def result_file(request, number, kind):
    user = request.user
    application = selectors.visible_to(user).filter(number=number).first()
    result = (
        application.documents.filter(source=Document.Source.RESULT).first() if application else None
    )
    if result is None:
        raise Http404
    if kind == "p7s":
        return FileResponse(
            result.signature.open("rb"),
            content_type="application/pkcs7-signature",
            as_attachment=True,
            filename=f"{number}-result.p7s",
        )
    return FileResponse(
        result.file.open("rb"), content_type="application/pdf", filename=f"{number}-result.pdf"
    )
