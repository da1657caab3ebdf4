"""A damaged database (SQLite's quick_check fails, yet the file opens and most rows read) is only ever read:
every command answers in one sentence with exit code 2 and the newest good backup, nothing is written into it,
and restore accepts only a sound Tracker database this version can open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from damage import damage_the_email_index, files_digest

from tracker.cli import main
from tracker.core.errors import DamagedDatabase, InvalidInput
from tracker.core.store import Store
from tracker.core.store.connection import APPLICATION_ID


def run(capsys, db_path: Path, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), *args])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


@pytest.fixture
def damaged(db_path: Path) -> tuple[Path, str]:
    """A database with 300 contacts and a good backup, then damaged; returns (path, the backup's id)."""
    with Store.open(db_path) as store:
        with store.transaction():
            for i in range(300):
                store.contacts.add(email=f"p{i}@example.com", first_name=f"P{i}")
        good = store.safety_backup("manual")
    damage_the_email_index(db_path)
    return db_path, good.id


def test_a_damaged_file_opens_read_only_and_refuses_every_write_in_one_sentence(damaged):
    db_path, good_id = damaged
    before = files_digest(db_path)
    with Store.open(db_path) as store:
        assert store.damaged and f"tracker restore {good_id}" in store.damaged
        assert store.contacts.count() == 300  # still readable, to look and export
        with pytest.raises(DamagedDatabase, match="damaged"):
            store.contacts.add(email="new@example.com")
        with pytest.raises(DamagedDatabase):
            store.update_settings(drifting_days=40)
        with pytest.raises(DamagedDatabase):
            store.safety_backup("manual")
    assert files_digest(db_path) == before


def test_a_store_opened_before_the_check_refuses_writes_once_the_damage_is_known(damaged):
    """The window opens without checking (to show at once) and checks on a worker; its next save is refused."""
    db_path, _ = damaged
    before = files_digest(db_path)
    window = Store.open(db_path, verify=False)
    try:
        with Store.open(db_path, verify=True) as worker:  # the start-up check on a worker
            assert worker.damaged
        with pytest.raises(DamagedDatabase):
            window.contacts.add(email="ctrl-n@example.com")  # Ctrl+N after the integrity dialog
    finally:
        window.close()
    assert files_digest(db_path) == before


def test_an_unchecked_store_checks_before_its_first_write(damaged):
    db_path, _ = damaged
    before = files_digest(db_path)
    window = Store.open(db_path, verify=False)
    try:
        with pytest.raises(DamagedDatabase):
            window.contacts.add(email="first-save@example.com")
    finally:
        window.close()
    assert files_digest(db_path) == before


WRITES = [
    ("settings", "set", "drifting_days", "40"),
    ("add", "--email", "new@example.com", "--first-name", "New"),
    ("log", "p1@example.com", "purchase", "--amount", "5"),
    ("followup", "p1@example.com", "--due", "2026-12-24", "--reason", "Call"),
    ("edit", "p1@example.com", "--first-name", "Changed"),
    ("delete", "p2@example.com", "--yes"),
    ("kinds", "add", "tasting", "--stage", "Interest"),
    ("backup",),
]
READS = [
    ("levels",),
    ("levels", "--json"),
    ("contacts",),
    ("followups",),
    ("outlook",),
    ("explain", "p1@example.com"),
    ("interactions",),
    ("imports",),
    ("settings",),
    ("kinds",),
]


@pytest.mark.parametrize("args", WRITES + READS, ids=lambda a: " ".join(a))
def test_every_command_on_a_damaged_file_is_one_line_exit_2_with_the_backup_and_writes_nothing(capsys, damaged, args):
    db_path, good_id = damaged
    before = files_digest(db_path)
    code, _, err = run(capsys, db_path, *args)
    assert code == 2, err
    assert err.count("\n") == 1 and "Unexpected error" not in err and "Traceback" not in err
    if "No such command" not in err and "no such option" not in err.lower():
        assert "damaged" in err and f"tracker restore {good_id}" in err
    assert files_digest(db_path) == before


def test_the_contacts_of_a_damaged_file_can_still_be_exported(capsys, damaged, tmp_path):
    db_path, _ = damaged
    target = tmp_path / "rescue.csv"
    code, _, err = run(capsys, db_path, "contacts", "--export", str(target))
    assert code == 2 and "damaged" in err  # said, not hidden
    assert target.read_text(encoding="utf-8-sig").count("@example.com") == 300


# Restore accepts only a sound Tracker database this version can open ----------------------------------


def test_restore_refuses_another_programs_sqlite_file_and_keeps_the_database(capsys, db_path, tmp_path):
    with Store.open(db_path) as store:
        store.contacts.add(email="anna@example.com", first_name="Anna")
    other = tmp_path / "photos.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).execute("PRAGMA user_version = 1").connection.close()
    text = tmp_path / "notes.db"
    text.write_text("not a database at all\n" * 100)
    for source in (other, empty, text):
        code, _, err = run(capsys, db_path, "restore", str(source))
        assert code == 2 and err.count("\n") == 1 and "nothing was restored" in err, (source, err)
    with Store.open(db_path) as store:
        assert sorted(store.contacts.ids_by_email()) == ["anna@example.com"]


def test_restore_refuses_a_database_from_a_newer_tracker(capsys, db_path, tmp_path):
    with Store.open(db_path) as store:
        store.contacts.add(email="anna@example.com", first_name="Anna")
    newer = tmp_path / "newer.db"
    with Store.open(newer) as store:
        store.contacts.add(email="future@example.com")
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    code, _, err = run(capsys, db_path, "restore", str(newer))
    assert code == 2 and "newer version of Tracker" in err
    with Store.open(db_path) as store:
        assert sorted(store.contacts.ids_by_email()) == ["anna@example.com"]


def test_restore_refuses_a_damaged_backup(db_path, tmp_path):
    with Store.open(db_path) as store:
        store.contacts.add(email="anna@example.com", first_name="Anna")
    broken = tmp_path / "broken.db"
    with Store.open(broken) as store, store.transaction():
        for i in range(300):
            store.contacts.add(email=f"p{i}@example.com")
    damage_the_email_index(broken)
    with Store.open(db_path) as store, pytest.raises(InvalidInput, match="integrity check"):
        store.restore(str(broken))
    with Store.open(db_path) as store:
        assert store.contacts.count() == 1


def test_a_tracker_backup_is_accepted_for_restore(db_path):
    with Store.open(db_path) as store:
        store.contacts.add(email="anna@example.com", first_name="Anna")
        backup = store.safety_backup("manual")
        store.contacts.add(email="bob@example.com")
        store.restore(backup.id)
        assert sorted(store.contacts.ids_by_email()) == ["anna@example.com"]
        conn = store.conn
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_restore_onto_a_damaged_file_writes_the_backup_beside_it_and_leaves_it_alone(capsys, damaged):
    db_path, good_id = damaged
    before = files_digest(db_path)
    code, out, err = run(capsys, db_path, "restore", good_id)
    assert code == 0 and "left as it is" in out, err
    assert files_digest(db_path) == before
    recovered = next(p for p in db_path.parent.iterdir() if "restored" in p.name and p.suffix == ".db")
    with Store.open(recovered) as store:
        assert store.contacts.count() == 300 and not store.damaged
