from django.core.management.base import BaseCommand

from onestop.demo.services import demo_screens, screen_link


class Command(BaseCommand):
    help = (
        "Prints the links of this installation's demo kiosks, boards and rating screens, "
        "each with its token (random per installation)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--office", help="only this centre's screens (a centre's code)")

    def handle(self, *args, base_url, office, **options):
        for centre, kind, window in demo_screens():
            if office and centre.code != office:
                continue
            self.stdout.write(screen_link(base_url, centre.code, kind, window and window.number))
