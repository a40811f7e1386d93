"""Reads of personal data go through one rule (`audit.log_access`): logged for everyone
but the person whose data it is, with the reader and the person's IIN."""

import pytest

from onestop.audit import services as audit
from onestop.audit.models import AuditEvent
from onestop.people.models import Person, User

pytestmark = pytest.mark.django_db


def accesses():
    return AuditEvent.objects.filter(action="person.viewed")


def test_someone_else_reading_a_persons_data_is_logged_with_the_iin():
    person = Person.objects.order_by("iin").first()
    operator = User.objects.get(username="operator1")
    audit.log_access(actor=operator, person=person, why="person.viewed", object_id="x")
    (event,) = accesses()
    assert event.actor == "operator1" and event.data == {"person": person.iin}
    assert audit.verify().ok


def test_a_person_reading_his_or_her_own_data_is_not_logged():
    citizen = User.objects.filter(role="citizen", person__isnull=False).first()
    audit.log_access(actor=citizen, person=citizen.person, why="person.viewed")
    assert not accesses().exists()
    other = Person.objects.exclude(pk=citizen.person_id).first()
    audit.log_access(actor=citizen, person=other, why="person.viewed")
    assert accesses().count() == 1


def test_a_list_of_many_peoples_data_is_always_logged():
    audit.log_access(
        actor=User.objects.get(username="manager1"), person=None, why="person.viewed", data={"n": 3}
    )
    (event,) = accesses()
    assert event.data == {"n": 3}
