"""Starting the web server and the task worker as child processes."""

import os
import sys

from django.conf import settings

from onestop import environment


def web_workers() -> int:
    """Web worker processes: ONESTOP_WEB_WORKERS, else one more than the cores. A worker
    runs one request at a time (ADR 5); with more workers than that, the one holding
    SQLite's write lock or a row every ticket needs is more often put aside for another:
    on two cores five workers held SQLite's lock 1.6 ms a ticket, three 0.98 ms, and
    served a third fewer tickets a second (docs/benchmarks.md)."""
    return environment.whole("WEB_WORKERS", (os.cpu_count() or 1) + 1, minimum=1)


def web_threads() -> int:
    """Threads per web worker: ONESTOP_WEB_THREADS, 2 by default (docs/configuration.md)."""
    return environment.whole("WEB_THREADS", 2, minimum=1)


def web_worker_class() -> str:
    """gunicorn's worker class: its threaded worker with the connections spread evenly
    over the workers (ADR 4), or as gunicorn has it when ONESTOP_WEB_SPREAD is off."""
    if not settings.WEB_SPREAD:
        return "onestop.operations.balanced_worker.GatedThreadWorker"
    return "onestop.operations.balanced_worker.BalancedThreadWorker"


def gunicorn_command(
    *, host: str, port: int, workers: int, threads: int | None = None
) -> list[str]:
    # gunicorn's own access log only when asked for (ONESTOP_ACCESS_LOG): the platform's
    # request log already has a line for every request, and formatting gunicorn's, even
    # for /dev/null, took 7% of the CPU of a ticket under load (docs/benchmarks.md).
    access_log = ["--access-logfile", "-"] if environment.text("ACCESS_LOG") else []
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "onestop.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        web_worker_class(),
        "--threads",
        str(threads or web_threads()),
        *access_log,
        "--error-logfile",
        "-",
        "--graceful-timeout",
        "5",
        "--timeout",
        "60",
    ]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "onestop", "worker"]
