"""One operator pressing call-next, start, finish as fast as possible, in its own process.
Prints the ids of the tickets it called, one a line. Used by test_call_storm."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
django.setup()

from onestop.people.models import User  # noqa: E402
from onestop.queueing import services  # noqa: E402


def main(username: str, window: int) -> None:
    operator = User.objects.get(username=username)
    empty = 0
    while empty < 3:
        ticket = services.call_next(actor=operator, office_code="astana-esil", window_number=window)
        if ticket is None:
            empty += 1
            continue
        services.move(actor=operator, ticket=ticket, action="start")
        services.move(actor=operator, ticket=ticket, action="finish")
        print(ticket.pk, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
