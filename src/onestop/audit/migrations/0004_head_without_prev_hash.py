"""The audit head keeps the last sequence number and hash; the hash before it is the
last event's own prev_hash (ADR 9)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_hash_not_indexed'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='audithead',
            name='prev_hash',
        ),
    ]
