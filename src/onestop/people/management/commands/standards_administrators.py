"""Makes (or brings up to date) the standards administrators' group and, given usernames,
makes those accounts standards administrators: staff with the register only."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from onestop.people.groups import standards_administrators
from onestop.people.models import Role, User


class Command(BaseCommand):
    help = "Create the standards administrators' group; put the named accounts in it."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*")

    def handle(self, *args, usernames, **options):
        with transaction.atomic():
            group = standards_administrators()
            for username in usernames:
                user = User.objects.filter(username=username).first()
                if user is None:
                    raise CommandError(f"no account {username}")
                user.role, user.is_staff, user.is_superuser = Role.ADMIN, True, False
                user.save()
                user.groups.add(group)
        self.stdout.write(
            f"{group.name}: {group.permissions.count()} permissions, "
            f"{group.user_set.count()} accounts"
        )
