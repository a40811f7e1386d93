"""The write-ahead log is moved into the database file by a thread, not by the commit
that fills it (onestop/sqlite/base.py). These tests run on a database file of their own,
whichever database the rest of the suite uses."""

import os
import threading
import time

import pytest
from django.db import connections

from onestop.sqlite.base import DatabaseWrapper, checkpoint

PAGE = 4096
FRAME = PAGE + 24  # a frame of the log: a page and its header


@pytest.fixture
def database(tmp_path, django_db_blocker, settings):
    """A connection to a new SQLite file through the project's backend; closed after. The
    suite's own database stays out of it."""
    made = []

    def connect(name: str = "db.sqlite3") -> DatabaseWrapper:
        configured = connections.configure_settings(
            {
                "default": {"ENGINE": "django.db.backends.dummy"},
                "scratch": {
                    "ENGINE": "onestop.sqlite",
                    "NAME": str(tmp_path / name),
                    "OPTIONS": settings.SQLITE_OPTIONS,
                },
            }
        )["scratch"]
        wrapper = DatabaseWrapper(configured, alias="scratch")
        made.append(wrapper)
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body BLOB)")
        return wrapper

    with django_db_blocker.unblock():
        yield connect
        for wrapper in made:
            wrapper.close()


def _write(wrapper: DatabaseWrapper, rows: int) -> None:
    """`rows` commits of one row of a page each."""
    with wrapper.cursor() as cursor:
        for _ in range(rows):
            cursor.execute("INSERT INTO t (body) VALUES (zeroblob(%s))", [PAGE])


def _log_frames(wrapper: DatabaseWrapper) -> int:
    return os.path.getsize(f"{wrapper.settings_dict['NAME']}-wal") // FRAME


def test_commits_leave_the_log_to_the_checkpointer(database, settings):
    settings.SQLITE_CHECKPOINT_SECONDS = 3600  # the thread does not come round in this test
    wrapper = database()
    _write(wrapper, 3000)
    # SQLite's own rule would have copied the log back at 1,000 pages and started it again.
    assert _log_frames(wrapper) > 3000
    busy, in_log, copied = checkpoint(wrapper.settings_dict["NAME"])
    assert busy == 0
    assert copied == in_log > 3000


def test_each_process_checkpoints_in_the_background(database, settings):
    settings.SQLITE_CHECKPOINT_SECONDS = 0.05
    wrapper = database()
    path = wrapper.settings_dict["NAME"]
    assert f"checkpoint {path}" in {thread.name for thread in threading.enumerate()}
    size = os.path.getsize(path)
    _write(wrapper, 500)
    # The rows reach the database file itself without anyone asking.
    deadline = time.monotonic() + 10
    while os.path.getsize(path) < size + 500 * PAGE and time.monotonic() < deadline:
        time.sleep(0.05)
    assert os.path.getsize(path) >= size + 500 * PAGE


def test_without_the_thread_sqlite_checkpoints_at_commit(database, settings):
    settings.SQLITE_CHECKPOINT_SECONDS = 0
    wrapper = database("plain.sqlite3")
    path = wrapper.settings_dict["NAME"]
    assert f"checkpoint {path}" not in {thread.name for thread in threading.enumerate()}
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 1000
    _write(wrapper, 3000)
    assert _log_frames(wrapper) < 2000


def test_a_removed_database_is_not_made_again(tmp_path):
    path = tmp_path / "gone.sqlite3"
    assert checkpoint(str(path)) is None
    assert not path.exists()
