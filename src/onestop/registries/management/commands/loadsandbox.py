from django.core.management.base import BaseCommand

from onestop.registries.sandbox.data import load_sandbox_data


class Command(BaseCommand):
    help = "Fills the sandbox state registries for the demo population (idempotent)."

    def handle(self, *args, **options):
        counts = load_sandbox_data()
        self.stdout.write(
            "sandbox registries in place: {people} new people seeded, {properties} titles, "
            "{pension_contributions} pension contributions, {vehicles} vehicles, "
            "{civil_records} civil status records".format(**counts)
        )
