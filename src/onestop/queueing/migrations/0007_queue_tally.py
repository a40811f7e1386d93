"""The queue tally (models.QueueTally) and the triggers on queueing_ticket that keep it,
filled from the tickets already stored."""

from django.db import migrations, models

from onestop.migrating import sql_by_database

OPEN = "('waiting', 'called', 'serving')"
KEY = "office_id, day, status, service_id, window_id, priority"
TALLY = "queueing_queuetally"


def _key(row: str) -> str:
    return (
        f"{row}.office_id, {row}.day, {row}.status, {row}.service_id, "
        f"COALESCE({row}.window_id, 0), {row}.priority"
    )


def _where(row: str) -> str:
    return (
        f"office_id = {row}.office_id AND day = {row}.day AND status = {row}.status "
        f"AND service_id = {row}.service_id AND window_id = COALESCE({row}.window_id, 0) "
        f"AND priority = {row}.priority"
    )


def _changed(differs: str = "IS DISTINCT FROM") -> str:
    """Whether a key column changed; SQLite spells the null-safe comparison IS NOT."""
    return " OR ".join(
        f"OLD.{column} {differs} NEW.{column}"
        for column in ("office_id", "day", "status", "service_id", "window_id", "priority")
    )


# One open ticket more under NEW's key, one fewer under OLD's.
def _add(row: str, where: str = "") -> str:
    return (
        f"INSERT INTO {TALLY} ({KEY}, n) SELECT {_key(row)}, 1 {where} "
        f"ON CONFLICT ({KEY}) DO UPDATE SET n = {TALLY}.n + 1"
    )


def _take(row: str) -> str:
    return f"UPDATE {TALLY} SET n = n - 1 WHERE {_where(row)}"


SQLITE = [
    f"""CREATE TRIGGER queueing_ticket_tally_insert AFTER INSERT ON queueing_ticket
    WHEN NEW.status IN {OPEN}
    BEGIN {_add("NEW", "WHERE true")}; END""",
    f"""CREATE TRIGGER queueing_ticket_tally_update
    AFTER UPDATE OF office_id, day, status, service_id, window_id, priority ON queueing_ticket
    WHEN (OLD.status IN {OPEN} OR NEW.status IN {OPEN}) AND ({_changed("IS NOT")})
    BEGIN
        {_take("OLD")} AND OLD.status IN {OPEN};
        {_add("NEW", f"WHERE NEW.status IN {OPEN}")};
    END""",
    f"""CREATE TRIGGER queueing_ticket_tally_delete AFTER DELETE ON queueing_ticket
    WHEN OLD.status IN {OPEN}
    BEGIN {_take("OLD")}; END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS queueing_ticket_tally_insert",
    "DROP TRIGGER IF EXISTS queueing_ticket_tally_update",
    "DROP TRIGGER IF EXISTS queueing_ticket_tally_delete",
]

POSTGRESQL = [
    f"""CREATE FUNCTION queueing_ticket_tally() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NOT ({_changed()}) THEN
            RETURN NULL;
        END IF;
        IF TG_OP <> 'INSERT' AND OLD.status IN {OPEN} THEN
            {_take("OLD")};
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.status IN {OPEN} THEN
            {_add("NEW")};
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER queueing_ticket_tally
    AFTER INSERT OR UPDATE OF office_id, day, status, service_id, window_id, priority OR DELETE
    ON queueing_ticket FOR EACH ROW EXECUTE FUNCTION queueing_ticket_tally()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS queueing_ticket_tally ON queueing_ticket",
    "DROP FUNCTION IF EXISTS queueing_ticket_tally()",
]

FILL = (
    f"INSERT INTO {TALLY} ({KEY}, n) "
    "SELECT office_id, day, status, service_id, COALESCE(window_id, 0), priority, COUNT(*) "
    f"FROM queueing_ticket WHERE status IN {OPEN} "
    "GROUP BY office_id, day, status, service_id, COALESCE(window_id, 0), priority"
)


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0006_ticket_partial_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="QueueTally",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "office_id",
                        "day",
                        "status",
                        "service_id",
                        "window_id",
                        "priority",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("office_id", models.IntegerField()),
                ("day", models.DateField()),
                ("status", models.CharField(max_length=12)),
                ("service_id", models.IntegerField()),
                ("window_id", models.IntegerField()),
                ("priority", models.CharField(max_length=12)),
                ("n", models.IntegerField()),
            ],
        ),
        sql_by_database(
            {"postgresql": [*POSTGRESQL, FILL], "sqlite": [*SQLITE, FILL]},
            {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP},
        ),
    ]
