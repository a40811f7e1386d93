"""Plain statements for the rows written many times a second: one INSERT for a new model
instance (a ticket, its event, the audit record), one UPDATE ... RETURNING for a counter
(the day's ticket numbers, the audit head).

`insert(obj)` stores what `obj.save()` would store for a new row: every concrete field
but an automatic primary key, through the field's own `pre_save` and
`get_db_prep_save`, so defaults, `auto_now_add` and the database's conversions apply as
they do for `save()`. What it leaves out is the query compiler, which costs more than
the statement itself on these paths, and the model signals: use it only for models
nothing listens to (tests/test_rows.py holds the models it is used for to that).
"""

from collections.abc import Callable, Sequence

from django.db import connection, models

_statements: dict[type[models.Model], tuple[str, tuple[models.Field, ...], str]] = {}


def _statement(model: type[models.Model]) -> tuple[str, tuple[models.Field, ...], str]:
    if model in _statements:
        return _statements[model]
    meta = model._meta
    fields = tuple(
        f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))
    )
    quote = connection.ops.quote_name
    # Table and column names from the model, quoted; the values go as parameters.
    sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(  # noqa: S608
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        quote(meta.pk.column),
    )
    _statements[model] = (sql, fields, meta.pk.attname)
    return _statements[model]


def insert(obj: models.Model) -> models.Model:
    """Inserts the unsaved `obj` and sets its primary key; returns it."""
    model = type(obj)
    sql, fields, pk_name = _statement(model)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        setattr(obj, pk_name, cursor.fetchone()[0])
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def update_returning(sql: str, params: Sequence, *, create: Callable[[], object]) -> tuple:
    """Runs one `UPDATE ... RETURNING` and returns its row, which stays locked (PostgreSQL)
    or written under the write lock (SQLite) until the commit. When the row does not exist
    yet, `create()` makes it and the update runs again."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            create()
            cursor.execute(sql, params)
            row = cursor.fetchone()
    return row
