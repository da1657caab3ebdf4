"""What every operation returns (OpResult) and how it is taken back (UndoRecord): the rows it changed, before and
after, so undo and redo put the database back exactly, whichever front end asks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tracker.core.errors import InvalidInput
from tracker.core.models import Changes
from tracker.core.store import rows

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable

    from tracker.core.store import Store


@dataclass(frozen=True, slots=True)
class RowChange:
    """One row of one table as an operation found it (`before`) and left it (`after`); None: no such row."""

    table: str
    key: rows.Key
    before: rows.Image | None
    after: rows.Image | None

    def reversed(self) -> RowChange:
        return RowChange(self.table, self.key, self.after, self.before)


@dataclass(frozen=True, slots=True)
class UndoRecord:
    """How to take an operation back: `apply(store)` puts its rows back as they were before it (refusing, with
    nothing changed, if any of them was changed since) and returns an OpResult whose own undo redoes it."""

    label: str  # the operation as an Edit menu names it: "Edit Anna Smith"
    changes: Changes
    ids: tuple[int, ...]
    rows: tuple[RowChange, ...]
    redoes: bool = False  # False: applying undoes `label`; True: applying does it again

    def apply(self, store: Store) -> OpResult:
        with store.transaction() as conn:
            self._check(conn)
            rows.write(conn, [(change.table, change.key, change.before) for change in self.rows])
        if any(change.table == "kinds" for change in self.rows):
            store._kinds = None  # its own commits do not move PRAGMA data_version, which the cache watches
        done = "Redone" if self.redoes else "Undone"
        inverse = replace(self, rows=tuple(change.reversed() for change in self.rows), redoes=not self.redoes)
        return OpResult(self.changes, self.ids, f"{done}: {self.label}.", inverse)

    def _check(self, conn: sqlite3.Connection) -> None:
        """Refuse when a row is no longer as the operation left it, or would take rows made since with it."""
        for change in self.rows:
            if rows.read_keys(conn, change.table, [change.key])[change.key] != change.after:
                raise InvalidInput(f"“{self.label}” cannot be taken back: it was changed since; nothing was changed.")
        going = {(c.table, c.key) for c in self.rows if c.before is None and c.after is not None}
        # a row pointing at a going row is fine when this record writes it too (a merge's redo moves the
        # interactions it had moved again, then deletes the contact they were on)
        written = {(c.table, c.key) for c in self.rows}
        for table, key in going:
            for child, keys in rows.referencing(conn, table, key).items():
                if any((child, k) not in written for k in keys):
                    raise InvalidInput(
                        f"“{self.label}” cannot be taken back: what it made has been used since; nothing was changed."
                    )


@dataclass(frozen=True, slots=True)
class OpResult:
    """What one user action did: what changed (for screens to reload), the ids it is about, one sentence to show,
    and the record that undoes it (None when there was nothing to undo)."""

    changes: Changes
    ids: tuple[int, ...]
    summary: str
    undo: UndoRecord | None = None

    def created(self, table: str) -> tuple[int, ...]:
        """Ids of the rows of `table` the operation made (a contact made by logging, the call a done logs)."""
        if self.undo is None:  # an undo record's rows are as the action found them (before) and left them (after)
            return ()
        return tuple(c.key[0] for c in self.undo.rows if c.table == table and c.before is None and c.after is not None)


class Recording:
    """The rows an operation may change, read before it writes; `undo` reads them again after."""

    def __init__(self, store: Store):
        self.conn = store.conn
        self._before: dict[tuple[str, rows.Key], rows.Image | None] = {}

    def watch(self, table: str, column: str, values: Iterable[object]) -> None:
        """Rows of `table` whose `column` is one of `values`, as they are before the write."""
        for key, image in rows.read(self.conn, table, column, values).items():
            self._before.setdefault((table, key), image)

    def made(self, table: str, *keys: object) -> None:
        """Rows the operation inserted (a plain id or a key tuple each)."""
        for key in keys:
            self._before.setdefault((table, key if isinstance(key, tuple) else (key,)), None)

    def undo(self, label: str, changes: Changes, ids: Iterable[int]) -> UndoRecord | None:
        """The record for the rows that really changed, or None when none did."""
        found: list[RowChange] = []
        for (table, key), before in self._before.items():
            after = rows.read_keys(self.conn, table, [key])[key]
            if after != before:
                found.append(RowChange(table, key, before, after))
        return UndoRecord(label, changes, tuple(ids), tuple(found)) if found else None
