"""Backups of the database with SQLite's online backup API: taken before risky changes and daily, verified,
pruned (the last N plus one a month for a year), and restored without ever writing into a damaged file."""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

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

    def to_dict(self) -> dict:
        return {"id": self.id, "path": str(self.path), "created": self.created.isoformat(timespec="seconds"),
                "reason": self.reason, "contacts": self.contacts}


def backup_folder(db_path: Path) -> Path:
    return Path(db_path).parent / "backups"


def private_file(path: Path) -> None:
    """Readable by the owner only (the database holds customers' personal data)."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists():
            os.chmod(candidate, 0o600)


def private_folder(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)


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
            return conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None


def write_backup(conn: sqlite3.Connection, target: Path) -> Path:
    """Copy a live database into `target` page by page (consistent even while others write), then verify it."""
    target = Path(target)
    if target.exists():
        raise InvalidInput(f"{target} already exists; choose a new file name for the backup.")
    partial = target.with_name(target.name + ".part")
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
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"Cannot write the backup {target}: {exc.strerror or exc}.") from None
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"Cannot write the backup {target}: {exc}.") from None
    return target


class Backups:
    """The backups of one database file, kept in a `backups` folder beside it."""

    def __init__(self, db_path: Path, keep_last: int = KEEP_LAST):
        self.db_path = Path(db_path)
        self.folder = backup_folder(self.db_path)
        self.keep_last = keep_last

    def take(self, conn: sqlite3.Connection, reason: str, *, now: datetime | None = None) -> Backup:
        """A verified backup now, then prune the old ones."""
        try:
            private_folder(self.folder)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the backups folder {self.folder} ({exc.strerror or exc}); nothing was changed."
            ) from None
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        slug = re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-") or "manual"
        target = self.folder / f"tracker-{stamp}-{slug}.db"
        counter = 1
        while target.exists():  # two for the same reason in the same second
            counter += 1
            target = self.folder / f"tracker-{stamp}-{slug}-{counter}.db"
        write_backup(conn, target)
        self.prune(now=now)
        return self._describe(target)

    def daily(self, conn: sqlite3.Connection, *, now: datetime | None = None) -> Backup | None:
        """Take the once-a-day backup if the newest one is older than a day."""
        now = now or datetime.now()
        newest = self.list()
        if newest and now - newest[0].created < DAILY:
            return None
        return self.take(conn, "daily", now=now)

    def list(self) -> list[Backup]:
        """Newest first."""
        if not self.folder.is_dir():
            return []
        found = [self._describe(p) for p in self.folder.glob("tracker-*.db") if _NAME.match(p.name)]
        # names keep whole seconds; within one second the file's own time says which came last
        return sorted(found, key=lambda b: (b.created, b.path.stat().st_mtime_ns), reverse=True)

    def find(self, id_or_path: str) -> Path:
        """A backup by its id (as `tracker backups` lists it) or a path to any Tracker database file."""
        for backup in self.list():
            if backup.id == id_or_path:
                return backup.path
        path = Path(id_or_path).expanduser()
        if path.is_file():
            return path
        raise InvalidInput(f"There is no backup '{id_or_path}'; `tracker backups` lists them.")

    def newest_good(self) -> Backup | None:
        """The most recent backup that passes quick_check (what to offer when the database is damaged)."""
        for backup in self.list():
            if quick_check(backup.path) == "ok":
                return backup
        return None

    def prune(self, *, now: datetime | None = None) -> list[Path]:
        """Keep the newest `keep_last`, plus the newest of each month for a year; delete the rest."""
        now = now or datetime.now()
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
        parts = list(self.folder.glob("tracker-*.part"))
        if parts:
            newest = max(p.stat().st_mtime for p in self.folder.iterdir())
            removed += [p for p in parts if newest - p.stat().st_mtime > 3600]
        for path in removed:
            path.unlink(missing_ok=True)
        return removed

    def _describe(self, path: Path) -> Backup:
        """The id is the name without 'tracker-' and '.db' (unique in the folder), e.g. 20261123-091500-daily."""
        match = _NAME.match(path.name)
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
    target = damaged.with_name(f"{damaged.stem}-restored-{datetime.now():%Y%m%d-%H%M%S}{damaged.suffix}")
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
    return (f"{problem.rstrip('.')}. The newest good backup is from {good.created:%Y-%m-%d %H:%M} "
            f"({good.contacts} contacts): `tracker restore {good.id}` (or File → Backups… in a new database) "
            "writes it to a new file beside it.")
