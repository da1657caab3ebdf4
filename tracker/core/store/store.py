"""The Store: one open Tracker database, its settings and kinds, and the tables hung off it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker.core.backups import Backup, Backups, private_file, private_folder, restore_into
from tracker.core.errors import InvalidInput, StoreError, UnknownKind
from tracker.core.levels import Level, Settings
from tracker.core.models import Changes, Kind
from tracker.core.store.connection import check_file, connect, enable_wal, translate_error, write_transaction
from tracker.core.store.contacts import ContactsTable
from tracker.core.store.dashboard import DashboardQueries
from tracker.core.store.engagement import EngagementQueries
from tracker.core.store.follow_ups import FollowUpsTable
from tracker.core.store.imports import ImportsTable
from tracker.core.store.interactions import InteractionsTable
from tracker.core.store.migrations import check_compatible, migrate
from tracker.core.store.purchases import PurchaseQueries

_KIND_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")


class Store:
    """A Tracker database. Open with `Store.open(path)`; use as a context manager to close it."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None):
        self.conn = conn
        self.path = path
        self._db = None
        self.contacts = ContactsTable(self)
        self.interactions = InteractionsTable(self)
        self.follow_ups = FollowUpsTable(self)
        self.engagement = EngagementQueries(self)
        self.imports = ImportsTable(self)
        self.dashboard = DashboardQueries(self)
        self.purchases = PurchaseQueries(self)
        self._kinds: dict[str, Kind] | None = None
        self._kinds_version: int | None = None

    @classmethod
    def open(cls, path: Path | str, *, create: bool = True) -> Store:
        """Open (and create or upgrade) the database at `path`; ':memory:' for a throwaway one."""
        if str(path) == ":memory:":
            conn = connect(":memory:")
            migrate(conn)
            return cls(conn)
        target = Path(path).expanduser()
        exists = check_file(target)
        if not exists and not create:
            raise StoreError(f"There is no database at {target}.")
        if not exists:
            try:
                if not target.parent.exists():
                    private_folder(target.parent)
            except OSError as exc:
                raise StoreError(f"Cannot create the folder {target.parent}: {exc.strerror}.") from None
        conn = connect(target)
        try:
            check_compatible(conn, str(target))  # before anything writes to a file that may not be ours
            enable_wal(conn)
            migrate(conn, where=str(target))
            if not exists:
                private_file(target)  # customers' personal data: the owner only
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise translate_error(exc, str(target)) from None
        except BaseException:
            conn.close()
            raise
        return cls(conn, target)

    def close(self) -> None:
        self.conn.close()

    # Backups -------------------------------------------------------------------------------------

    @property
    def backups(self) -> Backups | None:
        """The backups beside this database file (None for an in-memory database)."""
        if self.path is None:
            return None
        return Backups(self.path, keep_last=self.settings().backup_keep)

    def safety_backup(self, reason: str) -> Backup | None:
        """A verified backup before a risky change (import, undo, restore, bulk delete)."""
        return self.backups.take(self.conn, reason) if self.backups else None

    def daily_backup(self) -> Backup | None:
        """The once-a-day backup, if today's has not been taken yet."""
        return self.backups.daily(self.conn) if self.backups else None

    def restore(self, id_or_path: str) -> Backup | None:
        """Replace this database's content with a backup's, after backing up the current state."""
        if self.backups is None:
            raise InvalidInput("An in-memory database has no backups.")
        source = self.backups.find(id_or_path)
        before = self.safety_backup("before restore")
        restore_into(source, self.conn)
        self._kinds = None
        return before

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything inside lands together or not at all."""
        try:
            with write_transaction(self.conn) as conn:
                yield conn
        except BaseException:
            self._kinds = None  # a rolled-back save_kind may have refreshed the cache with what is now gone
            raise

    @property
    def db(self):
        """The connection as a sqlite_utils Database (table introspection, dict rows); loaded on first use,
        because importing sqlite_utils (and the numpy it pulls in) costs a tenth of a second at start-up."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn, execute_plugins=False)
        return self._db

    def query(self, sql: str, params: dict | tuple = ()) -> Iterator[dict]:
        """Rows of any read-only query as dicts."""
        return self.db.query(sql, params)

    # Settings -----------------------------------------------------------------------------------

    def settings(self) -> Settings:
        stored = dict(self.conn.execute("SELECT key, value FROM settings").fetchall())
        values = {}
        for name in Settings.names():
            if name in stored:
                values[name] = json.loads(stored[name])
        return Settings(**values)

    def update_settings(self, **values: int) -> Changes:
        """Change thresholds; unknown names or values out of range raise InvalidInput, nothing written."""
        unknown = set(values) - set(Settings.names())
        if unknown:
            raise InvalidInput(
                f"Unknown setting {', '.join(sorted(unknown))}; known: {', '.join(Settings.names())}."
            )
        current = self.settings()
        try:
            merged = Settings(**{**{n: getattr(current, n) for n in Settings.names()}, **values}).validated()
        except ValueError as exc:
            raise InvalidInput(str(exc).capitalize() + ".") from None
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [(name, json.dumps(getattr(merged, name))) for name in values],
            )
        return Changes(settings=True)

    # Kinds --------------------------------------------------------------------------------------

    def kinds(self) -> dict[str, Kind]:
        """All interaction kinds by lower-case name; cached until this or another connection commits a change
        (PRAGMA data_version tells: a kind added from the CLI is known to an open window)."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._kinds_version:
            self._kinds, self._kinds_version = None, version
        if self._kinds is None:
            rows = self.conn.execute(
                "SELECT id, name, stage, weight, promoter_stage, survey, builtin FROM kinds ORDER BY stage, name"
            ).fetchall()
            self._kinds = {
                row[1].lower(): Kind(
                    id=row[0], name=row[1], stage=Level(row[2]), weight=row[3],
                    promoter_stage=Level(row[4]) if row[4] else None,
                    survey=bool(row[5]), builtin=bool(row[6]),
                )
                for row in rows
            }
        return self._kinds

    def kind(self, name: str) -> Kind:
        """The kind called `name` (any case); UnknownKind lists the known ones."""
        found = self.kinds().get(name.strip().lower())
        if found is None:
            known = ", ".join(sorted(self.kinds()))
            raise UnknownKind(
                f"Unknown interaction kind '{name}'; known kinds: {known} "
                "(add your own with `tracker kinds add NAME --stage LEVEL`)."
            )
        return found

    def save_kind(
        self, name: str, stage: Level, weight: float | None = None, *, survey: bool | None = None
    ) -> Changes:
        """Add a kind, or move an existing one to another stage / weight."""
        clean = name.strip().lower().replace(" ", "_")
        if not clean or not set(clean) <= _KIND_NAME_CHARS or len(clean) > 40:
            raise InvalidInput(f"'{name}' cannot be a kind name; use letters, digits and _ (up to 40).")
        if weight is not None and not 0 <= weight <= 100:
            raise InvalidInput(f"A kind's weight must be between 0 and 100, not {weight}.")
        default_weight = {1: 0.0, 2: 1.0, 3: 2.0, 4: 5.0, 5: 6.0, 6: 8.0}[int(stage)]
        with self.transaction():
            # One statement whatever another connection did meanwhile: insert, or move the existing kind.
            self.conn.execute(
                "INSERT INTO kinds (name, stage, weight, survey) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET stage = excluded.stage, "
                "weight = coalesce(?, kinds.weight), survey = coalesce(?, kinds.survey)",
                (clean, int(stage), default_weight if weight is None else weight, int(bool(survey)),
                 weight, None if survey is None else int(survey)),
            )
        self._kinds = None
        return Changes(kinds=True)
