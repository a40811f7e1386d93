"""Request-rate limits count the real client: behind ONESTOP_TRUSTED_PROXIES reverse
proxies, the address the outermost one saw; never an entry the client wrote itself."""

import pytest
from django.test import RequestFactory

from onestop import environment
from onestop.environment import BadSetting
from onestop.ratelimit import client_address

PROXY = "10.0.0.2"


@pytest.fixture
def two_logins_a_day(settings):
    """Two logins from one address, in a day's window: the count cannot start again
    halfway through a test."""
    settings.REQUEST_RATES = {**settings.REQUEST_RATES, "login-address": "2/d"}
    return settings


def login(client, forwarded_for: str | None = None, remote: str = PROXY) -> int:
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(
        "/api/v1/auth/token",
        {"username": "nobody", "password": "guess"},
        content_type="application/json",
        **extra,
    ).status_code


@pytest.mark.django_db
def test_two_clients_behind_one_proxy_have_a_bucket_each(api_client, two_logins_a_day):
    two_logins_a_day.TRUSTED_PROXIES = 1
    assert [login(api_client, "203.0.113.5") for _ in range(3)] == [401, 401, 429]
    assert login(api_client, "203.0.113.6") == 401


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_forged_header_does_not_escape(api_client, two_logins_a_day):
    two_logins_a_day.TRUSTED_PROXIES = 0
    codes = [login(api_client, f"198.51.100.{n}", remote="203.0.113.5") for n in range(3)]
    assert codes == [401, 401, 429]


@pytest.mark.django_db
def test_behind_one_proxy_only_the_last_hop_is_believed(api_client, two_logins_a_day):
    two_logins_a_day.TRUSTED_PROXIES = 1
    # What the client wrote stays on the left; the proxy adds the address it saw.
    codes = [login(api_client, f"198.51.100.{n}, 203.0.113.5") for n in range(3)]
    assert codes == [401, 401, 429]


def test_the_client_is_the_entry_the_outermost_trusted_proxy_wrote(settings):
    def address(forwarded_for: str, proxies: int) -> str:
        settings.TRUSTED_PROXIES = proxies
        request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
        return client_address(request)

    chain = "198.51.100.7, 203.0.113.5, 10.0.0.1"
    assert address(chain, 0) == PROXY
    assert address(chain, 1) == "10.0.0.1"
    assert address(chain, 2) == "203.0.113.5"
    assert address("203.0.113.5", 2) == "203.0.113.5"  # shorter: the leftmost
    assert address("", 1) == PROXY  # the proxy sent no header
    assert address("198.51.100.7, not-an-address", 1) == PROXY


def test_limits_are_set_by_name_and_rate(monkeypatch):
    defaults = {"login-address": "60/m", "booking-address": "60/h"}
    monkeypatch.setenv("ONESTOP_REQUEST_RATES", " login-address = 120/m ")
    assert environment.rates("REQUEST_RATES", defaults) == {
        "login-address": "120/m",
        "booking-address": "60/h",
    }
    for wrong in ("login=120/m", "login-address=120", "login-address=many/m"):
        monkeypatch.setenv("ONESTOP_REQUEST_RATES", wrong)
        with pytest.raises(BadSetting, match=r"ONESTOP_REQUEST_RATES.*login-address"):
            environment.rates("REQUEST_RATES", defaults)
