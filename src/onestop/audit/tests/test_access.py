"""Reads of personal data go through one rule (`audit.log_access`): logged for everyone
but the person whose data it is, with the reader and the person's IIN."""

import pytest

from onestop.audit import services as audit
from onestop.audit.models import AuditEvent
from onestop.people.models import Role
from onestop.tests import factories

pytestmark = pytest.mark.django_db


def accesses():
    return AuditEvent.objects.filter(action="person.viewed")


def test_someone_else_reading_a_persons_data_is_logged_with_the_iin():
    person = factories.person()
    operator = factories.staff(Role.OPERATOR)
    audit.log_access(actor=operator, person=person, why="person.viewed", object_id="x")
    (event,) = accesses()
    assert event.actor == operator.username and event.data == {"person": person.iin}
    assert audit.verify().ok


def test_a_person_reading_his_or_her_own_data_is_not_logged():
    citizen = factories.citizen()
    audit.log_access(actor=citizen, person=citizen.person, why="person.viewed")
    assert not accesses().exists()
    other = factories.person()
    audit.log_access(actor=citizen, person=other, why="person.viewed")
    assert accesses().count() == 1


def test_a_list_of_many_peoples_data_is_always_logged():
    audit.log_access(
        actor=factories.staff(Role.MANAGER), person=None, why="person.viewed", data={"n": 3}
    )
    (event,) = accesses()
    assert event.data == {"n": 3}
