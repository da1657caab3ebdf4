"""Tools → Find duplicates…: the pairs found on a worker, the two contacts side by side with a choice per field,
Merge on the window's undo stack (Ctrl+Z in the dialog takes it back, exactly), Not duplicates hides a pair for the
session."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from tracker.core.errors import ContactNotFound
from tracker.ui.duplicates_dialog import DuplicatesDialog
from tracker.ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
TABLES = ("contacts", "interactions", "follow_ups")


def dump(store):
    return {table: store.conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() for table in TABLES}


@pytest.fixture
def window(qtbot, store, tmp_path, monkeypatch):
    anna = store.contacts.add(first_name="Anna", last_name="Berg", email="anna@example.com", phone="07700 900004")
    again = store.contacts.add(first_name="Anna", last_name="Berg", email="anna.berg@work.example",
                               phone="+44 7700 900004", company="Flowers Ltd")  # fmt: skip
    store.contacts.add(first_name="Carl", last_name="Olsen", email="carl@example.com", phone="+44 7700 900004")
    store.interactions.log(anna.id, "purchase", datetime(2026, 5, 1, 12), amount=35)
    store.interactions.log(again.id, "call", datetime(2026, 6, 1, 9))
    store.follow_ups.schedule(again.id, date(2026, 12, 1), "Send the quote")
    errors: list[str] = []
    # the dialog a user would see, captured (a modal would hang the test); before the window binds it
    monkeypatch.setattr(MainWindow, "show_error", lambda self, message: errors.append(message))
    shown = MainWindow(store, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(shown)
    shown.show()
    shown.errors = errors
    yield shown
    # a background refresh after the merge read the follow-ups and the engagement from two states of the file and
    # failed (KeyError on the merged-away contact); every refresh now reads one state (Store.reading)
    assert shown.errors == []


def open_dialog(qtbot, window) -> DuplicatesDialog:
    tools = next(a for a in window.menuBar().actions() if a.text() == "&Tools").menu()
    action = next(a for a in tools.actions() if a.text() == "Find &duplicates…")
    action.trigger()
    dialog = window.duplicates_dialog
    qtbot.waitUntil(lambda: dialog.job is None and bool(dialog.pairs))
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)  # shortcuts go to the active window
    return dialog


def test_merge_from_the_dialog_then_ctrl_z_puts_both_back(qtbot, window, store):
    dialog = open_dialog(qtbot, window)
    assert dialog.list.count() == 1  # Carl shares the office number but is someone else
    assert "same phone +44 7700 900004" in dialog.list.item(0).text()
    assert "1 interaction, 1 follow-up" in [label.text() for label in dialog.compare.findChildren(type(dialog.status))]
    before = dump(store)

    dialog.choices["phone"].button(1).click()  # keep the international spelling of the other record
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    kept = store.contacts.get(1)
    assert (kept.phone, kept.company, kept.more_emails) == (
        "+44 7700 900004",
        "Flowers Ltd",
        ("anna.berg@work.example",),
    )
    with pytest.raises(ContactNotFound):
        store.contacts.get(2)
    assert store.conn.execute("SELECT DISTINCT contact_id FROM interactions").fetchall() == [(1,)]
    assert window.undo_action.text() == "&Undo Merge Anna Berg into Anna Berg"
    qtbot.waitUntil(lambda: dialog.job is None and dialog.list.count() == 0)
    assert dialog.status.text() == "No duplicates found."
    assert dialog.done_label.text().startswith("Merged Anna Berg (id 2) into Anna Berg (id 1)")

    qtbot.keyClick(dialog.list, Qt.Key.Key_Z, CTRL)
    assert dump(store) == before
    qtbot.waitUntil(lambda: dialog.job is None and dialog.list.count() == 1)

    qtbot.keyClick(dialog.list, Qt.Key.Key_Z, CTRL | SHIFT)  # redo
    assert store.contacts.get(1).phone == "+44 7700 900004"
    qtbot.waitUntil(lambda: dialog.job is None and dialog.list.count() == 0)
    dialog.reject()


def test_the_dialog_is_used_with_the_keyboard_and_not_duplicates_is_remembered(qtbot, window, store):
    dialog = open_dialog(qtbot, window)
    assert dialog.list.currentRow() == 0 and dialog.merge_button.isEnabled()
    dialog.list.setFocus()
    for _ in range(40):  # Tab from the list through the choices to the buttons
        if dialog.skip_button.hasFocus():
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.skip_button, Qt.Key.Key_Space)
    assert dialog.list.count() == 0 and not dialog.merge_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert store.contacts.count() == 3  # nothing merged

    window.find_duplicates()
    reopened = window.duplicates_dialog
    qtbot.waitUntil(lambda: reopened.job is None and reopened.status.text() == "No duplicates found.")
    reopened.reject()
