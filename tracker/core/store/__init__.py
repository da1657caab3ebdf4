"""The SQLite store: every SQL statement of Tracker lives in this package."""

from tracker.core.store.store import Store

__all__ = ["Store"]
