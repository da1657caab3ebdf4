"""What a user does in the Contacts and Interactions tabs, with dialogs answered by replacing their ask()."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QInputDialog

from tracker.ui.dialogs import ContactDialog, LoggedInteraction, LogInteractionDialog
from tracker.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, store, tmp_path, log):
    anna = store.contacts.add(first_name="Anna", email="anna@example.com")
    bob = store.contacts.add(first_name="Bob", email="bob@example.com")
    log(anna, "purchase", "2026-05-01", amount=10)
    log(bob, "email_open", "2026-06-01")
    made = MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(made)
    made.show()
    qtbot.waitUntil(lambda: made.contacts_tab.model.total() == 2)
    errors: list[str] = []
    made.show_error = errors.append  # the dialog a user would see, captured
    made.undo.report = errors.append
    made.errors = errors
    return made


def test_new_contact_from_the_dialog_appears_and_undo_removes_it(window, store, monkeypatch):
    monkeypatch.setattr(
        ContactDialog,
        "ask",
        classmethod(
            lambda cls, parent, contact=None: {"first_name": "Cleo", "email": "cleo@example.com", "tags": "wedding"}
        ),
    )
    window.contacts_tab.new_contact()
    cleo = store.contacts.require("cleo@example.com")
    assert window.contacts_tab.model.row_of(cleo.id) is not None
    assert window.contacts_tab.panel.title.text() == "Cleo"
    window.undo_action.trigger()
    assert store.contacts.by_email("cleo@example.com") is None


def test_a_duplicate_email_is_a_sentence_not_a_traceback(window, store, monkeypatch):
    monkeypatch.setattr(
        ContactDialog,
        "ask",
        classmethod(lambda cls, parent, contact=None: {"first_name": "Anna Again", "email": "ANNA@example.com"}),
    )
    window.contacts_tab.new_contact()
    assert window.errors == ["A contact with the e-mail address ANNA@example.com already exists."]
    assert store.contacts.count() == 2 and window.undo.stack.count() == 0


def test_bulk_tag_selected_contacts_and_undo(qtbot, window, store, monkeypatch):
    tab = window.contacts_tab
    ids = [c.contact.id for c in tab.model.visible_rows()]
    tab.select_ids(ids)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Christmas", True)))
    tab.tag_selected()  # many contacts: on a worker
    qtbot.waitUntil(lambda: tab.tag.findData("Christmas") >= 0)
    assert all(store.contacts.get(i).tags == ("Christmas",) for i in ids)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: not window.undo.running)
    assert all(store.contacts.get(i).tags == () for i in ids)


def test_interactions_filter_by_kind_and_delete_with_undo(qtbot, window, store):
    tab = window.interactions_tab
    assert tab.model.rowCount() == 0  # not loaded while hidden
    window.show_tab(3)
    assert tab.model.rowCount() == 2
    tab.kind.setCurrentIndex(tab.kind.findData("purchase"))
    assert tab.model.rowCount() == 1 and tab.model.item_at(0).kind == "purchase"
    tab.table.selectRow(0)
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    assert store.interactions.list(kinds=["purchase"]) == []
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0)
    window.undo_action.trigger()
    assert len(store.interactions.list(kinds=["purchase"])) == 1


def test_editing_an_interaction_keeps_its_date(window, store, monkeypatch):
    tab = window.interactions_tab
    window.show_tab(3)
    row = next(r for r in range(tab.model.rowCount()) if tab.model.item_at(r).kind == "purchase")
    original = tab.model.item_at(row)
    monkeypatch.setattr(LogInteractionDialog, "edit", staticmethod(lambda dialog: dialog.value()))
    tab.edit_row(row)
    assert store.interactions.get(original.id).occurred_at == original.occurred_at


def test_log_from_the_interactions_tab_for_a_known_email(window, store, monkeypatch):
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("bob@example.com", True)))
    answer = LoggedInteraction("call", datetime(2026, 11, 1, 10), None, None, "asked about wreaths")
    monkeypatch.setattr(LogInteractionDialog, "ask", classmethod(lambda cls, *a: answer))
    window.show_tab(3)
    window.log_interaction()
    bob = store.contacts.require("bob@example.com")
    assert [i.note for i in store.interactions.list(contact_id=bob.id, kinds=["call"])] == ["asked about wreaths"]


def test_opening_a_file_that_is_not_a_database_keeps_the_current_one(window, store, tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("shopping list")
    assert window.open_database(bad) is False
    assert "not a Tracker database" in window.errors[0]
    assert window.store is store and bad.read_text() == "shopping list"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("activity_log_sample.csv", "interactions"),
        ("shopify_orders_sample.csv", "interactions"),
        ("google_contacts_sample.csv", "contacts"),
    ],
)
def test_dropping_an_activity_log_is_recognised_as_interactions(window, fixtures, name, kind):
    from tracker.ui.import_wizard import ImportWizard

    window.import_dropped(fixtures / name)
    wizard = window.findChild(ImportWizard)
    assert wizard is not None and wizard.kind == kind
    wizard.close()


def test_a_dropped_file_opens_the_wizard_and_an_import_reaches_the_tabs(qtbot, window, store, fixtures):
    from tracker.core.importing import import_contacts
    from tracker.core.models import Changes
    from tracker.ui.import_wizard import ImportWizard

    path = fixtures / "google_contacts_sample.csv"
    window.import_dropped(path)
    wizard = window.findChild(ImportWizard)
    assert wizard is not None and wizard.isVisible() and wizard.windowTitle() == "Import contacts"
    import_contacts(store, path)  # what the wizard's last page does, then it says so:
    wizard.imported.emit(Changes(contacts=True))
    qtbot.waitUntil(lambda: window.contacts_tab.model.total() == 6)
    wizard.close()


def test_markup_in_imported_names_is_shown_as_text_never_rendered(window, store):
    from PySide6.QtCore import Qt

    hostile = store.contacts.add(
        first_name='<img src="file:///etc/passwd">', last_name="<a href='http://x'>x</a>", email="hostile@example.com"
    )
    window.contacts_tab.refresh_contacts([hostile.id])
    panel = window.contacts_tab.panel
    assert panel.title.textFormat() == Qt.TextFormat.PlainText
    assert panel.title.text().startswith('<img src="file:///etc/passwd">')
    assert panel.reasons.textFormat() == Qt.TextFormat.PlainText
