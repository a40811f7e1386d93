"""Tokens end: the calling one at POST /auth/logout; all of an account's, with its page
sessions, when its password changes (in code, in the administrator's site, with
`onestop changepassword`) or it is deactivated. Each ending is audited."""

import pytest
from django.contrib.auth.management.commands import changepassword
from django.core.management import call_command

from onestop.audit.models import AuditEvent
from onestop.people.models import ApiToken, User
from onestop.people.services import token_digest

pytestmark = pytest.mark.django_db

PASSWORD = "first-password-1"
NEW_PASSWORD = "second-password-2"


@pytest.fixture(autouse=True)
def quick_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def account():
    return User.objects.create_user("ended", password=PASSWORD)


def issue(client, password: str = PASSWORD) -> str:
    answer = client.post(
        "/api/v1/auth/token",
        {"username": "ended", "password": password},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["token"]


def me(client, token: str | None = None) -> int:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get("/api/v1/me", **headers).status_code


def revocations(user) -> list[dict]:
    return list(
        AuditEvent.objects.filter(action="token.revoked").order_by("seq").values("actor", "data")
    )


def all_ended(user) -> bool:
    return not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()


def test_logout_ends_the_calling_token_only(api_client, account):
    one, other = issue(api_client), issue(api_client)
    answer = api_client.post("/api/v1/auth/logout", HTTP_AUTHORIZATION=f"Bearer {one}")
    assert answer.status_code == 204
    assert me(api_client, one) == 401 and me(api_client, other) == 200
    assert ApiToken.objects.get(key_hash=token_digest(one)).revoked_at is not None
    event = AuditEvent.objects.get(action="token.revoked")
    assert event.actor == "ended" and event.data == {"why": "logout"}
    again = api_client.post("/api/v1/auth/logout", HTTP_AUTHORIZATION=f"Bearer {one}")
    assert again.status_code == 401
    assert api_client.post("/api/v1/auth/logout").status_code == 401


def test_logout_with_a_page_session_logs_the_session_out(client, account):
    assert client.login(username="ended", password=PASSWORD)
    assert me(client) == 200
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert me(client) == 401


def test_a_password_change_ends_every_token_and_session(api_client, client, account):
    tokens = [issue(api_client), issue(api_client)]
    assert client.login(username="ended", password=PASSWORD)
    account.first_name = "Renamed"
    account.save()  # neither the password nor the state: the tokens stay
    assert [me(api_client, token) for token in tokens] == [200, 200]
    account.set_password(NEW_PASSWORD)
    account.save()
    assert [me(api_client, token) for token in tokens] == [401, 401]
    assert me(client) == 401
    assert all_ended(account)
    [event] = revocations(account)
    assert event["data"]["why"] == "password-changed" and len(event["data"]["tokens"]) == 2
    assert me(api_client, issue(api_client, NEW_PASSWORD)) == 200


def test_a_password_changed_in_the_admin_ends_the_tokens(api_client, client, account):
    token = issue(api_client)
    client.force_login(User.objects.create_superuser("root", password="root-password-9"))
    answer = client.post(
        f"/admin/people/user/{account.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert answer.status_code == 302, answer.content
    assert me(api_client, token) == 401 and all_ended(account)
    [event] = revocations(account)
    assert event["actor"] == "root" and event["data"]["why"] == "password-changed"


def test_changepassword_ends_the_tokens(api_client, account, monkeypatch):
    token = issue(api_client)
    monkeypatch.setattr(changepassword.getpass, "getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", "ended", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert me(api_client, token) == 401 and all_ended(account)
    assert revocations(account)[0]["actor"] == "system"


def test_deactivation_ends_tokens_and_sessions_for_good(api_client, client, account):
    token = issue(api_client)
    assert client.login(username="ended", password=PASSWORD)
    account.is_active = False
    account.save(update_fields=["is_active"])
    assert me(api_client, token) == 401 and me(client) == 401
    [event] = revocations(account)
    assert event["data"]["why"] == "deactivated"
    account.is_active = True
    account.save()
    assert me(api_client, token) == 401  # activated again: the old token stays ended
    assert len(revocations(account)) == 1


def test_a_login_does_not_end_the_tokens(api_client, client, account):
    token = issue(api_client)
    assert client.login(username="ended", password=PASSWORD)  # saves last_login
    issue(api_client)
    assert me(api_client, token) == 200 and not revocations(account)
