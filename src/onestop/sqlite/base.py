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
"""

import fcntl
import hashlib
import os

from django.db.backends.sqlite3 import base


def _sha256(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_fd: int | None = None
    _locked = False

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        conn.create_function("onestop_sha256", 1, _sha256, deterministic=True)
        return conn

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"] or "")
        if not name or name == ":memory:" or "mode=memory" in name:
            return None
        return f"{name}.writelock"

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
