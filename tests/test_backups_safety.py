"""Backups under pressure: commands started in the same second, a backups folder that is a link (a USB disk), and a
database on a read-only location (a real read-only mount: root ignores file modes)."""

from __future__ import annotations

import errno
import multiprocessing
import os
import shutil
import sqlite3
import stat
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.core.backups import Backups, quick_check
from tracker.core.errors import StoreError
from tracker.core.store import Store

NOW = datetime(2026, 11, 23, 9, 0)


def run(capsys, db_path: Path, *args: object) -> tuple[int, str, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), *(str(a) for a in args)])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def one_sentence(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracker: ") and "Traceback" not in err, err
    assert "Unexpected error" not in err
    return lines[0]


# Commands started together -----------------------------------------------------------------------------------


def _command_worker(db: str, rounds: int, start, done, results) -> None:
    """One separate process: at each round, wait for the others, run `tracker --db DB levels`, report."""
    import contextlib
    import io
    from threading import BrokenBarrierError

    from tracker.cli import main as tracker_main

    for _ in range(rounds):
        try:
            start.wait()
        except BrokenBarrierError:  # the test failed and called the rounds off
            return
        err = io.StringIO()
        code = 0
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                tracker_main(["--db", db, "levels"])
            except SystemExit as exc:
                code = exc.code
        results.put((code, err.getvalue()))
        try:
            done.wait()
        except BrokenBarrierError:
            return


@pytest.mark.slow
def test_commands_started_in_the_same_second_each_take_a_sound_daily_backup(tmp_path):
    """20 rounds of 4 processes released together on a database whose last backup is gone (so each wants the
    daily one): every command succeeds, and every backup file is whole and has a name of its own."""
    db = tmp_path / "tracker.db"
    with Store.open(db) as store:
        store.contacts.add(first_name="Anna", email="anna@example.com")
    rounds, workers = 20, 4
    context = multiprocessing.get_context("spawn")
    start, done = context.Barrier(workers + 1), context.Barrier(workers + 1)
    results = context.Queue()
    processes = [
        context.Process(target=_command_worker, args=(str(db), rounds, start, done, results)) for _ in range(workers)
    ]
    for process in processes:
        process.start()
    folder = db.parent / "backups"
    try:
        for _ in range(rounds):
            shutil.rmtree(folder, ignore_errors=True)
            start.wait(timeout=120)
            outcomes = [results.get(timeout=120) for _ in range(workers)]
            assert outcomes == [(0, "")] * workers
            files = sorted(p.name for p in folder.iterdir())
            assert not [name for name in files if not name.endswith(".db")], files  # no piece left behind
            assert 1 <= len(files) <= workers
            assert all(quick_check(folder / name) == "ok" for name in files)
            done.wait(timeout=120)
    finally:
        start.abort()  # a failed round releases the workers at once
        done.abort()
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
    assert [p.exitcode for p in processes] == [0] * workers


def test_backups_on_a_file_system_without_hard_links_get_names_of_their_own(store, monkeypatch):
    """FAT and exFAT (a USB disk) cannot link: the name is claimed with O_EXCL instead, still never shared."""

    def no_links(source, target):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    first = store.backups.take(store.conn, "manual", now=NOW)
    second = store.backups.take(store.conn, "manual", now=NOW)
    assert first.path != second.path and {first.id, second.id} == {"20261123-090000-manual", "20261123-090000-manual-2"}
    assert quick_check(first.path) == quick_check(second.path) == "ok"
    assert sorted(p.name for p in store.backups.folder.iterdir()) == sorted([first.path.name, second.path.name])


def test_a_name_taken_meanwhile_by_another_process_is_not_overwritten(store, monkeypatch):
    """The name is chosen when the backup is published, not before it is written."""
    backups = store.backups
    taken = backups.folder / "tracker-20261123-090000-manual.db"
    real_link = os.link

    def link_after_another(source, target):
        if Path(target) == taken and not taken.exists():
            taken.write_bytes(b"another process's backup")
        return real_link(source, target)

    backups.folder.mkdir(exist_ok=True)
    monkeypatch.setattr(os, "link", link_after_another)
    made = backups.take(store.conn, "manual", now=NOW)
    assert made.path.name == "tracker-20261123-090000-manual-2.db"
    assert taken.read_bytes() == b"another process's backup"


# A backups folder that is a link ----------------------------------------------------------------------------


def test_a_linked_backups_folder_is_used_but_its_target_is_never_chmodded(store, tmp_path):
    usb = tmp_path / "usb-disk"
    usb.mkdir(mode=0o755)
    os.chmod(usb, 0o755)
    store.backups.folder.symlink_to(usb, target_is_directory=True)
    made = store.backups.take(store.conn, "manual", now=NOW)
    assert made.path.parent == store.backups.folder and (usb / made.path.name).is_file()
    assert stat.S_IMODE(usb.stat().st_mode) == 0o755
    assert store.backups.folder.is_symlink()


def test_a_backups_link_to_nothing_or_to_a_file_is_refused_in_a_sentence(store, tmp_path):
    store.backups.folder.symlink_to(tmp_path / "unplugged-disk")
    with pytest.raises(StoreError, match=r"is a link to .*unplugged-disk, which is not a folder"):
        store.backups.take(store.conn, "manual", now=NOW)
    assert store.backups.daily(store.conn, now=NOW) is None  # the daily one is skipped quietly
    assert not (tmp_path / "unplugged-disk").exists()

    store.backups.folder.unlink()
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    os.chmod(a_file, 0o644)
    store.backups.folder.symlink_to(a_file)
    with pytest.raises(StoreError, match="not a folder"):
        store.backups.take(store.conn, "manual", now=NOW)
    assert stat.S_IMODE(a_file.stat().st_mode) == 0o644 and a_file.read_text() == "mine"


def test_a_file_where_the_backups_folder_goes_is_refused_in_a_sentence(store):
    store.backups.folder.write_text("not a folder")
    with pytest.raises(StoreError, match="not a folder"):
        store.backups.take(store.conn, "manual", now=NOW)


# A database on a read-only location ------------------------------------------------------------------------------


@pytest.fixture
def read_only_mount(tmp_path):
    """A small tmpfs at tmp_path/ro; call the returned function to remount it read-only. Skipped where mounting
    is not permitted (not root, or a container without CAP_SYS_ADMIN)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(folder)], capture_output=True, text=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({made.stderr.strip() or made.returncode})")

    def make_read_only() -> Path:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)
        return folder

    try:
        yield folder, make_read_only
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def database_in(folder: Path, *, backup: bool = True) -> Path:
    """A Tracker database with two contacts (closed cleanly: no -wal or -shm beside it) and one backup."""
    db = folder / "tracker.db"
    with Store.open(db) as store:
        store.contacts.add(first_name="Anna", email="anna@example.com")
        store.contacts.add(first_name="Bob", email="bob@example.com")
        if backup:
            store.backups.take(store.conn, "manual", now=NOW)
    assert not Path(f"{db}-wal").exists()
    return db


def test_check_calls_an_intact_file_on_a_read_only_location_intact(capsys, read_only_mount):
    folder, make_read_only = read_only_mount
    db = database_in(folder)
    make_read_only()
    code, out, err = run(capsys, db, "check")
    assert (code, err) == (0, "")
    assert (
        out == f"{db}: the integrity check found no problems (it is in a read-only location: it can be read, "
        "not changed).\n"
    )


def test_check_still_calls_a_damaged_file_on_a_read_only_location_damaged(capsys, read_only_mount):
    folder, make_read_only = read_only_mount
    db = database_in(folder, backup=False)
    with db.open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"\xff" * 4096)
    make_read_only()
    code, _out, err = run(capsys, db, "check")
    assert code == 2 and "is damaged" in one_sentence(err)


def test_check_says_when_unsaved_changes_cannot_be_read_on_a_read_only_location(capsys, read_only_mount):
    """A -wal file left beside it (the machine stopped) without its -shm: reading the file alone would miss
    changes, so check says what to do rather than calling it intact or damaged."""
    folder, make_read_only = read_only_mount
    db = database_in(folder, backup=False)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("UPDATE contacts SET notes = 'changed'")
    conn.commit()
    shutil.copy(f"{db}-wal", tmp := folder / "keep-wal")
    conn.close()  # checkpoints and removes the -wal: put it back without the -shm
    os.replace(tmp, f"{db}-wal")
    Path(f"{db}-shm").unlink(missing_ok=True)
    make_read_only()
    code, _out, err = run(capsys, db, "check")
    line = one_sentence(err)
    assert code == 2 and "read-only" in line and "-wal" in line and "damaged" not in line


def test_restore_on_a_read_only_location_says_so_in_one_sentence(capsys, read_only_mount):
    folder, make_read_only = read_only_mount
    db = database_in(folder)
    (backup,) = Backups(db).list()
    make_read_only()
    code, out, err = run(capsys, db, "restore", backup.id)
    assert (code, out) == (2, "")
    assert "read-only" in one_sentence(err)


def test_daily_backup_is_skipped_quietly_on_a_read_only_location(read_only_mount):
    folder, make_read_only = read_only_mount
    db = database_in(folder, backup=False)
    make_read_only()
    conn = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        assert Backups(db).daily(conn, now=NOW) is None
        with pytest.raises(StoreError, match=r"read-only location.*--to"):
            Backups(db).take(conn, "manual", now=NOW)
    finally:
        conn.close()
    assert not (folder / "backups").exists()


def test_reading_commands_work_on_a_read_only_location_and_writes_are_refused(capsys, read_only_mount):
    folder, make_read_only = read_only_mount
    db = database_in(folder)
    make_read_only()
    code, out, err = run(capsys, db, "contacts", "--json")
    assert (code, err) == (0, "")
    assert "anna@example.com" in out and "bob@example.com" in out
    code, out, err = run(capsys, db, "levels")
    assert (code, err) == (0, "")
    code, out, err = run(capsys, db, "add", "--first-name", "Cleo")
    assert code == 2 and "read-only" in one_sentence(err)
    code, out, err = run(capsys, db, "undo-import", "1")
    assert code == 2 and "read-only" in one_sentence(err)


def test_backup_to_elsewhere_from_a_read_only_location(capsys, read_only_mount, tmp_path):
    folder, make_read_only = read_only_mount
    db = database_in(folder)
    make_read_only()
    code, _out, err = run(capsys, db, "backup")
    assert code == 2 and "--to" in one_sentence(err)
    code, _out, err = run(capsys, db, "backup", "--to", tmp_path / "copy.db")
    assert (code, err) == (0, "")
    assert quick_check(tmp_path / "copy.db") == "ok"
