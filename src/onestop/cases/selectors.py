"""Who sees which applications, and how they are read for pages and the API."""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from onestop.cases.models import Application, Document, StatusChange
from onestop.people.models import OFFICE_ROLES, Person, Role, User
from onestop.problems import NotFound

# Roles that may learn who reviews an application. The applicant, the front office and
# the call centre never do.
SEES_REVIEWER = {Role.REVIEWER, Role.HEAD, Role.AUDITOR}


def visible_to(user: User) -> QuerySet[Application]:
    """A citizen his or her own; the front office its centre's; a reviewer those drawn for
    him or her; the agency head the agency's; the call centre, analysts and auditors all."""
    return _scoped(
        user,
        Application.objects.select_related(
            "service",
            "service__agency",
            "standard",
            "applicant",
            "entity",
            "office",
            "agency",
            "life_situation",
            "reviewer",
        ),
    )


def _scoped(user: User, applications: QuerySet[Application]) -> QuerySet[Application]:
    if user.role == Role.CITIZEN:
        return applications.filter(applicant_id=user.person_id)
    if user.role in OFFICE_ROLES:
        return applications.filter(office_id=user.office_id)
    if user.role == Role.REVIEWER:
        return applications.filter(reviewer_id=user.pk)
    if user.role == Role.HEAD:
        return applications.filter(agency_id=user.agency_id)
    # The standards administrator keeps the register and sees no application.
    if user.role in {Role.AGENT, Role.ANALYST, Role.AUDITOR}:
        return applications
    return applications.none()


def with_details(applications: QuerySet[Application]) -> QuerySet[Application]:
    return applications.prefetch_related(
        Prefetch("history", queryset=StatusChange.objects.order_by("at", "id")),
        Prefetch(
            "documents",
            queryset=Document.objects.select_related("standard_document").order_by("id"),
        ),
        "steps_done",
        "standard__steps",
        Prefetch(
            "parts", queryset=Application.objects.select_related("service", "agency").order_by("id")
        ),
    )


# A person's own look-up may show a change made in another process this much later.
OWN_ANSWER_SECONDS = 5


def own_answer_key(person_id: int, number: str, language: str) -> str:
    """Where a person's own look-up of an application is kept (`cases.api`)."""
    return f"own-application:{person_id}:{number}:{language}"


def forget_own_answers(application: Application) -> None:
    """The applicant's kept look-ups of this application go when the change commits (in
    this process at once; in another within OWN_ANSWER_SECONDS). Called on every save of
    an application; a life situation shows its parts, and a change of a part saves it too
    (`services.refresh_bundle`)."""
    keys = [
        own_answer_key(application.applicant_id, application.number, language)
        for language, _name in settings.LANGUAGES
    ]
    # After the commit: before it, a look-up anywhere still reads the old application, and
    # the cache may be another machine's (Redis), which a transaction must not wait on.
    transaction.on_commit(lambda: cache.delete_many(keys))


def version_for(user: User, number: str) -> tuple[int, datetime.datetime, Person]:
    """The key and the last change of the application with this number, and its applicant
    (the id; the IIN only for someone else's, whose reading is logged), if the user may see
    it (`visible_to`): one small query."""
    fields = ["id", "updated_at", "applicant_id"]
    if user.role != Role.CITIZEN:
        fields.append("applicant__iin")
    found = list(
        _scoped(user, Application.objects.order_by()).filter(number=number).values_list(*fields)[:1]
    )
    if not found:
        raise NotFound("No such application.", code="unknown-application")
    application_id, updated_at, applicant_id, *iin = found[0]
    return application_id, updated_at, Person(pk=applicant_id, iin=iin[0] if iin else "")


def get_for(user: User, number: str) -> Application:
    application = with_details(visible_to(user)).filter(number=number).first()
    if application is None:
        raise NotFound("No such application.", code="unknown-application")
    return application


def overdue_first(applications: QuerySet[Application]) -> QuerySet[Application]:
    return applications.annotate(
        late=Case(When(overdue=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("late", "due_at", "-submitted_at", "-id")
