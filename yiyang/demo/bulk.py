"""Bulk writes of synthetic rows straight into model tables, bypassing the services on purpose.

This module exists only for the demo seed: the rows it writes are invented, generated already
valid (national IDs with correct check digits, derived birth dates and sexes, areas that match), so
the per-row validation and auditing of `yiyang.elders.services` would only cost time. Columns and
tables come from the models' `_meta`, so a renamed field breaks loudly here rather than silently.

Rows are tuples in the order of the field names given, with values already in database form:
primary keys assigned by the caller (see `next_id`), UUIDs as 32-digit hex, JSON as text and
date-times passed through `db_datetime`. PostgreSQL receives them through COPY, SQLite through
`executemany` on the raw connection (which also keeps Django's DEBUG query log out of the way).
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models

Row = Sequence[Any]


class TableWriter:
    """Inserts rows into one model's table, with explicit primary keys."""

    def __init__(self, model: type[models.Model], field_names: Sequence[str]) -> None:
        meta = model._meta
        self.model = model
        self.table = meta.db_table
        self.columns = [str(meta.get_field(name).column) for name in field_names]  # type: ignore[union-attr]
        self.rows_written = 0
        quote = connection.ops.quote_name
        column_list = ", ".join(quote(c) for c in self.columns)
        if connection.vendor == "postgresql":
            self.sql = f"COPY {quote(self.table)} ({column_list}) FROM STDIN"
        else:
            marker = "?" if connection.vendor == "sqlite" else "%s"
            self.sql = (
                f"INSERT INTO {quote(self.table)} ({column_list}) "  # noqa: S608
                f"VALUES ({', '.join([marker] * len(self.columns))})"
            )

    def write(self, rows: Sequence[Row]) -> None:
        if not rows:
            return
        connection.ensure_connection()
        raw: Any = connection.connection
        if connection.vendor == "postgresql":
            with raw.cursor() as cursor, cursor.copy(self.sql) as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row)
        elif connection.vendor == "sqlite":
            raw.executemany(self.sql, rows)
        else:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, rows)
        self.rows_written += len(rows)


def next_id(model: type[models.Model]) -> int:
    """The first free primary key of `model` (rows are then written with explicit keys)."""
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return int(last or 0) + 1


def reset_sequences(models_written: Iterable[type[models.Model]]) -> None:
    """Move the id sequences past the explicit keys written (PostgreSQL; SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_written))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def db_datetime(value: datetime) -> str:
    """An aware date-time as the text the raw writers store for a DateTimeField."""
    if connection.vendor == "sqlite":
        return str(connection.ops.adapt_datetimefield_value(value))  # UTC, without offset
    return value.isoformat(sep=" ")  # with its offset: COPY reads it into timestamptz


def tune_session_for_bulk_load() -> None:
    """Per-connection settings that make a large load faster; nothing persists past the session."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB of page cache for index inserts
        elif connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET maintenance_work_mem = '512MB'")


def _plain_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes that back no constraint and are not unique."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
            return [(name, sql) for name, sql in cursor.fetchall() if not sql.upper().startswith("CREATE UNIQUE")]
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                SELECT i.relname, pg_get_indexdef(i.oid)
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                """,
                [connection.ops.quote_name(table)],
            )
            return list(cursor.fetchall())
    return []


def _foreign_keys(table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's foreign-key constraints (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'f' ORDER BY conname",
            [connection.ops.quote_name(table)],
        )
        return list(cursor.fetchall())


def _run_pending_checks(cursor: Any) -> None:
    """Run the foreign-key checks queued for the commit now: PostgreSQL refuses to alter or index
    a table with pending trigger events."""
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def deferred_indexes(
    *,
    indexes_of: Sequence[type[models.Model]],
    foreign_keys_of: Sequence[type[models.Model]] = (),
    enabled: bool,
) -> Iterator[int]:
    """Drop the plain indexes of `indexes_of` (and, on PostgreSQL, the foreign keys of
    `foreign_keys_of`) for the duration of a load, then rebuild them.

    Building an index once over all rows is far cheaper than a million random inserts into it, and
    re-adding a foreign key checks every row in one join instead of one lookup per inserted row;
    pg_restore loads the same way. Must run inside the load's transaction: the DDL is transactional
    on PostgreSQL and SQLite, so a failed load gets its indexes and keys back with the rollback.
    Unique indexes stay (they guard the data). Yields how many indexes and keys were deferred.
    """
    if not enabled or connection.vendor not in ("sqlite", "postgresql"):
        yield 0
        return
    assert connection.in_atomic_block, "deferred_indexes must run inside a transaction"
    quote = connection.ops.quote_name
    indexes: list[str] = []
    keys: list[tuple[str, str, str]] = []  # table, name, definition
    with connection.cursor() as cursor:
        _run_pending_checks(cursor)
        if connection.vendor == "postgresql":
            for model in foreign_keys_of:
                table = model._meta.db_table
                for name, definition in _foreign_keys(table):
                    cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                    keys.append((table, name, definition))
        for model in indexes_of:
            for name, create_sql in _plain_indexes(model._meta.db_table):
                cursor.execute(f"DROP INDEX {quote(name)}")
                indexes.append(create_sql)
    yield len(indexes) + len(keys)
    with connection.cursor() as cursor:
        _run_pending_checks(cursor)
        for create_sql in indexes:
            cursor.execute(create_sql)
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
