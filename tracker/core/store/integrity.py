"""Whether a database file is sound: SQLite's quick_check, run once per file per process, remembered for every
store of the process (a window and its workers share one verdict), and the sentence for a damaged file.

A damaged file is only ever read: every write asks `require_sound` first, so nothing lands in it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from tracker.core.errors import DamagedDatabase

_lock = threading.Lock()
#: (path, st_dev, st_ino) of a database file → None when it passed quick_check, else what quick_check found.
_verdicts: dict[tuple[str, int, int], str | None] = {}


def _identity(path: Path) -> tuple[str, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return os.path.abspath(path), info.st_dev, info.st_ino


def known_verdict(path: Path) -> tuple[bool, str | None]:
    """(checked, problem): whether this process has checked the file, and what it found (None: sound)."""
    identity = _identity(path)
    with _lock:
        if identity is None or identity not in _verdicts:
            return False, None
        return True, _verdicts[identity]


def remember(path: Path, problem: str | None) -> None:
    identity = _identity(path)
    if identity is not None:
        with _lock:
            _verdicts[identity] = problem


def check(conn: sqlite3.Connection, path: Path) -> str | None:
    """Run quick_check on `conn` (unless this process already has) and remember the verdict: None if sound."""
    checked, problem = known_verdict(path)
    if checked:
        return problem
    try:
        found = [row[0] for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        found = [str(exc)]
    problem = None if found == ["ok"] else "; ".join(found[:3])
    remember(path, problem)
    return problem


def damaged_sentence(path: Path, problem: str) -> str:
    """One sentence for a damaged file, offering the newest good backup when there is one."""
    from tracker.core.backups import offer_backup

    return offer_backup(Path(path), f"{path} is damaged ({first_finding(problem)}); it is only read, never written")


def first_finding(problem: str) -> str:
    """The first thing quick_check says is wrong, without its '*** in database main ***' heading."""
    for line in problem.replace("; ", "\n").splitlines():
        line = line.strip()
        if line and not line.startswith("***"):
            return line
    return "damaged"


def require_sound(conn: sqlite3.Connection, path: Path | None) -> None:
    """Raise DamagedDatabase (nothing written) if the file behind `conn` fails quick_check."""
    if path is None:
        return
    problem = check(conn, path)
    if problem is not None:
        raise DamagedDatabase(damaged_sentence(path, problem))


def forget_all() -> None:
    """Drop every verdict (tests; a process that wants to check again)."""
    with _lock:
        _verdicts.clear()


def forget(path: Path) -> None:
    """Drop the verdict (after a restore replaced the content, the next write checks again)."""
    identity = _identity(path)
    if identity is not None:
        with _lock:
            _verdicts.pop(identity, None)
