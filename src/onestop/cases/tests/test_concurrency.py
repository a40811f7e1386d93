"""Two operators press "accept" on the same application at the same moment: exactly one
wins, the other gets 409, and there is one draw, one history entry, one audit event."""

import threading

import pytest
from django.db import connections

from onestop.audit.models import AuditEvent
from onestop.cases import services
from onestop.cases.models import Application, Assignment, StatusChange
from onestop.people.models import Role, User
from onestop.problems import Conflict
from onestop.tests import factories


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("register")  # before the test's own data
def test_two_operators_accept_at_once_and_one_wins(make_application, centre, operator, reviewers):
    colleague = factories.staff(Role.OPERATOR, office=centre, window=2)
    for round_ in range(5):
        application = make_application()
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def press(user_id, application_id=application.pk, barrier=barrier, outcomes=outcomes):
            try:
                operator = User.objects.get(pk=user_id)
                barrier.wait()
                services.transition(
                    actor=operator,
                    application=Application.objects.get(pk=application_id),
                    action="accept",
                )
                outcomes.append("accepted")
            except Conflict:
                outcomes.append("conflict")
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=press, args=(user.pk,)) for user in (operator, colleague)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["accepted", "conflict"], (round_, outcomes)
        assert StatusChange.objects.filter(application=application, action="accept").count() == 1
        assert Assignment.objects.filter(application=application).count() == 1
        assert (
            AuditEvent.objects.filter(
                action="application.accept", object_id=str(application.pk)
            ).count()
            == 1
        )
        assert Application.objects.get(pk=application.pk).status == "assigned"
