"""Application.revision and the triggers that moved it go (ADR 9): a status look-up is
answered from the application as it is, without a per-process copy kept under it."""

import importlib

from django.db import migrations

from onestop.migrating import sql_by_database

revision = importlib.import_module("onestop.cases.migrations.0003_application_revision")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_ordering_by_parent_column"),
    ]

    operations = [
        sql_by_database(
            {"postgresql": revision.POSTGRESQL_DROP, "sqlite": revision.SQLITE_DROP},
            {"postgresql": revision.POSTGRESQL, "sqlite": revision.SQLITE},
        ),
        migrations.RemoveField(
            model_name="application",
            name="revision",
        ),
    ]
