from django.core.management.base import BaseCommand, CommandError

from onestop.audit import services


class Command(BaseCommand):
    help = "Audit tools: `audit verify` checks the hash chain of the audit trail."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="tool", required=True)
        sub.add_parser("verify", help="verify the hash chain; exit 1 naming the first bad event")

    def handle(self, *args, tool, **options):
        if tool == "verify":
            verdict = services.verify()
            if not verdict.ok:
                raise CommandError(f"audit trail broken: {verdict.problem}")
            self.stdout.write(f"audit trail verified: {verdict.count} events, chain intact")
