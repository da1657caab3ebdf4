"""A throwaway PostgreSQL cluster on loopback for the team-database tests: Debian's PostgreSQL binaries, a data
folder in a temporary folder, a free port, trust authentication for 127.0.0.1 only, stopped and removed at the
end of the session. `initdb` refuses root, so as root the cluster runs as Debian's `postgres` user (or `nobody`).

Each test gets a team database holding Tracker's schema and nothing else: one database per session emptied
before every test (TRUNCATE … RESTART IDENTITY and the built-in kinds put back: ~20 ms, where a new database
copied from a template costs ~0.4 s), or, for the tests that need one, a brand-new database. Skipped, with the
reason, where PostgreSQL is not installed (.ci/run installs it).
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tracker.core.store.pg_schema import WATCHED

SUPERUSER = "postgres"
TEMPLATE = "tracker_template"


def _binaries() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if found:
        return found[0].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _server_environment() -> dict[str, str]:
    """This environment without libfaketime: the suite runs once with the date moved (`faketime`), which is for
    Tracker's code; the server keeps the real clock, as a shop's server would (under libfaketime its lock_timeout
    never fired, and a test of a busy database waited for ever)."""
    return {
        name: value
        for name, value in os.environ.items()
        if name != "LD_PRELOAD" and not name.startswith(("FAKETIME", "DONT_FAKE", "FAKE_"))
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_as() -> tuple[list[str], int, int] | None:
    """(command prefix, uid, gid) to run the server as someone other than root; None when not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"], entry.pw_uid, entry.pw_gid
    raise RuntimeError("running as root and there is no postgres or nobody user to run PostgreSQL as")


class Cluster:
    """A running throwaway cluster: `url(database, user)` addresses it, `new_database()` gives a fresh copy of the
    schema template."""

    def __init__(self) -> None:
        self.bin = _binaries()
        if self.bin is None:
            raise FileNotFoundError("PostgreSQL's initdb is not installed")
        self.root = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._names = itertools.count(1)
        self._shared: str | None = None
        self._seed: dict[str, list[tuple[object, ...]]] = {}
        self._as = _run_as()
        if self._as is not None:
            os.chmod(self.root, 0o755)
            os.chown(self.root, self._as[1], self._as[2])
        self._start()

    def _cmd(self, *args: str) -> list[str]:
        return [*(self._as[0] if self._as else []), *args]

    def _start(self) -> None:
        assert self.bin is not None
        subprocess.run(
            self._cmd(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ),
            check=True,
            capture_output=True,
            env=_server_environment(),
        )
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n"
        )
        if self._as is not None:
            os.chown(self.data / "pg_hba.conf", self._as[1], self._as[2])
        options = (
            f"-c port={self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
            "-c shared_buffers=128MB"
        )
        subprocess.run(
            self._cmd(
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.root / "log"),
                "-o",
                options,
                "-w",
                "start",
            ),
            check=True,
            capture_output=True,
            env=_server_environment(),
        )
        self.admin(f"CREATE DATABASE {TEMPLATE}")
        from tracker.core.store import Store

        Store.open(self.url(TEMPLATE)).close()  # the schema, made once; every test copies it

    def url(self, database: str, user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str, database: str = "postgres") -> list[tuple[object, ...]]:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cursor = conn.execute(sql)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    def clean_database(self) -> str:
        """The session's shared team database, emptied to what a new one holds; returns its URL."""
        import psycopg

        if self._shared is None:
            self._shared = self.new_database()
            with psycopg.connect(self._shared, autocommit=True) as conn:
                self._seed = {
                    table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()  # type: ignore[arg-type]
                    for table in ("kinds", "settings")
                }
        tables = ", ".join(WATCHED)
        with psycopg.connect(self._shared, autocommit=True) as conn, conn.transaction():
            conn.execute("SET LOCAL lock_timeout = '10s'")
            conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")  # type: ignore[arg-type]
            for table, rows in self._seed.items():
                if rows:
                    marks = ", ".join(["%s"] * len(rows[0]))
                    conn.cursor().executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # type: ignore[arg-type]
            conn.execute("SELECT setval(pg_get_serial_sequence('kinds', 'id'), (SELECT max(id) FROM kinds))")
            conn.execute("UPDATE tracker_state SET version = 0")
        return self._shared

    def new_database(self, *, empty: bool = False) -> str:
        """A fresh database (with Tracker's schema unless `empty`); returns its URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        template = "template0" if empty else TEMPLATE
        for attempt in range(50):  # the template is busy while another CREATE DATABASE copies it
            try:
                self.admin(f"CREATE DATABASE {name} TEMPLATE {template}")
                break
            except Exception as exc:
                if "being accessed" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.05)
        return self.url(name)

    def stop(self) -> None:
        assert self.bin is not None
        subprocess.run(
            self._cmd(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"),
            capture_output=True,
            env=_server_environment(),
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_or_skip() -> Cluster:
    try:
        return Cluster()
    except (FileNotFoundError, subprocess.CalledProcessError, RuntimeError) as exc:
        detail = exc.stderr.decode(errors="replace").strip() if isinstance(exc, subprocess.CalledProcessError) else exc
        pytest.skip(f"no PostgreSQL server for the team-database tests ({detail})")
