"""Writing user-chosen output files (exports, rejected rows, charts and reports) whole, and never over something
that must not be destroyed.

Refused: the live database, its -wal/-shm/-journal, anything in its backups folder, any existing path that is not a
regular file (a device such as /dev/null, a pipe, a folder, a socket) and any other SQLite database; symlinks are
resolved first. The file is written to a temporary file beside the target (created 0600), synced, then renamed over
it: the old file stays whole until the new one is complete. A new file is private (0600: exports hold customers'
personal data, like the database); a replaced regular file keeps its mode.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from tracker.core.backups import backup_folder
from tracker.core.errors import InvalidInput

SQLITE_HEADER = b"SQLite format 3\0"
DATABASE_COMPANIONS = ("-wal", "-shm", "-journal")

Writer = Callable[[BinaryIO], object]


def _cannot(path: Path | str, reason: str) -> InvalidInput:
    return InvalidInput(f"Cannot write {path}: {reason}; nothing was changed.")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _protected(resolved: Path, database: Path | str | None) -> str | None:
    """What `resolved` is of the live database's files, or None. Compared by path and by (device, inode), never by
    opening the database: closing a descriptor on it would drop this process's SQLite locks."""
    if database is None or str(database) == ":memory:":
        return None
    given = Path(database).expanduser().absolute()
    real = Path(os.path.realpath(given))
    identity = _identity(resolved)
    if resolved == real or (identity is not None and identity == _identity(real)):
        return "is the Tracker database itself"
    for suffix in DATABASE_COMPANIONS:
        companion = Path(f"{real}{suffix}")
        if resolved == companion or (identity is not None and identity == _identity(companion)):
            return f"belongs to the Tracker database (its {suffix} file)"
    for folder in {Path(os.path.realpath(backup_folder(given))), Path(os.path.realpath(backup_folder(real)))}:
        folder_identity = _identity(folder)
        if _inside(resolved, folder) or (folder_identity is not None and _identity(resolved.parent) == folder_identity):
            return "is in the database's backups folder"
    return None


def check_target(path: Path | str, *, database: Path | str | None) -> Path:
    """The file that writing to `path` will replace or create (symlinks resolved), after refusing every target that
    must not be destroyed; `database` is the live database's path (None for an in-memory one)."""
    target = Path(path).expanduser()
    resolved = Path(os.path.realpath(target))
    what = _protected(resolved, database)
    if what:
        raise InvalidInput(f"{path} {what}; choose another file to write to.")
    try:
        found = os.stat(resolved)
    except FileNotFoundError:
        return resolved
    except OSError as exc:
        raise _cannot(path, exc.strerror or str(exc)) from None
    if stat.S_ISDIR(found.st_mode):
        raise InvalidInput(f"{path} is a folder; give a file name to write to.")
    if not stat.S_ISREG(found.st_mode):
        raise InvalidInput(
            f"{path} is not an ordinary file (it is a device, a pipe or a socket); give a file name to write to."
        )
    if not os.access(resolved, os.W_OK):
        raise _cannot(path, os.strerror(errno.EACCES))
    try:
        with open(resolved, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise _cannot(path, exc.strerror or str(exc)) from None
    if header == SQLITE_HEADER:
        raise InvalidInput(f"{path} is an SQLite database; choose another file to write to.")
    return resolved


def write_whole(path: Path | str, write: Writer, *, database: Path | str | None) -> Path:
    """Write a user-chosen output file through `write(binary_handle)`: checked by `check_target`, then written
    whole or not at all. Returns the file written (symlinks resolved). An OSError becomes InvalidInput."""
    target = check_target(path, database=database)
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise _cannot(path, exc.strerror or str(exc)) from None
    try:
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise _cannot(path, exc.strerror or str(exc)) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if existing is not None:
            _keep_owner_and_mode(temporary, existing)
        os.replace(temporary, target)
    except OSError as exc:
        with suppress(OSError):
            os.unlink(temporary)
        raise _cannot(path, exc.strerror or str(exc)) from None
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(target.parent)
    return target


def _keep_owner_and_mode(temporary: str, existing: os.stat_result) -> None:
    if hasattr(os, "chown") and (existing.st_uid, existing.st_gid) != (os.getuid(), os.getgid()):
        with suppress(OSError):  # only root (or a member of the group) may; the mode is kept either way
            os.chown(temporary, existing.st_uid, existing.st_gid)
    os.chmod(temporary, stat.S_IMODE(existing.st_mode))


def _sync_folder(folder: Path) -> None:
    """Make the rename durable where the system allows it (not on Windows, where folders cannot be opened)."""
    with suppress(OSError, AttributeError):
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
