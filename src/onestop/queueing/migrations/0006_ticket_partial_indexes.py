import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_document_standard_document"),
        ("catalog", "0002_category_queue_letter"),
        ("offices", "0001_initial"),
        ("queueing", "0005_ticket_window_day"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="ticket",
            name="queueing_ti_service_bb876f_idx",
        ),
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_window_day",
        ),
        # The foreign keys' own indexes go (DROP INDEX, no table rebuilt on SQLite); the
        # partial indexes below take their place.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in (
                    (
                        "queueing_ticket_application_id_0a83b43b",
                        "queueing_ticket",
                        "application_id",
                    ),
                    ("queueing_ticket_operator_id_13c73b2b", "queueing_ticket", "operator_id"),
                    (
                        "queueing_ticket_target_window_id_ed1271a9",
                        "queueing_ticket",
                        "target_window_id",
                    ),
                    ("queueing_ticketevent_actor_id_fbce6b8b", "queueing_ticketevent", "actor_id"),
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="application",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="tickets",
                        to="cases.application",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="operator",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="target_window",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="offices.window",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticketevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("finished_at__isnull", False)),
                fields=["service", "finished_at"],
                name="ticket_finished",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("window__isnull", False)),
                fields=["window", "day", "status"],
                name="ticket_window_day",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("operator__isnull", False)),
                fields=["operator"],
                name="ticket_operator",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("target_window__isnull", False)),
                fields=["target_window"],
                name="ticket_target_window",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("application__isnull", False)),
                fields=["application"],
                name="ticket_application",
            ),
        ),
        migrations.AddIndex(
            model_name="ticketevent",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)),
                fields=["actor"],
                name="ticketevent_actor",
            ),
        ),
    ]
