"""SQL that differs from one database to the other, run by a migration (the triggers
that keep the queue tally and the applications' revisions)."""

from collections.abc import Sequence

from django.db import migrations


def _run(statements: dict[str, Sequence[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, ()):
            # No parameters: a % in a statement stays as it is.
            schema_editor.execute(statement, params=None)

    return run


def sql_by_database(
    forward: dict[str, Sequence[str]], backward: dict[str, Sequence[str]]
) -> migrations.RunPython:
    """Runs the statements given for the database's vendor ("postgresql", "sqlite"), one
    at a time; nothing on a vendor not named."""
    return migrations.RunPython(_run(forward), _run(backward))
