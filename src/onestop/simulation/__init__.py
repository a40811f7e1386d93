"""The visitor simulator behind `onestop simulate`: synthetic visitors, tickets and
applications against a running instance, over its public API."""

import sys


def simulator_command(
    *, base_url: str, office: str = "astana-esil", rate: float = 0.35, speed: float = 10
) -> list[str]:
    """The command line `onestop demo` spawns next to the server and the worker."""
    return [
        sys.executable,
        "-m",
        "onestop",
        "simulate",
        "--base-url",
        base_url,
        "--office",
        office,
        "--rate",
        str(rate),
        "--speed",
        str(speed),
    ]
