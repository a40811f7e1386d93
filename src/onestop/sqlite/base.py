"""SQLite whose write transactions queue on a lock file instead of SQLite's busy handler.

Every transaction here is a write transaction (BEGIN IMMEDIATE, settings.SQLITE_OPTIONS).
When one is open, SQLite makes the others sleep and try again on a back-off schedule of
up to 100 ms a try, so under load a writer can lose many rounds to newer ones and wait
seconds (docs/benchmarks.md). Taking an exclusive `flock` on `<database>.writelock` as
the transaction begins makes the waiters sleep in the kernel instead, which wakes one of
them the moment the holder commits. The lock goes with the commit, the rollback or the
closed connection, and with the process if it dies. Only Django's public connection
methods are extended: `set_autocommit` (an atomic block begins), `commit`, `rollback`
and `close`.

The write-ahead log is moved into the database file by a thread of each process, every
`SQLITE_CHECKPOINT_SECONDS` (ONESTOP_SQLITE_CHECKPOINT_SECONDS), not by the commit that
fills it past SQLite's 1,000 pages: that commit copies the log and syncs both files to
disk (7-80 ms) while every other writer waits on its lock (docs/benchmarks.md). The
commits still do it themselves when the log passes `WAL_LIMIT_PAGES`, should the thread
fall behind, and when the setting is 0.
"""

import fcntl
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


class DatabaseWrapper(base.DatabaseWrapper):
    lock_fd: int | None = None
    locked = False

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        path = self.file_path()
        interval = settings.SQLITE_CHECKPOINT_SECONDS
        if path is not None and interval > 0:
            conn.execute(f"PRAGMA wal_autocheckpoint={WAL_LIMIT_PAGES}")
            _checkpoint_in_background(path, interval)
        return conn

    def file_path(self) -> str | None:
        """The database's file, or None for an in-memory database."""
        name = str(self.settings_dict["NAME"] or "")
        if not name or name == ":memory:" or "mode=memory" in name:
            return None
        return name

    def set_autocommit(self, autocommit, force_begin_transaction_with_broken_autocommit=False):
        """Leaving autocommit begins a transaction: the writer lock is taken first."""
        if not autocommit:
            self.take_writer_lock()
        try:
            super().set_autocommit(
                autocommit,
                force_begin_transaction_with_broken_autocommit=(
                    force_begin_transaction_with_broken_autocommit
                ),
            )
        except BaseException:
            self.let_go_writer_lock()
            raise

    def commit(self):
        try:
            super().commit()
        finally:
            self.let_go_writer_lock()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self.let_go_writer_lock()

    def close(self):
        try:
            super().close()
        finally:
            self.let_go_writer_lock()
            if self.lock_fd is not None:
                os.close(self.lock_fd)
                self.lock_fd = None

    def take_writer_lock(self) -> None:
        path = self.file_path()
        if path is None or self.locked:
            return
        if self.lock_fd is None:
            self.lock_fd = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.lock_fd, fcntl.LOCK_EX)
        self.locked = True

    def let_go_writer_lock(self) -> None:
        if self.locked and self.lock_fd is not None:
            fcntl.flock(self.lock_fd, fcntl.LOCK_UN)
        self.locked = False
