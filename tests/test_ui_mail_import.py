"""File → Import mail or calendar… as a user meets it: a mailbox the test writes is dry-run (counts, left out by
reason, the owner's address found, the people who are not contacts yet), confirmed and imported on a worker; a
cancel imports nothing, a broken file is one sentence; a calendar goes through the same dialog; the contact's
timeline says what the mail and meetings were. The window's clock is fixed: nothing depends on today's date."""

from __future__ import annotations

import mailbox
import threading
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent

from tracker.core.models import Changes
from tracker.ui import clock, mail_import_parts
from tracker.ui.contact_panel import ContactPanel
from tracker.ui.mail_import_dialog import MailImportDialog

ME = "owner@shop.example"
TODAY = date(2026, 12, 15)
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(autouse=True)
def fixed_clock():
    clock.set_fixed(TODAY)
    yield
    clock.set_fixed(None)


@pytest.fixture
def contacts(store):
    anna = store.contacts.add(first_name="Anna", last_name="Berg", email="anna@example.com")
    ben = store.contacts.add(first_name="Ben", last_name="Okafor", email="ben@example.com")
    return anna, ben


def message(sender: str, to: str, subject: str, day: int, **headers: str) -> EmailMessage:
    made = EmailMessage()
    made["From"], made["To"], made["Subject"] = sender, to, subject
    made["Date"] = f"Tue, {day:02d} Dec 2026 10:00:00 +0000"
    made["Message-ID"] = f"<{abs(hash((sender, to, subject, day)))}@test.example>"
    for name, value in headers.items():
        made[name.replace("_", "-")] = value
    made.set_content("Hello,\n\nsee you soon.\n")
    return made


def write_mbox(path: Path, messages: list[EmailMessage]) -> Path:
    box = mailbox.mbox(path)
    for item in messages:
        box.add(mailbox.mboxMessage(item))
    box.flush()
    box.close()
    return path


@pytest.fixture
def inbox(tmp_path) -> Path:
    """9 messages: the owner's 4 (3 to Anna, 1 to Dora who is no contact), Anna's 2 replies, Ben's 1, a
    newsletter, and one from Carl who is no contact: 6 interactions, 2 people to add."""
    return write_mbox(
        tmp_path / "All mail Including Spam and Trash.mbox",
        [
            message(f"Shop Owner <{ME}>", "Anna Berg <anna@example.com>", "Your order", 1),
            message(f"Shop Owner <{ME}>", "anna@example.com", "Your parcel", 2),
            message(f"Shop Owner <{ME}>", "anna@example.com", "A new blend", 3),
            message(f"Shop Owner <{ME}>", "Dora New <dora@new.example>", "Samples", 4),
            message("Anna Berg <anna@example.com>", ME, "Re: Your order", 5),
            message("Anna Berg <anna@example.com>", ME, "Re: A new blend", 6),
            message("Ben Okafor <ben@example.com>", ME, "Wholesale prices?", 7),
            message("News <news@brand.example>", ME, "December offers", 8, List_Unsubscribe="<mailto:u@x>"),
            message("Carl Stranger <carl@elsewhere.example>", ME, "Hello", 9),
        ],
    )


@pytest.fixture
def open_dialog(qtbot, store):
    def make(*paths: Path) -> MailImportDialog:
        dialog = MailImportDialog(store, list(paths))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: not dialog.running)
        return dialog

    return make


def confirm_and_import(qtbot, dialog: MailImportDialog) -> list[Changes]:
    emitted: list[Changes] = []
    dialog.imported.connect(emitted.append)
    assert not dialog.import_button.isEnabled()  # the addresses are confirmed first
    dialog.confirmed.setChecked(True)
    assert dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.import_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.running)
    return emitted


def kinds_of(store, contact) -> list[tuple[str, str]]:
    return sorted((i.kind, i.note) for i in store.interactions.list(contact_id=contact.id))


def test_the_dry_run_shows_counts_the_owner_and_the_people_to_add(open_dialog, store, contacts, inbox):
    dialog = open_dialog(inbox)
    assert dialog.summary.text() == "9 messages read: 6 would be imported as interactions with your contacts."
    assert dialog.left_out.text() == "Left out:\n• 2 with people who are not contacts\n• 1 newsletter or notification"
    assert dialog.me_edit.toPlainText() == ME
    assert dialog.me_hint.text() == "Found as the most frequent sender: please check."
    assert dialog.add_people.isVisible() and not dialog.add_people.isChecked()
    assert dialog.add_people.text() == "2 people you wrote with are not contacts yet — add them"
    dialog.add_people.setChecked(True)
    assert (
        dialog.summary.text()
        == "9 messages read: 8 would be imported as interactions, and 2 people would become contacts."
    )
    assert "with people who are not contacts" not in dialog.left_out.text()
    assert store.interactions.count() == 0 and store.imports.list() == []  # a dry run writes nothing


def test_importing_creates_the_interactions_and_says_so_in_a_sentence(qtbot, open_dialog, store, contacts, inbox):
    anna, ben = contacts
    dialog = open_dialog(inbox)
    emitted = confirm_and_import(qtbot, dialog)
    assert dialog.outcome.text() == (
        "Imported 6 of 9 messages as interactions (Edit → Import history… takes the import back)."
    )
    assert not dialog.import_button.isVisible() and not dialog.error.isVisible()
    assert kinds_of(store, anna) == [
        ("contacted", "A new blend"),
        ("contacted", "Your order"),
        ("contacted", "Your parcel"),
        ("email_reply", "Re: A new blend"),
        ("email_reply", "Re: Your order"),
    ]
    assert kinds_of(store, ben) == [("email_reply", "Wholesale prices?")]
    assert store.contacts.count() == 2
    assert len(emitted) == 1 and emitted[0].interactions
    [batch] = store.imports.list()
    assert batch.kind == "mail"

    again = open_dialog(inbox)  # the same mailbox: nothing new, the owner as confirmed
    assert again.summary.text() == "9 messages read: 0 would be imported as interactions with your contacts."
    assert "• 6 imported before" in again.left_out.text()
    assert again.me_edit.toPlainText() == ME
    assert again.me_hint.text().startswith("As you confirmed at an earlier import")


def test_adding_the_people_who_are_not_contacts(qtbot, open_dialog, store, contacts, inbox):
    dialog = open_dialog(inbox)
    dialog.add_people.setChecked(True)
    confirm_and_import(qtbot, dialog)
    assert dialog.outcome.text().startswith("Imported 8 of 9 messages as interactions, with 2 new contacts")
    assert kinds_of(store, store.contacts.require("dora@new.example")) == [("contacted", "Samples")]
    assert kinds_of(store, store.contacts.require("carl@elsewhere.example")) == [("email_reply", "Hello")]


def test_other_addresses_are_checked_again_before_importing(qtbot, open_dialog, store, contacts, inbox):
    dialog = open_dialog(inbox)
    dialog.confirmed.setChecked(True)
    dialog.me_edit.setPlainText(f"{ME}\ndora@new.example")  # the owner's other address
    assert not dialog.confirmed.isChecked() and not dialog.import_button.isEnabled()
    assert dialog.check_again.isEnabled()
    qtbot.mouseClick(dialog.check_again, LEFT)
    qtbot.waitUntil(lambda: dialog.check is not None and not dialog.running)
    assert dialog.check.me == [ME, "dora@new.example"]
    assert dialog.summary.text() == "9 messages read: 6 would be imported as interactions with your contacts."
    assert "• 1 your own internal mail" in dialog.left_out.text()
    assert dialog.add_people.text() == "1 person you wrote with is not a contact yet — add them"
    confirm_and_import(qtbot, dialog)
    assert store.interactions.count() == 6


def test_mail_whose_owner_cannot_be_told_asks_for_the_address(qtbot, open_dialog, store, contacts, tmp_path):
    box = write_mbox(
        tmp_path / "two.mbox",
        [
            message("anna@example.com", "ben@example.com", "Hello Ben", 1),
            message("ben@example.com", "anna@example.com", "Hi Anna", 2),
        ],
    )
    dialog = open_dialog(box)
    assert not dialog.error.isVisible()
    assert dialog.me_edit.toPlainText() == ""
    assert dialog.me_hint.text() == "Tracker could not tell which address is yours: type it, then press Check again."
    assert not dialog.import_button.isEnabled()
    dialog.me_edit.setPlainText(ME)
    qtbot.mouseClick(dialog.check_again, LEFT)
    qtbot.waitUntil(lambda: dialog.check is not None and not dialog.running)
    assert dialog.me_hint.text() == ""
    assert dialog.summary.text() == "2 messages read: 2 would be imported as interactions with your contacts."
    confirm_and_import(qtbot, dialog)
    assert kinds_of(store, contacts[1]) == [("email_reply", "Hi Anna")]


def test_a_typed_address_that_is_not_one_is_said_without_reading_again(qtbot, open_dialog, contacts, inbox):
    dialog = open_dialog(inbox)
    dialog.me_edit.setPlainText("the shop")
    qtbot.mouseClick(dialog.check_again, LEFT)
    assert not dialog.running and dialog.check is not None  # the last check is kept
    assert dialog.error.text() == "'the shop' is not an e-mail address; type your own addresses, one a line."
    assert not dialog.import_button.isEnabled()


def test_cancel_imports_nothing(qtbot, open_dialog, store, contacts, inbox, monkeypatch):
    real, gate = mail_import_parts.import_mail, threading.Event()

    def held(*args, **options):  # the import waits on its worker until the test has pressed Cancel
        gate.wait(10)
        return real(*args, **options)

    dialog = open_dialog(inbox)
    monkeypatch.setattr(mail_import_parts, "import_mail", held)
    emitted: list[Changes] = []
    dialog.imported.connect(emitted.append)
    dialog.confirmed.setChecked(True)
    qtbot.mouseClick(dialog.import_button, LEFT)
    assert dialog.running and dialog.cancel_button.isVisible()
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    assert dialog.summary.text() == "Cancelling…"
    gate.set()
    qtbot.waitUntil(lambda: not dialog.running)
    assert dialog.summary.text() == "Cancelled — nothing was imported."
    assert not dialog.error.isVisible()
    assert store.interactions.count() == 0 and store.imports.list() == [] and emitted == []


def test_cancelling_the_check_reads_nothing_more(qtbot, store, contacts, inbox, monkeypatch):
    real, gate = mail_import_parts.import_mail, threading.Event()

    def held(*args, **options):
        gate.wait(10)
        return real(*args, **options)

    monkeypatch.setattr(mail_import_parts, "import_mail", held)
    dialog = MailImportDialog(store, [inbox])
    qtbot.addWidget(dialog)
    assert dialog.running and dialog.summary.text() == f"Reading {inbox.name}…"
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    gate.set()
    qtbot.waitUntil(lambda: not dialog.running)
    assert dialog.summary.text() == "Check cancelled."
    assert not dialog.error.isVisible() and not dialog.import_button.isEnabled()
    assert dialog.check_button.isEnabled()  # read again when asked
    qtbot.mouseClick(dialog.check_button, LEFT)
    qtbot.waitUntil(lambda: dialog.check is not None)
    assert dialog.summary.text().startswith("9 messages read: 6 would be imported")


def test_a_broken_file_is_one_sentence(open_dialog, store, tmp_path):
    broken = tmp_path / "broken.mbox"
    broken.write_text("This is a shopping list, not a mailbox.\n", encoding="utf-8")
    dialog = open_dialog(broken)
    assert dialog.summary.text() == "These files cannot be imported."
    assert dialog.error.isVisible()
    assert dialog.error.text() == (f"{broken} is not a mailbox (.mbox), an e-mail (.eml) or an Outlook message (.msg).")
    assert not dialog.owner.isVisible() and not dialog.import_button.isEnabled()


def test_a_calendar_with_mail_is_refused_before_reading(open_dialog, tmp_path, inbox):
    dialog = open_dialog(inbox, tmp_path / "calendar.ics")
    assert dialog.error.text().startswith("Import a calendar (.ics) on its own")
    assert dialog.check is None and not dialog.import_button.isEnabled()


CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
BEGIN:VEVENT
UID:tasting-1@test.example
DTSTART:20261203T140000Z
DTEND:20261203T150000Z
SUMMARY:Tasting with Anna
ORGANIZER:mailto:{me}
ATTENDEE;PARTSTAT=ACCEPTED:mailto:{me}
ATTENDEE;PARTSTAT=ACCEPTED;CN=Anna Berg:mailto:anna@example.com
END:VEVENT
BEGIN:VEVENT
UID:visit-2@test.example
DTSTART:20261210T090000Z
DTEND:20261210T100000Z
SUMMARY:Shop visit
ORGANIZER:mailto:{me}
ATTENDEE;PARTSTAT=ACCEPTED:mailto:{me}
ATTENDEE;PARTSTAT=ACCEPTED;CN=Ben Okafor:mailto:ben@example.com
ATTENDEE;PARTSTAT=ACCEPTED;CN=Eve Unknown:mailto:eve@unknown.example
END:VEVENT
BEGIN:VEVENT
UID:later-3@test.example
DTSTART:20270110T090000Z
DTEND:20270110T100000Z
SUMMARY:Next year's order
ORGANIZER:mailto:{me}
ATTENDEE;PARTSTAT=ACCEPTED:mailto:anna@example.com
END:VEVENT
END:VCALENDAR
"""


def test_a_calendar_through_the_same_dialog(qtbot, open_dialog, store, contacts, tmp_path):
    anna, ben = contacts
    ics = tmp_path / "calendar.ics"
    ics.write_text(CALENDAR.format(me=ME).replace("\n", "\r\n"), encoding="utf-8")
    dialog = open_dialog(ics)
    assert dialog.summary.text() == "3 events read: 2 would be imported as 2 meetings with your contacts."
    assert dialog.left_out.text() == "Left out:\n• 1 still to come"
    assert dialog.add_people.text() == "1 person you wrote with is not a contact yet — add them"
    assert dialog.me_edit.toPlainText() == ME
    assert dialog.me_hint.text() == "Found in the calendar (the address on the most events): please check."
    emitted = confirm_and_import(qtbot, dialog)
    assert dialog.outcome.text() == (
        "Imported 2 meetings from 2 of 3 events read (Edit → Import history… takes the import back)."
    )
    assert kinds_of(store, anna) == [("meeting", "Tasting with Anna")]
    assert kinds_of(store, ben) == [("meeting", "Shop visit")]
    assert emitted and emitted[0].interactions


def test_the_timeline_says_what_mail_and_meetings_were(qtbot, store, contacts, log):
    anna, _ = contacts
    log(anna, "contacted", "2026-12-01T10:00:00", note="Your order", channel="email")
    log(anna, "email_reply", "2026-12-02T09:30:00", note="Re: Your order", channel="email")
    log(anna, "meeting", "2026-12-03T14:00:00", note="Tasting with Anna", channel="calendar")
    log(anna, "purchase", "2026-12-04", amount=42.5)
    panel = ContactPanel(store)
    qtbot.addWidget(panel)
    panel.show_contact(anna.id)
    qtbot.waitUntil(lambda: panel.outlook is not None)  # the purchase outlook's worker has answered
    model = panel.timeline_model
    rows = [(model.index(row, 1).data(), model.index(row, 2).data()) for row in range(model.rowCount())]
    assert rows == [
        ("purchase", "42.50"),
        ("Meeting", "Tasting with Anna"),
        ("E-mail from them", "Re: Your order"),
        ("You wrote/called", "Your order"),
    ]


def test_the_window_offers_the_dialog_and_takes_mail_dropped_on_it(qtbot, store, contacts, inbox, tmp_path):
    from tracker.ui.main_window import MainWindow

    window = MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.contacts_tab.model.total() == 2)
    file_menu = window.menuBar().actions()[0].menu()
    [entry] = [action for action in file_menu.actions() if action.text() == "Import &mail or calendar…"]
    entry.trigger()
    assert window.mail_import_dialog.summary.text().startswith("Choose mailbox files")
    window.mail_import_dialog.close()

    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(inbox)), QUrl.fromLocalFile(str(tmp_path / "calendar.ics"))])
    event = QDragEnterEvent(
        QPoint(5, 5), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    event.ignore()
    window.dragEnterEvent(event)
    assert event.isAccepted()

    window.import_dropped(inbox)
    dialog = window.mail_import_dialog
    assert dialog.source.paths == (inbox,)
    qtbot.waitUntil(lambda: dialog.check is not None)
    confirm_and_import(qtbot, dialog)
    assert store.interactions.count() == 6
    window.show_tab(3)  # the Interactions tab: the window learnt of the change
    qtbot.waitUntil(lambda: window.interactions_tab.model.rowCount() == 6)
    assert window.interactions_tab.model.index(0, 2).data() == "E-mail from them"  # Ben's, the newest
    assert window.undo.stack.count() == 0  # undone from Edit → Import history…, not Edit → Undo
    dialog.close()
    window.close()
