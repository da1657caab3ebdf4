"""Opening the SQLite file safely (pragmas, busy timeout, refusing foreign files) and write transactions."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker.core.errors import NotATrackerFile, StoreBusy, StoreError

#: Written into the file header so Tracker can tell its own databases from other SQLite files ("TRAK").
APPLICATION_ID = 0x5452414B
BUSY_TIMEOUT_MS = 5000


def check_file(path: Path) -> bool:
    """Return True if the file exists and has content (False: a new database will be made there).

    Only stat() is used here, never open(): on POSIX, closing any descriptor of a file drops every lock this
    process holds on it, including those of SQLite connections open on it elsewhere in the process (a window's
    own connection while a worker opens the store). SQLite itself says whether the content is a database."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StoreError(f"Cannot open {path}: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise NotATrackerFile(f"{path} is a folder, not a Tracker database file.")
    if not stat.S_ISREG(info.st_mode):
        raise NotATrackerFile(f"{path} is not a regular file, so it cannot be a Tracker database.")
    return info.st_size > 0


#: (st_dev, st_ino) of every database file this process has opened through SQLite. Reading one of them (or its
#: -wal/-shm) with Python's open() would drop SQLite's locks on close, so file readers ask `is_open_database`.
_open_databases: set[tuple[int, int]] = set()


def _remember_open(path: Path) -> None:
    try:
        info = os.stat(path)
    except OSError:
        return
    _open_databases.add((info.st_dev, info.st_ino))


def is_open_database(path: Path | str) -> bool:
    """True if `path` is (or is the -wal, -shm or -journal of) a database file this process has opened."""
    text = os.fspath(path)
    candidates = [text] + [text[: -len(s)] for s in ("-wal", "-shm", "-journal") if text.endswith(s)]
    for candidate in candidates:
        try:
            info = os.stat(candidate)
        except (OSError, ValueError):
            continue
        if (info.st_dev, info.st_ino) in _open_databases:
            return True
    return False


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    """Open a connection with WAL, foreign keys and a busy timeout; transactions are explicit."""
    target = str(path)
    if target == ":memory:":
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    else:
        mode = "ro" if readonly else "rwc"
        uri = Path(target).absolute().as_uri() + f"?mode={mode}"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            if readonly:
                conn = _readable(conn, Path(target), uri)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"Cannot open {target}: {exc}.") from None
        except sqlite3.DatabaseError as exc:  # a file that is not a database at all
            raise translate_error(exc, target) from None
        _remember_open(Path(target))
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -32768")  # 32 MB: bulk imports touch many index pages
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise translate_error(exc, target) from None
    return conn


def _readable(conn: sqlite3.Connection, path: Path, uri: str) -> sqlite3.Connection:
    """A read-only connection that can really read. SQLite's mode=ro still needs the -shm file of a WAL database;
    in a read-only location (a read-only mount, a locked stick) where it is missing and cannot be made, the file is
    opened immutable instead (nothing can change it there), unless a -wal beside it holds changes that an
    immutable open would not see: then one sentence says so."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the file is opened on first use
        return conn
    except sqlite3.OperationalError:
        conn.close()
        if os.access(path.parent, os.W_OK):
            raise
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StoreError(
            f"{path} is in a read-only location and its last changes are still in {wal.name}, which "
            "cannot be read there; copy the folder somewhere writable and open it from there."
        )
    return sqlite3.connect(f"{uri}&immutable=1", uri=True, isolation_level=None, check_same_thread=False)


def enable_wal(conn: sqlite3.Connection) -> None:
    """Switch to write-ahead logging (readers never block the writer); call only on a file known to be ours."""
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.DatabaseError as exc:
        raise translate_error(exc) from None


def translate_error(exc: sqlite3.Error, target: str = "the database") -> StoreError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StoreBusy("The database is busy (another Tracker window or command is writing); try again.")
    if "not a database" in text or "malformed" in text:
        return NotATrackerFile(f"{target} is damaged or not a Tracker database ({text}).")
    if "readonly" in text or "read-only" in text:
        return StoreError("The database is read-only; nothing was changed.")
    if "disk is full" in text or "database or disk is full" in text:
        return StoreError("The disk is full; nothing was changed.")
    return StoreError(f"The database could not be changed ({text}); nothing was changed.")


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error; nested use becomes a savepoint."""
    if conn.in_transaction:
        conn.execute("SAVEPOINT nested")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO nested")
            conn.execute("RELEASE nested")
            raise
        conn.execute("RELEASE nested")
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise translate_error(exc) from None
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.OperationalError):
            raise translate_error(exc) from None
        raise
