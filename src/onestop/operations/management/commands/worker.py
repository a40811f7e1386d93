from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string

from onestop.operations import leases, schedule


class Command(BaseCommand):
    help = (
        "Runs the background task worker (django-tasks database backend) and the periodic "
        "schedule; the tasks of a worker that died run again (operations/leases.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=0.5, help="seconds between polls when idle"
        )

    def handle(self, *args, interval, **options):
        worker_id = get_random_string(32)
        leases.beat(worker_id)  # alive before the first task is taken
        stop = schedule.start(worker_id=worker_id)
        try:
            call_command(
                "db_worker",
                "--interval",
                str(interval),
                "--queue-name",
                "*",
                "--worker-id",
                worker_id,
            )
        finally:
            stop.set()
            leases.forget(worker_id)
