"""How far a live mailbox's folders have been read (the mail_folders table): the highest UID each import took of
a folder, so that reading the mailbox again fetches only what arrived since."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FolderMark:
    """A folder's UIDVALIDITY (its UIDs mean nothing under another) and the highest UID imported under it."""

    uidvalidity: int
    last_uid: int


def folder_mark(conn: sqlite3.Connection, host: str, user: str, folder: str) -> FolderMark | None:
    """The newest mark of the folder left by an import that is not undone; None: never read (or all undone)."""
    row = conn.execute(
        "SELECT m.uidvalidity, m.last_uid FROM mail_folders m JOIN imports i ON i.id = m.import_id "
        "WHERE m.host = ? AND m.user = ? AND m.folder = ? AND i.undone_at IS NULL ORDER BY m.id DESC LIMIT 1",
        (host.lower(), user, folder),
    ).fetchone()
    return FolderMark(int(row[0]), int(row[1])) if row else None


def mark_folder(conn: sqlite3.Connection, import_id: int, host: str, user: str, folder: str, mark: FolderMark) -> None:
    """Remember, in the import's transaction, how far the import read the folder."""
    conn.execute(
        "INSERT INTO mail_folders (import_id, host, user, folder, uidvalidity, last_uid) VALUES (?, ?, ?, ?, ?, ?)",
        (import_id, host.lower(), user, folder, mark.uidvalidity, mark.last_uid),
    )
