import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The appointment a notification is about is now appointments.Appointment, in the same
    table: the foreign key changes in the migration state only."""

    dependencies = [
        ('appointments', '0001_initial'),
        ('notify', '0002_notification_about_appointments'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='notification',
                    name='appointment',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='appointments.appointment'),
                ),
            ],
        ),
    ]
