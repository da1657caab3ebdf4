"""Making a damaged database for tests: the file opens and most rows read, but SQLite's quick_check fails."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from tracker.core.store import integrity


def files_digest(db_path: Path) -> dict[str, str | None]:
    """The bytes of the database and of its write-ahead log (an empty or missing log is no content; the -shm
    index is SQLite's bookkeeping, rebuilt by any reader)."""
    found: dict[str, str | None] = {}
    for suffix in ("", "-wal"):
        path = Path(f"{db_path}{suffix}")
        data = path.read_bytes() if path.exists() else b""
        found[suffix] = hashlib.sha256(data).hexdigest() if data else None
    return found


def damage_the_email_index(db_path: Path) -> None:
    """Scramble the cells of the contacts' e-mail index: the file opens and rows read, quick_check fails."""
    conn = sqlite3.connect(db_path)
    try:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'contacts_email'").fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    data = bytearray(db_path.read_bytes())
    end = root * page_size
    data[end - 800 : end] = bytes((i * 37) % 256 for i in range(800))
    db_path.write_bytes(bytes(data))
    integrity.forget_all()  # this process checked the file while it was sound; the damage came from outside
