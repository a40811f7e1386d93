"""Plain statements for the rows written many times a second: one INSERT for a new model
instance (a ticket, the audit record), one UPDATE ... RETURNING for a counter
(the day's ticket numbers, the audit head), and on PostgreSQL the two in one statement
(`insert_after_update`: the next number and the row that takes it, in one round trip),
to which `insert_after_update_with` adds what the caller does with the new row (the audit
event of a new ticket: `audit.insert_recorded`).

`insert(obj)` stores what `obj.save()` would store for a new row: every concrete field
but an automatic primary key, through the field's own `pre_save` and
`get_db_prep_save`, so defaults, `auto_now_add` and the database's conversions apply as
they do for `save()`; a string, number or key that the field would pass on unchanged
is passed on without the calls. What it leaves out is the query compiler, which costs
more than the statement itself on these paths, and the model signals: use it only for
models nothing listens to (tests/test_rows.py holds the models it is used for to that).
`insert_values_after_update(model, values, ...)` stores the same from a dict, without
making the instance (Django's `Model.__init__` and its signals cost an audit event as much
as its statements).

`reader(model, ...)` goes the other way, for a row read many times a second (the user of an
API token): the columns to select and a function making the instance from a row of them,
each value through the field's converters as a query would pass it, with the converters
found once and not at every row.
"""

import datetime
from collections.abc import Callable, Sequence
from typing import TypeAlias

from django.db import connection, models

# Fields whose value Django hands to the database unchanged when it already has the
# Python type named here (their `get_prep_value` returns such a value as it is, and they
# keep `Field.pre_save`, which reads the attribute). Any other value, and every other
# field, goes through the field's own `pre_save` and `get_db_prep_save`.
_PLAIN: dict[type[models.Field], type] = {
    models.CharField: str,
    models.TextField: str,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.BooleanField: bool,
    models.FloatField: float,
}


def _plain_type(field: models.Field) -> type | None:
    if isinstance(field, models.ForeignKey):
        target = field.target_field
        return int if isinstance(target, models.AutoField) else None
    if type(field) in (models.DateTimeField, models.DateField):
        # Their pre_save only differs with auto_now or auto_now_add.
        automatic = field.auto_now or field.auto_now_add
        return None if automatic else type(field)
    kind = _PLAIN.get(type(field))
    if kind is None or type(field).pre_save is not models.Field.pre_save:
        return None
    return kind


_NOT_PLAIN = object()


def _instance_of(kind: type) -> Callable:
    def convert(value, _ops):
        return value if value is None or isinstance(value, kind) else _NOT_PLAIN

    return convert


def _exactly(kind: type, adapt: Callable, *, aware: bool = False) -> Callable:
    """A value of exactly `kind` (an aware one, for datetimes) goes to the database
    through `adapt(ops, value)`, given the connection's operations; a subclass (a bool for
    an int) through the field."""

    def convert(value, ops):
        if value is None:
            return None
        if type(value) is kind and (not aware or getattr(value, "tzinfo", None) is not None):
            return adapt(ops, value)
        return _NOT_PLAIN

    return convert


def _unchanged(_ops, value):
    return value


def _converter(field: models.Field) -> Callable | None:
    """For a field whose value Django hands to the database unchanged when it has the
    plain type (or only adapts a date or an aware datetime): a function from the value and
    the connection's operations to what the database takes, `_NOT_PLAIN` when the field
    must convert it. None for any other field."""
    plain = _plain_type(field)
    if plain is None:
        return None
    if plain is models.DateTimeField:
        return _exactly(
            datetime.datetime,
            lambda ops, value: ops.adapt_datetimefield_value(value),
            aware=True,
        )
    if plain is models.DateField:
        return _exactly(datetime.date, lambda ops, value: ops.adapt_datefield_value(value))
    if plain is int:
        return _exactly(int, _unchanged)
    return _instance_of(plain)


# Per model: the statement, and for each column its field, attribute and converter.
_statements: dict[type[models.Model], tuple[str, tuple]] = {}


def _statement(model: type[models.Model]) -> tuple[str, tuple]:
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
    columns = tuple((f, f.attname, _converter(f)) for f in fields)
    _statements[model] = (sql, columns)
    return _statements[model]


def _value(obj: models.Model, field: models.Field, attname: str, convert: Callable | None, ops):
    if convert is not None:
        value = convert(getattr(obj, attname), ops)
        if value is not _NOT_PLAIN:
            return value
    return field.get_db_prep_save(field.pre_save(obj, True), connection)


def _given(values: dict, field: models.Field, attname: str, convert: Callable | None, ops):
    value = values[attname] if attname in values else field.get_default()
    if convert is not None:
        converted = convert(value, ops)
        if converted is not _NOT_PLAIN:
            return converted
    elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        raise TypeError(f"{field} sets itself on save: insert an instance instead")
    return field.get_db_prep_save(value, connection)


# A row to store is given as an unsaved model instance or as a dict of attribute values.
Row: TypeAlias = models.Model | dict


def _params(row: Row, columns: tuple, leave_out: tuple[str, ...] = ()) -> list:
    convert = _given if isinstance(row, dict) else _value
    ops = connection.ops  # once a row: the connection is looked up for the thread each time
    return [
        convert(row, field, attname, to_database, ops)
        for field, attname, to_database in columns
        if attname not in leave_out
    ]


def _set(row: Row, attributes: dict) -> None:
    if isinstance(row, dict):
        row.update(attributes)
    else:
        for attname, value in attributes.items():
            setattr(row, attname, value)


def _stored(obj: models.Model, pk) -> models.Model:
    setattr(obj, obj._meta.pk.attname, pk)
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def _insert(model: type[models.Model], row: Row) -> int:
    sql, columns = _statement(model)
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(row, columns))
        return cursor.fetchone()[0]


def insert(obj: models.Model) -> models.Model:
    """Inserts the unsaved `obj` and sets its primary key; returns it."""
    return _stored(obj, _insert(type(obj), obj))


def update_returning(sql: str, params: Sequence, *, create: Callable[[], object]) -> tuple:
    """Runs one statement that returns a row, most often an `UPDATE ... RETURNING`, and
    returns the row, which stays locked (PostgreSQL) or written under the write lock
    (SQLite) until the commit. When the row to update does not exist yet, `create()` makes
    it and the statement runs again."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            create()
            cursor.execute(sql, params)
            row = cursor.fetchone()
    return row


_from_moved: dict[tuple, str] = {}


def _insert_from_moved(model: type[models.Model], taken: tuple[str, ...]) -> tuple[str, tuple]:
    """PostgreSQL: `INSERT ... SELECT ... FROM moved RETURNING <key>, <taken>`, the taken
    columns read from the CTE `moved`, the others given as parameters."""
    _sql, columns = _statement(model)
    key = (model, taken)
    if key not in _from_moved:
        meta = model._meta
        quote = connection.ops.quote_name
        returned = [meta.pk.column, *(meta.get_field(attname).column for attname in taken)]
        # Table and column names from the model; the values go as parameters.
        _from_moved[key] = "INSERT INTO {} ({}) SELECT {} FROM moved RETURNING {}".format(  # noqa: S608
            quote(meta.db_table),
            ", ".join(quote(field.column) for field, _attname, _convert in columns),
            ", ".join(
                f"moved.{quote(attname)}" if attname in taken else "%s"
                for _field, attname, _convert in columns
            ),
            ", ".join(quote(column) for column in returned),
        )
    return _from_moved[key], columns


def _insert_after_update(
    model: type[models.Model],
    row: Row,
    update: str,
    params: Sequence,
    taken: tuple[str, ...],
    create: Callable[[], object],
) -> int:
    """Moves the counter row, sets the attributes in `taken` of `row` from it, inserts
    `row` and returns its primary key: one statement on PostgreSQL, two elsewhere."""
    if connection.vendor != "postgresql":
        _set(row, dict(zip(taken, update_returning(update, params, create=create), strict=True)))
        return _insert(model, row)
    insert_sql, columns = _insert_from_moved(model, taken)
    pk, *moved = update_returning(
        f"WITH moved AS ({update}) {insert_sql}",
        [*params, *_params(row, columns, taken)],
        create=create,
    )
    _set(row, dict(zip(taken, moved, strict=True)))
    return pk


def insert_after_update(
    obj: models.Model,
    update: str,
    params: Sequence,
    *,
    taken: tuple[str, ...],
    create: Callable[[], object],
) -> models.Model:
    """Moves a counter row with `update`, an `UPDATE ... RETURNING` whose columns are
    named after the attributes in `taken`, sets those attributes of `obj` from it and
    inserts `obj`, as `update_returning` and then `insert` would.

    On PostgreSQL the two are one statement, `WITH moved AS (update) INSERT ... SELECT ...
    FROM moved`, and the attributes come back from the inserted row."""
    return _stored(obj, _insert_after_update(type(obj), obj, update, params, taken, create))


def insert_after_update_with(
    obj: models.Model,
    update: str,
    params: Sequence,
    *,
    taken: tuple[str, ...],
    then: str,
    then_params: Sequence,
    create: Callable[[], object],
) -> models.Model:
    """PostgreSQL: `insert_after_update` and what `then` does with the new row, in one
    statement, which outside a transaction is its own: the counter row is locked and let go
    inside the database, with no round trip between.

    The statement is `WITH moved AS (update), stored AS (INSERT ... SELECT ... FROM moved
    RETURNING <key>, <taken>) <then>`: `then` goes on with the WITH list, reads `stored`
    and ends in a query whose row begins with `stored`'s columns (and no row when what it
    does fails: `create()` is then called and the statement run again). Sets the taken
    attributes and the key of `obj`, and returns it."""
    insert_sql, columns = _insert_from_moved(type(obj), taken)
    row = update_returning(
        f"WITH moved AS ({update}), stored AS ({insert_sql}) {then}",
        [*params, *_params(obj, columns, taken), *then_params],
        create=create,
    )
    pk, *moved = row[: 1 + len(taken)]
    _set(obj, dict(zip(taken, moved, strict=True)))
    return _stored(obj, pk)


def insert_values_after_update(
    model: type[models.Model],
    values: dict,
    update: str,
    params: Sequence,
    *,
    taken: tuple[str, ...],
    create: Callable[[], object],
) -> dict:
    """`insert_after_update` for a row given as `values` (attribute name to value, as
    `ticket_id`; a field left out takes its default): returns the row as stored, the
    attributes in `taken` and the primary key (`pk`) included."""
    row = dict(values)
    pk = _insert_after_update(model, row, update, params, taken, create)
    return {**row, "pk": pk}


# Per model, table alias and columns left out: the select list and the row's converters.
_readers: dict[tuple, tuple[str, Callable[[Sequence], models.Model]]] = {}


def reader(
    model: type[models.Model], *, alias: str, leave_out: tuple[str, ...] = ()
) -> tuple[str, Callable[[Sequence], models.Model]]:
    """The columns of `model` but the attributes in `leave_out`, as a select list on the
    table aliased `alias`, and a function making the instance from a row of them, as a
    query would make it; the attributes left out load when something asks for them."""
    key = (model, alias, leave_out, connection.vendor)
    if key not in _readers:
        fields = [f for f in model._meta.concrete_fields if f.attname not in leave_out]
        names = [f.attname for f in fields]
        converters = []  # (position, column, its converters) for the columns that have any
        for i, field in enumerate(fields):
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((i, column, found))

        def make(row: Sequence) -> models.Model:
            values = list(row)
            for i, column, found in converters:
                for convert in found:
                    values[i] = convert(values[i], column, connection)
            return model.from_db(connection.alias, names, values)

        columns = ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in fields)
        _readers[key] = (columns, make)
    return _readers[key]
