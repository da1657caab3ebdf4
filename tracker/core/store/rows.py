"""Whole rows read and written back exactly as they were: what undoing and redoing an operation puts back."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from tracker.core.store import dialect
from tracker.core.store.table import rows_in

#: The tables an operation changes, parents before children, with each one's primary key.
KEYS: dict[str, tuple[str, ...]] = {
    "kinds": ("id",),
    "contacts": ("id",),
    "interactions": ("id",),
    "follow_ups": ("id",),
    "import_changes": ("import_id", "contact_id"),
    "settings": ("key",),
}
#: Columns a trigger sets after an update (contacts.revision); written by a statement of their own afterwards,
#: so the trigger cannot count the putting back as one more edit.
_TRIGGERED = {"contacts": ("revision",)}

#: A row's primary key values, in KEYS order (SQLite values, so of any type).
Key = tuple[Any, ...]
#: A row as (column, value) pairs, generated columns left out.
Image = tuple[tuple[str, object], ...]


def columns(conn: sqlite3.Connection, table: str) -> tuple[str, ...]:
    """The columns of `table` that can be written (not generated)."""
    _check(table)
    return dialect.writable_columns(conn, table)


def read(conn: sqlite3.Connection, table: str, column: str, values: Iterable[object]) -> dict[Key, Image]:
    """The rows of `table` whose `column` is one of `values`, by key."""
    names = columns(conn, table)
    if column not in names:
        raise ValueError(f"{table} has no column {column}")
    wanted = list(dict.fromkeys(values))
    key_at = [names.index(k) for k in KEYS[table]]
    found: dict[Key, Image] = {}
    sql = f"SELECT {', '.join(names)} FROM {table} WHERE {column} IN ({{marks}})"
    for row in rows_in(conn, sql, wanted):
        found[tuple(row[i] for i in key_at)] = tuple(zip(names, row, strict=True))
    return found


def read_keys(conn: sqlite3.Connection, table: str, keys: Iterable[Key]) -> dict[Key, Image | None]:
    """The rows of `table` with these keys (None for a key no row has)."""
    names = columns(conn, table)
    where = " AND ".join(f"{k} = ?" for k in KEYS[table])
    out: dict[Key, Image | None] = {}
    for key in keys:
        row = conn.execute(f"SELECT {', '.join(names)} FROM {table} WHERE {where}", key).fetchone()
        out[key] = None if row is None else tuple(zip(names, row, strict=True))
    return out


def referencing(conn: sqlite3.Connection, table: str, key: Key) -> dict[str, set[Key]]:
    """The rows of other tables whose foreign keys point at this row (they would go, or block, if it went)."""
    out: dict[str, set[Key]] = {}
    for child in KEYS:
        for parent, column in dialect.foreign_keys(conn, child):
            if parent == table and len(key) == 1:
                keys = set(read(conn, child, column, [key[0]]))
                if keys:
                    out.setdefault(child, set()).update(keys)
    return out


def write(conn: sqlite3.Connection, changes: Sequence[tuple[str, Key, Image | None]]) -> None:
    """Make each (table, key) row equal its image (None: no such row): children deleted before parents, parents
    inserted before children. Call inside a transaction."""
    order = {table: i for i, table in enumerate(KEYS)}
    ranked = sorted(changes, key=lambda change: order[change[0]])
    for table, key, image in reversed(ranked):
        if image is None:
            where = " AND ".join(f"{k} = ?" for k in KEYS[table])
            conn.execute(f"DELETE FROM {table} WHERE {where}", key)
    for table, key, image in ranked:
        if image is not None:
            _put(conn, table, key, dict(image))
    for table in {table for table, _, image in ranked if image is not None and KEYS[table] == ("id",)}:
        dialect.ids_follow_max(conn, table)  # rows put back with their own ids


def _put(conn: sqlite3.Connection, table: str, key: Key, values: dict[str, object]) -> None:
    where = " AND ".join(f"{k} = ?" for k in KEYS[table])
    exists = conn.execute(f"SELECT 1 FROM {table} WHERE {where}", key).fetchone()
    if exists:
        rest = {name: value for name, value in values.items() if name not in KEYS[table]}
        conn.execute(f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in rest)} WHERE {where}", (*rest.values(), *key))
    else:
        conn.execute(
            f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' for _ in values)})",
            tuple(values.values()),
        )
    triggered = [name for name in _TRIGGERED.get(table, ()) if name in values]
    if triggered:
        conn.execute(
            f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in triggered)} WHERE {where}",
            (*(values[n] for n in triggered), *key),
        )


def _check(table: str) -> None:
    if table not in KEYS:
        raise ValueError(f"{table} is not a table operations change")
