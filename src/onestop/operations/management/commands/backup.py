from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onestop.operations import backups


class Command(BaseCommand):
    help = (
        "Backs up the database (while it serves), the audit trail's checkpoints and the "
        "uploaded and produced files into a new directory (docs/operations.md, Backups)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="a directory that does not exist yet")

    def handle(self, *args, path: Path, **options):
        try:
            backup = backups.take(path)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"backup of the {backup.database} database in {backup.path}: "
            f"{backup.checkpoints} audit checkpoint(s), {backup.media_files} file(s). "
            "ONESTOP_SECRET_KEY is not in it: keep it apart, a restore needs it to sign."
        )
