"""Schemathesis over the whole API, once for each kind of caller: no request, however odd,
gets a server error, and every answer is what the served OpenAPI document says (a
documented status code and content type, a body of the documented shape), so that clients
generated from docs/openapi.json work. The run is bounded and repeatable: a fixed seed and
a few examples per operation, each sent by every caller."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.probe, pytest.mark.django_db]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Who calls: nobody, a citizen, each member of staff by role, and the two devices.
CALLERS = [
    "anonymous",
    "citizen",
    "consultant",
    "operator",
    "manager",
    "reviewer",
    "head",
    "agent",
    "analyst",
    "auditor",
    "admin",
    "kiosk",
    "board",
]
EXAMPLES_PER_OPERATION = 2

schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    WSGIHandler(),
    config=schemathesis.Config.from_dict(
        {
            "seed": 20,
            "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True},
            "phases": {"coverage": {"enabled": False}},
        }
    ),
)


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker):
    """A bearer token for each caller, got as any client gets one, the staff at a centre
    and an agency of their own; the devices are registered as an administrator registers
    them. Removed again after the run."""
    from onestop.people.models import Role
    from onestop.queueing.models import Device
    from onestop.queueing.services import register_device
    from onestop.tests import factories

    with django_db_blocker.unblock():
        centre = factories.centre()
        reviewer = factories.reviewer("real-estate-registration")
        accounts = {
            "citizen": factories.citizen(),
            "consultant": factories.staff(Role.CONSULTANT, office=centre),
            "operator": factories.staff(Role.OPERATOR, office=centre),
            "manager": factories.staff(Role.MANAGER, office=centre),
            "reviewer": reviewer,
            "head": factories.staff(Role.HEAD, agency=reviewer.agency),
            "agent": factories.staff(Role.AGENT),
            "analyst": factories.staff(Role.ANALYST),
            "auditor": factories.staff(Role.AUDITOR),
            "admin": factories.standards_administrator(),
        }
        found: dict[str, str | None] = {"anonymous": None}
        for caller, account in accounts.items():
            response = Client().post(
                "/api/v1/auth/token",
                {"username": account.username, "password": factories.password(account)},
                content_type="application/json",
            )
            assert response.status_code == 200, response.content
            found[caller] = response.json()["token"]
        for caller, kind in (("kiosk", Device.Kind.KIOSK), ("board", Device.Kind.BOARD)):
            _device, found[caller] = register_device(
                actor=accounts["admin"],
                office=centre,
                kind=kind,
                name=f"{caller} of the fuzzing run",
            )
    yield found
    with django_db_blocker.unblock():
        for account in accounts.values():
            account.delete()  # with its tokens and skills
        accounts["citizen"].person.delete()
        Device.objects.filter(office=centre).delete()
        centre.delete()


@pytest.fixture(autouse=True)
def in_the_tests_transaction():
    """The requests go through Django's WSGI handler inside the test's transaction, as the
    test client's do: the handler must not close the connection after each one."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


# Each example is sent by every caller in turn, and the examples of one operation share the
# test's transaction: what one request changes, the next may find, as on a live server.
@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_answers_as_documented(case, tokens):
    # An operation open to all reads no token: once, as anyone, is enough.
    secured = bool(case.operation.definition.raw.get("security"))
    for caller in CALLERS if secured else ["anonymous"]:
        token = tokens[caller]
        # A WSGI server gives the peer's address; the rate limits count by it.
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"} if token else {},
            checks=CHECKS,
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
