from django.core.management import call_command
from django.core.management.base import BaseCommand

from onestop.operations import schedule


class Command(BaseCommand):
    help = (
        "Runs the background task worker (django-tasks database backend) and the periodic schedule."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=0.5, help="seconds between polls when idle"
        )

    def handle(self, *args, interval, **options):
        stop = schedule.start()
        try:
            call_command("db_worker", "--interval", str(interval), "--queue-name", "*")
        finally:
            stop.set()
