"""The queue counted from its open tickets, without a tally kept by triggers (ADR 9)."""

import importlib

from django.conf import settings
from django.db import migrations, models

from onestop.migrating import sql_by_database

tally = importlib.import_module("onestop.queueing.migrations.0007_queue_tally")
before_insert = importlib.import_module("onestop.queueing.migrations.0011_tally_before_insert")

# The queue's counts are read from the tickets along the partial index ticket_open (ADR 9):
# the triggers that kept the tally go first, then the tally.
DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS queueing_ticket_tally_insert ON queueing_ticket",
        *tally.POSTGRESQL_DROP,
    ],
    "sqlite": tally.SQLITE_DROP,
}
RESTORE = {
    "postgresql": [*tally.POSTGRESQL, *before_insert.POSTGRESQL, tally.FILL],
    "sqlite": [*tally.SQLITE, tally.FILL],
}


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_ordering_by_parent_column'),
        ('catalog', '0003_ordering_by_parent_column'),
        ('offices', '0002_ordering_by_parent_column'),
        ('queueing', '0012_ordering_by_parent_column'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        sql_by_database(DROP, RESTORE),
        migrations.DeleteModel(
            name='QueueTally',
        ),
        migrations.RemoveIndex(
            model_name='ticket',
            name='queueing_ti_office__af4f64_idx',
        ),
        migrations.RemoveIndex(
            model_name='ticket',
            name='ticket_at_window',
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['office', 'status', 'priority', 'queue_from'], name='queueing_ti_office__61c89f_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('finished_at__isnull', True)), fields=['office', 'day', 'status', 'service', 'window', 'priority', 'finished_at'], name='ticket_open'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('finished_at__isnull', True), ('window__isnull', False)), fields=['window'], name='ticket_at_window'),
        ),
        migrations.AddConstraint(
            model_name='ticket',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('finished_at__isnull', True), ('status__in', ['waiting', 'called', 'serving'])), models.Q(models.Q(('status__in', ['waiting', 'called', 'serving']), _negated=True), ('finished_at__isnull', False)), _connector='OR'), name='ticket_open_until_finished'),
        ),
    ]
