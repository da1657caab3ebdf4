"""The few SQL phrases that cannot be one text on SQLite and PostgreSQL, and the two catalogue questions.

Everything else in the store is one statement for both engines: the team database knows SQLite's scalar
max()/min() and total() (tracker.core.store.pg_schema makes them), and the statements use what both accept
(ON CONFLICT, IS [NOT] DISTINCT FROM, CASE inside sum(), aliased subqueries). What is left: SQLite's planner hints
(CROSS JOIN keeps the loop order, INDEXED BY names the index; PostgreSQL plans by statistics), group_concat
(string_agg), and reading a JSON array of values bound as one parameter (json_each).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeGuard

if TYPE_CHECKING:
    from tracker.core.store.table import Connection, TeamConnection


def is_team(conn: Connection) -> TypeGuard[TeamConnection]:
    """Whether `conn` is a team database's connection (PostgreSQL) rather than a file's."""
    return getattr(conn, "engine", "sqlite") == "postgresql"


def cross_join(conn: Connection) -> str:
    """An inner join whose ON follows; on SQLite it also fixes the loop order (left table outside)."""
    return "JOIN" if is_team(conn) else "CROSS JOIN"


def indexed_by(conn: Connection, index: str) -> str:
    """SQLite's hint to read a table through `index` (nothing on PostgreSQL)."""
    return "" if is_team(conn) else f"INDEXED BY {index}"


def group_concat(conn: Connection, expression: str, separator: str = ",", order_by: str | None = None) -> str:
    """The values of `expression` joined with `separator` (ordered by `order_by` where given: SQLite keeps the
    order its scan reads them in, which the callers arrange with INDEXED BY)."""
    if is_team(conn):
        order = f" ORDER BY {order_by}" if order_by else ""
        return f"string_agg(({expression})::text, '{separator}'{order})"
    return f"group_concat({expression}, '{separator}')"


def json_values(conn: Connection, cast: str | None = None) -> str:
    """A subquery of the values of a JSON array bound as one parameter: `x IN ({json_values(conn)})`. `cast`
    ('bigint') types them on PostgreSQL, where an array's elements come out as text."""
    if is_team(conn):
        value = f"value::{cast}" if cast else "value"
        return f"SELECT {value} FROM json_array_elements_text(?::json)"
    return "SELECT value FROM json_each(?)"


def json_pairs(conn: Connection) -> tuple[str, str, str]:
    """(FROM clause, first element, second element) over a JSON array of [int, int] pairs bound as one
    parameter, named j."""
    if is_team(conn):
        return "json_array_elements(?::json) j", "(j.value->>0)::bigint", "(j.value->>1)::bigint"
    return "json_each(?) j", "json_extract(j.value, '$[0]')", "json_extract(j.value, '$[1]')"


def writable_columns(conn: Connection, table: str) -> tuple[str, ...]:
    """The columns of `table` in table order, generated ones left out. On PostgreSQL asked of the catalogue once
    per connection and table (information_schema.columns took ~1 ms, on every undoable action), asked again after
    the connection runs an ALTER, CREATE or DROP (a migration)."""
    if is_team(conn):
        known: dict[str, tuple[str, ...]] = conn.columns_known
        if table not in known:
            rows = conn.execute(
                "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                "WHERE c.relname = ? AND c.relnamespace = current_schema()::regnamespace "
                "AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum",
                (table,),
            )
            known[table] = tuple(row[0] for row in rows)
        return known[table]
    return tuple(row[1] for row in conn.execute(f"PRAGMA table_xinfo({table})") if row[6] == 0)


def foreign_keys(conn: Connection, table: str) -> list[tuple[str, str]]:
    """(parent table, column of `table`) of each single-column foreign key of `table`."""
    if is_team(conn):
        sql = """
            SELECT parent.relname, a.attname
            FROM pg_constraint c
            JOIN pg_class child ON child.oid = c.conrelid
            JOIN pg_class parent ON parent.oid = c.confrelid
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.contype = 'f' AND child.relname = ? AND child.relnamespace = current_schema()::regnamespace
              AND cardinality(c.conkey) = 1
            ORDER BY c.oid
        """
        return [(row[0], row[1]) for row in conn.execute(sql, (table,))]
    return [(row[2], row[3]) for row in conn.execute(f"PRAGMA foreign_key_list({table})")]


def index_definitions(conn: Connection, names: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of these indexes, as the schema holds them."""
    marks = ", ".join("?" for _ in names)
    if is_team(conn):
        where = f"schemaname = current_schema() AND indexname IN ({marks})"
        sql = f"SELECT indexname, indexdef FROM pg_indexes WHERE {where}"
    else:
        sql = f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})"
    return [(row[0], row[1]) for row in conn.execute(sql, names)]


def after_bulk_load(conn: Connection, tables: tuple[str, ...]) -> None:
    """After a whole database was copied in (outside the transaction): PostgreSQL's statistics and visibility map
    made at once, instead of whenever autovacuum comes by — until then the levels' index-only scans read every row
    from the table too (bench_team: levels 2.8x SQLite's before, 0.8x after; 1.4 s at 1M interactions). SQLite
    plans without them."""
    if is_team(conn):
        conn.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")


def ids_follow_max(conn: Connection, table: str) -> None:
    """After rows were written with ids of their own: new rows get ids after the highest (SQLite always does;
    PostgreSQL's identity sequence must be moved on)."""
    if is_team(conn):
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM {table}), "
            "false)"
        )


@contextmanager
def by_index(conn: Connection) -> Iterator[None]:
    """Lookups of keys by an index inside a transaction read the index, not the whole table (SQLite always does).
    PostgreSQL's planner prefers a sequential scan for an IN list of a few hundred keys, with or without
    statistics (a table an import is filling has none, and ANALYZE did not change its mind): at 50k contacts 500
    addresses cost 16 ms that way and 4 ms through the index (bench_team's import of 100k contacts: 3.1 s of
    lookups -> 0.6 s). On PostgreSQL it turns enable_seqscan off for the transaction meanwhile."""
    if not is_team(conn):
        yield
        return
    with conn.index_scans():
        yield


def insert_rows(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert many rows into `table` (inside a transaction): COPY on PostgreSQL, executemany on SQLite."""
    if is_team(conn):
        conn.copy_rows(table, columns, rows)  # nothing sent for no rows
        return
    marks = ", ".join("?" for _ in columns)
    conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
