"""A ticket's `transferred_from` was a one-to-one field, whose unique index holds an entry
for every ticket, nulls included: each ticket issued wrote one more index entry and page.
It is now a plain key with a partial unique index over the tickets that came from a
transfer.

SQLite cannot drop a column's UNIQUE in place, so Django rebuilds the table there, and the
queue tally's triggers (0007) go with the old table: they are made again after it."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

from onestop.migrating import sql_by_database

tally = importlib.import_module("onestop.queueing.migrations.0007_queue_tally")


# The tally's triggers made again on SQLite, after the table was rebuilt.
TRIGGERS_AGAIN = {"sqlite": [*tally.SQLITE_DROP, *tally.SQLITE]}


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0008_drop_ticket_open"),
    ]

    operations = [
        # Backwards, the table is rebuilt again by the AlterField: the triggers follow it.
        sql_by_database({}, TRIGGERS_AGAIN),
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
        sql_by_database(TRIGGERS_AGAIN, {}),
        migrations.AddConstraint(
            model_name="ticket",
            constraint=models.UniqueConstraint(
                condition=models.Q(("transferred_from__isnull", False)),
                fields=("transferred_from",),
                name="ticket_transferred_from_unique",
            ),
        ),
    ]
