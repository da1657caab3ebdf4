"""What every part of the store shares: the Store it belongs to and that Store's connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.core.store.store import Store


#: Values per `IN (…)` list: well under SQLite's limit on bound parameters.
IN_CHUNK = 500


def rows_in(conn: sqlite3.Connection, sql: str, values: Iterable[object], *after: object) -> Iterator[tuple[Any, ...]]:
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
    def conn(self) -> sqlite3.Connection:
        return self.store.conn
