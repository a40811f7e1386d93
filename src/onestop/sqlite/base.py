"""SQLite whose transactions queue on a lock file instead of SQLite's busy handler.

Every transaction here is a write transaction (BEGIN IMMEDIATE, settings.SQLITE_OPTIONS).
When one is open, SQLite makes the others sleep and try again on a back-off schedule of
up to 100 ms a try, so under load a writer can lose many rounds to newer ones and wait
seconds (docs/benchmarks.md). Taking an exclusive `flock` on `<database>.writelock`
before BEGIN makes the waiters sleep in the kernel instead, which wakes one of them the
moment the holder commits. The lock goes with the commit, the rollback or the closed
connection, and with the process if it dies.

Each connection also knows `onestop_sha256(text)`, the hex SHA-256 of the text's UTF-8
bytes, which the audit trail uses in SQL as PostgreSQL uses its own `sha256`.

The write-ahead log is moved into the database file by a thread of each process, every
`SQLITE_CHECKPOINT_SECONDS` (ONESTOP_SQLITE_CHECKPOINT_SECONDS), not by the commit that
fills it past SQLite's 1,000 pages: that commit copies the log and syncs both files to
disk (7-80 ms) while every other writer waits on its lock (docs/benchmarks.md). The
commits still do it themselves when the log passes `WAL_LIMIT_PAGES`, should the thread
fall behind, and when the setting is 0.

Statements go from Django's "%s" placeholders to SQLite's "?" once per distinct text:
the hot paths run the same few statements thousands of times a second, and converting
each again took a regular-expression pass over its text every time.
"""

import fcntl
import functools
import hashlib
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db.backends.sqlite3 import base

log = logging.getLogger(__name__)

# A commit checkpoints itself only past this many pages of log (4 KiB each).
WAL_LIMIT_PAGES = 20_000


def _sha256(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


def checkpoint(path: str) -> tuple[int, int, int] | None:
    """One passive checkpoint of the database at `path`, in a connection of its own: the
    log's pages that no reader still needs are copied into the database file, without
    waiting for or holding up readers and writers. Returns SQLite's (busy, pages in the
    log, pages copied), or None when the file is gone."""
    try:
        # mode=rw: a database deleted meanwhile (a test's) is not created again, empty.
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=rw", uri=True, timeout=1)
    except sqlite3.OperationalError:
        return None
    try:
        return conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        conn.close()


class Checkpointer(threading.Thread):
    """Checkpoints one database every `interval` seconds for as long as the process lives."""

    def __init__(self, path: str, interval: float):
        super().__init__(name=f"checkpoint {path}", daemon=True)
        self.path, self.interval = path, interval

    def run(self) -> None:
        while True:
            time.sleep(self.interval)
            try:
                checkpoint(self.path)
            except sqlite3.Error as error:
                log.warning("checkpoint of %s failed: %s", self.path, error)


# One checkpointer per database file and process. In a forked worker the parent's
# thread is not alive, so the worker starts its own.
_checkpointers: dict[str, Checkpointer] = {}
_checkpointers_lock = threading.Lock()


def _checkpoint_in_background(path: str, interval: float) -> None:
    with _checkpointers_lock:
        running = _checkpointers.get(path)
        if running is None or not running.is_alive():
            _checkpointers[path] = Checkpointer(path, interval)
            _checkpointers[path].start()


@functools.lru_cache(maxsize=4096)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_fd: int | None = None
    _locked = False

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        conn.create_function("onestop_sha256", 1, _sha256, deterministic=True)
        path = self._file_path()
        interval = settings.SQLITE_CHECKPOINT_SECONDS
        if path is not None and interval > 0:
            conn.execute(f"PRAGMA wal_autocheckpoint={WAL_LIMIT_PAGES}")
            _checkpoint_in_background(path, interval)
        return conn

    def _file_path(self) -> str | None:
        """The database's file, or None for an in-memory database."""
        name = str(self.settings_dict["NAME"] or "")
        if not name or name == ":memory:" or "mode=memory" in name:
            return None
        return name

    def _lock_path(self) -> str | None:
        path = self._file_path()
        return None if path is None else f"{path}.writelock"

    def _start_transaction_under_autocommit(self):
        path = self._lock_path()
        if path is not None:
            if self._lock_fd is None:
                self._lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            self._locked = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._unlock()
            raise

    def _unlock(self) -> None:
        if self._locked and self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        self._locked = False

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._unlock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._unlock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._unlock()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
