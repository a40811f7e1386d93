from django.core.management.base import BaseCommand

from onestop.demo.services import load_demo


class Command(BaseCommand):
    help = "Loads the demo register, centres, population registry and accounts (idempotent)."

    def handle(self, *args, **options):
        counts = load_demo()
        self.stdout.write(
            "demo data in place: {services} services ({new_standards} new standard versions), "
            "{agencies} agencies, {life_situations} life situations, {centres} centres, "
            "{new_people} new people, {new_staff} new staff accounts".format(**counts)
        )
