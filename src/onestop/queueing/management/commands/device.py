from django.core.management.base import BaseCommand, CommandError

from onestop.offices.models import Office
from onestop.queueing.models import Device
from onestop.queueing.services import register_device


class Command(BaseCommand):
    help = "Registers a kiosk, display board or rating screen of a centre and prints its token (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("--office", required=True)
        parser.add_argument("--kind", required=True, choices=Device.Kind.values)
        parser.add_argument("--window", type=int, help="the window a rating screen stands at")
        parser.add_argument("--name", default="")

    def handle(self, *args, office, kind, window, name, **options):
        centre = Office.objects.filter(code=office).first()
        if centre is None:
            raise CommandError(f"no centre {office}")
        at = centre.windows.filter(number=window).first() if window else None
        if kind == Device.Kind.RATING and at is None:
            raise CommandError("a rating screen needs --window")
        _device, token = register_device(
            actor="admin-command",
            office=centre,
            kind=kind,
            name=name or f"{kind} {office}",
            window=at,
        )
        self.stdout.write(token)
