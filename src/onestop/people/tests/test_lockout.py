"""The login lock-out: after "login-failures" wrong passwords to one account, or
"login-address-failures" from one client address, every further login is refused with 429
before any password is hashed, the right password included, on every path (API, login page,
administrator's site), in every process, and exactly so when the guesses come at once."""

import threading

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher
from django.db import connections
from django.utils import timezone

from onestop.limits.models import AttemptCount
from onestop.people.models import Role, User
from onestop.tests import factories
from onestop.tests.threads import at_once

TOKEN = "/api/v1/auth/token"


class CountingHasher(PBKDF2PasswordHasher):
    """Django's hasher, counting the passwords it hashes (checks and the dummy hash that
    Django makes for an unknown username), cheap enough for storms."""

    iterations = 1000
    hashed = 0
    lock = threading.Lock()

    def encode(self, password, salt, iterations=None):  # checking a password encodes it
        with self.lock:
            type(self).hashed += 1
        return super().encode(password, salt, iterations)


@pytest.fixture
def counted_hashing(settings):
    settings.PASSWORD_HASHERS = ["onestop.people.tests.test_lockout.CountingHasher"]
    counting = type(get_hasher())  # as Django imported it, which may not be this module
    counting.hashed = 0
    return counting


@pytest.fixture
def guesser(counted_hashing):
    """An account of its own, whose password the storms guess."""
    user = User.objects.create_user("guessed", password="right-password-1")
    counted_hashing.hashed = 0
    return user


def log_in(client, username: str, password: str, address: str = "203.0.113.5"):
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def failures_allowed() -> int:
    return int(django_settings.REQUEST_RATES["login-failures"].split("/")[0])


@pytest.mark.django_db
def test_the_right_password_is_refused_once_the_account_is_locked(
    api_client, guesser, counted_hashing
):
    allowed = failures_allowed()  # 10 in 5 minutes
    assert log_in(api_client, "guessed", "right-password-1").status_code == 200
    codes = [log_in(api_client, "guessed", f"guess-{n}").status_code for n in range(allowed)]
    assert codes == [401] * allowed
    hashed = counted_hashing.hashed
    assert hashed == allowed + 1
    # Another client, the right password: still refused, and no password was hashed.
    refused = log_in(api_client, "guessed", "right-password-1", address="198.51.100.9")
    assert refused.status_code == 429
    assert refused.json()["type"].endswith("/rate-limited")
    assert 0 < int(refused["Retry-After"]) <= 300
    assert counted_hashing.hashed == hashed
    # The name as typed with other case or spaces is the same account.
    assert log_in(api_client, " Guessed ", "right-password-1").status_code == 429
    # Once the period since the first failure has passed, the account opens again.
    AttemptCount.objects.filter(limit="login-failures").update(window_end=timezone.now())
    assert log_in(api_client, "guessed", "right-password-1").status_code == 200


@pytest.mark.django_db
def test_a_client_trying_many_accounts_is_locked(api_client, settings, counted_hashing):
    settings.REQUEST_RATES = {**settings.REQUEST_RATES, "login-address-failures": "3/5m"}
    codes = [log_in(api_client, f"nobody{n}", "guess").status_code for n in range(4)]
    assert codes == [401, 401, 401, 429]
    operator = factories.with_password(factories.staff(Role.OPERATOR), "right-password-2")
    assert log_in(api_client, operator.username, "right-password-2").status_code == 429
    assert (
        log_in(api_client, operator.username, "right-password-2", address="198.51.100.9")
    ).status_code == 200


@pytest.mark.django_db
def test_right_passwords_do_not_count_towards_the_lock(api_client, settings, guesser):
    settings.REQUEST_RATES = {**settings.REQUEST_RATES, "login-failures": "2/5m"}
    for _ in range(5):
        assert log_in(api_client, "guessed", "right-password-1").status_code == 200
    assert log_in(api_client, "guessed", "wrong").status_code == 401
    assert log_in(api_client, "guessed", "right-password-1").status_code == 200


@pytest.mark.django_db
def test_the_login_page_and_the_admin_obey_the_same_lock(client, api_client, settings, guesser):
    guesser.is_staff = True
    guesser.save()
    settings.REQUEST_RATES = {**settings.REQUEST_RATES, "login-failures": "2/5m"}
    assert log_in(api_client, "guessed", "wrong").status_code == 401
    page = client.post("/login/", {"username": "guessed", "password": "wrong"})
    assert page.status_code == 200  # the second failure
    page = client.post("/login/?lang=en", {"username": "guessed", "password": "right-password-1"})
    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    assert "Too many attempts" in page.content.decode()
    assert "_auth_user_id" not in client.session
    admin = client.post(
        "/admin/login/?lang=en", {"username": "guessed", "password": "right-password-1"}
    )
    assert admin.status_code == 200 and "Too many attempts" in admin.content.decode()
    assert "_auth_user_id" not in client.session
    assert log_in(api_client, "guessed", "right-password-1").status_code == 429


@pytest.mark.django_db(transaction=True)
def test_guesses_at_once_never_pass_the_limit(counted_hashing):
    """Eight clients, each with its own database connection, guess three times each at
    once: exactly the limit of them reach the password check."""
    User.objects.create_user("guessed", password="right-password-1")
    counted_hashing.hashed = 0
    allowed = failures_allowed()
    codes: list[int] = []
    lock = threading.Lock()

    def guess(n: int) -> None:
        from django.test import Client

        client = Client()
        for attempt in range(3):
            code = log_in(client, "guessed", f"g{n}-{attempt}", address=f"198.51.100.{n}")
            with lock:
                codes.append(code.status_code)

    assert at_once(guess, 8) == []
    assert sorted(codes) == [401] * allowed + [429] * (24 - allowed)
    assert counted_hashing.hashed == allowed


@pytest.mark.django_db(transaction=True)
def test_a_lock_counted_on_one_connection_holds_on_another(counted_hashing):
    User.objects.create_user("guessed", password="right-password-1")
    from django.test import Client

    for n in range(failures_allowed()):
        assert log_in(Client(), "guessed", f"guess-{n}").status_code == 401
    answers = []

    def elsewhere() -> None:  # another thread: another database connection
        try:
            answers.append(log_in(Client(), "guessed", "right-password-1", address="192.0.2.7"))
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert [answer.status_code for answer in answers] == [429]
