"""Between two measurements of bench/load.py: frees the windows of the callers' centre
(a run cut short leaves visitors called or at a window, and the request that called them
may never have been answered) and empties the queue of the issuing centre, so that each
measurement starts from the same state. Prints what it did as JSON.

Run with the server's environment (ONESTOP_DATA_DIR, ONESTOP_DATABASE_URL).
"""

import argparse
import json
import os

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--free-windows", metavar="OFFICE")
    parser.add_argument("--clear-queue", metavar="OFFICE")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
    django.setup()

    from django.utils import timezone

    from onestop.queueing.models import Ticket, TicketStatus

    done = {}
    if args.free_windows:
        tickets = Ticket.objects.filter(office__code=args.free_windows)
        done["finished"] = tickets.filter(status=TicketStatus.SERVING).update(
            status=TicketStatus.DONE, finished_at=timezone.now()
        )
        done["no_show"] = tickets.filter(status=TicketStatus.CALLED).update(
            status=TicketStatus.NO_SHOW, finished_at=timezone.now()
        )
    if args.clear_queue:
        done["cleared"] = Ticket.objects.filter(
            office__code=args.clear_queue, status=TicketStatus.WAITING
        ).update(status=TicketStatus.CANCELLED, finished_at=timezone.now())
    print(json.dumps(done))


if __name__ == "__main__":
    main()
