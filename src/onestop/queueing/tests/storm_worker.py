"""One operator pressing call-next, start, finish as fast as possible, in its own process.
Prints the ids of the tickets it called, one a line. Used by test_call_storm, which names
the centre, the operator's username and the window: storm_worker.py CENTRE USERNAME WINDOW.

With "mixed", the operator also issues tickets and sends some visitors on to another
service or window, for 40 rounds, printing one line a round (test_tally)."""

import os
import random
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
django.setup()

from onestop.people.models import User  # noqa: E402
from onestop.queueing import services  # noqa: E402


def main(office_code: str, username: str, window: int) -> None:
    operator = User.objects.get(username=username)
    empty = 0
    while empty < 3:
        ticket = services.call_next(actor=operator, office_code=office_code, window_number=window)
        if ticket is None:
            empty += 1
            continue
        services.move(actor=operator, ticket=ticket, action="start")
        services.move(actor=operator, ticket=ticket, action="finish")
        print(ticket.pk, flush=True)


def mixed(office_code: str, username: str, window: int, rounds: int = 40) -> None:
    operator = User.objects.get(username=username)
    rng = random.Random(window)
    codes = ["passport", "address-certificate", "real-estate-registration"]
    for _round in range(rounds):
        for _ in range(2):
            services.issue_ticket(
                office_code=office_code,
                service_code=rng.choice(codes),
                actor=operator,
                priority=rng.random() < 0.2,
            )
        ticket = services.call_next(actor=operator, office_code=office_code, window_number=window)
        if ticket is not None:
            services.move(actor=operator, ticket=ticket, action="start")
            if rng.random() < 0.3:
                target = (
                    {"service_code": rng.choice(codes)}
                    if rng.random() < 0.5
                    else {"window_number": rng.randint(1, 4)}
                )
                services.transfer(actor=operator, ticket=ticket, **target)
            else:
                services.move(actor=operator, ticket=ticket, action="finish")
        print(ticket.pk if ticket is not None else 0, flush=True)


if __name__ == "__main__":
    if sys.argv[4:] == ["mixed"]:
        mixed(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    else:
        main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
