"""Request-rate limits: each named in settings, changed by ONESTOP_REQUEST_RATES."""

import pytest

from onestop import environment
from onestop.environment import BadSetting


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
