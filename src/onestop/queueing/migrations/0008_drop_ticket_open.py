"""The partial index ticket_open covered the count of a centre's open tickets that every
estimate made; the queue tally (0007) answers that now, and each ticket written no
longer writes an entry of it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0007_queue_tally"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_open",
        ),
    ]
