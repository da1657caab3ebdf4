"""File → Export contacts… writes the listed contacts (the filter and the order the user sees) on a worker, with a
progress dialog whose Cancel leaves nothing behind."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QFileDialog, QPushButton

from tracker.core import contacts_export as core_export
from tracker.core.contacts_export import export_contacts
from tracker.core.store.engagement import EngagementQueries
from tracker.ui import clock
from tracker.ui.contacts_export import ContactsExport
from tracker.ui.main_window import MainWindow

TODAY = date(2026, 11, 23)


@pytest.fixture
def window(qtbot, store, tmp_path):
    clock.set_fixed(TODAY)
    store.contacts.add(first_name="Anna", last_name="Berg", email="anna@example.com", tags="vip")
    store.contacts.add(first_name="Ben", email="ben@example.com")
    store.contacts.add(first_name="Zoë", last_name="Müller", email="zoe@example.com", tags="vip")
    store.contacts.add(first_name="Dee", company="=1+1", tags="vip", consent=False)
    made = MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(made)
    made.show()
    qtbot.waitUntil(lambda: made.contacts_tab.model.total() == 4)
    made.errors = []
    made.show_error = made.errors.append
    yield made
    QThreadPool.globalInstance().waitForDone(10_000)
    clock.set_fixed(None)


def choose(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))


def status(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


def vip_by_name_descending(qtbot, window: MainWindow) -> list[int]:
    tab = window.contacts_tab
    tab.tag.setCurrentIndex(tab.tag.findData("vip"))
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3)
    tab.model.sort(0, Qt.SortOrder.DescendingOrder)
    return tab.model.visible_ids()


def test_the_visible_contacts_are_written_in_their_order_on_a_worker(qtbot, window, store, tmp_path, monkeypatch):
    ids = vip_by_name_descending(qtbot, window)
    names = [store.contacts.get(i).first_name for i in ids]
    assert names == ["Zoë", "Dee", "Anna"]  # by name, descending: Zoë Müller, Dee, Anna Berg
    writers: list[int] = []
    real_write_whole = core_export.write_whole

    def recording(*args, **kwargs):
        writers.append(threading.get_ident())
        return real_write_whole(*args, **kwargs)

    monkeypatch.setattr(core_export, "write_whole", recording)
    target = tmp_path / "vip.csv"
    choose(monkeypatch, target)
    window.export_contacts()
    qtbot.waitUntil(lambda: status(window).startswith("Exported"))
    assert status(window) == f"Exported 3 contacts to {target}"
    assert window.errors == []
    assert writers and threading.get_ident() not in writers  # the GUI thread only asked for the path
    lines = target.read_bytes().decode("utf-8-sig").split("\r\n")
    assert [line.split(",")[0] for line in lines[1:-1]] == names
    expected = tmp_path / "expected.csv"
    export_contacts(store, expected, ids, TODAY)
    assert target.read_bytes() == expected.read_bytes()  # the core's file for these ids, as of the window's day
    qtbot.waitUntil(lambda: window.findChild(ContactsExport) is None)  # done with: nothing left running or kept


def test_cancel_writes_nothing(qtbot, window, tmp_path, monkeypatch):
    entered, release = threading.Event(), threading.Event()
    real_contact_rows = EngagementQueries.contact_rows

    def held(self, *args, **kwargs):  # the worker waits inside its first page until the test has cancelled
        entered.set()
        release.wait(10)
        return real_contact_rows(self, *args, **kwargs)

    monkeypatch.setattr(EngagementQueries, "contact_rows", held)
    folder = tmp_path / "out"
    folder.mkdir()
    choose(monkeypatch, folder / "contacts.csv")
    window.export_contacts()
    qtbot.waitUntil(entered.is_set)
    export = window.findChild(ContactsExport)
    assert export is not None and export.running()
    export.dialog.findChild(QPushButton).click()  # the dialog's Cancel button
    release.set()
    qtbot.waitUntil(lambda: status(window).startswith("Export cancelled"))
    assert window.errors == []
    assert list(folder.iterdir()) == []  # no file, no .part


def test_a_refused_target_is_one_sentence_at_once(qtbot, window, db_path, monkeypatch):
    choose(monkeypatch, db_path)
    window.export_contacts()
    assert len(window.errors) == 1 and "database" in window.errors[0] and "\n" not in window.errors[0]
    assert window.findChild(ContactsExport) is None


def test_a_failure_on_the_worker_is_one_sentence(qtbot, window, tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(core_export, "write_whole", full)
    choose(monkeypatch, tmp_path / "contacts.csv")
    window.export_contacts()
    qtbot.waitUntil(lambda: bool(window.errors))
    assert len(window.errors) == 1 and "\n" not in window.errors[0]
    assert not (tmp_path / "contacts.csv").exists()
