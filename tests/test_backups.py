"""Backups: taken before risky changes and daily, verified, pruned, restored; damaged files are never touched."""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta

import pytest

from tracker.cli import main
from tracker.core.backups import Backups, quick_check
from tracker.core.importing import import_contacts
from tracker.core.store import Store


def run(capsys, db_path, *args):
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), *args])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_database_and_backups_are_readable_by_the_owner_only(tmp_path):
    db_path = tmp_path / "shop" / "tracker.db"
    with Store.open(db_path) as store:
        store.contacts.add(first_name="Anna", email="anna@example.com")
        backup = store.safety_backup("manual")
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(backup.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.path.parent.stat().st_mode) == 0o700


def test_an_import_is_backed_up_first_and_the_backup_holds_the_state_before(store, fixtures):
    store.contacts.add(first_name="Anna", email="anna@example.com")
    import_contacts(store, fixtures / "google_contacts_sample.csv", dry_run=True)
    assert store.backups.list() == []  # a dry run changes nothing, so it needs no backup
    import_contacts(store, fixtures / "google_contacts_sample.csv")
    (backup,) = store.backups.list()
    assert backup.reason == "before import contacts" and backup.contacts == 1
    assert quick_check(backup.path) == "ok"
    assert store.contacts.count() == 5


def test_undo_import_and_bulk_delete_are_backed_up_first(store, fixtures):
    report = import_contacts(store, fixtures / "google_contacts_sample.csv")
    store.imports.undo(report.batch_id)
    ids = [store.contacts.add(first_name=n, email=f"{n}@example.com").id for n in ("a", "b")]
    store.contacts.delete(ids)
    assert [b.reason for b in store.backups.list()] == ["before delete", "before undo import", "before import contacts"]


def test_daily_backup_once_a_day(store):
    now = datetime(2026, 11, 23, 9, 0)
    assert store.backups.daily(store.conn, now=now) is not None
    assert store.backups.daily(store.conn, now=now + timedelta(hours=23)) is None
    assert store.backups.daily(store.conn, now=now + timedelta(hours=25)) is not None


def test_pruning_keeps_the_last_n_and_one_a_month_for_a_year(store):
    backups = Backups(store.path, keep_last=3)
    start = datetime(2026, 1, 1, 12)
    for day in range(0, 330, 10):  # every ten days for eleven months
        backups.take(store.conn, "daily", now=start + timedelta(days=day))
    kept = backups.list()
    newest = [b.created for b in kept[:3]]
    assert newest == [start + timedelta(days=d) for d in (320, 310, 300)]
    months = {(b.created.year, b.created.month) for b in kept}
    assert len(months) == 11 and len(kept) == 3 + 9  # newest three (two months) + one for each other month


def test_restore_puts_the_backup_back_after_backing_up_the_present(store):
    store.contacts.add(first_name="Anna", email="anna@example.com")
    saved = store.safety_backup("manual")
    store.contacts.add(first_name="Bob", email="bob@example.com")
    before = store.restore(saved.id)
    assert store.contacts.count() == 1 and store.contacts.by_email("bob@example.com") is None
    assert before.reason == "before restore" and before.contacts == 2


def test_cli_backup_backups_restore_and_check(capsys, db_path, tmp_path):
    assert run(capsys, db_path, "add", "--first-name", "Anna", "--email", "anna@example.com")[0] == 0
    code, out, _ = run(capsys, db_path, "backup", "--json")
    made = json.loads(out)
    assert code == 0 and made["contacts"] == 1 and made["reason"] == "manual"
    outside = tmp_path / "usb" / "copy.db"
    outside.parent.mkdir()
    assert run(capsys, db_path, "backup", "--to", str(outside))[0] == 0 and quick_check(outside) == "ok"
    listed = json.loads(run(capsys, db_path, "backups", "--json")[1])["backups"]
    assert {"id", "path", "created", "reason", "contacts"} <= set(listed[0])
    assert run(capsys, db_path, "add", "--first-name", "Bob", "--email", "bob@example.com")[0] == 0
    code, out, _ = run(capsys, db_path, "restore", made["id"])
    assert code == 0 and "1 contacts" in out
    code, out, _ = run(capsys, db_path, "check")
    assert code == 0 and "no problems" in out
    code, _, err = run(capsys, db_path, "restore", "no-such-backup")
    assert code == 2 and err.count("\n") == 1


def test_a_damaged_database_is_never_touched_and_the_newest_good_backup_is_offered(capsys, db_path):
    with Store.open(db_path) as store:
        store.contacts.add(first_name="Anna", email="anna@example.com")
        good = store.safety_backup("manual")
    data = bytearray(db_path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    db_path.write_bytes(bytes(data))
    damaged = db_path.read_bytes()
    code, _, err = run(capsys, db_path, "contacts")
    assert code == 2 and err.count("\n") == 1
    assert f"tracker restore {good.id}" in err
    code, _, err = run(capsys, db_path, "check")
    assert code == 2 and "damaged" in err
    code, out, _ = run(capsys, db_path, "restore", good.id)
    assert code == 0 and "left as it is" in out
    assert db_path.read_bytes() == damaged  # never written, moved or repaired in place
    recovered = next(p for p in db_path.parent.iterdir() if "restored" in p.name)
    with Store.open(recovered) as store:
        assert store.contacts.require("anna@example.com").first_name == "Anna"


def test_pieces_of_a_killed_backup_are_cleared_an_hour_later(store):
    import os

    backups = store.backups
    backups.take(store.conn, "manual")
    piece = backups.folder / "tracker-20261123-090000-before-import-contacts.db.part"
    piece.write_bytes(b"half a backup")
    fresh = backups.folder / "tracker-20261123-095900-daily.db.part"
    fresh.write_bytes(b"being written right now")
    hour_ago = fresh.stat().st_mtime - 3700  # the file system's clock, whatever the machine's date says
    os.utime(piece, (hour_ago, hour_ago))
    backups.prune()
    assert not piece.exists() and fresh.exists()
    assert len(backups.list()) == 1


def test_the_id_printed_by_tracker_backups_can_be_restored(capsys, db_path, fixtures):
    assert run(capsys, db_path, "import", "interactions", str(fixtures / "activity_log_sample.csv"))[0] == 0
    code, out, _ = run(capsys, db_path, "backups")
    listed = [line.split()[0] for line in out.splitlines()[1:]]
    long_id = next(i for i in listed if "before-import-interactions" in i)
    assert len(long_id) > 40 and "…" not in long_id
    code, out, _ = run(capsys, db_path, "restore", long_id)
    assert code == 0 and "Restored" in out
