"""Faults a local database meets: a second writer, a read-only file, a full disk, a kill -9 in the middle of an
import or an undo.

Every test checks the database afterwards (row counts, import batches, PRAGMA integrity_check, the rows
themselves): a failed write leaves nothing half-written, a concurrent write is never lost, and an error reaches
the user as one sentence (from the CLI: one line on stderr, exit code 2).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import random
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.core.errors import StoreBusy, StoreError
from tracker.core.importing import import_contacts, import_interactions
from tracker.core.levels import Level
from tracker.core.store import Store
from tracker.core.store import connection as connection_module
from tracker.core.store.connection import connect

# `tracker.core.store.store` is shadowed by the Store class re-exported from the package; fetch the module itself.
store_module = importlib.import_module("tracker.core.store.store")

REPO = Path(__file__).resolve().parent.parent
BUSY = "The database is busy (another Tracker window or command is writing); try again."
READ_ONLY = "The database is read-only; nothing was changed."
DISK_FULL = "The disk is full; nothing was changed."
TABLES = ("contacts", "interactions", "imports", "import_changes", "follow_ups", "kinds", "settings")


# Helpers ---------------------------------------------------------------------------------------------


def write_contacts_csv(path: Path, rows: int, prefix: str = "anna") -> Path:
    """A plain contacts export: one distinct e-mail per row, so a full import creates exactly `rows` contacts."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("First Name,Last Name,Email,Phone,Company,Tags\r\n")
        out.writelines(
            f"Anna{i},Nowak{i % 997},{prefix}{i}@example.com,+31 6 {i:08d},Firm {i % 313},t{i % 7}\r\n"
            for i in range(rows)
        )
    return path


def write_activity_csv(path: Path, rows: int, people: int = 2000) -> Path:
    """An activity log (email, date, type, amount, note) over `people` e-mail addresses not yet in the database."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("email,date,type,amount,note\r\n")
        out.writelines(
            f"buyer{i % people}@example.com,2026-{i % 12 + 1:02d}-{i % 28 + 1:02d},purchase,{i % 500}.50,order {i}\r\n"
            for i in range(rows)
        )
    return path


def snapshot(db_path: Path) -> dict:
    """What is in the file, read through a fresh connection: row counts, a digest of the data, the integrity check."""
    conn = sqlite3.connect(db_path)
    try:
        counts = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
        digest = hashlib.sha256()
        for table in TABLES:
            digest.update(repr(conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()).encode())
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()
    return {"counts": counts, "digest": digest.hexdigest(), "integrity": integrity}


def counts(db_path: Path) -> dict[str, int]:
    return snapshot(db_path)["counts"]


def emails(db_path: Path) -> set[str]:
    conn = sqlite3.connect(db_path)
    try:
        return {row[0] for row in conn.execute("SELECT email FROM contacts WHERE email IS NOT NULL")}
    finally:
        conn.close()


def hold_write_lock(db_path: Path) -> sqlite3.Connection:
    """Another program in the middle of a write: BEGIN IMMEDIATE and no commit (release with .rollback())."""
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def run_cli(capsys, db_path: Path, *args: object) -> tuple[int, str, str]:
    """Run `tracker --db DB ARGS…` in-process; return (exit code, stdout, stderr)."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), *(str(a) for a in args)])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def assert_one_line_error(result: tuple[int, str, str], sentence: str) -> None:
    """The CLI's contract for a TrackerError: exit 2, exactly `tracker: SENTENCE` on stderr, no traceback."""
    code, out, err = result
    assert code == 2, f"exit {code}, stderr {err!r}"
    assert err == f"tracker: {sentence}\n"
    assert "Traceback" not in out + err


def assert_one_sentence(message: str) -> None:
    assert message.endswith(".") and "\n" not in message
    assert ". " not in message.rstrip("."), f"more than one sentence: {message!r}"


@pytest.fixture
def short_busy_timeout(monkeypatch):
    """Connections opened from now on give up on a held lock after 0.2 s instead of 5 s."""
    monkeypatch.setattr(connection_module, "BUSY_TIMEOUT_MS", 200)


@pytest.fixture
def contacts_csv_20k(tmp_path_factory) -> Path:
    return write_contacts_csv(tmp_path_factory.mktemp("csv") / "contacts_20k.csv", 20_000)


def seed(db_path: Path) -> None:
    """A database with something in it to lose: two contacts, an interaction, an earlier import."""
    with Store.open(db_path) as store:
        marta = store.contacts.add(email="marta@example.com", first_name="Marta", last_name="Nowak")
        store.contacts.add(email="jan@example.com", first_name="Jan")
        store.interactions.log(marta.id, "purchase", datetime(2026, 5, 1, 12), amount=35)
        write_contacts_csv(db_path.parent / "earlier.csv", 5, prefix="earlier")
        import_contacts(store, db_path.parent / "earlier.csv")


# 1. Two writers --------------------------------------------------------------------------------------


def test_a_held_write_lock_makes_contacts_add_wait_then_fail_busy_and_write_nothing(db_path, short_busy_timeout):
    seed(db_path)
    before = snapshot(db_path)
    with Store.open(db_path) as store:
        holder = hold_write_lock(db_path)
        started = time.perf_counter()
        with pytest.raises(StoreBusy) as failure:
            store.contacts.add(email="new@example.com", first_name="New")
        waited = time.perf_counter() - started
        assert str(failure.value) == BUSY
        assert 0.15 <= waited < 3, f"gave up after {waited:.2f} s (busy timeout 0.2 s)"
        assert not store.conn.in_transaction
        assert snapshot(db_path) == before

        holder.rollback()
        holder.close()
        added = store.contacts.add(email="new@example.com", first_name="New")
    assert counts(db_path)["contacts"] == before["counts"]["contacts"] + 1
    assert "new@example.com" in emails(db_path)
    assert added.email == "new@example.com"


@pytest.mark.parametrize("kind", ["contacts", "interactions"])
def test_a_held_write_lock_makes_an_import_fail_busy_with_no_batch_then_it_succeeds(
    db_path, tmp_path, short_busy_timeout, kind
):
    seed(db_path)
    if kind == "contacts":
        importer, source, table = import_contacts, write_contacts_csv(tmp_path / "c.csv", 500, "busy"), "contacts"
    else:
        importer, source, table = import_interactions, write_activity_csv(tmp_path / "a.csv", 500, 50), "interactions"
    before = snapshot(db_path)
    with Store.open(db_path) as store:
        holder = hold_write_lock(db_path)
        with pytest.raises(StoreBusy) as failure:
            importer(store, source)
        assert str(failure.value) == BUSY
        assert snapshot(db_path) == before  # no rows and no batch record

        holder.rollback()
        holder.close()
        report = importer(store, source)
    after = counts(db_path)
    assert report.batch_id is not None and report.created > 0
    assert after["imports"] == before["counts"]["imports"] + 1
    assert after[table] == before["counts"][table] + report.created


@pytest.mark.parametrize(
    ("command", "table"),
    [
        (("log", "new@example.com", "purchase", "--amount", "12"), "interactions"),
        (("add", "--email", "new@example.com", "--first-name", "New"), "contacts"),
        (("import", "contacts", "{csv}"), "imports"),
    ],
    ids=["log", "add", "import"],
)
def test_cli_write_while_another_program_writes_is_one_busy_line_then_works(
    capsys, db_path, tmp_path, short_busy_timeout, command, table
):
    seed(db_path)
    csv_file = write_contacts_csv(tmp_path / "more.csv", 300, "more")
    args = [part.format(csv=csv_file) for part in command]
    before = snapshot(db_path)
    holder = hold_write_lock(db_path)
    try:
        assert_one_line_error(run_cli(capsys, db_path, *args), BUSY)
        assert snapshot(db_path) == before
    finally:
        holder.rollback()
        holder.close()
    code, _, err = run_cli(capsys, db_path, *args)
    assert (code, err) == (0, "")
    assert counts(db_path)[table] == before["counts"][table] + 1


def test_cli_write_while_the_window_is_mid_save_fails_busy_and_both_land_after(capsys, db_path, short_busy_timeout):
    seed(db_path)
    before = counts(db_path)
    with Store.open(db_path) as window:
        with window.transaction():
            window.contacts.add(email="window@example.com", first_name="Window")
            result = run_cli(capsys, db_path, "log", "cli@example.com", "call")
        assert_one_line_error(result, BUSY)
        assert "window@example.com" in emails(db_path)  # the window's save committed
        assert "cli@example.com" not in emails(db_path)
        code, _, err = run_cli(capsys, db_path, "log", "cli@example.com", "call")
        assert (code, err) == (0, "")
        assert window.contacts.by_email("cli@example.com") is not None  # the window sees the CLI's write
    after = counts(db_path)
    assert after["contacts"] == before["contacts"] + 2
    assert after["interactions"] == before["interactions"] + 1


def test_a_window_and_the_cli_interleaving_writes_lose_nothing(capsys, db_path):
    window = Store.open(db_path)
    cli_store = Store.open(db_path)
    try:
        for store in (window, cli_store):
            assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        for i in range(25):
            mine = window.contacts.add(email=f"w{i}@example.com", first_name=f"W{i}")
            theirs = cli_store.contacts.add(email=f"c{i}@example.com", first_name=f"C{i}")
            window.interactions.log(theirs.id, "call", datetime(2026, 5, 1, 9, i))
            cli_store.interactions.log(mine.id, "purchase", datetime(2026, 5, 2, 9, i), amount=i)
            cli_store.contacts.update(mine.id, company=f"Firm {i}")
            window.contacts.update(theirs.id, phone=f"+31 6 {i:08d}")
            if i % 5 == 0:  # the real CLI, in-process, between the two
                code, _, err = run_cli(capsys, db_path, "log", f"t{i}@example.com", "email_open")
                assert (code, err) == (0, "")
        # a reader in the middle of a query does not block a writer (WAL), and sees its snapshot to the end
        cursor = window.conn.execute("SELECT id FROM contacts ORDER BY id")
        first = cursor.fetchone()
        code, _, err = run_cli(capsys, db_path, "add", "--email", "late@example.com")
        assert (code, err) == (0, "")
        assert first is not None and len(cursor.fetchall()) == 25 * 2 + 5 - 1
        assert window.contacts.by_email("late@example.com") is not None
        assert window.contacts.count() == cli_store.contacts.count() == 25 * 2 + 5 + 1
    finally:
        window.close()
        cli_store.close()
    state = snapshot(db_path)
    assert state["integrity"] == ["ok"]
    assert state["counts"]["contacts"] == 56 and state["counts"]["interactions"] == 25 * 2 + 5
    with Store.open(db_path) as check:
        for i in range(25):
            assert check.contacts.by_email(f"w{i}@example.com").company == f"Firm {i}"
            assert check.contacts.by_email(f"c{i}@example.com").phone == f"+31 6 {i:08d}"


def test_two_stores_writing_at_the_same_time_from_two_threads_lose_nothing(db_path):
    Store.open(db_path).close()
    per_writer = 80
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            with Store.open(db_path) as store:
                barrier.wait()
                for i in range(per_writer):
                    contact = store.contacts.add(email=f"{name}{i}@example.com", first_name=name)
                    store.interactions.log(contact.id, "purchase", datetime(2026, 5, 1, 12, i % 60), amount=i)
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("window", "cli")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    state = snapshot(db_path)
    assert state["integrity"] == ["ok"]
    assert state["counts"]["contacts"] == state["counts"]["interactions"] == 2 * per_writer
    assert emails(db_path) == {f"{n}{i}@example.com" for n in ("window", "cli") for i in range(per_writer)}


def test_the_window_keeps_saving_while_a_cli_import_runs_and_nothing_is_lost(db_path, contacts_csv_20k):
    with Store.open(db_path) as window:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tracker",
                "--db",
                str(db_path),
                "import",
                "contacts",
                str(contacts_csv_20k),
                "--json",
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        added = 0
        while process.poll() is None:
            window.contacts.add(email=f"window{added}@example.com", first_name="Window")
            added += 1
            time.sleep(0.002)
        out, err = process.communicate()
        assert (process.returncode, err) == (0, "")
        assert added > 10
        assert window.contacts.count() == 20_000 + added
    report = json.loads(out)
    assert report["created"] == 20_000
    state = snapshot(db_path)
    assert state["integrity"] == ["ok"]
    assert state["counts"]["contacts"] == 20_000 + added
    assert state["counts"]["imports"] == 1


def test_a_kind_added_from_the_cli_can_be_logged_in_the_open_window(capsys, db_path):
    with Store.open(db_path) as window:
        contact = window.contacts.add(email="anna@example.com", first_name="Anna")
        window.interactions.log(contact.id, "purchase", datetime(2026, 5, 1, 12))  # the window has read the kinds
        code, _, err = run_cli(capsys, db_path, "kinds", "add", "tasting", "--stage", "Interaction")
        assert (code, err) == (0, "")
        window.interactions.log(contact.id, "tasting", datetime(2026, 5, 2, 12))
        assert [i.kind for i in window.interactions.list(contact_id=contact.id)] == ["tasting", "purchase"]


def test_a_kind_changed_in_the_window_after_the_cli_added_it_is_updated(capsys, db_path):
    with Store.open(db_path) as window:
        window.kinds()
        code, _, err = run_cli(capsys, db_path, "kinds", "add", "tasting", "--stage", "Interaction")
        assert (code, err) == (0, "")
        window.save_kind("tasting", Level.CONVERSION)
    with Store.open(db_path) as check:
        assert check.kind("tasting").stage == Level.CONVERSION


# 2. Read-only ----------------------------------------------------------------------------------------


def test_a_read_only_database_refuses_every_write_in_one_sentence_and_keeps_everything(db_path, tmp_path):
    seed(db_path)
    contacts_file = write_contacts_csv(tmp_path / "c.csv", 2000, "ro")
    activity_file = write_activity_csv(tmp_path / "a.csv", 2000, 100)
    before = snapshot(db_path)
    with Store(connect(db_path, readonly=True), db_path) as store:
        assert store.contacts.count() == before["counts"]["contacts"]  # reading still works
        marta = store.contacts.by_email("marta@example.com")
        writes = {
            "add": lambda: store.contacts.add(email="new@example.com", first_name="New"),
            "update": lambda: store.contacts.update(marta.id, company="Changed"),
            "log": lambda: store.interactions.log(marta.id, "call", datetime(2026, 6, 1, 12)),
            "settings": lambda: store.update_settings(window_days=200),
            "kind": lambda: store.save_kind("tasting", Level.INTERACTION),
            "import contacts": lambda: import_contacts(store, contacts_file),
            "import interactions": lambda: import_interactions(store, activity_file),
        }
        for name, write in writes.items():
            with pytest.raises(StoreError) as failure:
                write()
            assert str(failure.value) == READ_ONLY, name
            assert_one_sentence(str(failure.value))
            assert not store.conn.in_transaction, name
    assert snapshot(db_path) == before


def test_cli_on_a_read_only_database_reads_but_refuses_writes_in_one_line(capsys, db_path, tmp_path, monkeypatch):
    seed(db_path)
    csv_file = write_contacts_csv(tmp_path / "c.csv", 1000, "ro")
    before = snapshot(db_path)

    def read_only(path, **options):
        return connect(path, readonly=True)

    monkeypatch.setattr(store_module, "connect", read_only)
    for args in (
        ("add", "--email", "new@example.com"),
        ("log", "marta@example.com", "call"),
        ("import", "contacts", csv_file),
        ("undo-import", "1"),
    ):
        assert_one_line_error(run_cli(capsys, db_path, *args), READ_ONLY)
    code, out, err = run_cli(capsys, db_path, "contacts", "--json")
    assert (code, err) == (0, "")
    assert len(json.loads(out)["contacts"]) == before["counts"]["contacts"]
    monkeypatch.undo()
    assert snapshot(db_path) == before


def test_a_backups_folder_that_cannot_be_made_stops_the_import_before_it_writes(db_path, tmp_path):
    """`backups` is a file, so the safety backup (taken before the import's transaction) cannot be made."""
    seed(db_path)
    shutil.rmtree(db_path.parent / "backups")
    (db_path.parent / "backups").write_text("not a folder")
    csv_file = write_contacts_csv(tmp_path / "c.csv", 1000, "nb")
    before = snapshot(db_path)
    with Store.open(db_path) as store, pytest.raises((StoreError, OSError)):
        import_contacts(store, csv_file)
    assert snapshot(db_path) == before
    assert (db_path.parent / "backups").read_text() == "not a folder"


def test_a_backups_folder_that_cannot_be_made_is_a_store_error_sentence(db_path, tmp_path):
    seed(db_path)
    shutil.rmtree(db_path.parent / "backups")
    (db_path.parent / "backups").write_text("not a folder")
    with Store.open(db_path) as store, pytest.raises(StoreError) as failure:
        import_contacts(store, write_contacts_csv(tmp_path / "c.csv", 10, "nb"))
    assert_one_sentence(str(failure.value))
    assert "backup" in str(failure.value)


def test_cli_import_with_a_backups_folder_that_cannot_be_made_is_one_line_exit_2(capsys, db_path, tmp_path):
    seed(db_path)
    shutil.rmtree(db_path.parent / "backups")
    (db_path.parent / "backups").write_text("not a folder")
    before = snapshot(db_path)
    code, _, err = run_cli(capsys, db_path, "import", "contacts", write_contacts_csv(tmp_path / "c.csv", 10, "nb"))
    assert snapshot(db_path) == before
    assert code == 2, err
    assert err.startswith("tracker: ") and err.count("\n") == 1 and "Unexpected" not in err


# 3. Disk full ----------------------------------------------------------------------------------------


def fill_up(conn: sqlite3.Connection, spare_pages: int = 2) -> None:
    """Let the file grow by only `spare_pages` pages on this connection: a disk about to be full."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    assert conn.execute(f"PRAGMA max_page_count = {pages + spare_pages}").fetchone()[0] == pages + spare_pages


@pytest.mark.parametrize("kind", ["contacts", "interactions"])
def test_an_import_that_fills_the_disk_leaves_the_database_exactly_as_before(db_path, tmp_path, kind):
    seed(db_path)
    if kind == "contacts":
        importer, source, created_in = import_contacts, write_contacts_csv(tmp_path / "c.csv", 20_000), "contacts"
    else:
        importer, source, created_in = (
            import_interactions,
            write_activity_csv(tmp_path / "a.csv", 20_000),
            "interactions",
        )
    before = snapshot(db_path)
    with Store.open(db_path) as store:
        fill_up(store.conn)
        with pytest.raises(StoreError) as failure:
            importer(store, source)
        assert str(failure.value) == DISK_FULL
        assert not store.conn.in_transaction
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert snapshot(db_path) == before  # rows, batch records, every value: nothing changed

        store.conn.execute("PRAGMA max_page_count = 1073741823")  # space freed: the same import now goes through
        report = importer(store, source)
    after = snapshot(db_path)
    assert after["integrity"] == ["ok"]
    assert after["counts"]["imports"] == before["counts"]["imports"] + 1
    assert after["counts"][created_in] == before["counts"][created_in] + report.created
    assert report.created >= 2000


def test_cli_import_on_a_full_disk_is_one_line_and_writes_nothing(capsys, db_path, contacts_csv_20k, monkeypatch):
    seed(db_path)
    before = snapshot(db_path)

    def nearly_full(path, **options):
        conn = connect(path, **options)
        fill_up(conn)
        return conn

    monkeypatch.setattr(store_module, "connect", nearly_full)
    assert_one_line_error(run_cli(capsys, db_path, "import", "contacts", contacts_csv_20k), DISK_FULL)
    monkeypatch.undo()
    assert snapshot(db_path) == before


# 4. kill -9 ------------------------------------------------------------------------------------------

KILL_ROWS = 100_000
# at random moments of the run; more by hand with TRACKER_KILLS=100
IMPORT_KILLS = int(os.environ.get("TRACKER_KILLS", "12"))
UNDO_KILLS = 5
IMPORT_COMMIT_KILLS = 5  # aimed at the commit, while it writes the transaction's pages into the WAL
UNDO_COMMIT_KILLS = 3
_FLOCK = "hhxxxxqqi4x"  # struct flock on 64-bit Linux: l_type, l_whence, (pad), l_start, l_len, l_pid, (pad)
_WAL_WRITE_LOCK = 120  # SQLite's unix VFS takes the WAL writer lock on byte 120 of the -shm file


def writer_holds_lock(db_path: Path) -> bool | None:
    """Whether another process holds SQLite's WAL write lock (is inside a write transaction), without taking it.

    Only asks (F_GETLK), so the import is not disturbed. Never call it while this process has the database open:
    closing any descriptor of a file drops this process's POSIX locks on it. None where the answer is unknown.
    """
    if not sys.platform.startswith("linux") or sys.maxsize <= 2**32:
        return None
    import fcntl

    try:
        fd = os.open(f"{db_path}-shm", os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, _WAL_WRITE_LOCK, 1, 0))
    finally:
        os.close(fd)
    return struct.unpack(_FLOCK, answer)[0] != fcntl.F_UNLCK


def wal_bytes(db_path: Path) -> int:
    wal = Path(f"{db_path}-wal")
    try:
        return wal.stat().st_size
    except FileNotFoundError:
        return 0


def copy_db(source: Path, folder: Path) -> Path:
    """A fresh copy of a closed database (no -wal left beside it) in its own folder, with no backups yet."""
    assert not Path(f"{source}-wal").exists()
    folder.mkdir()
    target = folder / source.name
    shutil.copyfile(source, target)
    return target


def start_cli(db_path: Path, *args: object, **options) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "--db", str(db_path), *(str(a) for a in args)], cwd=REPO, **options
    )


def timed_run(db_path: Path, *args: object) -> dict:
    """Run the CLI to the end, watching it: seconds, the longest stretch the write lock was held, the largest
    the WAL grew, stdout.

    The longest stretch is the write transaction; SQLite also takes the lock for a moment when the first
    connection rebuilds the -shm index, which is why a kill classed 'mid' is, strictly, 'while the lock was held'.
    """
    started = time.perf_counter()
    process = start_cli(db_path, *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list[float] = []
    largest_wal = 0
    while process.poll() is None:
        if writer_holds_lock(db_path):
            seen.append(time.perf_counter() - started)
        largest_wal = max(largest_wal, wal_bytes(db_path))
        time.sleep(0.0005)
    seconds = time.perf_counter() - started
    out, err = process.communicate()
    assert (process.returncode, err) == (0, ""), err
    stretches: list[list[float]] = []
    for moment in seen:
        if stretches and moment - stretches[-1][1] < 0.01:
            stretches[-1][1] = moment
        else:
            stretches.append([moment, moment])
    longest = max(stretches, key=lambda s: s[1] - s[0], default=None)
    return {"seconds": seconds, "lock": tuple(longest) if longest else None, "wal": largest_wal, "out": out}


def kill_at(db_path: Path, delay: float, *args: object) -> str:
    """Start the CLI, SIGKILL it `delay` seconds later; say where the kill landed: 'done' (it had finished),
    'mid' (inside its write transaction), 'outside' (before or after it; the outcome tells which) or 'unknown'."""
    started = time.perf_counter()
    process = start_cli(db_path, *args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(max(0.0, started + delay - time.perf_counter()))
    if process.poll() is not None:
        assert process.returncode == 0
        return "done"
    held = writer_holds_lock(db_path)
    process.send_signal(signal.SIGKILL)
    process.wait()
    if process.returncode == 0:  # it finished between the poll and the signal: the kill did not land
        return "done"
    assert process.returncode == -signal.SIGKILL
    return "unknown" if held is None else "mid" if held else "outside"


def kill_when_wal_reaches(db_path: Path, size: int, *args: object) -> str:
    """Start the CLI and SIGKILL it as soon as the WAL holds `size` bytes: in the middle of writing the commit.
    'mid', or 'done' if it finished first."""
    process = start_cli(db_path, *args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None:
        if wal_bytes(db_path) >= size:
            process.send_signal(signal.SIGKILL)
            process.wait()
            if process.returncode == 0:  # it finished between the check and the signal
                return "done"
            assert process.returncode == -signal.SIGKILL
            return "mid"
        time.sleep(0.0002)
    assert process.returncode == 0
    return "done"


def after_crash(db_path: Path) -> tuple[int, int, list[tuple]]:
    """Open the file as the next program would (recovering the WAL): (contacts, import_changes, imports rows)."""
    conn = sqlite3.connect(db_path)
    try:
        assert [row[0] for row in conn.execute("PRAGMA integrity_check")] == ["ok"]
        contacts = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
        changes = conn.execute("SELECT count(*) FROM import_changes").fetchone()[0]
        imports = conn.execute("SELECT id, counts, undone_at FROM imports").fetchall()
    finally:
        conn.close()
    Store.open(db_path).close()  # and Tracker opens it
    return contacts, changes, imports


@pytest.fixture(scope="module")
def kill_corpus(tmp_path_factory) -> dict:
    """A 100k-row contacts file, an empty database, one complete import of it and one undo of that, timed."""
    folder = tmp_path_factory.mktemp("kill")
    csv_file = write_contacts_csv(folder / "contacts_100k.csv", KILL_ROWS)
    empty = folder / "empty" / "tracker.db"
    Store.open(empty).close()
    complete = copy_db(empty, folder / "complete")
    imported = timed_run(complete, "import", "contacts", csv_file, "--json")
    report = json.loads(imported["out"])
    assert report["created"] == KILL_ROWS and report["batch_id"] == 1
    contacts, _, imports = after_crash(complete)  # what "wholly there" means, checked on a run left alone
    assert (contacts, len(imports), imports[0][2]) == (KILL_ROWS, 1, None)
    undone = copy_db(complete, folder / "undone")
    undo = timed_run(undone, "undo-import", "1")
    contacts, _, imports = after_crash(undone)  # and "wholly undone"
    assert contacts == 0 and imports[0][2] is not None
    return {
        "csv": csv_file,
        "empty": empty,
        "complete": complete,
        "created": report["created"],
        "import": imported,
        "undo": undo,
    }


def new_tally() -> dict[str, int]:
    return dict.fromkeys(("mid", "before", "after", "done", "unknown", "torn", "part"), 0)


def tally(landed: dict[str, int], where: str, committed: bool, db_path: Path, wal: int) -> None:
    """Count where a kill landed: inside the write transaction, before it, after its commit, after the end.

    The copies start with an empty WAL and nothing before the transaction writes to it, so a WAL with content
    beside a rolled-back outcome held pages of the killed transaction, which reopening discarded."""
    landed["torn"] += wal > 0 and not committed
    if where in ("done", "unknown"):
        landed[where] += 1
    elif committed:  # 'mid' too: the commit was durable a hair before the kill
        landed["after"] += 1
    else:
        landed["mid" if where == "mid" else "before"] += 1
    landed["part"] += any((db_path.parent / "backups").glob("*.part"))  # killed while writing a backup


def describe(name: str, run: dict, landed: dict[str, int]) -> str:
    lock = run["lock"]
    window = f"write lock held {lock[0]:.2f}–{lock[1]:.2f} s" if lock else "write lock not observed"
    return (
        f"\n{name} (one full run {run['seconds']:.2f} s, {window}, WAL up to {run['wal'] / 1e6:.1f} MB): "
        f"{landed['mid']} mid-transaction, {landed['before']} before it, {landed['after']} after the commit, "
        f"{landed['done']} after the end, {landed['unknown']} unclassified; {landed['torn']} rolled back had "
        f"left uncommitted pages in the WAL; {landed['part']} left a half-written backup (.part) behind"
    )


def check_import_outcome(db: Path, created: int, label: str) -> bool:
    """The batch is wholly there or wholly absent; True if it is there."""
    contacts, changes, imports = after_crash(db)
    if imports:  # the batch record with its counts, and every contact of a complete run
        assert (contacts, len(imports)) == (created, 1), f"{label}: partial batch"
        assert json.loads(imports[0][1])["created"] == created and imports[0][2] is None
        return True
    assert (contacts, changes) == (0, 0), f"{label}: rows without a batch"
    return False


def check_undo_outcome(db: Path, created: int, label: str) -> bool:
    """The undo is wholly done or wholly not; True if done."""
    contacts, _, imports = after_crash(db)
    assert len(imports) == 1
    if imports[0][2] is None:
        assert contacts == created, f"{label}: contacts removed without the batch marked undone"
        return False
    assert contacts == 0, f"{label}: batch marked undone with contacts left"
    return True


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_kill_9_during_an_import_leaves_the_batch_wholly_there_or_wholly_absent(kill_corpus, tmp_path):
    rng = random.Random(20261123)
    reference, created = kill_corpus["import"], kill_corpus["created"]
    args = ("import", "contacts", kill_corpus["csv"])
    landed, aimed = new_tally(), new_tally()
    absent_copy = None
    for run in range(IMPORT_KILLS):
        db = copy_db(kill_corpus["empty"], tmp_path / f"run{run}")
        where = kill_at(db, rng.uniform(0.10, 0.95) * reference["seconds"], *args)
        wal = wal_bytes(db)
        there = check_import_outcome(db, created, f"run {run} ({where})")
        assert there or where != "done"
        tally(landed, where, there, db, wal)
        absent_copy = absent_copy if there else db
    for run in range(IMPORT_COMMIT_KILLS):
        db = copy_db(kill_corpus["empty"], tmp_path / f"commit{run}")
        where = kill_when_wal_reaches(db, int(rng.uniform(0.02, 0.9) * reference["wal"]), *args)
        wal = wal_bytes(db)
        tally(aimed, where, check_import_outcome(db, created, f"commit run {run} ({where})"), db, wal)
    print(describe("kill -9 of `import contacts` (100k rows) at random", reference, landed))
    print(describe("kill -9 of `import contacts` while the commit writes the WAL", reference, aimed))

    if absent_copy is not None:  # a killed import is simply run again
        assert start_cli(absent_copy, *args, stdout=subprocess.DEVNULL).wait() == 0
        assert check_import_outcome(absent_copy, created, "the import run again")
    if landed["unknown"] == 0:
        assert landed["mid"] >= 1, "no kill landed inside the import's transaction; the test proved little"
    assert aimed["torn"] >= 1, "no kill landed while the commit was writing; the test proved little"


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_kill_9_during_undo_import_leaves_it_wholly_undone_or_wholly_not(kill_corpus, tmp_path):
    rng = random.Random(11)
    reference, created = kill_corpus["undo"], kill_corpus["created"]
    landed, aimed = new_tally(), new_tally()
    for run in range(UNDO_KILLS):
        db = copy_db(kill_corpus["complete"], tmp_path / f"run{run}")
        where = kill_at(db, rng.uniform(0.10, 0.95) * reference["seconds"], "undo-import", "1")
        wal = wal_bytes(db)
        undone = check_undo_outcome(db, created, f"run {run} ({where})")
        assert undone or where != "done"
        tally(landed, where, undone, db, wal)
    for run in range(UNDO_COMMIT_KILLS):
        db = copy_db(kill_corpus["complete"], tmp_path / f"commit{run}")
        where = kill_when_wal_reaches(db, int(rng.uniform(0.02, 0.9) * reference["wal"]), "undo-import", "1")
        wal = wal_bytes(db)
        tally(aimed, where, check_undo_outcome(db, created, f"commit run {run} ({where})"), db, wal)
    print(describe("kill -9 of `undo-import` (100k contacts) at random", reference, landed))
    print(describe("kill -9 of `undo-import` while the commit writes the WAL", reference, aimed))
