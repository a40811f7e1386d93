from django.core.management.base import BaseCommand

from onestop.people.models import Person


class Command(BaseCommand):
    help = "Prints IINs of people in the demo population registry, one a line."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=20, help="how many (default 20)")

    def handle(self, *args, count, **options):
        for iin in (
            Person.objects.filter(account__isnull=False)
            .order_by("id")
            .values_list("iin", flat=True)[:count]
        ):
            self.stdout.write(iin)
