from django.core.management.base import BaseCommand, CommandError

from onestop.audit import services


class Command(BaseCommand):
    help = "Audit tools: `audit verify` checks the hash chain of the audit trail."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="tool", required=True)
        sub.add_parser("verify", help="verify the hash chain; exit 1 naming the first bad event")
        assignment = sub.add_parser(
            "assignment", help="recompute the reviewer draws of an application"
        )
        assignment.add_argument("number")

    def handle(self, *args, tool, **options):
        if tool == "assignment":
            return self.assignment(options["number"])
        if tool == "verify":
            verdict = services.verify()
            if not verdict.ok:
                raise CommandError(f"audit trail broken: {verdict.problem}")
            self.stdout.write(f"audit trail verified: {verdict.count} events, chain intact")

    def assignment(self, number: str) -> None:
        """Recomputes each recorded draw from its seed and compares it with the audit trail."""
        from onestop.audit.models import AuditEvent
        from onestop.cases.services import recompute_draws
        from onestop.problems import NotFound

        try:
            draws = recompute_draws(number)
        except NotFound:
            raise CommandError(f"no application {number}") from None
        if not draws:
            self.stdout.write(f"{number}: no reviewer has been drawn")
            return
        logged = {
            e.data.get("seed"): e
            for e in AuditEvent.objects.filter(
                action="application.reviewer_drawn", data__number=number
            )
        }
        bad = False
        for i, draw in enumerate(draws, 1):
            event = logged.get(draw["seed"])
            in_trail = (
                event is not None
                and event.data.get("eligible") == draw["eligible"]
                and event.data.get("reviewer") == draw["recorded"]
            )
            ok = draw["matches"] and in_trail
            bad |= not ok
            self.stdout.write(
                f"draw {i} at {draw['drawn_at']:%Y-%m-%d %H:%M:%S%z} ({draw['reason']}): "
                f"eligible {', '.join(draw['eligible'])}; seed {draw['seed'][:16]}…; "
                f"sha256(seed:{number}) mod {len(draw['eligible'])} -> {draw['recomputed']}; "
                f"recorded {draw['recorded']}; audit event {'#' + str(event.seq) if event else 'missing'}: "
                + ("OK" if ok else "MISMATCH")
            )
        if bad:
            raise CommandError(f"{number}: a draw does not recompute or is not in the audit trail")
        verdict = services.verify()
        self.stdout.write(
            f"audit trail: {'intact' if verdict.ok else 'BROKEN: ' + verdict.problem}"
        )
        if not verdict.ok:
            raise CommandError("audit trail broken")
