"""What schema 5 keeps about a contact, in the window: the panel lists it, the edit dialog changes it (one undoable
edit, a refusal said in the dialog), and the settings dialog's phone region re-keys national numbers, undoably."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog

from tracker.ui import clock
from tracker.ui.contact_panel import ContactPanel
from tracker.ui.dialogs import ContactDialog
from tracker.ui.main_window import MainWindow
from tracker.ui.settings_dialog import SettingsDialog

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
EVERYTHING = {
    "first_name": "Margaret",
    "last_name": "Whitfield",
    "email": "margaret@example.co.uk",
    "phone": "07700 900004",
    "source": "shopify_customers.csv",
    "address": "14 Rosebery Avenue\nLondon EC1R 4TD",
    "consent": True,
    "customer_no": "C-104213",
    "dates": {"birthday": "1980-01-01", "anniversary": "--12-25"},
    "fields": {"Favourite flower": "Peonies", "Note": "<b>ribbon</b> in dark green"},
    "more_emails": ["m.whitfield@work.example.com"],
    "more_phones": ["020 7946 0018", "+44 7700 900123"],
    "orders_reported": 3,
    "spent_reported": 250.0,
}


@pytest.fixture(autouse=True)
def fixed_clock():
    clock.set_fixed(date(2026, 11, 23))
    yield
    clock.set_fixed(None)


def test_the_panel_lists_every_detail_as_written_in_a_box_that_keeps_its_height(qtbot, store):
    margaret = store.contacts.add(**EVERYTHING)
    bob = store.contacts.add(first_name="Bob", email="bob@example.com", consent=False)
    panel = ContactPanel(store)
    qtbot.addWidget(panel)
    panel.resize(430, 900)
    panel.show()
    panel.show_contact(margaret.id)
    assert panel.details.text().splitlines() == [
        "Address: 14 Rosebery Avenue",
        "London EC1R 4TD",
        "Birthday: 1 January 1980",
        "Anniversary: 25 December",
        "Marketing: Agreed to marketing e-mail",
        "Customer no.: C-104213",
        "Other e-mails: m.whitfield@work.example.com",
        "Other phones: 020 7946 0018",
        "+44 7700 900123",
        "Reported: 3 orders, 250.00 spent — from shopify_customers.csv",
        "From imported files",
        "Favourite flower: Peonies",
        "Note: <b>ribbon</b> in dark green",  # as written, never rich text
    ]
    height, below = panel.details.height(), panel.reasons.y()
    panel.show_contact(bob.id)
    qtbot.waitUntil(lambda: "Opted out of marketing e-mail" in panel.details.text())
    assert panel.details.text() == "Marketing: Opted out of marketing e-mail"
    assert (panel.details.height(), panel.reasons.y()) == (height, below)  # nothing below it moved
    panel.show_contact(None)
    assert panel.details.text() == "" and not panel.edit_button.isEnabled()


@pytest.fixture
def window(qtbot, store, tmp_path):
    store.set_phone_region("GB")
    anna = store.contacts.add(first_name="Anna", email="anna@example.com", phone="07700 900004")
    made = MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(made)
    made.show()
    made.activateWindow()
    qtbot.waitUntil(lambda: made.contacts_tab.model.total() == 1)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is made)  # shortcuts go to the active window
    errors: list[str] = []
    made.show_error = errors.append
    made.undo.report = errors.append
    made.errors = errors
    made.anna_id = anna.id
    made.show_tab(1)
    made.contacts_tab.select_ids([anna.id])
    return made


def answer_edit_dialog(monkeypatch, fill, seen: list[ContactDialog]):
    """Replace the dialog's exec: fill it in, press Save; Accepted only when the dialog accepted."""

    def run(dialog: ContactDialog) -> int:
        fill(dialog)
        dialog.accept()
        seen.append(dialog)
        return dialog.result()

    monkeypatch.setattr(ContactDialog, "exec", run)


def test_editing_details_in_the_dialog_shows_in_the_panel_and_ctrl_z_takes_it_back(qtbot, window, store, monkeypatch):
    def fill(dialog: ContactDialog) -> None:
        dialog.address.setPlainText("1 High Street\nLeeds")
        dialog.dates["birthday"].set_value("--03-07")
        dialog.dates["anniversary"].set_value("2001-06-30")
        dialog.consent.setCurrentIndex(dialog.consent.findData(False))
        dialog.customer_no.setText("T-77")
        dialog.more_emails.setPlainText("anna@work.example.com\nanna.b@example.org")
        dialog.more_phones.setPlainText("0113 496 0000")

    seen: list[ContactDialog] = []
    answer_edit_dialog(monkeypatch, fill, seen)
    panel = window.contacts_tab.panel
    qtbot.mouseClick(panel.edit_button, Qt.MouseButton.LeftButton)
    anna = store.contacts.get(window.anna_id)
    assert anna.address == "1 High Street\nLeeds"
    assert anna.dates == {"birthday": "--03-07", "anniversary": "2001-06-30"}
    assert (anna.consent, anna.customer_no) == (False, "T-77")
    assert anna.more_emails == ("anna@work.example.com", "anna.b@example.org")
    assert anna.more_phones == ("0113 496 0000",)
    assert "Birthday: 7 March" in panel.details.text()
    assert "Marketing: Opted out of marketing e-mail" in panel.details.text()
    assert window.undo_action.text() == "&Undo Edit Anna"

    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    anna = store.contacts.get(window.anna_id)
    assert (anna.address, anna.dates, anna.consent, anna.customer_no, anna.more_emails) == ("", {}, None, None, ())
    qtbot.waitUntil(lambda: "Birthday" not in panel.details.text())
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert store.contacts.get(window.anna_id).customer_no == "T-77"
    assert window.errors == []


@pytest.mark.parametrize(
    ("fill", "sentence"),
    [
        (
            lambda d: d.more_emails.setPlainText("anna@work.example.com\nnot an address"),
            "'not an address' is not a valid e-mail address.",
        ),
        (
            lambda d: d.dates["birthday"].month.setCurrentIndex(2),  # February, no day
            "Choose both a day and a month for a date, or neither (the year may be left out).",
        ),
        (
            lambda d: d.dates["birthday"].set_value("1981-02-29"),  # not a leap year
            "'1981-02-29' is not a date for birthday; write it as 1980-01-31, or --01-31 without a year.",
        ),
    ],
    ids=["bad-e-mail", "half-a-date", "no-such-day"],
)
def test_bad_input_is_a_sentence_in_the_dialog_and_nothing_is_written(window, store, monkeypatch, fill, sentence):
    seen: list[ContactDialog] = []

    def fill_all(dialog: ContactDialog) -> None:
        dialog.customer_no.setText("T-77")
        fill(dialog)

    answer_edit_dialog(monkeypatch, fill_all, seen)
    before = store.contacts.get(window.anna_id)
    window.contacts_tab.edit_contact(window.anna_id)
    assert seen[0].result() != QDialog.DialogCode.Accepted  # still open, what was typed kept
    assert seen[0].error.text() == sentence and seen[0].customer_no.text() == "T-77"
    assert store.contacts.get(window.anna_id) == before
    assert window.undo.stack.count() == 0 and window.errors == []


def test_the_phone_region_combo_re_keys_national_numbers_and_ctrl_z_restores_them(qtbot, window, store, monkeypatch):
    assert store.contacts.get(window.anna_id).phone_key == "+447700900004"
    shown: list[str] = []

    def choose_germany(dialog: SettingsDialog) -> int:
        shown.append(dialog.region.currentText())
        dialog.region.setCurrentIndex(dialog.region.findData("DE"))
        dialog.save()
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(SettingsDialog, "exec", choose_germany)
    window.edit_settings()
    assert shown == ["United Kingdom (GB)"]
    assert store.phone_region() == "DE"
    assert store.contacts.get(window.anna_id).phone_key == "+497700900004"

    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert store.phone_region() == "GB"
    assert store.contacts.get(window.anna_id).phone_key == "+447700900004"
    assert window.errors == []
