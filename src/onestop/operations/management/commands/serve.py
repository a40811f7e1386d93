import os

from django.core.management import call_command
from django.core.management.base import BaseCommand

from onestop.operations.processes import gunicorn_command, web_threads, web_workers


class Command(BaseCommand):
    help = "Runs the production web server (gunicorn, WSGI) with static files collected."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=web_workers(),
            help="worker processes (ONESTOP_WEB_WORKERS, one more than the cores by default)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=web_threads(),
            help="threads per worker (ONESTOP_WEB_THREADS, 2 by default)",
        )

    def handle(self, *args, host, port, workers, threads, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        command = gunicorn_command(host=host, port=port, workers=workers, threads=threads)
        os.execv(command[0], command)
