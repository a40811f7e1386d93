from django.core.management.base import BaseCommand, CommandError

from onestop.audit import checkpoints, services


class Command(BaseCommand):
    help = (
        "Audit tools: `audit verify` checks the hash chain of the audit trail against its "
        "signed checkpoints; `audit checkpoint` signs one now."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="tool", required=True)
        verify = sub.add_parser(
            "verify", help="verify the hash chain; exit 1 naming the first bad event"
        )
        verify.add_argument(
            "--checkpoints",
            metavar="FILE_OR_URL",
            help=(
                "signed checkpoints to check the chain against: a checkpoints.jsonl file or "
                "the URL of GET /api/v1/audit/checkpoints (default: the local file in "
                "ONESTOP_AUDIT_CHECKPOINT_DIR, when there is one)"
            ),
        )
        sub.add_parser("checkpoint", help="sign a checkpoint of the audit trail now")
        assignment = sub.add_parser(
            "assignment", help="recompute the reviewer draws of an application"
        )
        assignment.add_argument("number")

    def handle(self, *args, tool, **options):
        if tool == "assignment":
            return self.assignment(options["number"])
        if tool == "checkpoint":
            return self.checkpoint()
        if tool == "verify":
            return self.verify(options["checkpoints"])

    def checkpoint(self) -> None:
        try:
            checkpoint, new = checkpoints.take()
        except checkpoints.ChainBroken as broken:
            raise CommandError(f"audit trail not signed: {broken}") from None
        if checkpoint is None:
            self.stdout.write("the audit trail is empty: nothing to sign")
            return
        at = f"{checkpoint.at:%Y-%m-%d %H:%M:%S%z}"
        if new:
            self.stdout.write(
                f"checkpoint #{checkpoint.length} signed at {at}, appended to "
                f"{checkpoints.checkpoint_file()}"
            )
        else:
            self.stdout.write(
                f"the checkpoint #{checkpoint.length} of {at} already covers the trail"
            )

    def verify(self, source: str | None) -> None:
        if source is None and checkpoints.checkpoint_file().exists():
            source = str(checkpoints.checkpoint_file())
        if source is None:
            verdict = services.verify()
        else:
            try:
                found, certificates = checkpoints.load(source)
            except (OSError, ValueError, KeyError) as error:
                raise CommandError(f"cannot read the checkpoints in {source}: {error}") from None
            verdict = checkpoints.verify_against(found, certificates)
        if not verdict.ok:
            raise CommandError(f"audit trail broken: {verdict.problem}")
        signed = (
            f", {verdict.checkpoints} signed checkpoint(s) from {source} agree"
            if source is not None
            else ", no signed checkpoints to check it against"
        )
        self.stdout.write(f"audit trail verified: {verdict.count} events, chain intact{signed}")

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
