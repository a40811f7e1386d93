"""A ticket's `transferred_from` was a one-to-one field, whose unique index holds an entry
for every ticket, nulls included: each ticket issued wrote one more index entry and page.
It is now a plain key with a partial unique index over the tickets that came from a
transfer.

SQLite cannot drop a column's UNIQUE in place, so Django rebuilds the table there, and the
queue tally's triggers (0007) go with the old table: they are made again after it."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

tally = importlib.import_module("onestop.queueing.migrations.0007_queue_tally")


def triggers_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in [*tally.SQLITE_DROP, *tally.SQLITE]:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0008_drop_ticket_open"),
    ]

    operations = [
        # Backwards, the table is rebuilt again by the AlterField: the triggers follow it.
        migrations.RunPython(migrations.RunPython.noop, triggers_again),
        migrations.AlterField(
            model_name="ticket",
            name="transferred_from",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="transferred_to",
                to="queueing.ticket",
            ),
        ),
        migrations.RunPython(triggers_again, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="ticket",
            constraint=models.UniqueConstraint(
                condition=models.Q(("transferred_from__isnull", False)),
                fields=("transferred_from",),
                name="ticket_transferred_from_unique",
            ),
        ),
    ]
