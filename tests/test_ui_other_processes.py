"""The real window beside other processes: CLI commands writing while it is open land, the window shows them on
its own (no F5), and a damaged file found by the start-up check is never written from the window."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from damage import damage_the_email_index, files_digest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from tracker.core.store import Store
from tracker.ui import main_window as main_window_module
from tracker.ui.dialogs import ContactDialog
from tracker.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parent.parent


def tracker_cli(db: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "from tracker.cli import main; main()", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, db_path, settings, monkeypatch):
    monkeypatch.setattr(main_window_module, "WATCH_INTERVAL_MS", 50)
    with Store.open(db_path) as store:
        store.contacts.add(first_name="Anna", email="anna@example.com")
    made = MainWindow(Store.open(db_path, verify=False), settings)  # as the app opens it
    qtbot.addWidget(made)
    made.show()
    made.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is made)
    made.show_tab(1)
    qtbot.waitUntil(lambda: made.contacts_tab.model.total() == 1)
    yield made
    made.close()
    made.store.close()


def emails(db_path: Path) -> set[str]:
    conn = sqlite3.connect(db_path)
    try:
        return {row[0] for row in conn.execute("SELECT email FROM contacts")}
    finally:
        conn.close()


def test_cli_writes_beside_the_open_window_land_and_the_window_shows_them_by_itself(
    qtbot, window, db_path, monkeypatch
):
    expected = {"anna@example.com"}
    for n in range(12):
        email = f"cli{n}@example.com"
        process = tracker_cli(db_path, "add", "--email", email, "--first-name", "Cli")
        qtbot.waitUntil(lambda p=process: p.poll() is not None, timeout=60_000)  # the window keeps running
        assert process.returncode == 0, process.stderr.read()
        expected.add(email)
        if n % 3 == 0:  # and the window saves something of its own in between
            own = f"window{n}@example.com"
            monkeypatch.setattr(
                ContactDialog,
                "ask",
                classmethod(lambda cls, parent, contact=None, e=own: {"first_name": "Win", "email": e}),
            )
            qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
            expected.add(own)
        qtbot.waitUntil(lambda: window.contacts_tab.model.total() == len(expected), timeout=30_000)  # a busy machine
    assert emails(db_path) == expected
    window.close()
    window.store.close()
    assert emails(db_path) == expected  # nothing vanished when the window closed its connection
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_the_window_on_a_damaged_file_says_so_and_refuses_ctrl_n(qtbot, tmp_path, settings, monkeypatch):
    db_path = tmp_path / "shop.db"
    with Store.open(db_path) as store, store.transaction():
        for i in range(300):
            store.contacts.add(email=f"p{i}@example.com", first_name=f"P{i}")
    damage_the_email_index(db_path)
    before = files_digest(db_path)
    errors: list[str] = []
    monkeypatch.setattr(MainWindow, "show_error", lambda self, message: errors.append(message))
    made = MainWindow(Store.open(db_path, verify=False), settings)
    qtbot.addWidget(made)
    made.show()
    made.activateWindow()
    qtbot.waitUntil(lambda: any("damaged" in e for e in errors), timeout=20_000)  # the start-up check
    assert "read-only" in made.status.text()
    monkeypatch.setattr(
        ContactDialog,
        "ask",
        classmethod(lambda cls, parent, contact=None: {"first_name": "New", "email": "new@example.com"}),
    )
    errors.clear()
    made.show_tab(1)
    made.contacts_tab.new_contact()
    assert errors and "damaged" in errors[0]
    made.close()
    made.store.close()
    assert files_digest(db_path) == before
