"""Settings that are lists of text (the mail blocklist), kept in the settings table as JSON beside the numeric
thresholds, as the phone region is: one row per name, written inside the caller's transaction. (The owner's own
addresses, `mail_me`, are kept by store.messages, which the calendar import shares.)"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

MAIL_BLOCKLIST = "mail_blocklist"  # addresses and domains whose mail is never imported


def read_list(conn: sqlite3.Connection, name: str) -> list[str]:
    """The list stored under `name` ([] when none is, or the stored value is not a list of text)."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (name,)).fetchone()
    if row is None:
        return []
    try:
        value = json.loads(row[0])
    except ValueError:
        return []
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def write_list(conn: sqlite3.Connection, name: str, values: Iterable[str]) -> None:
    """Store the list under `name` (call inside a transaction); duplicates and blanks dropped, order kept."""
    cleaned = list(dict.fromkeys(value.strip() for value in values if value.strip()))
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (name, json.dumps(cleaned, ensure_ascii=False)),
    )
