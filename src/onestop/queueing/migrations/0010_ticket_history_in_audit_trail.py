"""A ticket's moves are kept once, in the audit trail (ADR 6): each move had also
appended a row to `queueing_ticketevent`, which repeated its audit event but for the
window's number, now in the audit event's data. The audit events of the moves before this
migration stay, with everything but that number.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0009_ticket_transferred_from_partial"),
    ]

    operations = [
        migrations.DeleteModel(
            name="TicketEvent",
        ),
    ]
