"""A token's account is kept with the token (people.services.user_for_token), so nothing
that decides what the account may do can change while the token stays in force: a change
of rights ends the account's tokens, and an ended token is refused at once."""

import pytest

from onestop.audit.models import AuditEvent
from onestop.people.models import Role
from onestop.tests import factories

pytestmark = pytest.mark.django_db


def _me(api_client, token):
    return api_client.get("/api/v1/me", **factories.bearer(token))


def test_a_change_of_role_ends_the_accounts_tokens(api_client):
    account = factories.staff(Role.CONSULTANT)
    token = factories.token(account)
    assert _me(api_client, token).json()["role"] == "consultant"
    account.role, account.window_number = Role.OPERATOR, 2
    account.save()
    assert _me(api_client, token).status_code == 401
    ended = AuditEvent.objects.filter(action="token.revoked", object_id=str(account.pk)).last()
    assert ended.data["why"] == "rights-changed"
    assert _me(api_client, factories.token(account)).json()["role"] == "operator"


def test_a_move_to_another_centre_ends_the_accounts_tokens(api_client):
    account = factories.staff(Role.OPERATOR)
    token = factories.token(account)
    assert _me(api_client, token).status_code == 200
    account.office = factories.centre()
    account.save()
    assert _me(api_client, token).status_code == 401


def test_a_change_of_name_keeps_the_tokens(api_client):
    account = factories.staff(Role.OPERATOR)
    token = factories.token(account)
    assert _me(api_client, token).status_code == 200
    account.first_name = "Aliya"
    account.save()
    assert _me(api_client, token).status_code == 200


def test_a_token_ended_at_logout_is_refused_at_once_though_its_account_is_kept(api_client):
    account = factories.citizen()
    token = factories.token(account)
    for _ in range(2):  # the second call finds the account kept
        assert _me(api_client, token).status_code == 200
    logout = api_client.post("/api/v1/auth/logout", **factories.bearer(token))
    assert logout.status_code in (200, 204)
    assert _me(api_client, token).status_code == 401
