import os

from django.core.management.base import BaseCommand

from onestop.operations.processes import worker_command


class Command(BaseCommand):
    help = "Runs the background task worker (django-tasks database backend)."

    def handle(self, *args, **options):
        command = worker_command()
        os.execv(command[0], command)
