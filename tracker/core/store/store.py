"""The Store: one open Tracker database, its settings and kinds, and the tables hung off it."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.core.errors import InvalidInput, NotATrackerFile, StoreError, UnknownKind
from tracker.core.levels import Level, Settings
from tracker.core.models import Changes, Kind
from tracker.core.normalize import check_region, default_region
from tracker.core.store import integrity
from tracker.core.store.connection import (
    APPLICATION_ID,
    check_file,
    connect,
    enable_wal,
    translate_error,
    write_transaction,
)
from tracker.core.store.migrations import check_compatible, latest_version, migrate
from tracker.core.store.table import is_team_connection

if TYPE_CHECKING:
    from tracker.core.backups import Backup, Backups
    from tracker.core.store.contacts import ContactsTable
    from tracker.core.store.dashboard import DashboardQueries
    from tracker.core.store.engagement import EngagementQueries
    from tracker.core.store.follow_ups import FollowUpsTable
    from tracker.core.store.imports import ImportsTable
    from tracker.core.store.interactions import InteractionsTable
    from tracker.core.store.purchases import PurchaseQueries

_KIND_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")


class Store:
    """A Tracker database. Open with `Store.open(path)`; use as a context manager to close it."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None):
        self.conn = conn
        self.path = path
        self._closed = False
        self._kinds: dict[str, Kind] | None = None
        self._kinds_version: int | None = None
        self._readonly_conn = False
        #: The team database's address (postgresql://…), or None for a file.
        self.url: str | None = None
        self._team_version_seen: int | None = None
        #: Why this store cannot be written (read-only location, damaged file), or None.
        self.read_only: str | None = None

    # The tables, each made (and its module imported) on first use: the window's first paint needs only `contacts`,
    # and the engagement queries (the search index behind them), imports, dashboard and purchases load after it.

    @cached_property
    def contacts(self) -> ContactsTable:
        from tracker.core.store.contacts import ContactsTable

        return ContactsTable(self)

    @cached_property
    def interactions(self) -> InteractionsTable:
        from tracker.core.store.interactions import InteractionsTable

        return InteractionsTable(self)

    @cached_property
    def follow_ups(self) -> FollowUpsTable:
        from tracker.core.store.follow_ups import FollowUpsTable

        return FollowUpsTable(self)

    @cached_property
    def engagement(self) -> EngagementQueries:
        from tracker.core.store.engagement import EngagementQueries

        return EngagementQueries(self)

    @cached_property
    def imports(self) -> ImportsTable:
        from tracker.core.store.imports import ImportsTable

        return ImportsTable(self)

    @cached_property
    def dashboard(self) -> DashboardQueries:
        from tracker.core.store.dashboard import DashboardQueries

        return DashboardQueries(self)

    @cached_property
    def purchases(self) -> PurchaseQueries:
        from tracker.core.store.purchases import PurchaseQueries

        return PurchaseQueries(self)

    @classmethod
    def open(cls, path: Path | str, *, create: bool = True, verify: bool = True) -> Store:
        """Open (and create or upgrade) the database at `path`; ':memory:' for a throwaway one.

        With `verify` (the CLI, tests) the file is first looked at read-only and checked with quick_check (once
        per process): a damaged file comes back as a read-only store whose writes are refused in one sentence.
        The window opens with verify=False so it shows at once; it checks on a worker, and until then its first
        write checks (every write asks `integrity.require_sound`, which remembers the verdict per process).
        A file in a read-only location (a read-only mount, a locked USB stick) comes back read-only too."""
        from tracker.core.store.postgres import is_url

        if is_url(path):
            return cls._open_team(str(path))
        if str(path) == ":memory:":
            conn = connect(":memory:")
            migrate(conn)
            return cls(conn)
        target = Path(path).expanduser()
        exists = check_file(target)
        if not exists and not create:
            raise StoreError(f"There is no database at {target}.")
        if not exists:
            from tracker.core.backups import private_folder

            try:
                if not target.parent.exists():
                    private_folder(target.parent)
            except OSError as exc:
                raise StoreError(f"Cannot create the folder {target.parent}: {exc.strerror or exc}.") from None
        elif not (os.access(target, os.W_OK) and os.access(target.parent, os.W_OK)):
            return cls._open_read_only(target, f"{target} is in a read-only location; nothing was changed.")
        elif verify:
            probe = cls._open_read_only(target, None)
            if probe.damaged:
                return probe
            probe.close()
        conn = connect(target)
        try:
            version = check_compatible(conn, str(target))  # before anything writes to a file that may not be ours
            if exists and version < latest_version():
                integrity.require_sound(conn, target)  # an upgrade writes: only into a sound file
            enable_wal(conn)
            migrate(conn, where=str(target))
            if not exists:
                from tracker.core.backups import private_file

                private_file(target)  # customers' personal data: the owner only
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise translate_error(exc, str(target)) from None
        except BaseException:
            conn.close()
            raise
        return cls(conn, target)

    @classmethod
    def _open_team(cls, url: str) -> Store:
        """A team database on PostgreSQL: made or upgraded once (under a lock), then used as a file is."""
        from tracker.core.store import pg_schema, postgres
        from tracker.core.store.migrations import MIGRATIONS

        conn = postgres.connect(url)
        try:
            pg_schema.migrate(conn, list(MIGRATIONS), postgres.describe(url).capitalize())
        except BaseException:
            conn.close()
            raise
        store = cls(conn, None)  # type: ignore[arg-type]  # the sqlite3.Connection methods the store uses
        store.url = url
        return store

    @property
    def engine(self) -> str:
        """'sqlite' for a file, 'postgresql' for a team database."""
        return "sqlite" if self.url is None else "postgresql"

    def describe(self) -> str:
        """How a sentence names this database: its file, or 'the team database shop on host'."""
        if self.url is not None:
            from tracker.core.store.postgres import describe

            return describe(self.url)
        return str(self.path) if self.path is not None else "the database in memory"

    def require_owner(self, action: str) -> None:
        """Refuse `action` (e.g. "Exporting contacts") with PermissionRefused when a team database's user has only the
        staff role; nothing on a file. For actions the server cannot refuse by itself: reading them is staff work."""
        if is_team_connection(self.conn):
            from tracker.core.store.team_roles import require_owner

            require_owner(self.conn, action)

    def schema_version(self) -> int:
        if self.url is not None:
            version: int = self.conn.execute("SELECT version FROM tracker_schema").fetchone()[0]
            return version
        from tracker.core.store.migrations import schema_version

        return schema_version(self.conn)

    def forget_kinds(self) -> None:
        """Read the kinds afresh next time (after they were replaced wholesale)."""
        self._kinds = None

    @classmethod
    def _open_read_only(cls, target: Path, reason: str | None) -> Store:
        """A store on a connection that cannot write (SQLite's mode=ro), checked with quick_check."""
        conn = connect(target, readonly=True)
        try:
            check_compatible(conn, str(target))
            problem = integrity.check(conn, target)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise translate_error(exc, str(target)) from None
        except BaseException:
            conn.close()
            raise
        store = cls(conn, target)
        store._readonly_conn = True
        store.read_only = reason
        if problem is not None:
            store.read_only = integrity.damaged_sentence(target, problem)
        return store

    @property
    def damaged(self) -> str | None:
        """The sentence for a damaged file (it is only read), or None while no check has found a problem."""
        if self.path is None:
            return None
        _, problem = integrity.known_verdict(self.path)
        return None if problem is None else integrity.damaged_sentence(self.path, problem)

    def check_integrity(self) -> str | None:
        """quick_check (once per file per process): None if the file is sound, else what is wrong."""
        return None if self.path is None else integrity.check(self.conn, self.path)

    def data_version(self) -> int:
        """A number that changes whenever another connection (another process, a worker) commits to the file
        (on a team database, whenever anyone commits)."""
        if self.url is not None:
            return self._team_version()
        version: int = self.conn.execute("PRAGMA data_version").fetchone()[0]
        return version

    def _team_version(self) -> int:
        """tracker_state's count of commits, asked again only after the server said something changed (LISTEN
        tracker_changes): a window polling it costs no round trip while nobody writes."""
        conn = self.conn
        if not is_team_connection(conn):
            raise StoreError(f"{self.describe().capitalize()} is not a team database.")
        if not conn.watching:
            conn.watch()
        if conn.take_notified() or self._team_version_seen is None:
            self._team_version_seen = int(conn.execute("SELECT version FROM tracker_state").fetchone()[0])
        return self._team_version_seen

    def require_writable(self) -> None:
        """Refuse, in one sentence and before anything is written, a write into a read-only or damaged file."""
        if self.path is None:
            return
        integrity.require_sound(self.conn, self.path)
        if self.read_only:
            raise StoreError(self.read_only)

    @property
    def closed(self) -> bool:
        """Whether close() was called: a queued callback of a closed window asks before it reads."""
        return self._closed

    def close(self) -> None:
        self._closed = True
        if self.path is not None and not self._readonly_conn and integrity.known_verdict(self.path)[1]:
            # Closing the last connection checkpoints the WAL into the file: hold a read-only connection
            # meanwhile, so a damaged file is not written even then.
            guard = connect(self.path, readonly=True)
            try:
                guard.execute("SELECT count(*) FROM sqlite_master").fetchone()
                self.conn.close()
            except sqlite3.DatabaseError:
                self.conn.close()
            finally:
                guard.close()
            return
        self.conn.close()

    # Backups -------------------------------------------------------------------------------------

    @property
    def backups(self) -> Backups | None:
        """The backups beside this database file (None for an in-memory database)."""
        if self.path is None:
            return None
        from tracker.core.backups import Backups

        return Backups(self.path, keep_last=self.settings().backup_keep)

    def safety_backup(self, reason: str) -> Backup | None:
        """A verified backup before a risky change (import, undo, restore, bulk delete)."""
        self.require_writable()
        return self.backups.take(self.conn, reason) if self.backups else None

    def daily_backup(self) -> Backup | None:
        """The once-a-day backup, if today's has not been taken yet."""
        return self.backups.daily(self.conn) if self.backups else None

    def restore(self, id_or_path: str) -> Backup | None:
        """Replace this database's content with a backup's, after backing up the current state."""
        if self.backups is None:
            raise InvalidInput("An in-memory database has no backups.")
        source = self.backups.find(id_or_path)
        self.check_restorable(source)
        before = self.safety_backup("before restore")
        from tracker.core.backups import restore_into

        restore_into(source, self.conn)
        assert self.path is not None  # backups exist only beside a file
        integrity.remember(self.path, None)  # the content now is the backup's, which passed quick_check
        self._kinds = None
        return before

    @staticmethod
    def check_restorable(source: Path) -> None:
        """Refuse, in one sentence, anything but a sound Tracker database this version can open: another
        program's SQLite file, an empty one, one from a newer Tracker, a damaged one, a file that is not SQLite."""
        try:
            conn = connect(source, readonly=True)
        except StoreError:
            raise InvalidInput(f"{source} is not a Tracker database; nothing was restored.") from None
        try:
            check_compatible(conn, str(source))
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            if app_id != APPLICATION_ID or not {"contacts", "interactions", "kinds"} <= tables:
                raise NotATrackerFile(f"{source} is not a Tracker database")
            found = [row[0] for row in conn.execute("PRAGMA quick_check")]
            if found != ["ok"]:
                raise StoreError(f"{source} does not pass the integrity check ({found[0]})")
        except sqlite3.DatabaseError as exc:
            raise InvalidInput(f"{source} is not a Tracker database ({exc}); nothing was restored.") from None
        except StoreError as exc:
            raise InvalidInput(f"{str(exc).rstrip('.')}; nothing was restored.") from None
        finally:
            conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything inside lands together or not at all (never in a damaged file)."""
        self.require_writable()
        try:
            with write_transaction(self.conn) as conn:
                yield conn
        except BaseException:
            self._kinds = None  # a rolled-back save_kind may have refreshed the cache with what is now gone
            raise

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One read transaction: every query inside sees the same state of the file, so an answer built from
        several queries (the follow-up list: scheduled follow-ups, then each contact's engagement) cannot mix the
        states before and after another process's change (a merge between two of them removed a contact the
        first had seen). Inside a write transaction, or nested, it adds nothing."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")  # nothing was written: ends the snapshot

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
            raise InvalidInput(f"Unknown setting {', '.join(sorted(unknown))}; known: {', '.join(Settings.names())}.")
        current = self.settings()
        try:
            merged = Settings(**{**{n: getattr(current, n) for n in Settings.names()}, **values}).validated()
        except ValueError as exc:
            raise InvalidInput(str(exc).capitalize() + ".") from None
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [(name, json.dumps(getattr(merged, name))) for name in values],
            )
        return Changes(settings=True)

    def phone_region(self) -> str:
        """The region phone numbers without a + are read in (GB, DE, US…): the user's setting, kept by schema 5
        from the system locale when the file was made or upgraded."""
        row = self.conn.execute("SELECT value FROM settings WHERE key = 'phone_region'").fetchone()
        return str(json.loads(row[0])) if row else default_region()

    def set_phone_region(self, region: str) -> Changes:
        """Change the phone region and re-key every stored phone with it, in one transaction (an unknown code:
        InvalidInput, nothing written)."""
        code = check_region(region)
        with self.transaction():
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES ('phone_region', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (json.dumps(code),),
            )
            self.contacts.rekey_phones(code)
        return Changes(settings=True, contacts=True)

    # Kinds --------------------------------------------------------------------------------------

    def kinds(self) -> dict[str, Kind]:
        """All interaction kinds by lower-case name; cached until this or another connection commits a change
        (PRAGMA data_version tells: a kind added from the CLI is known to an open window)."""
        version = self.data_version()
        if version != self._kinds_version:
            self._kinds, self._kinds_version = None, version
        if self._kinds is None:
            rows = self.conn.execute(
                "SELECT id, name, stage, weight, promoter_stage, survey, builtin FROM kinds ORDER BY stage, name"
            ).fetchall()
            self._kinds = {
                row[1].lower(): Kind(
                    id=row[0],
                    name=row[1],
                    stage=Level(row[2]),
                    weight=row[3],
                    promoter_stage=Level(row[4]) if row[4] else None,
                    survey=bool(row[5]),
                    builtin=bool(row[6]),
                )
                for row in rows
            }
        return self._kinds

    def kind(self, name: str) -> Kind:
        """The kind called `name` (any case); UnknownKind lists the known ones."""
        found = self.kinds().get(name.strip().lower())
        if found is None:
            known = ", ".join(sorted(self.kinds()))
            raise UnknownKind(f"Unknown interaction kind '{name}'; known kinds: {known}.")
        return found

    def save_kind(self, name: str, stage: Level, weight: float | None = None, *, survey: bool | None = None) -> Changes:
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
                (
                    clean,
                    int(stage),
                    default_weight if weight is None else weight,
                    int(bool(survey)),
                    weight,
                    None if survey is None else int(survey),
                ),
            )
        self._kinds = None
        return Changes(kinds=True)
