"""API tokens: a token names its user until it expires or is revoked, and never a user
who has been deactivated."""

import datetime

import pytest
from django.utils import timezone

from onestop.people.models import ApiToken, User
from onestop.people.services import token_digest, user_for_token

pytestmark = pytest.mark.django_db


def _me(api_client, token: str):
    return api_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_token_names_its_user_with_role_and_centre(api_client, token_for):
    answer = _me(api_client, token_for("operator1"))
    assert answer.status_code == 200
    assert answer.json()["username"] == "operator1"
    assert answer.json()["role"] == "operator"
    assert answer.json()["office"] == "astana-esil"


def test_the_user_of_a_token_is_the_whole_account(api_client, token_for):
    operator = User.objects.get(username="operator1")
    found = user_for_token(token_for("operator1"))
    assert found == operator
    assert found.is_active is True and found.is_staff is operator.is_staff
    assert (found.office_id, found.window_number) == (operator.office_id, operator.window_number)
    # What the look-up leaves out loads when asked for.
    assert found.date_joined == operator.date_joined
    assert found.check_password("wrong") is False


def test_an_expired_or_revoked_token_or_a_deactivated_account_is_refused(api_client, token_for):
    expired, revoked, deactivated = (
        token_for("operator2"),
        token_for("operator3"),
        token_for("operator4"),
    )
    now = timezone.now()
    ApiToken.objects.filter(key_hash=token_digest(expired)).update(
        expires_at=now - datetime.timedelta(seconds=1)
    )
    ApiToken.objects.filter(key_hash=token_digest(revoked)).update(revoked_at=now)
    User.objects.filter(username="operator4").update(is_active=False)
    for token in (expired, revoked, deactivated, "not-a-token"):
        assert user_for_token(token) is None
        answer = _me(api_client, token)
        assert answer.status_code == 401
        assert answer["Content-Type"].startswith("application/problem+json")
