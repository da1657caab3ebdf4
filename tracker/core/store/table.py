"""What every part of the store shares: the Store it belongs to, that Store's connection, and what a connection
is on either engine.

`Connection` is the part of sqlite3.Connection's API the store uses, which a team database's connection
(tracker.core.store.postgres.PgConnection) has too; `TeamConnection` adds what only the team database's has
(COPY, server-side cursors, LISTEN/NOTIFY). Code that works on both engines is typed against `Connection`, and
reaches the team-only methods after `is_team_connection(conn)`: mypy then refuses a method neither engine has,
or a team-only one called on a file's connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

from tracker.core.store import dialect

if TYPE_CHECKING:
    import psycopg

    from tracker.core.store.postgres import PgConnection
    from tracker.core.store.store import Store


class Cursor(Protocol):
    """A statement's result on both engines (sqlite3.Cursor, postgres.PgCursor)."""

    @property
    def rowcount(self) -> int: ...

    @property
    def lastrowid(self) -> int | None: ...

    @property
    def description(self) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchmany(self, size: int = ..., /) -> list[Any]: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The connection API the store uses on both engines: sqlite3.Connection's, which PgConnection copies."""

    @property
    def in_transaction(self) -> bool: ...

    @property
    def total_changes(self) -> int: ...

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...


class TeamConnection(Connection, Protocol):
    """A team database's connection (PostgreSQL): the common API and what only it has."""

    @property
    def engine(self) -> str: ...

    @property
    def url(self) -> str: ...

    @property
    def raw(self) -> psycopg.Connection[Any]:
        """psycopg's own connection (for what libpq alone does, such as hashing a password)."""
        ...

    @property
    def user(self) -> str:
        """The role this connection logged in as."""
        ...

    @property
    def watching(self) -> bool:
        """Whether it LISTENs to the team database's changes (see `watch`)."""
        ...

    @property
    def columns_known(self) -> dict[str, tuple[str, ...]]:
        """The writable columns of each table asked about (dialect.writable_columns)."""
        ...

    def watch(self) -> None:
        """LISTEN to every committed change of the team database."""

    def take_notified(self) -> bool:
        """Whether a change was notified since the last call (without a query)."""
        ...

    def index_scans(self) -> AbstractContextManager[None]:
        """Inside a transaction: lookups read a table through an index wherever one serves (dialect.by_index)."""
        ...

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], /) -> None:
        """Write rows into `table` with COPY, inside the current transaction."""

    def stream(self, sql: str, params: Sequence[Any] = ..., size: int = ..., /) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of a query `size` at a time from a server-side cursor (inside a transaction)."""
        ...


def is_team_connection(conn: Connection) -> TypeGuard[TeamConnection]:
    """Whether `conn` is a team database's connection; mypy then knows its team-only methods."""
    return dialect.is_team(conn)


if TYPE_CHECKING:

    def _both_engines_conform(file: sqlite3.Connection, team: PgConnection) -> tuple[Connection, TeamConnection]:
        """Never called: mypy checks here that each engine's connection has the API its protocol names."""
        return file, team


#: Values per `IN (…)` list: well under SQLite's limit on bound parameters.
IN_CHUNK = 500


def rows_in(conn: Connection, sql: str, values: Iterable[object], *after: object) -> Iterator[tuple[Any, ...]]:
    """The rows of `sql` for every value, asked IN_CHUNK at a time: `sql` holds `{marks}` where the `IN (…)` list's
    placeholders go, and `after` fills any placeholders that follow it."""
    wanted = list(values)
    for start in range(0, len(wanted), IN_CHUNK):
        part = wanted[start : start + IN_CHUNK]
        yield from conn.execute(sql.format(marks=", ".join("?" for _ in part)), [*part, *after])


class StoreTable:
    """One group of SQL statements (a table, or the queries behind a screen) on the store's connection."""

    def __init__(self, store: Store):
        self.store = store

    @property
    def conn(self) -> Connection:
        """The store's connection, as far as both engines have it (a file's, or a team database's)."""
        return self.store.conn
