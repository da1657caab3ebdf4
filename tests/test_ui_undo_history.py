"""The window only shows and asks (issue 14): Ctrl+Z from any widget, Edit → Import history…, tabs reloading only
for what changed, one clock, and long writes on a worker with their widgets disabled meanwhile."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QLineEdit, QMessageBox, QVBoxLayout

from tracker.core.followups import Priority
from tracker.core.importing import import_contacts
from tracker.core.models import Changes
from tracker.ui import clock
from tracker.ui.contacts_tab import ContactsTab
from tracker.ui.dialogs import FollowUpDialog, LogInteractionDialog
from tracker.ui.followups_tab import FollowUpsTab
from tracker.ui.interactions_tab import InteractionsTab
from tracker.ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
FIXED_DAY = date(2031, 3, 5)


@pytest.fixture(autouse=True)
def no_job_left_running():
    yield
    assert QThreadPool.globalInstance().waitForDone(10_000), "a job was still running after the test"


@pytest.fixture
def open_window(qtbot, store, tmp_path):
    """A shown, active window on `store` (shortcuts go to the active window), dialogs captured in `errors`."""

    def make(contacts: int) -> MainWindow:
        made = MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(made)
        made.show()
        made.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is made)
        qtbot.waitUntil(lambda: made.contacts_tab.model.total() == contacts)
        errors: list[str] = []
        made.show_error = errors.append
        made.undo.report = errors.append
        made.errors = errors
        return made

    yield make
    QThreadPool.globalInstance().waitForDone(10_000)
    QApplication.processEvents()  # results still queued reach this test's window, not the next test's
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.close()


@pytest.fixture
def window(open_window, store):
    store.contacts.add(first_name="Anna", last_name="Berg", email="anna@example.com", company="Berg Bakery")
    store.contacts.add(first_name="Bob", email="bob@example.com")
    store.contacts.add(first_name="Cleo", email="cleo@example.com")
    return open_window(3)


@pytest.fixture
def fixed_clock():
    clock.set_fixed(datetime(2031, 3, 5, 9, 30))
    yield
    clock.set_fixed(None)


def ids_of(store, *emails):
    return [store.contacts.require(e).id for e in emails]


# 1. Ctrl+Z / Ctrl+Shift+Z from any widget ------------------------------------------------------------------------


def test_ctrl_z_in_the_focused_search_box_undoes_the_last_change(qtbot, window, store):
    tab = window.contacts_tab
    tab.select_ids(ids_of(store, "anna@example.com"))
    tab.delete_selected()
    assert store.contacts.by_email("anna@example.com") is None
    search = tab.search
    search.setFocus()
    qtbot.waitUntil(search.hasFocus)
    qtbot.keyClicks(search, "b")  # text the line edit's own undo would take back
    qtbot.keyClick(search, Qt.Key.Key_Z, CTRL)
    assert store.contacts.require("anna@example.com").company == "Berg Bakery"
    assert search.text() == "b" and search.hasFocus()
    qtbot.keyClick(search, Qt.Key.Key_Z, CTRL_SHIFT)
    assert store.contacts.by_email("anna@example.com") is None


def test_with_nothing_to_undo_the_search_box_keeps_its_text_undo(qtbot, window):
    search = window.contacts_tab.search
    search.setFocus()
    qtbot.waitUntil(search.hasFocus)
    qtbot.keyClicks(search, "bo")
    assert not window.undo_action.isEnabled()
    qtbot.keyClick(search, Qt.Key.Key_Z, CTRL)
    assert search.text() == ""


def test_a_dialog_keeps_its_own_text_undo(qtbot, window, store):
    tab = window.contacts_tab
    tab.select_ids(ids_of(store, "anna@example.com"))
    tab.delete_selected()
    dialog = QDialog(window)
    edit = QLineEdit(dialog)
    QVBoxLayout(dialog).addWidget(edit)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClicks(edit, "x")
    qtbot.keyClick(edit, Qt.Key.Key_Z, CTRL)
    assert edit.text() == ""
    assert store.contacts.by_email("anna@example.com") is None  # the window's undo did not run
    dialog.close()


# 2. Edit → Import history… ---------------------------------------------------------------------------------------


@pytest.fixture
def imported(store, fixtures, add_contact):
    """One contact typed in by hand, then the four of google_contacts_sample.csv imported as batch 1."""
    add_contact("own@example.com", first_name="Own")
    report = import_contacts(store, fixtures / "google_contacts_sample.csv")
    return report.batch_id


def test_import_history_model_passes_qt_model_checks(qtmodeltester, window, store, imported):
    window.show_import_history()
    dialog = window.import_history_dialog
    qtmodeltester.check(dialog.model, force_py=True)
    assert dialog.model.rowCount() == 1
    row = [dialog.model.index(0, c).data() for c in range(dialog.model.columnCount())]
    assert row[:3] == [str(imported), "contacts", "google_contacts_sample.csv"]
    assert row[4:] == ["", "4", "4", "0", "0", "no"]  # By: empty on a file (the column is hidden there)
    dialog.close()


def test_ctrl_h_opens_the_import_history(qtbot, window, imported):
    qtbot.keyClick(window, Qt.Key.Key_H, CTRL)
    dialog = window.import_history_dialog
    assert dialog.isVisible() and dialog.model.rowCount() == 1
    dialog.close()


def test_undo_from_the_history_says_what_goes_runs_on_a_worker_and_refreshes(qtbot, open_window, store, imported):
    marta = store.contacts.require("marta@nowakflorist.example")
    store.interactions.log(marta.id, "purchase", datetime(2026, 11, 2, 10, 0), amount=35)  # work done since
    window = open_window(5)
    window.show_import_history()
    dialog = window.import_history_dialog
    dialog.select_batch(imported)
    assert dialog.undo_button.isEnabled()

    asked = []
    answers = iter([False, True])

    def confirm(parent, preview):
        asked.append(preview)
        return next(answers)

    dialog.confirm = confirm
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert asked[0].batch_id == imported and asked[0].interactions_by_hand == 1
    assert store.contacts.count() == 5 and dialog.isEnabled()  # "No" changed nothing

    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
        assert not dialog.isEnabled()  # until the worker answers
    assert store.contacts.count() == 1 and store.interactions.count() == 0
    assert dialog.status.text() == (
        "Import undone: 4 contacts removed, 1 interaction removed. This included work done since: "
        "1 interaction added by hand."
    )
    qtbot.waitUntil(dialog.isEnabled)
    assert dialog.model.index(0, 8).data() != "no" and not dialog.undo_button.isEnabled()
    qtbot.waitUntil(lambda: window.contacts_tab.model.total() == 1)
    assert window.errors == []
    dialog.close()


def test_the_history_asks_in_plain_text_with_no_as_default(qtbot, window, store, imported, monkeypatch):
    store.contacts.update(store.contacts.require("hiroshi@satoramen.example").id, notes="Lunch on Fridays <b>")
    asked = []

    def exec_box(box: QMessageBox) -> int:
        asked.append((box.text(), box.textFormat(), box.defaultButton() is box.button(QMessageBox.StandardButton.No)))
        return QMessageBox.StandardButton.No.value

    monkeypatch.setattr(QMessageBox, "exec", exec_box)
    window.show_import_history()
    dialog = window.import_history_dialog
    dialog.select_batch(imported)
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    ((text, text_format, no_is_default),) = asked
    assert text.startswith(f"Undoing import {imported} would also remove 1 contact edited since.")
    assert text_format == Qt.TextFormat.PlainText and no_is_default
    assert store.contacts.count() == 8  # the window's three, one typed in, four imported: "No" changed nothing
    dialog.close()


def test_an_undo_refused_by_the_store_is_one_sentence(qtbot, window, store, imported):
    window.show_import_history()
    dialog = window.import_history_dialog
    dialog.select_batch(imported)
    store.imports.undo(imported, force=True)  # e.g. undone meanwhile by the CLI
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert len(window.errors) == 1 and window.errors[0].startswith(f"Import {imported} was already undone on ")
    dialog.close()


# 3. Each tab reloads only for what it shows ------------------------------------------------------------------------


def test_tabs_say_which_changes_they_show():
    settings_only = Changes(settings=True)
    assert ContactsTab.wants(settings_only) and FollowUpsTab.wants(settings_only)
    assert not InteractionsTab.wants(settings_only) and not InteractionsTab.wants(Changes(follow_ups=True))
    assert InteractionsTab.wants(Changes(contacts=True)) and InteractionsTab.wants(Changes(kinds=True))
    assert not any(tab.wants(Changes()) for tab in (ContactsTab, FollowUpsTab, InteractionsTab))


def test_a_settings_change_does_not_reload_the_interactions_tab(qtbot, window, monkeypatch):
    window._watch_timer.stop()  # only the changes this test makes
    calls = {"contacts": 0, "follow_ups": 0, "interactions": 0}
    for name, tab in (
        ("contacts", window.contacts_tab),
        ("follow_ups", window.followups_tab),
        ("interactions", window.interactions_tab),
    ):
        monkeypatch.setattr(tab, "reload", lambda *_, n=name: calls.__setitem__(n, calls[n] + 1))

    window.on_changes(Changes())
    assert not window._reload_timer.isActive()
    window.on_changes(Changes(settings=True))
    qtbot.waitUntil(lambda: calls["contacts"] == 1)
    assert calls == {"contacts": 1, "follow_ups": 1, "interactions": 0}

    window.on_changes(Changes(interactions=True))
    qtbot.waitUntil(lambda: calls["interactions"] == 1)
    assert calls == {"contacts": 2, "follow_ups": 2, "interactions": 1}


# 4. One clock ---------------------------------------------------------------------------------------------------


def test_follow_ups_and_dashboard_read_the_window_clock(qtbot, fixed_clock, open_window, store):
    late = store.contacts.add(first_name="Late", email="late@example.com")
    store.follow_ups.schedule(late.id, date(2031, 3, 1), "Send the quote")
    window = open_window(1)
    tab = window.followups_tab
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    item = tab.model.item_at(0)
    assert item.priority is Priority.OVERDUE and item.due == date(2031, 3, 1)
    window.show_tab(0)
    dashboard = window.dashboard_tab  # its numbers come first, the follow-ups counted after them
    qtbot.waitUntil(
        lambda: dashboard.widget is not None and getattr(dashboard.widget.data, "follow_ups_counted", False)
    )
    data = dashboard.widget.data
    assert data.as_of == FIXED_DAY and data.overdue == 1


def test_dialogs_and_snooze_start_from_the_window_clock(qtbot, fixed_clock, open_window, store):
    late = store.contacts.add(first_name="Late", email="late@example.com")
    store.follow_ups.schedule(late.id, date(2031, 3, 1), "Send the quote")
    window = open_window(1)
    assert LogInteractionDialog(window, [], "Late").when.dateTime().toPython() == datetime(2031, 3, 5, 9, 30)
    assert FollowUpDialog(window, "Late").value()[0] == date(2031, 3, 12)
    assert window.interactions_tab.until.date().toPython() == FIXED_DAY
    tab = window.followups_tab
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    tab.table.selectRow(0)
    tab.snooze(1)
    (follow_up,) = store.follow_ups.for_contact(late.id)
    assert follow_up.snoozed_until == "2031-03-06" and follow_up.due == "2031-03-01"


# 5. Long writes on a worker ----------------------------------------------------------------------------------------


def test_bulk_delete_runs_on_a_worker_with_the_list_disabled_and_undoes(qtbot, window, store):
    tab = window.contacts_tab
    tab.select_ids(ids_of(store, "anna@example.com", "bob@example.com"))
    tab.delete_selected()
    assert not tab.table.isEnabled() and not tab.panel.isEnabled()  # until the worker answers
    qtbot.waitUntil(tab.table.isEnabled)
    assert store.contacts.count() == 1 and window.undo.stack.undoText() == "Delete 2 contacts"
    qtbot.waitUntil(lambda: tab.model.total() == 1)
    window.undo_action.trigger()
    assert not tab.table.isEnabled()
    qtbot.waitUntil(lambda: tab.table.isEnabled() and store.contacts.count() == 3)
    assert store.contacts.require("anna@example.com").company == "Berg Bakery"
    qtbot.waitUntil(lambda: tab.model.total() == 3)
    assert window.errors == []


def test_bulk_tag_runs_on_a_worker_and_undoes(qtbot, window, store, monkeypatch):
    tab = window.contacts_tab
    ids = ids_of(store, "anna@example.com", "bob@example.com")
    tab.select_ids(ids)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Christmas", True)))
    tab.tag_selected()
    assert not tab.table.isEnabled()
    qtbot.waitUntil(tab.table.isEnabled)
    assert all(store.contacts.get(i).tags == ("Christmas",) for i in ids)
    window.redo_action.trigger()  # nothing to redo: no second job
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: not window.undo.running)
    assert all(store.contacts.get(i).tags == () for i in ids)
    window.redo_action.trigger()
    qtbot.waitUntil(lambda: not window.undo.running)
    assert all(store.contacts.get(i).tags == ("Christmas",) for i in ids)


def test_done_for_many_follow_ups_runs_on_a_worker_and_undoes(qtbot, fixed_clock, open_window, store):
    for name in ("Late", "Later"):
        contact = store.contacts.add(first_name=name, email=f"{name.lower()}@example.com")
        store.follow_ups.schedule(contact.id, date(2031, 3, 1), "Send the quote")
    window = open_window(2)
    tab = window.followups_tab
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    tab.table.selectAll()
    tab.mark_done()
    assert not tab.table.isEnabled() and not tab.done_button.isEnabled()
    qtbot.waitUntil(tab.table.isEnabled)
    calls = store.interactions.list(kinds=["call"])
    assert len(calls) == 2 and {c.occurred_at[:10] for c in calls} == {"2031-03-05"}
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: not window.undo.running)
    assert store.interactions.count() == 0
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    assert window.errors == []


def test_a_failed_background_write_is_one_sentence_and_pushes_nothing(qtbot, window, store):
    tab = window.contacts_tab
    ids = ids_of(store, "anna@example.com", "bob@example.com")
    tab.select_ids(ids)
    store.contacts.delete(ids[:1])  # gone meanwhile (the command line beside the window)
    tab.delete_selected()
    assert not tab.table.isEnabled()
    qtbot.waitUntil(tab.table.isEnabled)
    assert window.errors == [f"There is no contact with id {ids[0]}."]
    assert window.undo.stack.count() == 0 and store.contacts.require("bob@example.com")


def test_an_undo_refused_in_the_background_keeps_the_stack_and_the_database_together(qtbot, window, store, monkeypatch):
    """Undo of a bulk tag refused (a tagged contact was edited since): the redo that follows finds the tags still on
    and does nothing, rather than taking them off."""
    tab = window.contacts_tab
    ids = ids_of(store, "anna@example.com", "bob@example.com")
    tab.select_ids(ids)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Christmas", True)))
    tab.tag_selected()
    qtbot.waitUntil(lambda: not window.undo.running)
    store.contacts.update(ids[0], notes="Called about the cake")
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: not window.undo.running)
    assert len(window.errors) == 1 and "was changed since" in window.errors[0]
    window.redo_action.trigger()
    qtbot.waitUntil(lambda: not window.undo.running)
    assert len(window.errors) == 1
    assert [store.contacts.get(i).tags for i in ids] == [("Christmas",), ("Christmas",)]
    assert window.undo.stack.canUndo() and not window.undo.stack.canRedo()
