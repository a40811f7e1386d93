"""What the application tests stand on, made by each test: a centre of its own with its
operator, a citizen the registries know, the reviewers and the head of the agency that
decides the reviewed service (the agency itself is reference data)."""

import pytest
from django.utils import timezone

from onestop.cases.models import Application, StatusChange
from onestop.catalog.models import Service
from onestop.people.models import Person, Role, User
from onestop.tests import factories

# The service the tests file unless they say otherwise: reviewed by an agency, not instant.
SERVICE = "real-estate-registration"


@pytest.fixture
def register(transactional_db):
    """The reference register (services, agencies) in a test on committed data: a database
    flushed by an earlier such test has none."""
    from onestop.demo.services import load_register

    load_register()


@pytest.fixture
def centre(db):
    """A centre of the test's own, offering every service a standard centre offers."""
    return factories.centre()


@pytest.fixture
def operator(centre):
    """An operator at window 1 of the test's centre."""
    return factories.staff(Role.OPERATOR, office=centre)


@pytest.fixture
def citizen(db):
    """A citizen with an account (username: IIN), a phone and an e-mail, whom the sandbox
    registries know."""
    user = factories.citizen()
    factories.known_to_registries()
    return user


@pytest.fixture
def reviewers(db):
    """Three reviewers of the agency deciding the service, the only ones skilled for it."""
    return factories.reviewers(SERVICE)


@pytest.fixture
def reviewer(db):
    """A reviewer of the agency deciding the service, skilled for it."""
    return factories.reviewer(SERVICE)


@pytest.fixture
def head(db):
    """The head (with an e-mail address) of the agency deciding the service."""
    return factories.head(SERVICE)


@pytest.fixture
def make_application(centre, operator):
    """An application put straight into a given status, as the state under test: filed by
    the operator at the test's centre (or on the portal), for a new person unless told."""

    def make(
        status: str = "submitted",
        *,
        service: str = SERVICE,
        channel: str = "oss",
        applicant: Person | None = None,
        reviewer: User | None = None,
    ) -> Application:
        svc = Service.objects.select_related("current_standard", "agency").get(code=service)
        applicant = applicant or factories.person()
        now = timezone.now()
        application = Application.objects.create(
            number=f"T{Application.objects.count() + 1:05d}{now:%H%M%S%f}",
            service=svc,
            standard=svc.current_standard,
            applicant=applicant,
            channel=channel,
            office=centre if channel == "oss" else None,
            filed_by=operator,
            agency=svc.agency,
            status=status,
            submitted_at=now,
            due_at=now + timezone.timedelta(days=5),
            reviewer=reviewer,
        )
        StatusChange.objects.create(application=application, action="file", status=status, at=now)
        return application

    return make
