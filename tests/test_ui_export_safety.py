"""Every export in the window refuses the live database (and its backups) with one sentence and changes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QFileDialog, QWizard

from tracker.core.backups import backup_folder
from tracker.ui.import_wizard import ImportWizard
from tracker.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def no_job_left_running():
    yield
    assert QThreadPool.globalInstance().waitForDone(10_000), "a job was still running after the test"


@pytest.fixture
def window(qtbot, store, tmp_path):
    store.contacts.add(first_name="Promised", email="promised@example.com")
    made = MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(made)
    made.show()
    qtbot.waitUntil(lambda: made.contacts_tab.model.total() == 1)
    errors: list[str] = []
    made.undo.report = errors.append
    made.show_error = errors.append  # instead of a modal dialog
    made.errors = errors
    yield made
    made.close()


def identity(path: Path) -> tuple[int, int, int]:
    """Compared instead of the bytes: reading the live database here would drop this process's SQLite locks."""
    found = os.stat(path)
    return found.st_ino, found.st_size, found.st_mtime_ns


def choose(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))


def dashboard(qtbot, window):
    window.show_tab(0)
    qtbot.waitUntil(lambda: window.dashboard_tab.widget is not None and window.dashboard_tab.widget.data is not None)
    # the report waits for the follow-up list too
    qtbot.waitUntil(lambda: window.dashboard_tab.widget.data.follow_ups_counted)
    return window.dashboard_tab.widget


@pytest.mark.parametrize("action", ["contacts", "followups csv", "followups vcard", "report", "chart"])
def test_window_exports_refuse_the_database(qtbot, window, store, db_path, monkeypatch, action):
    before = identity(db_path)
    choose(monkeypatch, db_path)
    if action == "contacts":
        window.export_contacts()
    elif action == "followups csv":
        window.followups_tab.export_csv()
    elif action == "followups vcard":
        window.followups_tab.export_vcard()
    elif action == "report":
        dashboard(qtbot, window)  # the report is made from the dashboard's figures once they are loaded
        window.export_report()
    else:
        dashboard(qtbot, window).canvases["funnel"].save_as()
    assert len(window.errors) == 1 and "database" in window.errors[0], window.errors
    assert "\n" not in window.errors[0]
    assert identity(db_path) == before
    assert store.contacts.count() == 1


def test_saving_a_chart_into_the_backups_folder_is_refused(qtbot, window, db_path, monkeypatch):
    window.store.safety_backup("test")
    choose(monkeypatch, backup_folder(db_path) / "funnel.png")
    dashboard(qtbot, window).canvases["funnel"].save_as()
    assert len(window.errors) == 1 and "backups folder" in window.errors[0]
    assert [p.name for p in backup_folder(db_path).iterdir() if not p.name.startswith("tracker-")] == []


def test_wizard_refuses_to_save_rejected_rows_over_the_database(qtbot, store, db_path, tmp_path, monkeypatch):
    source = tmp_path / "people.csv"
    source.write_text("First Name,Email\nAnna,anna@example.com\n,not-an-address\n", encoding="utf-8")
    monkeypatch.setattr(ImportWizard, "_ask_save_path", lambda self: db_path)
    wizard = ImportWizard(store, source, "contacts")
    qtbot.addWidget(wizard)
    wizard.show()
    for _ in range(2):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.import_page.running, timeout=20_000)
    before = identity(db_path)
    page = wizard.import_page
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.error.isVisible() and "database" in page.error.text()
    assert identity(db_path) == before
    assert store.contacts.count() == 1
