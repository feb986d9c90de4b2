"""The read path: a record with its child collections, as the JSON value an RPC answers with,
built by the database in one statement.

Reading an aggregate through the ORM costs a statement per child collection, an ORM object per
row and a view function walking them (``partners.get`` ran ten statements and spent most of
its time in SQLAlchemy: README, "Performance"). Here a view is declared once as SQL::

    PARTNER = reads.record(
        id=Partner.id, short_name=Partner.short_name, created_at=Partner.created_at,
        phones=reads.rows(select(reads.record(number=Phone.number, kind=Phone.kind))
                          .where(Phone.partner_id == Partner.id), order_by=[Phone.id]),
        kinds=reads.values(PartnerKind.kind, PartnerKind.partner_id == Partner.id, order_by=[PartnerKind.kind]),
        properties=reads.mapping(Property.key, Property.value, Property.partner_id == Partner.id),
    )
    view = reads.one(session, select(PARTNER).where(Partner.id == partner_id, PARTNERS.visible(actor)))

(a subquery inside a record that refers to the parent says so: ``.correlate(Partner)``),
and the database hands back the finished document: PostgreSQL's ``json_build_object`` /
``json_agg`` (SQLite's ``json_object`` / ``json_group_array`` for the embedded default), decoded
once by the driver. Nothing is built per row in Python.

Values read the way the services' Python views write them (:mod:`crm_kit.views`), whatever the
database: ids as canonical UUID text, times as ISO text with their offset in UTC (the session's
time zone is UTC: :func:`crm_kit.db.make_engine`), microseconds only when there are some (as
``datetime.isoformat``), dates as ISO text, decimals as text with the column's scale, JSON
columns as JSON, booleans as ``true``/``false``. The column's type says which, so a view lists
columns and never converts. ``tests/unit/kit/test_reads.py`` holds both dialects to what the
Python views write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Numeric,
    Select,
    Text,
    TypeDecorator,
    Uuid,
    bindparam,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql import psycopg2 as postgresql_psycopg2
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

__all__ = ["record", "rows", "values", "mapping", "field", "parameter", "member", "in_subquery", "Prepared", "one",
           "all_of", "document"]


class _JsonFunction(FunctionElement):
    """A JSON-building SQL function whose name depends on the dialect."""

    type = JSON()
    inherit_cache = True


class _Object(_JsonFunction):
    name = "crm_json_object"
    inherit_cache = True


class _Either(_JsonFunction):
    """One of two forms of the same subquery: ``(postgresql, sqlite)``."""

    name = "crm_json_either"
    inherit_cache = True


class _Text(FunctionElement):
    """A column's value as the text the Python views write of it: an id, a time, a decimal
    (``kind``, which the column's type decides, so the cache key of the column covers it)."""

    name = "crm_json_text"
    inherit_cache = True

    def __init__(self, column: Any, kind: str):
        self.kind = kind
        super().__init__(column)


class _Embedded(FunctionElement):
    """A JSON column or a boolean, embedded as JSON (not as a string)."""

    name = "crm_json_embedded"
    inherit_cache = True


# --- PostgreSQL -----------------------------------------------------------------------------
@compiles(_Object, "postgresql")
@compiles(_Object)  # str(statement) reads as PostgreSQL
def _pg_object(element, compiler, **kw):
    return f"json_build_object({compiler.process(element.clauses, **kw)})"


@compiles(_Either, "postgresql")
@compiles(_Either)  # str(statement) reads as PostgreSQL
def _pg_either(element, compiler, **kw):
    return compiler.process(element.clauses.clauses[0], **kw)


@compiles(_Text, "postgresql")
@compiles(_Text)  # str(statement) reads as PostgreSQL
def _pg_text(element, compiler, **kw):
    sql = compiler.process(element.clauses, **kw)
    if element.kind != "time":
        return f"CAST({sql} AS TEXT)"
    # What datetime.isoformat() writes of an aware UTC time: microseconds only when not 0.
    return (
        f"(to_char({sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') "
        f"|| CASE WHEN date_trunc('second', {sql}) = {sql} THEN '' "
        f"ELSE to_char({sql} AT TIME ZONE 'UTC', '.US') END || '+00:00')"
    )


@compiles(_Embedded, "postgresql")
@compiles(_Embedded)  # str(statement) reads as PostgreSQL
def _pg_embedded(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


# --- SQLite (the embedded default of `make run`) --------------------------------------------
@compiles(_Object, "sqlite")
def _sqlite_object(element, compiler, **kw):
    return f"json_object({compiler.process(element.clauses, **kw)})"


@compiles(_Either, "sqlite")
def _sqlite_either(element, compiler, **kw):
    return compiler.process(element.clauses.clauses[1], **kw)


@compiles(_Text, "sqlite")
def _sqlite_text(element, compiler, **kw):
    sql = compiler.process(element.clauses, **kw)
    if element.kind == "id":
        # SQLAlchemy keeps a UUID as 32 hex digits on SQLite.
        return (
            f"lower(substr({sql}, 1, 8) || '-' || substr({sql}, 9, 4) || '-' || substr({sql}, 13, 4)"
            f" || '-' || substr({sql}, 17, 4) || '-' || substr({sql}, 21, 12))"
        )
    if element.kind.startswith("decimal"):
        scale = int(element.kind.partition(":")[2] or 0)
        return f"(CASE WHEN {sql} IS NULL THEN NULL ELSE printf('%.{scale}f', {sql}) END)"
    # SQLAlchemy keeps a time as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC) on SQLite.
    return (
        f"(replace(substr({sql}, 1, 19), ' ', 'T') "
        f"|| CASE WHEN coalesce(substr({sql}, 21, 6), '') IN ('', '000000') THEN '' "
        f"ELSE '.' || substr({sql}, 21, 6) END || '+00:00')"
    )


@compiles(_Embedded, "sqlite")
def _sqlite_embedded(element, compiler, **kw):
    (column,) = element.clauses
    sql = compiler.process(column, **kw)
    if isinstance(column.type, Boolean):
        return f"(CASE WHEN {sql} IS NULL THEN NULL WHEN {sql} THEN json('true') ELSE json('false') END)"
    return f"json({sql})"


# --- declaring a view -------------------------------------------------------------------------
def _literal(value: str) -> ColumnElement:
    return literal_column("'" + value.replace("'", "''") + "'")


def field(value: Any) -> ColumnElement:
    """``value`` (a column or expression) as the JSON the Python views would write of it."""
    if isinstance(value, _JsonFunction):
        return value
    type_ = getattr(value, "type", None)
    if isinstance(type_, Uuid):
        return _Text(value, "id")
    if isinstance(type_, DateTime):
        return _Text(value, "time")
    if isinstance(type_, Numeric) and type_.asdecimal:
        return _Text(value, f"decimal:{type_.scale or 0}")
    if isinstance(type_, (JSON, Boolean)):
        return _Embedded(value)
    return value  # text, numbers, dates (ISO text on both databases)


def record(**fields: Any) -> ColumnElement:
    """A JSON object of these fields, in this order (a column, an expression, or a nested
    :func:`record`, :func:`rows`, :func:`values`, :func:`mapping`)."""
    arguments: list[Any] = []
    for name, value in fields.items():
        arguments.append(_literal(name))
        arguments.append(field(value))
    return _Object(*arguments)


def _agg(function, column, order_by):
    return function(aggregate_order_by(column, *order_by)) if order_by else function(column)


def _aggregate(statement: Select, pg_aggregate, sqlite_aggregate, order_by: Sequence[Any], limit: int | None = None):
    """``statement`` (one or two columns, correlated with the parent by its WHERE) folded by
    an aggregate: on PostgreSQL with the order inside the aggregate, on SQLite (before 3.44,
    no ORDER BY in aggregates) and wherever there is a ``limit`` over an ordered subquery
    correlated with the parent, which feeds the aggregate in its order."""
    columns = list(statement.selected_columns)
    # The children's tables are those the order is on; whatever else the statement names
    # (the parent, in its WHERE or a CASE) is the enclosing query's.
    own = list(dict.fromkeys(table for column in order_by for table in column._from_objects))
    labelled = [column.label(f"c{i}") for i, column in enumerate(columns)]

    def ordered(limit: int | None) -> list[Any]:
        inner = statement.with_only_columns(*labelled).order_by(*order_by).limit(limit).correlate_except(*own).subquery()
        return [inner.c[f"c{i}"] for i in range(len(columns))]

    if limit is None:
        postgres = statement.with_only_columns(pg_aggregate(columns, order_by)).scalar_subquery()
    else:
        postgres = select(pg_aggregate(ordered(limit), ())).scalar_subquery()
    # SQLite drops the ORDER BY of a FROM subquery that has no LIMIT (its omit-ORDER-BY
    # optimisation): LIMIT -1 (no limit) keeps it.
    embedded = select(sqlite_aggregate(ordered(-1 if limit is None else limit))).scalar_subquery()
    return _Either(postgres, embedded)


def _json_array(columns, order_by):
    return func.coalesce(_agg(func.json_agg, columns[0], order_by), literal_column("'[]'::json"))


def rows(statement: Select, *, order_by: Sequence[Any], limit: int | None = None) -> ColumnElement:
    """The JSON array of the single :func:`record` (or :func:`field`) ``statement`` selects,
    correlated with the parent by its WHERE (``.where(Child.parent_id == Parent.id)``), in
    ``order_by`` order (columns of the child's table), the first ``limit`` of them; ``[]``
    when there is none."""
    return _aggregate(statement, _json_array, lambda cols: func.json_group_array(func.json(cols[0])), order_by, limit)


def values(column: Any, *where: Any, order_by: Sequence[Any]) -> ColumnElement:
    """The JSON array of one column's values of the rows ``where`` picks, in ``order_by`` order."""
    return _aggregate(select(field(column)).where(*where), _json_array, lambda cols: func.json_group_array(cols[0]), order_by)


def mapping(key: Any, value: Any, *where: Any) -> ColumnElement:
    """A JSON object of ``key: value`` of the rows ``where`` picks (``{}`` when none)."""
    return _aggregate(
        select(key, field(value)).where(*where),
        lambda cols, order: func.coalesce(
            func.json_object_agg(cols[0], aggregate_order_by(cols[1], *order)), literal_column("'{}'::json")
        ),
        lambda cols: func.json_group_object(cols[0], cols[1]),
        [key],
    )


# --- parameters and execution ----------------------------------------------------------------
class _TextList(TypeDecorator):
    """A list of text values as one parameter: an array on PostgreSQL, JSON text on SQLite."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return json.dumps(list(value)) if dialect.name != "postgresql" else list(value)


class _Member(ColumnElement):
    """``column`` is one of the values of the list parameter ``name``."""

    inherit_cache = True
    type = Boolean()

    def __init__(self, column: Any, name: str):
        self.column = column
        self.parameter = bindparam(name, type_=_TextList())

    _traverse_internals = [("column", InternalTraversal.dp_clauseelement), ("parameter", InternalTraversal.dp_clauseelement)]


@compiles(_Member, "postgresql")
@compiles(_Member)
def _pg_member(element, compiler, **kw):
    return f"{compiler.process(element.column, **kw)} = ANY(CAST({compiler.process(element.parameter, **kw)} AS TEXT[]))"


@compiles(_Member, "sqlite")
def _sqlite_member(element, compiler, **kw):
    return f"{compiler.process(element.column, **kw)} IN (SELECT value FROM json_each({compiler.process(element.parameter, **kw)}))"


class _InSubquery(ColumnElement):
    """``column`` is among the values of a one-column subquery."""

    inherit_cache = True
    type = Boolean()

    def __init__(self, column: Any, subquery: Select):
        self.column = column
        self.subquery = subquery.scalar_subquery()

    _traverse_internals = [("column", InternalTraversal.dp_clauseelement), ("subquery", InternalTraversal.dp_clauseelement)]


@compiles(_InSubquery, "postgresql")
@compiles(_InSubquery)
def _pg_in_subquery(element, compiler, **kw):
    # = ANY(ARRAY(...)): the subquery runs once and the column's index is used; PostgreSQL
    # plans an IN (correlated subquery) inside an OR as a filter over the whole table.
    return f"{compiler.process(element.column, **kw)} = ANY(ARRAY({compiler.process(element.subquery.element, **kw)}))"


@compiles(_InSubquery, "sqlite")
def _sqlite_in_subquery(element, compiler, **kw):
    return f"{compiler.process(element.column, **kw)} IN ({compiler.process(element.subquery.element, **kw)})"


def in_subquery(column: Any, subquery: Select) -> ColumnElement[bool]:
    """``column IN (subquery)`` that PostgreSQL answers through the column's index even inside
    an OR (written ``= ANY(ARRAY(subquery))`` there)."""
    return _InSubquery(column, subquery)


def member(column: Any, name: str) -> ColumnElement[bool]:
    """``column`` is in the list given as parameter ``name`` (one statement for any length,
    unlike ``IN (...)``, so that it can be prepared)."""
    return _Member(column, name)


class _Parameter(ColumnElement):
    """A named parameter, cast to its type on PostgreSQL (a prepared statement must know every
    parameter's type); as it is on SQLite, where a CAST would change it (a date to a number)."""

    inherit_cache = True

    def __init__(self, name: str, type_: Any):
        self.type = type_() if isinstance(type_, type) else type_
        self.bind = bindparam(name, type_=self.type)

    _traverse_internals = [("bind", InternalTraversal.dp_clauseelement)]


@compiles(_Parameter, "postgresql")
@compiles(_Parameter)
def _pg_parameter(element, compiler, **kw):
    return compiler.process(cast(element.bind, element.type), **kw)


@compiles(_Parameter, "sqlite")
def _sqlite_parameter(element, compiler, **kw):
    return compiler.process(element.bind, **kw)


def parameter(name: str, type_: Any = Text) -> ColumnElement:
    """The named parameter, typed in the SQL (a prepared statement must know every type)."""
    return _Parameter(name, type_)


_NUMBERED = postgresql_psycopg2.dialect(paramstyle="numeric_dollar")


class Prepared:
    """A statement the database parses and plans once per connection, then only executes.

    Parsing and planning a document's statement (a dozen correlated subqueries) costs
    PostgreSQL about 1 ms; executing it 0.3 ms (README, "Performance"). On PostgreSQL the
    statement is ``PREPARE``d on each connection the first time it runs there (a prepared
    statement lives as long as its connection and survives a rollback) and run with
    ``EXECUTE``; elsewhere it runs as it is. Parameters are bound by name: every parameter
    of the statement must be given (:func:`parameter`, :func:`member`), and go to the driver
    as they are. Not for a connection pooler in transaction mode (PgBouncer), which does not
    keep a connection's prepared statements.
    """

    def __init__(self, statement: Select):
        self.statement = statement
        compiled = statement.compile(dialect=_NUMBERED)
        self._sql = compiled.string
        self._names = list(compiled.positiontup or ())
        self._defaults = {name: value for name, value in compiled.params.items() if value is not None}
        self.name = "crm_" + hashlib.sha1(self._sql.encode()).hexdigest()[:20]

    def execute(self, connection: Connection, params: dict[str, Any]):
        if connection.dialect.name != "postgresql":
            return connection.execute(self.statement, params)
        prepared = connection.info.setdefault("crm_prepared", set())
        if self.name not in prepared:
            connection.exec_driver_sql(f"PREPARE {self.name} AS {self._sql}")
            prepared.add(self.name)
        values = {**self._defaults, **params}
        try:
            arguments = tuple(values[name] for name in self._names)
        except KeyError as missing:
            raise TypeError(f"prepared statement needs parameter {missing}") from None
        if not arguments:
            return connection.exec_driver_sql(f"EXECUTE {self.name}")
        return connection.exec_driver_sql(f"EXECUTE {self.name}({', '.join(['%s'] * len(arguments))})", arguments)


@contextmanager
def _connection(session: Session) -> Iterator[Connection]:
    """The session's connection when its transaction has begun (a read after a write sees the
    write); otherwise a pooled connection in autocommit for this one statement: a read alone
    pays no BEGIN and no COMMIT round trip (one statement is its own consistent snapshot)."""
    if session.in_transaction():
        yield session.connection()
        return
    with session.get_bind().connect() as connection:
        yield connection.execution_options(isolation_level="AUTOCOMMIT")


def _rows(session: Session, statement: Select | Prepared, params: dict[str, Any]) -> list[Any]:
    with _connection(session) as connection:
        if isinstance(statement, Prepared):
            return list(statement.execute(connection, params))
        return list(connection.execute(statement, params))


def document(value: Any) -> Any:
    """A document column's value as Python (psycopg2 decodes json itself; SQLite hands back
    the text), for a statement that selects a document beside other columns."""
    return json.loads(value) if isinstance(value, str) else value


def one(session: Session, statement: Select | Prepared, **params: Any) -> dict[str, Any] | None:
    """The document the single-column ``statement`` selects, or None when no row matches."""
    rows = _rows(session, statement, params)
    return document(rows[0][0]) if rows else None


def all_of(session: Session, statement: Select | Prepared, **params: Any) -> list[dict[str, Any]]:
    """Every document the single-column ``statement`` selects, in its order."""
    return [document(row[0]) for row in _rows(session, statement, params)]
