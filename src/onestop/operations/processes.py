"""Starting the web server and the task worker as child processes."""

import os
import sys


def gunicorn_command(*, host: str, port: int, workers: int, threads: int = 4) -> list[str]:
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
        str(threads),
        "--access-logfile",
        "-" if os.environ.get("ONESTOP_ACCESS_LOG") else "/dev/null",
        "--error-logfile",
        "-",
        "--graceful-timeout",
        "5",
        "--timeout",
        "60",
    ]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "onestop", "worker"]
