"""Between two measurements of bench/load.py, so that each starts from the same state:
frees the windows of the callers' centre (a run cut short leaves visitors called or at a
window, and the request that called them may never have been answered), fills its queue
up to a given length, and empties the queues of the issuing centres. Prints what it did as
JSON.

Run with the server's environment (ONESTOP_DATA_DIR, ONESTOP_DATABASE_URL).
"""

import argparse
import json
import os

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--free-windows", metavar="OFFICE")
    parser.add_argument("--clear-queue", metavar="OFFICE", nargs="+")
    parser.add_argument("--fill-queue", metavar="OFFICE")
    parser.add_argument("--to", type=int, default=1500, help="visitors waiting after --fill-queue")
    parser.add_argument("--service", default="passport", help="the service they wait for")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
    django.setup()

    import datetime
    import secrets

    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from onestop.catalog.models import Service
    from onestop.offices.models import Office
    from onestop.queueing.models import Ticket, TicketCounter, TicketStatus
    from onestop.queueing.services import local_now

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
            office__code__in=args.clear_queue, status=TicketStatus.WAITING
        ).update(status=TicketStatus.CANCELLED, finished_at=timezone.now())
    if args.fill_queue:
        # The queue the callers work through, as the kiosk would have left it: numbered on
        # from the day's counter, in the order of arrival.
        office = Office.objects.get(code=args.fill_queue)
        service = Service.objects.select_related("category").get(code=args.service)
        letter = service.category.queue_letter
        now = timezone.now()
        day = local_now(office, now).date()
        missing = (
            args.to - Ticket.objects.filter(office=office, status=TicketStatus.WAITING).count()
        )
        with transaction.atomic():
            counter, _created = TicketCounter.objects.select_for_update().get_or_create(
                office=office, day=day, letter=letter
            )
            first = max(
                counter.last,
                Ticket.objects.filter(office=office, day=day, letter=letter).aggregate(
                    m=Max("seq")
                )["m"]
                or 0,
            )
            Ticket.objects.bulk_create(
                (
                    Ticket(
                        office=office,
                        service=service,
                        day=day,
                        letter=letter,
                        seq=seq,
                        number=f"{letter}{seq:03d}",
                        channel="kiosk",
                        follow_code=secrets.token_hex(6),
                        issued_at=now,
                        queue_from=now + datetime.timedelta(microseconds=seq),
                    )
                    for seq in range(first + 1, first + 1 + max(missing, 0))
                ),
                batch_size=1000,
            )
            counter.last = first + max(missing, 0)
            counter.save(update_fields=["last"])
        done["filled"] = max(missing, 0)
    print(json.dumps(done))


if __name__ == "__main__":
    main()
