from django.db import migrations


class Migration(migrations.Migration):
    """Appointment and SlotLoad moved to the appointments app with their tables: queueing
    forgets them in the migration state only, after the models that point at them."""

    dependencies = [
        ('appointments', '0001_initial'),
        ('notify', '0003_appointment_moved_to_its_app'),
        ('queueing', '0013_plain_queue_counts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Appointment'),
                migrations.DeleteModel(name='SlotLoad'),
            ],
        ),
    ]
