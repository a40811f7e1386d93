"""gunicorn's threaded worker, taking its share of the connections and no more.

All the workers wait on one listening socket, and a gthread worker keeps every
connection it accepts for as long as the client keeps it open. Whichever worker is idle
when clients connect takes them, so a burst of connections ends up uneven: 7, 4, 4, 1 and
none of 16 over five workers, 122 and 74 of 200 on two of them (docs/benchmarks.md). The
requests on a crowded worker queue for its few threads and its one interpreter lock while
other workers idle, and theirs are the slowest answers.

Here the workers publish how many connections each holds, in a small table of shared
memory that the master process makes before it starts them. A worker that holds more
than another live worker leaves a waiting client to that one: it stops watching the
socket for `RECHECK` seconds and looks again. A less busy worker therefore takes the
client, and the connections spread evenly whatever their number; nobody needs to know
that number in advance, as gunicorn's `--worker-connections` cap would. A client waits
for this only when it connects, never on the requests that follow on its connection, and
never longer than `MAX_HOLD`: a less busy worker that is slow to look (its threads hold
the interpreter) does not keep it waiting, the busier one takes it then.
"""

import contextlib
import multiprocessing
import os
import selectors
import time

from gunicorn.workers.gthread import ThreadWorker

from onestop import gate

RECHECK = 0.002
MAX_HOLD = 0.05
# Workers that can share the table at once; any more work as plain gthread workers.
SLOTS = 64

# Made when gunicorn's master loads this module, before it forks the workers, which
# therefore share it: for each slot, the pid of the worker holding it and its connections.
_table = multiprocessing.RawArray("q", 2 * SLOTS)
_claim = multiprocessing.Lock()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    return True


def claim_slot(pid: int) -> int | None:
    """A slot of the table for the worker `pid`: a free one or one whose worker is gone.
    None when there is none, or when a worker killed while claiming left the lock taken."""
    if not _claim.acquire(timeout=1):
        return None
    try:
        for slot in range(SLOTS):
            holder = _table[2 * slot]
            if holder == 0 or holder == pid or not _alive(holder):
                _table[2 * slot] = pid
                _table[2 * slot + 1] = 0
                return slot
    finally:
        _claim.release()
    return None


def release_slot(slot: int, pid: int) -> None:
    if _table[2 * slot] == pid:
        _table[2 * slot + 1] = 0
        _table[2 * slot] = 0


def less_busy_worker(slot: int, connections: int) -> bool:
    """Whether another live worker holds fewer connections than `connections`."""
    for other in range(SLOTS):
        pid = _table[2 * other]
        if other != slot and pid and _table[2 * other + 1] < connections and _alive(pid):
            return True
    return False


class GatedThreadWorker(ThreadWorker):
    """gthread whose threads handle a request under the process's gate (onestop/gate.py),
    from the environ gunicorn makes of it to the last byte of the answer written, rather
    than only while the application runs. A thread writing an answer, in Python, while
    another of its process holds SQLite's write lock took turns at the interpreter lock
    with it: on two cores with three workers the lock was held 1.17 ms a ticket instead of
    0.93, with fewer tickets a second (docs/benchmarks.md). Files and streams still go
    out without the gate (`gate.OneAtATime`)."""

    def handle_request(self, req, conn):
        with gate.held():
            return super().handle_request(req, conn)


class BalancedThreadWorker(GatedThreadWorker):
    """gthread with connections spread evenly over the workers (the module's docstring)."""

    _accepting: bool  # gunicorn's: whether it wants new connections at all

    def __init__(self, *args, **kwargs):
        self._slot: int | None = None
        self._connections = 0
        super().__init__(*args, **kwargs)
        self._listening = False
        # While this worker leaves a waiting client to others: since when, and when it
        # looks at the socket again.
        self._holding_since: float | None = None
        self._look_at = 0.0

    # gunicorn's count of this worker's open connections, published in the table.
    @property
    def nr_conns(self) -> int:
        return self._connections

    @nr_conns.setter
    def nr_conns(self, value: int) -> None:
        self._connections = value
        if self._slot is not None:
            _table[2 * self._slot + 1] = value

    def init_process(self):
        self._slot = claim_slot(os.getpid())
        self.nr_conns = self._connections
        try:
            super().init_process()
        finally:
            if self._slot is not None:
                release_slot(self._slot, os.getpid())

    def _listen(self, on: bool) -> None:
        if on == self._listening:
            return
        for listener in self.sockets:
            if on:
                listener.setblocking(False)
                self.poller.register(listener, selectors.EVENT_READ, self.accept)
            else:
                with contextlib.suppress(KeyError, ValueError):
                    self.poller.unregister(listener)
        self._listening = on

    def set_accept_enabled(self, enabled):
        # gunicorn's own switch (its worker_connections cap, shutting down); leaving a
        # client to another worker only ever comes on top of it.
        if enabled == self._accepting:
            return
        self._accepting = enabled
        self._holding_since = None
        self._listen(enabled)

    def accept(self, listener):
        if self._slot is not None and less_busy_worker(self._slot, self.nr_conns):
            now = time.monotonic()
            if self._holding_since is None:
                self._holding_since = now
            if now - self._holding_since < MAX_HOLD:
                self._look_at = now + RECHECK
                self._listen(False)
                return
        self._holding_since = None
        super().accept(listener)

    def wait_for_and_dispatch_events(self, timeout):
        if self._accepting and not self._listening:
            wait = self._look_at - time.monotonic()
            if wait > 0:
                timeout = min(timeout, wait)
            else:
                self._listen(True)
        watched = self._listening and self._holding_since is not None
        super().wait_for_and_dispatch_events(timeout)
        if watched and self._listening:
            # The socket was watched and no client waited on it any more: a less busy
            # worker took that one. The next client starts afresh.
            self._holding_since = None
