"""Backups of the database with SQLite's online backup API: taken before risky changes and daily, verified,
pruned (the last N plus one a month for a year), and restored without ever writing into a damaged file."""

from __future__ import annotations

import builtins
import errno
import itertools
import os
import re
import sqlite3
import stat
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tracker.core.dates import wall_clock
from tracker.core.errors import InvalidInput, StoreError

KEEP_LAST = 20
KEEP_MONTHS = 12
DAILY = timedelta(hours=24)
_NAME = re.compile(r"^tracker-((\d{8}-\d{6})-([a-z0-9-]+?)(?:-(\d+))?)\.db$")


@dataclass(frozen=True, slots=True)
class Backup:
    id: str
    path: Path
    created: datetime
    reason: str

    @property
    def contacts(self) -> int | None:
        """How many contacts the backup holds; read from the file when asked (listing stays a directory scan)."""
        return _count_contacts(self.path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": str(self.path),
            "created": self.created.isoformat(timespec="seconds"),
            "reason": self.reason,
            "contacts": self.contacts,
        }


def backup_folder(db_path: Path) -> Path:
    return Path(db_path).parent / "backups"


def private_file(path: Path) -> None:
    """Readable by the owner only (the database holds customers' personal data)."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists():
            os.chmod(candidate, 0o600)


def private_folder(path: Path) -> None:
    """Make the folder, for the owner only. A folder reached through a symbolic link (backups kept on a USB disk)
    is used as it is: its modes are its owner's choice and are never changed through the link."""
    path = Path(path)
    if path.is_symlink():
        if not path.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "a link to something that is not a folder", str(path))
        return
    path.mkdir(parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != 0o700:  # no needless write (a folder on a read-only disk stays usable)
        os.chmod(path, 0o700)


def read_only_location(path: Path) -> bool:
    """True when `path` (a file or folder, or where one would be made) cannot be written: a read-only mount, a
    locked USB stick, missing write permission. os.access asks the kernel, so it is right for root too on a
    read-only mount (where file modes alone would say yes)."""
    path = Path(path)
    if path.exists() and not os.access(path, os.W_OK):
        return True
    folder = path if path.is_dir() else path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return not os.access(folder, os.W_OK)


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that never writes. SQLite's mode=ro still needs the -shm file of a WAL database; in a read-only
    location where it is missing and cannot be made, the file is opened immutable instead (nothing can change it
    there), unless a -wal file beside it holds changes that immutable would not see: then the error stands."""
    uri = Path(path).absolute().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the file is opened on first use
        return conn
    except sqlite3.OperationalError:
        conn.close()
        if not read_only_location(path) or unread_changes(path):
            raise
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)


def unread_changes(path: Path) -> bool:
    """A -wal file beside the database holds changes not yet written into the file itself."""
    try:
        return Path(f"{path}-wal").stat().st_size > 0
    except OSError:
        return False


def quick_check(path: Path) -> str:
    """SQLite's quick_check of a file, opened read-only: 'ok' or what is wrong."""
    try:
        conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)
        try:
            return "\n".join(row[0] for row in conn.execute("PRAGMA quick_check"))
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)


def integrity_check(conn: sqlite3.Connection) -> list[str]:
    """Everything PRAGMA integrity_check finds (['ok'] for a sound database)."""
    return [row[0] for row in conn.execute("PRAGMA integrity_check")]


def _count_contacts(path: Path) -> int | None:
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            count: int = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
            return count
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None


def write_backup(conn: sqlite3.Connection, target: Path) -> Path:
    """Copy a live database into `target` page by page (consistent even while others write), then verify it.

    The copy is written into a piece of its own (a unique .part, made with O_EXCL by mkstemp) and published under
    `target` only if that name is still free, so two writers never share a file."""
    target = Path(target)
    if target.exists():
        raise InvalidInput(f"{target} already exists; choose a new file name for the backup.")
    partial = _write_piece(conn, target)
    try:
        _publish(partial, target)
    except FileExistsError:
        raise InvalidInput(f"{target} already exists; choose a new file name for the backup.") from None
    except OSError as exc:
        raise StoreError(f"Cannot write the backup {target}: {exc.strerror or exc}.") from None
    finally:
        partial.unlink(missing_ok=True)
    return target


def _write_piece(conn: sqlite3.Connection, target: Path) -> Path:
    """A verified copy of the database in a new file beside `target`, named `<target name>.<random>.part`."""
    try:
        handle, name = tempfile.mkstemp(prefix=f"{target.name}.", suffix=".part", dir=target.parent)
        os.close(handle)
    except OSError as exc:
        raise StoreError(f"Cannot write the backup {target}: {exc.strerror or exc}.") from None
    partial = Path(name)
    try:
        destination = sqlite3.connect(partial)
        try:
            conn.backup(destination)
            destination.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        finally:
            destination.close()
        private_file(partial)
        found = quick_check(partial)
        if found != "ok":
            raise StoreError(f"The backup could not be verified ({found}); the database was left as it is.")
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"Cannot write the backup {target}: {exc.strerror or exc}.") from None
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"Cannot write the backup {target}: {exc}.") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return partial


_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS, errno.EXDEV}


def _publish(partial: Path, target: Path) -> None:
    """Give the finished piece its name; FileExistsError if another writer has it (never replaced)."""
    try:
        os.link(partial, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        # FAT and exFAT (USB disks) have no hard links: claim the name first, then move the piece onto it.
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        os.replace(partial, target)


def _mtime(path: Path, *, ns: bool = False) -> float | int | None:
    """The file's modification time, or None when another process has just removed it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_mtime_ns if ns else info.st_mtime


class Backups:
    """The backups of one database file, kept in a `backups` folder beside it."""

    def __init__(self, db_path: Path, keep_last: int = KEEP_LAST):
        self.db_path = Path(db_path)
        self.folder = backup_folder(self.db_path)
        self.keep_last = keep_last

    def take(self, conn: sqlite3.Connection, reason: str, *, now: datetime | None = None) -> Backup:
        """A verified backup now, then prune the old ones."""
        self._prepare_folder()
        stamp = (now or wall_clock()).strftime("%Y%m%d-%H%M%S")
        slug = re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-") or "manual"
        first = self.folder / f"tracker-{stamp}-{slug}.db"
        partial = _write_piece(conn, first)
        try:
            for counter in itertools.count(1):  # two for the same reason in the same second, maybe two processes
                target = first if counter == 1 else self.folder / f"tracker-{stamp}-{slug}-{counter}.db"
                try:
                    _publish(partial, target)
                    break
                except FileExistsError:
                    continue
        except OSError as exc:
            raise StoreError(f"Cannot write the backup {first}: {exc.strerror or exc}.") from None
        finally:
            partial.unlink(missing_ok=True)
        self.prune(now=now)
        return self._describe(target)

    def can_write(self) -> bool:
        """Whether backups can be written into the folder now (it may be on a read-only disk, or be a link to a
        USB disk that is not plugged in)."""
        folder = self.folder
        if folder.is_symlink() or folder.exists():
            return folder.is_dir() and not read_only_location(folder)
        return not read_only_location(folder)

    def _prepare_folder(self) -> None:
        """Make the folder (owner only), or say in a sentence why backups cannot be written into it."""
        folder = self.folder
        elsewhere = "take one elsewhere with `tracker backup --to PATH`"
        if folder.is_symlink() and not folder.is_dir():
            raise StoreError(
                f"The backups folder {folder} is a link to {os.readlink(folder)}, which is not a folder "
                f"that is there (a disk not plugged in?); connect it, or {elsewhere}."
            )
        if folder.exists() and not folder.is_dir():
            raise StoreError(
                f"{folder} is a file, not a folder, so no backups can be kept there; move it away, or {elsewhere}."
            )
        if read_only_location(folder):
            raise StoreError(
                f"The backups folder {folder} is in a read-only location, so no backup can be written "
                f"there; {elsewhere}."
            )
        try:
            private_folder(folder)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the backups folder {folder} ({exc.strerror or exc}); nothing was changed."
            ) from None

    def daily(self, conn: sqlite3.Connection, *, now: datetime | None = None) -> Backup | None:
        """Take the once-a-day backup if the newest one is older than a day; skipped quietly where the folder
        cannot be written (a read-only location, a linked disk not plugged in), so reading still works there."""
        now = now or wall_clock()
        if not self.can_write():
            return None
        newest = self.list()
        if newest and now - newest[0].created < DAILY:
            return None
        return self.take(conn, "daily", now=now)

    def list(self) -> list[Backup]:
        """Newest first."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.glob("tracker-*.db"):
            if _NAME.match(path.name) and (mtime := _mtime(path, ns=True)) is not None:  # None: pruned meanwhile
                found.append((self._describe(path), mtime))
        # names keep whole seconds; within one second the file's own time says which came last
        found.sort(key=lambda item: (item[0].created, item[1]), reverse=True)
        return [backup for backup, _ in found]

    def find(self, id_or_path: str) -> Path:
        """A backup by its id (as `tracker backups` lists it) or a path to any Tracker database file."""
        for backup in self.list():
            if backup.id == id_or_path:
                return backup.path
        path = Path(id_or_path).expanduser()
        try:
            if path.is_file():
                return path
        except OSError:  # a name too long for the file system, a folder that cannot be entered
            pass
        shown = id_or_path if len(id_or_path) <= 80 else id_or_path[:77] + "…"
        raise InvalidInput(f"There is no backup '{shown}'; `tracker backups` lists them.")

    def newest_good(self) -> Backup | None:
        """The most recent backup that passes quick_check (what to offer when the database is damaged)."""
        for backup in self.list():
            if quick_check(backup.path) == "ok":
                return backup
        return None

    def prune(self, *, now: datetime | None = None) -> builtins.list[Path]:  # `list` here is the method
        """Keep the newest `keep_last`, plus the newest of each month for a year; delete the rest."""
        now = now or wall_clock()
        backups = self.list()
        keep = {b.path for b in backups[: self.keep_last]}
        months: set[tuple[int, int]] = set()
        for backup in backups:
            month = (backup.created.year, backup.created.month)
            if now - backup.created <= timedelta(days=366) and month not in months:
                months.add(month)
                keep.add(backup.path)
        removed = [b.path for b in backups if b.path not in keep]
        # pieces of backups whose writer was killed (a .part is renamed when complete; an hour old means dead).
        # Their age is measured on the file system's clock (the newest file in the folder), not the wall clock:
        # the two disagree when the machine's date is moved.
        # Other processes may publish or remove files meanwhile: a file gone since the listing is skipped.
        parts = list(self.folder.glob("tracker-*.part"))
        stamps = [t for t in map(_mtime, self.folder.iterdir()) if t is not None] if parts else []
        if stamps:
            newest = max(stamps)
            removed += [p for p in parts if (t := _mtime(p)) is not None and newest - t > 3600]
        for path in removed:
            path.unlink(missing_ok=True)
        return removed

    def _describe(self, path: Path) -> Backup:
        """The id is the name without 'tracker-' and '.db' (unique in the folder), e.g. 20261123-091500-daily."""
        match = _NAME.match(path.name)
        assert match is not None, f"not a backup's name: {path.name}"  # callers pass names _NAME matched
        backup_id, stamp, reason = match.group(1), match.group(2), match.group(3)
        created = datetime.strptime(stamp, "%Y%m%d-%H%M%S")
        return Backup(backup_id, path, created, reason.replace("-", " "))


def restore_into(backup: Path, conn: sqlite3.Connection) -> None:
    """Replace the live database's content with the backup's, in one step (the backup API holds the lock)."""
    found = quick_check(backup)
    if found != "ok":
        raise StoreError(f"{backup} does not pass the integrity check ({found}); nothing was restored.")
    source = sqlite3.connect(f"{Path(backup).absolute().as_uri()}?mode=ro", uri=True)
    try:
        source.backup(conn)
    finally:
        source.close()


def restore_beside(backup: Path, damaged: Path) -> Path:
    """Recover a database that cannot be opened: write the backup into a new file next to it, never touching it."""
    found = quick_check(backup)
    if found != "ok":
        raise StoreError(f"{backup} does not pass the integrity check ({found}); nothing was restored.")
    target = damaged.with_name(f"{damaged.stem}-restored-{wall_clock():%Y%m%d-%H%M%S}{damaged.suffix}")
    source = sqlite3.connect(f"{Path(backup).absolute().as_uri()}?mode=ro", uri=True)
    try:
        write_backup(source, target)
    finally:
        source.close()
    return target


def offer_backup(db_path: Path, problem: str) -> str:
    """The sentence for a database that cannot be opened, with the newest good backup offered when there is one."""
    good = Backups(Path(db_path)).newest_good() if Path(db_path).is_file() else None
    if good is None:
        return problem
    return (
        f"{problem.rstrip('.')}. The newest good backup is from {good.created:%Y-%m-%d %H:%M} "
        f"({good.contacts} contacts): `tracker restore {good.id}` (or File → Backups… in a new database) "
        "writes it to a new file beside it."
    )
