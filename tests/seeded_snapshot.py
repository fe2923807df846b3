"""The seeded catalog, built once per test run and written back wherever a test needs it.

Loading the seeds goes through every write path (validation, history, the search index)
and takes seconds; dozens of tests and every browser test start from the seeded catalog.
So each test process loads the seeds once, for real, and keeps the rows that load added
to every table; a test that needs the catalog gets those rows written back with plain
INSERTs (COPY on PostgreSQL), which takes milliseconds. Tests of the seeding itself
(`tests/test_seeds.py`) still call `load_seeds()`, and one of them checks that a real
load holds exactly what the snapshot writes back.

Only rows are copied: the database's own machinery runs as for any insert, so SQLite's
full-text triggers fill its index and PostgreSQL computes its generated search vectors.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction


@dataclass(frozen=True)
class TableRows:
    table: str
    columns: tuple[str, ...]
    rows: tuple  # tuples of values on SQLite, lines of COPY text on PostgreSQL


def tables() -> list[str]:
    """Every table: Django's and those the search backends make themselves.

    Not SQLite's full-text index (a virtual table and its shadow tables): its triggers
    fill it from the documents as the rows are written back. Nor SQLite's own tables
    (the planner's statistics, which the load's ANALYZE writes): they are not the catalog.
    """
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if connection.vendor == "sqlite":
            tables = [t for t in tables if not t.startswith("sqlite_")]
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
            )
            virtual = [name for (name,) in cursor.fetchall()]
            tables = [t for t in tables if not any(t.startswith(v) for v in virtual)]
    return sorted(tables)


def _writable_columns(cursor, table: str) -> tuple[str, ...]:
    """The columns an INSERT may name: not PostgreSQL's generated ones."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s "
            "AND is_generated = 'NEVER' ORDER BY ordinal_position",
            [table],
        )
        return tuple(name for (name,) in cursor.fetchall())
    cursor.execute(f"PRAGMA table_info({connection.ops.quote_name(table)})")
    return tuple(row[1] for row in cursor.fetchall())


def _read(cursor, table: str, columns: tuple[str, ...]) -> tuple:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    name = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {name} ({quoted}) TO STDOUT") as copy:
            data = b"".join(bytes(block) for block in copy)
        return tuple(data.splitlines(keepends=True))
    cursor.execute(f"SELECT {quoted} FROM {name}")  # noqa: S608 (names from introspection)
    return tuple(cursor.fetchall())


def _state() -> dict[str, TableRows]:
    with connection.cursor() as cursor:
        state = {}
        for table in tables():
            columns = _writable_columns(cursor, table)
            state[table] = TableRows(table, columns, _read(cursor, table, columns))
        return state


def capture(load) -> list[TableRows]:
    """Run `load` and return the rows it added, table by table. It must only add rows."""
    before = _state()
    load()
    after = _state()
    added = []
    for table, now in after.items():
        old_rows = set(before[table].rows)
        if old_rows - set(now.rows):
            raise AssertionError(f"Loading the seeds changed or removed rows of {table}.")
        new = tuple(row for row in now.rows if row not in old_rows)
        if new:
            added.append(TableRows(table, now.columns, new))
    return added


def restore(snapshot: list[TableRows]) -> None:
    """Write the captured rows back, in one transaction, and move id sequences past them."""
    django_tables = set(connection.introspection.django_table_names())
    with transaction.atomic(), connection.cursor() as cursor:
        for part in snapshot:
            if part.table not in django_tables:
                # A table a search backend keeps itself (the vocabulary): Django's flush
                # after a browser test leaves it as it was, so it starts afresh here.
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(part.table)}")  # noqa: S608
            quoted = ", ".join(connection.ops.quote_name(c) for c in part.columns)
            name = connection.ops.quote_name(part.table)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                    for line in part.rows:
                        copy.write(line)
            else:
                marks = ", ".join(["%s"] * len(part.columns))
                cursor.executemany(
                    f"INSERT INTO {name} ({quoted}) VALUES ({marks})",  # noqa: S608
                    list(part.rows),
                )
        if connection.vendor == "postgresql":
            restored = {part.table for part in snapshot}
            models = [
                m
                for m in apps.get_models(include_auto_created=True)
                if m._meta.db_table in restored
            ]
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
