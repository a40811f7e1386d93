"""The ONESTOP_* variables: a value that does not read as its kind stops `onestop` with one
line naming the variable; every variable read is documented, and every one documented is
read."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from onestop import environment
from onestop.environment import BadSetting

ROOT = Path(__file__).resolve().parents[3]


def test_flags_read_on_and_off_in_any_case_and_refuse_anything_else(monkeypatch):
    for value, expected in [("on", True), ("OFF", False), ("Yes", True), ("0", False), (" ", True)]:
        monkeypatch.setenv("ONESTOP_RATE_LIMITS", value)
        assert environment.flag("RATE_LIMITS", True) is expected
    monkeypatch.setenv("ONESTOP_RATE_LIMITS", "of")
    with pytest.raises(BadSetting, match=r"ONESTOP_RATE_LIMITS='of': takes on or off"):
        environment.flag("RATE_LIMITS", True)


def test_numbers_name_the_variable_and_what_it_takes(monkeypatch):
    monkeypatch.setenv("ONESTOP_MAX_APPOINTMENTS", "three")
    with pytest.raises(BadSetting, match=r"ONESTOP_MAX_APPOINTMENTS='three': takes a whole"):
        environment.whole("MAX_APPOINTMENTS", 3)
    monkeypatch.setenv("ONESTOP_MAX_APPOINTMENTS", "-1")
    with pytest.raises(BadSetting, match="at least 0"):
        environment.whole("MAX_APPOINTMENTS", 3)
    monkeypatch.setenv("ONESTOP_MAX_APPOINTMENTS", " 5 ")
    assert environment.whole("MAX_APPOINTMENTS", 3) == 5

    monkeypatch.setenv("ONESTOP_WAIT_ALERT_MINUTES", "7.5")
    assert environment.number("WAIT_ALERT_MINUTES", 15) == 7.5
    for wrong in ("soon", "nan", "-2"):
        monkeypatch.setenv("ONESTOP_WAIT_ALERT_MINUTES", wrong)
        with pytest.raises(BadSetting, match="ONESTOP_WAIT_ALERT_MINUTES"):
            environment.number("WAIT_ALERT_MINUTES", 15)
    monkeypatch.setenv("ONESTOP_SANDBOX_SMS_FAILURE_RATE", "1.5")
    with pytest.raises(BadSetting, match="from 0 to 1"):
        environment.number("SANDBOX_SMS_FAILURE_RATE", 0, maximum=1)


def test_choices_and_time_zones(monkeypatch):
    monkeypatch.setenv("ONESTOP_LOG_LEVEL", "warning")
    assert environment.choice("LOG_LEVEL", "INFO", environment.LOG_LEVELS, upper=True) == "WARNING"
    monkeypatch.setenv("ONESTOP_LOG_LEVEL", "loud")
    with pytest.raises(BadSetting, match="one of DEBUG, INFO, WARNING, ERROR, CRITICAL"):
        environment.choice("LOG_LEVEL", "INFO", environment.LOG_LEVELS, upper=True)
    monkeypatch.setenv("ONESTOP_TIME_ZONE", "Asia/Oral")
    assert environment.time_zone("TIME_ZONE", "Asia/Almaty") == "Asia/Oral"
    for wrong in ("Mars/Olympus", "../../etc/passwd"):
        monkeypatch.setenv("ONESTOP_TIME_ZONE", wrong)
        with pytest.raises(BadSetting, match="takes a time zone"):
            environment.time_zone("TIME_ZONE", "Asia/Almaty")


def test_a_database_url_we_cannot_use_is_named_without_its_password(monkeypatch):
    for wrong in ("mysql://app:s3cret@db/onestop", "postgres://app:s3cret@db:port/x", "s3cret"):
        monkeypatch.setenv("ONESTOP_DATABASE_URL", wrong)
        with pytest.raises(BadSetting) as raised:
            environment.database_url("DATABASE_URL", conn_max_age=60)
        assert str(raised.value).startswith("ONESTOP_DATABASE_URL: takes a URL such as postgres")
        assert "s3cret" not in str(raised.value)
    monkeypatch.setenv("ONESTOP_DATABASE_URL", "postgres://app:s3cret@db:5432/onestop")
    database = environment.database_url("DATABASE_URL", conn_max_age=60)
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db", 5432, "onestop")
    monkeypatch.delenv("ONESTOP_DATABASE_URL")
    assert environment.database_url("DATABASE_URL", conn_max_age=60) is None


def _onestop(tmp_path, **variables) -> subprocess.CompletedProcess:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ONESTOP_") and key != "DJANGO_SETTINGS_MODULE"
    }
    environ.update(ONESTOP_DATA_DIR=str(tmp_path), **variables)
    return subprocess.run(
        [sys.executable, "-m", "onestop", "check"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_onestop_stops_with_one_line_naming_a_bad_variable(tmp_path):
    done = _onestop(tmp_path, ONESTOP_MAX_APPOINTMENTS="three")
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "onestop: ONESTOP_MAX_APPOINTMENTS='three': takes a whole number (docs/configuration.md)"
    ]


def test_onestop_takes_a_log_level_in_lower_case(tmp_path):
    done = _onestop(tmp_path, ONESTOP_LOG_LEVEL="warning")
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


# How the code reads a variable: environment.text("NAME"), flag(...), whole(...),
# number(...), choice(...), time_zone(...), database_url(...), rates(...) or their names in settings; "ONESTOP_NAME" in
# Python, ${ONESTOP_NAME} or $ONESTOP_NAME in a script.
READ = re.compile(
    r"\b(?:text|flag|env_flag|env|whole|number|choice|time_zone|database_url|rates)\(\s*\"([A-Z][A-Z0-9_]*)\""
    r"|[\"'{$]ONESTOP_([A-Z][A-Z0-9_]*)"
)


def _read_by_the_code() -> set[str]:
    names = set()
    sources = [
        *(ROOT / "src" / "onestop").rglob("*.py"),
        *(ROOT / "scripts").iterdir(),
        ROOT / "Makefile",
        ROOT / ".ci" / "run",
    ]
    for path in sources:
        if "tests" in path.parts and path.name != "conftest.py":
            continue
        for match in READ.finditer(path.read_text()):
            names.add(match.group(1) or match.group(2))
    return names


def test_every_variable_read_is_documented_and_every_one_documented_is_read():
    documented = set(
        re.findall(r"ONESTOP_([A-Z][A-Z0-9_]*)", (ROOT / "docs/configuration.md").read_text())
    )
    read = _read_by_the_code()
    assert read - documented == set(), "read but not in docs/configuration.md"
    assert documented - read == set(), "in docs/configuration.md but read nowhere"
