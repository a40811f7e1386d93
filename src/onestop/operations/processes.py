"""Starting the web server and the task worker as child processes."""

import os
import sys

from onestop import environment


def web_workers() -> int:
    """Web worker processes: ONESTOP_WEB_WORKERS, else one more than the cores, so that
    every core stays busy while a worker waits for the database (docs/benchmarks.md)."""
    return environment.whole("WEB_WORKERS", (os.cpu_count() or 1) + 1, minimum=1)


def web_threads() -> int:
    """Threads per web worker: ONESTOP_WEB_THREADS, 2 by default (docs/configuration.md)."""
    return environment.whole("WEB_THREADS", 2, minimum=1)


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
        "gthread",
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
