from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onestop.audit import checkpoints
from onestop.operations import backups


class Command(BaseCommand):
    help = (
        "Restores a backup made by `onestop backup` into the configured database, audit "
        "checkpoint directory and media directory, then verifies the audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup's directory")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace a database that already holds the platform (stop the servers first)",
        )

    def handle(self, *args, path: Path, replace: bool, **options):
        try:
            restored = backups.restore(path, replace=replace)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"restored the {restored.database} database from {path}")
        for kept in restored.set_aside:
            self.stdout.write(
                f"the checkpoint file that was here is kept as {kept}: it signs events "
                "the backup does not hold (`onestop audit verify --checkpoints` on it names them)"
            )
        file = checkpoints.checkpoint_file()
        try:
            found = checkpoints.load(str(file)) if file.exists() else None
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"cannot read the checkpoints in {file}: {error}") from None
        verdict = checkpoints.verify_against(*found) if found is not None else None
        if verdict is not None and not verdict.ok:
            raise CommandError(f"the restored audit trail does not verify: {verdict.problem}")
        if verdict is not None:
            self.stdout.write(
                f"audit trail verified: {verdict.count} events, "
                f"{verdict.checkpoints} signed checkpoint(s) agree"
            )
