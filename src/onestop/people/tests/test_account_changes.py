"""The standards administrator has the register only; every change of an account's rights
is in the audit trail, with who made it."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from onestop.audit.models import AuditEvent
from onestop.cases.models import Application
from onestop.catalog.models import Agency
from onestop.people.groups import STANDARDS_ADMINISTRATORS
from onestop.people.models import Role, User
from onestop.tests import factories

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def last_change_of(user: User) -> AuditEvent:
    return AuditEvent.objects.filter(
        action__in=["account.changed", "account.created"], object_id=str(user.pk)
    ).latest("seq")


def test_a_change_in_the_admin_is_audited_with_who_made_it_and_what_changed():
    boss = User.objects.create_superuser(username="root-for-a-test", password=None)
    reviewer = factories.staff(Role.REVIEWER, agency=Agency.objects.order_by("code").first())
    operator_centre = factories.centre()
    form = {
        "username": reviewer.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "role": Role.OPERATOR,
        "office": operator_centre.pk,
        "window_number": "3",
        "agency": "",
        "person": "",
        "groups": [Group.objects.get(name=STANDARDS_ADMINISTRATORS).pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    response = logged_in(boss).post(f"/admin/people/user/{reviewer.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    events = AuditEvent.objects.filter(action="account.changed", object_id=str(reviewer.pk))
    fields = {f for e in events for f in e.data["fields"]}
    assert {"role", "office_id", "agency_id", "window_number", "is_staff", "groups"} <= fields
    assert {e.actor for e in events} == {boss.username}
    assert all(e.data["username"] == reviewer.username for e in events)
    role_change = next(e for e in events if "role" in e.data["fields"])
    assert role_change.data["changes"]["role"] == {"from": "reviewer", "to": "operator"}


def test_a_change_in_code_or_a_command_is_audited_too_and_no_password_is_written():
    account = factories.staff(Role.OPERATOR)
    created = last_change_of(account)
    assert created.action == "account.created" and created.data["changes"]["role"] == "operator"
    account.is_active = False
    account.set_password("a new secret 123")
    account.save()
    event = last_change_of(account)
    assert event.actor == "system"
    assert set(event.data["fields"]) == {"is_active", "password"}
    assert "a new secret" not in str(event.data) and account.password not in str(event.data)
    call_command("standards_administrators", account.username, stdout=io.StringIO())
    account.refresh_from_db()
    assert account.role == Role.ADMIN and account.is_staff and not account.is_superuser
    assert last_change_of(account).data["changes"]["groups"] == {
        "added": [STANDARDS_ADMINISTRATORS]
    }


def test_a_groups_permissions_changed_are_audited():
    from django.contrib.auth.models import Permission

    group = Group.objects.get(name=STANDARDS_ADMINISTRATORS)
    group.permissions.add(Permission.objects.get(codename="change_user"))
    event = AuditEvent.objects.filter(action="group.changed").latest("seq")
    assert event.data == {"group": group.name, "permissions": {"added": ["change_user"]}}


def test_saving_the_last_login_is_not_an_account_change():
    account = factories.staff(Role.OPERATOR)
    before = AuditEvent.objects.count()
    logged_in(account)  # force_login saves last_login
    assert AuditEvent.objects.count() == before


def test_the_standards_administrator_has_the_register_and_nothing_else():
    admin = factories.with_password(factories.standards_administrator(), "a-password-1")
    assert admin.is_staff and not admin.is_superuser
    client = Client()
    assert (
        client.post(
            "/admin/login/", {"username": admin.username, "password": "a-password-1"}
        ).status_code
        == 302
    )
    assert client.get("/admin/catalog/service/").status_code == 200
    assert client.get("/admin/workdays/daytransfer/").status_code == 200
    reviewer = factories.staff(Role.REVIEWER, agency=Agency.objects.order_by("code").first())
    for page in (
        "/admin/people/user/",
        f"/admin/people/user/{reviewer.pk}/change/",
        "/admin/people/person/",
        "/admin/auth/group/",
        "/admin/audit/auditevent/",
        "/admin/mobile/homevisit/",
    ):
        assert client.get(page).status_code == 403, page
    application = Application.objects.first() or factories_application()
    # Applications have no admin screen at all; the administrator gets nothing of one.
    response = client.get(f"/admin/cases/application/{application.pk}/change/")
    assert response.status_code in {403, 404}
    assert application.number not in response.content.decode()
    assert (
        client.post(f"/admin/people/user/{reviewer.pk}/change/", {"is_superuser": "on"}).status_code
        == 403
    )
    reviewer.refresh_from_db()
    assert not reviewer.is_superuser


def factories_application() -> Application:
    from onestop.cases import services

    operator = factories.staff(Role.OPERATOR)
    return services.file_application(
        actor=operator,
        service_code="passport",
        channel="oss",
        applicant_iin=factories.person().iin,
        office_code=operator.office.code,
    )
