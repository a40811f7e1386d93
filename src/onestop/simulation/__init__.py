"""The visitor simulator behind `onestop simulate`: synthetic visitors, tickets and
applications against a running instance, over its public API."""

import sys

# The demo's simulated visitors are served by operator3 and operator4; operator1 and
# operator2 are left to whoever tries the demo.
DEMO_OPERATORS = "operator3,operator4"


def simulator_command(
    *,
    base_url: str,
    office: str = "astana-esil",
    rate: float = 0.15,
    speed: float = 10,
    operators: str = DEMO_OPERATORS,
) -> list[str]:
    """The command line `onestop demo` spawns next to the server and the worker: about
    a visitor every 40 real seconds, ten-minute visits taking a real minute."""
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
        "--operators",
        operators,
    ]
