"""Application.revision: a number that grows whenever the application or anything shown
with it changes (its history, documents, steps done, and its parts for a life situation),
kept by triggers so that no write, through the ORM or not, can leave it behind. The
answer to a status look-up is kept by each process under it (onestop/answers.py)."""

from django.db import migrations, models

from onestop.migrating import sql_by_database

# The tables whose rows are shown with their application, by application_id.
SHOWN_WITH = ("cases_statuschange", "cases_document", "cases_steprecord")


def _bump(column: str) -> str:
    return f"UPDATE cases_application SET revision = revision + 1 WHERE id = {column}"


POSTGRESQL = [
    """CREATE FUNCTION cases_application_revised() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.revision := OLD.revision + 1;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER cases_application_revised BEFORE UPDATE ON cases_application
    FOR EACH ROW EXECUTE FUNCTION cases_application_revised()""",
    # A part of a life situation changes its parent's answer too.
    f"""CREATE FUNCTION cases_application_part_revised() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'DELETE' AND NEW.parent_id IS NOT NULL THEN
            {_bump("NEW.parent_id")};
        END IF;
        IF TG_OP <> 'INSERT' AND OLD.parent_id IS NOT NULL
                AND OLD.parent_id IS DISTINCT FROM NEW.parent_id THEN
            {_bump("OLD.parent_id")};
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER cases_application_part_revised
    AFTER INSERT OR UPDATE OR DELETE ON cases_application
    FOR EACH ROW EXECUTE FUNCTION cases_application_part_revised()""",
    f"""CREATE FUNCTION cases_application_shown_revised() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'DELETE' THEN
            {_bump("NEW.application_id")};
        END IF;
        IF TG_OP = 'DELETE' OR OLD.application_id IS DISTINCT FROM NEW.application_id THEN
            {_bump("OLD.application_id")};
        END IF;
        RETURN NULL;
    END $$""",
    *(
        f"""CREATE TRIGGER {table}_revised AFTER INSERT OR UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION cases_application_shown_revised()"""
        for table in SHOWN_WITH
    ),
]
POSTGRESQL_DROP = [
    *(f"DROP TRIGGER IF EXISTS {table}_revised ON {table}" for table in SHOWN_WITH),
    "DROP TRIGGER IF EXISTS cases_application_part_revised ON cases_application",
    "DROP TRIGGER IF EXISTS cases_application_revised ON cases_application",
    "DROP FUNCTION IF EXISTS cases_application_shown_revised()",
    "DROP FUNCTION IF EXISTS cases_application_part_revised()",
    "DROP FUNCTION IF EXISTS cases_application_revised()",
]

# SQLite has no BEFORE trigger that can change the row: an update that did not move the
# revision on (the ORM writes back the one it read) moves it after. (A trigger does not
# fire itself again, and the WHEN stops it anyway.)
SQLITE = [
    """CREATE TRIGGER cases_application_revised AFTER UPDATE ON cases_application
    WHEN NEW.revision <= OLD.revision
    BEGIN UPDATE cases_application SET revision = OLD.revision + 1 WHERE id = NEW.id; END""",
    f"""CREATE TRIGGER cases_application_part_insert AFTER INSERT ON cases_application
    WHEN NEW.parent_id IS NOT NULL
    BEGIN {_bump("NEW.parent_id")}; END""",
    f"""CREATE TRIGGER cases_application_part_update AFTER UPDATE ON cases_application
    WHEN NEW.parent_id IS NOT NULL OR OLD.parent_id IS NOT NULL
    BEGIN
        {_bump("NEW.parent_id")};
        {_bump("OLD.parent_id")} AND OLD.parent_id IS NOT NEW.parent_id;
    END""",
    f"""CREATE TRIGGER cases_application_part_delete AFTER DELETE ON cases_application
    WHEN OLD.parent_id IS NOT NULL
    BEGIN {_bump("OLD.parent_id")}; END""",
]
for _table in SHOWN_WITH:
    SQLITE += [
        f"""CREATE TRIGGER {_table}_inserted AFTER INSERT ON {_table}
        BEGIN {_bump("NEW.application_id")}; END""",
        f"""CREATE TRIGGER {_table}_updated AFTER UPDATE ON {_table}
        BEGIN {_bump("NEW.application_id")};
        {_bump("OLD.application_id")} AND OLD.application_id IS NOT NEW.application_id; END""",
        f"""CREATE TRIGGER {_table}_deleted AFTER DELETE ON {_table}
        BEGIN {_bump("OLD.application_id")}; END""",
    ]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {statement.split()[2]}" for statement in SQLITE
]


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_document_standard_document"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="revision",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        sql_by_database(
            {"postgresql": POSTGRESQL, "sqlite": SQLITE},
            {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP},
        ),
    ]
