"""One request at a time in the interpreter of each web worker, and another while the
first waits for the outside world.

A gunicorn worker runs its requests in a few threads (ONESTOP_WEB_THREADS) so that a
request waiting for a state registry does not hold up the others. When the threads all
run Python, though, they take turns at the interpreter lock: the thread that holds the
database's write lock (SQLite) or a row everyone needs (PostgreSQL) waits for the
interpreter while the other threads of its process run, and everyone else waits for it.
Measured on two cores, one thread a worker served a fifth more tickets a second with
half the p99 of two (docs/benchmarks.md).

`held()` gives the calling thread the worker's gate for a request; the WSGI application
(onestop/wsgi.py) takes it around each request. `waiting()` lets it go while the thread
waits for something outside the process (a registry's answer, the pause before asking
again), so that another request runs meanwhile, and takes it back after. It is let go only
outside a transaction: a thread holding the write lock or locked rows keeps the gate, so
that no thread of its process can be waiting for what it holds while it waits for the
gate. Outside a request (tests, commands, the task worker) neither does anything.
"""

import contextlib
import threading
from collections.abc import Iterator

from django.db import connection

_gate = threading.Lock()
_local = threading.local()


@contextlib.contextmanager
def held() -> Iterator[None]:
    """The gate, for the length of one request; nothing more when this thread has it
    already (the worker takes it before the application does)."""
    if getattr(_local, "held", False):
        yield
        return
    _gate.acquire()
    _local.held = True
    try:
        yield
    finally:
        let_go()


def let_go() -> None:
    """Lets the gate go before the request is over, if this thread has it."""
    if getattr(_local, "held", False):
        _local.held = False
        _gate.release()


@contextlib.contextmanager
def waiting() -> Iterator[None]:
    """Lets the gate go while waiting for the outside world, outside a transaction."""
    if not getattr(_local, "held", False) or connection.in_atomic_block:
        yield
        return
    _local.held = False
    _gate.release()
    try:
        yield
    finally:
        _gate.acquire()
        _local.held = True


class OneAtATime:
    """A WSGI application run one request at a time in this process, and another while
    the first waits for the outside world. A file or a stream goes out without the gate,
    which a slow reader would otherwise keep; under gunicorn every other answer is
    written with it (`operations.balanced_worker.GatedThreadWorker`)."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        with held():
            answer = self.application(environ, start_response)
            if getattr(answer, "streaming", False) or isinstance(
                answer, environ.get("wsgi.file_wrapper", ())
            ):
                let_go()
            return answer
