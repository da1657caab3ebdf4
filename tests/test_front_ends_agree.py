"""Same database, same action: the command line and the window give the same result (one export layout, one
follow-up order, one "done")."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtWidgets import QApplication, QFileDialog

from tracker.cli import main
from tracker.core.followups import suggest_follow_ups
from tracker.core.store import Store
from tracker.ui import clock
from tracker.ui.followups_model import FollowUpsModel
from tracker.ui.main_window import MainWindow

AS_OF = date(2026, 11, 23)
DONE_AT = datetime(2026, 11, 23, 10, 30)


@pytest.fixture(autouse=True)
def no_job_left_running():
    yield
    assert QThreadPool.globalInstance().waitForDone(10_000), "a job was still running after the test"


@pytest.fixture
def fixed_clock():
    clock.set_fixed(DONE_AT)
    yield
    clock.set_fixed(None)


@pytest.fixture
def open_window(qtbot, tmp_path):
    def make(store: Store, contacts: int) -> MainWindow:
        made = MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(made)
        made.show()
        qtbot.waitUntil(lambda: made.contacts_tab.model.total() == contacts)
        errors: list[str] = []
        made.show_error = errors.append
        made.undo.report = errors.append
        made.errors = errors
        return made

    yield make
    QThreadPool.globalInstance().waitForDone(10_000)
    QApplication.processEvents()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.close()


def cli(capsys, db: Path, *args: object) -> str:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db), *(str(a) for a in args)])
    out, err = capsys.readouterr()
    assert exit_info.value.code == 0, err
    return out


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def test_contact_export_has_one_layout(qtbot, capsys, store, db_path, tmp_path, monkeypatch, open_window):
    store.contacts.add(first_name="Anna", email="anna@example.com", company="Berg Bakery", source="shop", tags="vip")
    store.contacts.add(first_name="Ben", phone="+33 6 12 34 56 78")
    from_cli = tmp_path / "cli.csv"
    cli(capsys, db_path, "contacts", "--export", from_cli)

    window = open_window(store, 2)
    from_window = tmp_path / "window.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(from_window), "")))
    window.export_contacts()  # written on a worker: done when the status bar says so
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Exported"))
    assert window.errors == []

    cli_header, cli_rows = read_csv(from_cli)
    window_header, window_rows = read_csv(from_window)
    assert window_header == cli_header
    assert "source" in window_header and "days_since_last" in window_header
    assert sorted(window_rows, key=lambda r: r["first_name"]) == sorted(cli_rows, key=lambda r: r["first_name"])


def test_follow_ups_are_listed_in_one_order(qtbot, capsys, store, db_path, log):
    def person(name: str, **fields):
        return store.contacts.add(first_name=name, email=f"{name.lower()}@example.com", **fields)

    store.follow_ups.schedule(person("Today").id, AS_OF, "Call back")
    store.follow_ups.schedule(person("Late").id, AS_OF - timedelta(days=4), "Send quote")
    log(person("Unhappy"), "feedback", (AS_OF - timedelta(days=3)).isoformat(), score=2)
    log(person("Drifting"), "purchase", (AS_OF - timedelta(days=200)).isoformat())
    log(person("Lead"), "email_open", (AS_OF - timedelta(days=1)).isoformat())
    listed = json.loads(cli(capsys, db_path, "followups", "--as-of", AS_OF, "--json"))["followups"]

    model = FollowUpsModel()
    model.set_items(suggest_follow_ups(store, AS_OF))
    shown = [(model.item_at(r).contact.email, model.item_at(r).reason) for r in range(model.rowCount())]
    assert [(f["email"], f["reason"]) for f in listed] == shown
    # the groups come first, whatever the priorities inside them
    assert [f["email"] for f in listed][:3] == ["late@example.com", "today@example.com", "unhappy@example.com"]


def test_done_logs_the_same_call_in_both_front_ends(qtbot, capsys, store, db_path, tmp_path, fixed_clock, open_window):
    anna = store.contacts.add(first_name="Anna", email="anna@example.com")
    follow_up = store.follow_ups.schedule(anna.id, date(2026, 11, 20), "Send quote")
    copy = tmp_path / "copy" / "tracker.db"
    copy.parent.mkdir()
    with Store.open(copy) as other:
        store.conn.backup(other.conn)

    cli(capsys, copy, "done", follow_up.id, "--at", DONE_AT.isoformat(sep=" "))

    window = open_window(store, 1)
    tab = window.followups_tab
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    tab.table.selectRow(0)
    tab.mark_done()
    qtbot.waitUntil(lambda: store.interactions.count() == 1)
    assert window.errors == []

    def outcome(conn):
        calls = conn.execute(
            "SELECT contact_id, kind_id, occurred_at, amount, score, channel, note FROM interactions"
        ).fetchall()
        closed = conn.execute("SELECT id, contact_id, due, reason, status, snoozed_until, done_at FROM follow_ups")
        return calls, closed.fetchall()

    with Store.open(copy) as other:
        from_cli = outcome(other.conn)
    assert from_cli == outcome(store.conn)
    ((*_, note),), ((*_, status, _, done_at),) = from_cli
    assert (note, status, done_at) == ("Follow-up: Send quote (due 2026-11-20, 3 days overdue)", "done", "2026-11-23")


def test_phone_only_and_linkedin_contacts_are_logged_explained_and_followed_up(capsys, store, db_target):
    ben = store.contacts.add(first_name="Ben", phone="+44 7700 900004")
    lin = store.contacts.add(first_name="Lin", last_name="Chen", company="Acme", source="linkedin")

    cli(capsys, db_target, "log", "07700 900004", "purchase", "--at", "2026-11-01", "--amount", "20")
    cli(capsys, db_target, "log", f"#{lin.id}", "meeting", "--at", "2026-11-10")
    assert [i.kind for i in store.interactions.list(contact_id=ben.id)] == ["purchase"]
    assert [i.kind for i in store.interactions.list(contact_id=lin.id)] == ["meeting"]

    explained = json.loads(cli(capsys, db_target, "explain", "+447700900004", "--as-of", AS_OF, "--json"))
    assert (explained["name"], explained["level"]) == ("Ben", "Conversion")
    explained = json.loads(cli(capsys, db_target, "explain", f"id:{lin.id}", "--as-of", AS_OF, "--json"))
    assert (explained["name"], explained["level"]) == ("Lin Chen", "Interaction")

    made = json.loads(cli(capsys, db_target, "followup", "0044 7700 900004", "--due", "2026-12-01", "--json"))
    assert made["contact_id"] == ben.id and made["email"] is None
    cli(capsys, db_target, "followup", str(lin.id), "--due", "2026-12-02", "--reason", "Send the deck")
    assert [(f.due, f.reason) for f in store.follow_ups.for_contact(lin.id)] == [("2026-12-02", "Send the deck")]

    cli(capsys, db_target, "edit", "07700900004", "--company", "Ben's Bikes")
    assert store.contacts.get(ben.id).company == "Ben's Bikes"
    listed = json.loads(cli(capsys, db_target, "interactions", "--contact", f"#{lin.id}", "--json"))["interactions"]
    assert [i["kind"] for i in listed] == ["meeting"]
    cli(capsys, db_target, "delete", f"#{lin.id}", "--yes")
    assert store.contacts.count() == 1
