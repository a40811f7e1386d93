"""API tokens: a token names its user until it expires or is revoked, and never a user
who has been deactivated."""

import datetime

import pytest
from django.utils import timezone

from onestop.people.models import ApiToken, Role, User
from onestop.people.services import token_digest, user_for_token
from onestop.tests import factories

pytestmark = pytest.mark.django_db


def _me(api_client, token: str):
    return api_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_token_names_its_user_with_role_and_centre(api_client):
    centre = factories.centre()
    operator = factories.staff(Role.OPERATOR, office=centre)
    answer = _me(api_client, factories.token(operator))
    assert answer.status_code == 200
    assert answer.json()["username"] == operator.username
    assert answer.json()["role"] == "operator"
    assert answer.json()["office"] == centre.code


def test_the_user_of_a_token_is_the_whole_account(api_client):
    operator = factories.staff(Role.OPERATOR)
    found = user_for_token(factories.token(operator))
    assert found == operator
    assert found.is_active is True and found.is_staff is operator.is_staff
    assert (found.office_id, found.window_number) == (operator.office_id, operator.window_number)
    # What the look-up leaves out loads when asked for.
    assert found.date_joined == operator.date_joined
    assert found.check_password("wrong") is False


def test_an_expired_or_revoked_token_or_a_deactivated_account_is_refused(api_client):
    centre = factories.centre(windows=4)
    operators = [factories.staff(Role.OPERATOR, office=centre, window=n) for n in (2, 3, 4)]
    expired, revoked, deactivated = (factories.token(operator) for operator in operators)
    now = timezone.now()
    ApiToken.objects.filter(key_hash=token_digest(expired)).update(
        expires_at=now - datetime.timedelta(seconds=1)
    )
    ApiToken.objects.filter(key_hash=token_digest(revoked)).update(revoked_at=now)
    User.objects.filter(pk=operators[2].pk).update(is_active=False)
    for token in (expired, revoked, deactivated, "not-a-token"):
        assert user_for_token(token) is None
        answer = _me(api_client, token)
        assert answer.status_code == 401
        assert answer["Content-Type"].startswith("application/problem+json")
