"""What every part of the store shares: the Store it belongs to and that Store's connection."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.core.store.store import Store


class StoreTable:
    """One group of SQL statements (a table, or the queries behind a screen) on the store's connection."""

    def __init__(self, store: Store):
        self.store = store

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.conn
