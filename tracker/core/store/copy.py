"""Copying a whole Tracker database into an empty one, across engines: a file into a team database (moving in,
`tracker share --to`) and a team database into a file (taking the data home, `tracker backup --to`).

Every row of every table is copied with its id, in one write transaction of the target, from one read snapshot
of the source; the counts of both sides are compared per table before the transaction commits, so the target
holds all of it or nothing. Into PostgreSQL the rows go through COPY.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from tracker.core.errors import InvalidInput, StoreError
from tracker.core.store import dialect
from tracker.core.store.table import Connection, is_team_connection

if TYPE_CHECKING:
    from tracker.core.store.store import Store

#: Every table of a Tracker database with data to move, parents before children.
TABLES = ("imports", "contacts", "kinds", "interactions", "follow_ups", "settings", "import_changes", "mail_folders")
#: Tables a new database already fills (built-in kinds, the phone region): replaced by the source's rows.
_PREFILLED = ("kinds", "settings")
#: Tables left as the new database has them: the dashboard's count of changes its stamps cannot show is about that
#: database's own history (a new one starts at 0 and recomputes whole the first time anyway).
NOT_COPIED = ("unstamped_changes",)
#: Rows read and written at a time.
CHUNK = 20_000


def is_empty(store: Store) -> bool:
    """Whether `store` holds nothing but what a new database holds (no contacts, interactions, follow-ups,
    imports, and only the built-in kinds)."""
    for table in ("contacts", "interactions", "follow_ups", "imports", "import_changes", "mail_folders"):
        if store.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
            return False
    return not store.conn.execute("SELECT 1 FROM kinds WHERE builtin = 0 LIMIT 1").fetchone()


def counts(store: Store) -> dict[str, int]:
    """Rows per table."""
    return {table: int(store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) for table in TABLES}


def copy_database(
    source: Store, target: Store, *, progress: Callable[[str, int, int], None] | None = None
) -> dict[str, int]:
    """Copy every row of `source` into `target`, which must be empty (InvalidInput otherwise); returns the rows
    per table, the same on both sides (StoreError, and nothing kept, if they are not). `progress(table, done,
    total)` is called as rows are written."""
    if source.engine == target.engine and source.path is not None and source.path == target.path:
        raise InvalidInput("A database cannot be copied into itself.")
    if source.schema_version() != target.schema_version():
        raise StoreError(
            f"The two databases have different schema versions ({source.schema_version()} and "
            f"{target.schema_version()}); open both with this Tracker first."
        )
    with source.reading():
        expected = counts(source)
        with target.transaction():
            if not is_empty(target):
                raise InvalidInput(
                    f"{target.describe().capitalize()} is not empty; copy only into a new, empty database, so "
                    "that nothing there is mixed with or overwritten by this one."
                )
            for table in reversed(_PREFILLED):
                target.conn.execute(f"DELETE FROM {table}")
            for table in TABLES:
                _copy_table(source, target, table, expected[table], progress)
            found = counts(target)
            if found != expected:
                wrong = ", ".join(f"{t} {found[t]:,} of {expected[t]:,}" for t in TABLES if found[t] != expected[t])
                raise StoreError(f"The copy did not hold every row ({wrong}); nothing was kept.")
    target.forget_kinds()
    dialect.after_bulk_load(target.conn, TABLES)
    return expected


def _copy_table(
    source: Store, target: Store, table: str, total: int, progress: Callable[[str, int, int], None] | None
) -> None:
    columns = dialect.writable_columns(source.conn, table)
    missing = set(columns) - set(dialect.writable_columns(target.conn, table))
    if missing:
        raise StoreError(f"The target's {table} table lacks {', '.join(sorted(missing))}; nothing was copied.")
    names = ", ".join(_quoted(c) for c in columns)
    done = 0
    for rows in _chunks(source.conn, f"SELECT {names} FROM {table} ORDER BY 1"):
        _write(target.conn, table, columns, rows)
        done += len(rows)
        if progress is not None:
            progress(table, done, total)
    if "id" in columns:
        dialect.ids_follow_max(target.conn, table)


def _chunks(conn: Connection, sql: str) -> Iterator[list[Any]]:
    if is_team_connection(conn):  # PostgreSQL: a server-side cursor, not every row at once
        yield from conn.stream(sql, (), CHUNK)
        return
    cursor = conn.execute(sql)
    while rows := cursor.fetchmany(CHUNK):
        yield rows


def _write(conn: Connection, table: str, columns: tuple[str, ...], rows: list[Any]) -> None:
    if is_team_connection(conn):  # PostgreSQL: COPY … FROM STDIN
        conn.copy_rows(table, columns, rows)
        return
    marks = ", ".join("?" for _ in columns)
    conn.executemany(f"INSERT INTO {table} ({', '.join(_quoted(c) for c in columns)}) VALUES ({marks})", rows)


def _quoted(column: str) -> str:
    return f'"{column}"'
