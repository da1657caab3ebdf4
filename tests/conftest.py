"""Shared fixtures: an offscreen Qt platform, a fresh database per test, the sample files, and the CDNOW sample
(downloaded once per session for the purchase outlook tests)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from tracker.core.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _fresh_integrity_verdicts():
    """Each test starts with no remembered quick_check verdicts (a file system may reuse a deleted file's inode)."""
    from tracker.core.store import integrity

    integrity.forget_all()
    yield


#: How long a test that used qtbot may leave QThreadPool jobs running after it ends.
THREAD_POOL_WAIT_MS = 10_000


@pytest.fixture(autouse=True)
def _no_thread_pool_job_left_running(request):
    """A test that used qtbot fails if a QThreadPool job it started is still running 10 s after it (napari's
    conftest does the same for threads and timers): a job outliving its window would write to a closed test's
    database or signal a deleted widget. Tests that never touch Qt skip this and load no Qt."""
    yield
    qtcore = sys.modules.get("PySide6.QtCore")
    if qtcore is None or "qtbot" not in request.fixturenames:
        return
    if not qtcore.QThreadPool.globalInstance().waitForDone(THREAD_POOL_WAIT_MS):
        pytest.fail(f"a QThreadPool job was still running {THREAD_POOL_WAIT_MS} ms after the test ended")


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "tracker.db"


#: Test modules whose `store` runs on both engines: a Tracker file and a team database on PostgreSQL.
BOTH_ENGINES = {
    "test_dashboard",
    "test_cli",
    "test_dashboard_truth",
    "test_edit_conflicts",
    "test_demo",
    "test_duplicates",
    "test_engagement",
    "test_export_calendar",
    "test_follow_up_list",
    "test_followups",
    "test_front_ends_agree",
    "test_import_activity",
    "test_import_calendar",
    "test_import_contacts",
    "test_import_details",
    "test_import_evidence",
    "test_import_interactions",
    "test_import_mail",
    "test_import_orders",
    "test_merge",
    "test_operations",
    "test_operations_imports",
    "test_outlook",
    "test_phone_region",
    "test_read_snapshot",
    "test_search",
    "test_store",
    "test_undo_import",
}


def pytest_generate_tests(metafunc):
    module = metafunc.module.__name__.rpartition(".")[2]
    if (
        "engine" in metafunc.fixturenames
        and module in BOTH_ENGINES
        and "qtbot" not in metafunc.fixturenames
        and metafunc.definition.get_closest_marker("file_only") is None
    ):
        metafunc.parametrize("engine", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def engine(request) -> str:
    """Which engine the test's store runs on: 'sqlite' unless its module is in BOTH_ENGINES."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster for the session (tests/pg_server.py); skipped where none can start."""
    from pg_server import start_or_skip

    cluster = start_or_skip()
    yield cluster
    cluster.stop()


@pytest.fixture
def team_url(pg_cluster) -> str:
    """The address of an empty team database holding Tracker's schema."""
    return pg_cluster.clean_database()


@pytest.fixture
def db_target(request, engine: str, tmp_path: Path) -> Path | str:
    """What the test's store was opened on (a file's path — the same as db_path —, a team database's address): a
    second connection, a second process or `tracker --db` opens the same database with it."""
    return request.getfixturevalue("team_url") if engine == "postgresql" else tmp_path / "tracker.db"


@pytest.fixture
def store(db_target: Path | str):
    with Store.open(db_target) as opened:
        yield opened


@pytest.fixture
def add_contact(store: Store):
    """Make a contact quickly: add_contact("anna@example.com", first_name="Anna")."""

    def make(email: str | None = None, **fields):
        return store.contacts.add(email=email, **({"first_name": "Test"} | fields))

    return make


@pytest.fixture
def log(store: Store):
    """Log an interaction on a day: log(contact, "purchase", "2026-05-01", amount=10)."""

    def record(contact, kind: str, day: str, **fields):
        moment = datetime.fromisoformat(day) if "T" in day else datetime.fromisoformat(day + "T12:00:00")
        return store.interactions.log(contact.id, kind, moment, **fields)

    return record


@pytest.fixture(scope="session")
def cdnow_text(tmp_path_factory) -> str:
    """The raw text of CDNOW_sample.txt (master id, customer id, YYYYMMDD, CDs, dollars per line), read from the
    lifetimes 0.11.3 wheel without installing it; the test is skipped with a reason where the download fails.
    Nothing is kept in the repository."""
    folder = tmp_path_factory.mktemp("cdnow")
    try:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "lifetimes==0.11.3", "-d", str(folder)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        wheel = next(folder.glob("*.whl"))
        return zipfile.ZipFile(wheel).read("lifetimes/datasets/CDNOW_sample.txt").decode()
    except (subprocess.SubprocessError, StopIteration, KeyError, OSError) as exc:
        pytest.skip(f"the CDNOW sample could not be downloaded from PyPI ({type(exc).__name__})")


#: How long a UI test waits for a condition before failing. Waiting costs nothing when the condition comes true
#: (waitUntil returns at once); pytest-qt's 5 s default was too short on a loaded 2-core machine.
UI_WAIT_MS = 20_000


@pytest.fixture
def qtbot(qtbot):
    """pytest-qt's qtbot, waiting up to UI_WAIT_MS by default in waitUntil and waitSignal."""
    wait_until, wait_signal = qtbot.waitUntil, qtbot.waitSignal

    def wait_until_default(callback, *, timeout=UI_WAIT_MS):
        return wait_until(callback, timeout=timeout)

    def wait_signal_default(signal=None, *, timeout=UI_WAIT_MS, **options):
        return wait_signal(signal, timeout=timeout, **options)

    qtbot.waitUntil, qtbot.waitSignal = wait_until_default, wait_signal_default
    return qtbot
