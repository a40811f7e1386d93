"""PostgreSQL: the queue tally counts a new ticket before the row is inserted, not after
the statement (0007). A ticket is now issued in one statement that also moves the audit
head (ADR 7), and an AFTER trigger fires at the end of the statement, once the head is
taken: the tally's rows would be locked after the head, against the lock order of
queueing.services, and could deadlock with a call-next that holds them and waits for
the head. A BEFORE INSERT trigger locks them when the ticket is written, before the head.
SQLite (one writer at a time) keeps its triggers."""

import importlib

from django.db import migrations

from onestop.migrating import sql_by_database

tally = importlib.import_module("onestop.queueing.migrations.0007_queue_tally")

OPEN = tally.OPEN

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION queueing_ticket_tally() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF NEW.status IN {OPEN} THEN
                {tally._add("NEW")};
            END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'UPDATE' AND NOT ({tally._changed()}) THEN
            RETURN NULL;
        END IF;
        IF OLD.status IN {OPEN} THEN
            {tally._take("OLD")};
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.status IN {OPEN} THEN
            {tally._add("NEW")};
        END IF;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER IF EXISTS queueing_ticket_tally ON queueing_ticket",
    """CREATE TRIGGER queueing_ticket_tally_insert BEFORE INSERT ON queueing_ticket
    FOR EACH ROW EXECUTE FUNCTION queueing_ticket_tally()""",
    """CREATE TRIGGER queueing_ticket_tally
    AFTER UPDATE OF office_id, day, status, service_id, window_id, priority OR DELETE
    ON queueing_ticket FOR EACH ROW EXECUTE FUNCTION queueing_ticket_tally()""",
]
POSTGRESQL_BACK = [
    "DROP TRIGGER IF EXISTS queueing_ticket_tally_insert ON queueing_ticket",
    *tally.POSTGRESQL_DROP,
    *tally.POSTGRESQL,
]


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0010_ticket_history_in_audit_trail"),
    ]

    operations = [sql_by_database({"postgresql": POSTGRESQL}, {"postgresql": POSTGRESQL_BACK})]
