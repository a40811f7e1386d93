import pytest
from django.utils import timezone

from onestop.cases.models import Application, StatusChange
from onestop.catalog.models import Service
from onestop.offices.models import Office
from onestop.people.models import Person, Role, User


@pytest.fixture
def citizen(db):
    """A demo citizen with an account (username: IIN) and both a phone and an e-mail."""
    return (
        User.objects.filter(role=Role.CITIZEN, person__phone__startswith="+7")
        .exclude(person__email="")
        .select_related("person")
        .first()
    )


@pytest.fixture
def operator(db):
    return User.objects.get(username="operator1")


@pytest.fixture
def make_application(db):
    """An application put straight into a given status, as the state under test."""

    def make(
        status: str = "submitted",
        *,
        service: str = "real-estate-registration",
        channel: str = "oss",
        applicant: Person | None = None,
        reviewer: str | None = None,
    ) -> Application:
        svc = Service.objects.select_related("current_standard", "agency").get(code=service)
        office = Office.objects.get(code="astana-esil") if channel == "oss" else None
        applicant = applicant or Person.objects.order_by("iin")[7]
        now = timezone.now()
        application = Application.objects.create(
            number=f"T{Application.objects.count() + 1:05d}{now:%H%M%S%f}",
            service=svc,
            standard=svc.current_standard,
            applicant=applicant,
            channel=channel,
            office=office,
            filed_by=User.objects.get(username="operator1"),
            agency=svc.agency,
            status=status,
            submitted_at=now,
            due_at=now + timezone.timedelta(days=5),
            reviewer=User.objects.get(username=reviewer) if reviewer else None,
        )
        StatusChange.objects.create(application=application, action="file", status=status, at=now)
        return application

    return make
