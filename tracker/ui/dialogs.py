"""Small dialogs: a contact's fields, logging an interaction, scheduling a follow-up.

Each has a class method `ask(...)` returning the values or None, which tests replace instead of clicking a modal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tracker.core import operations
from tracker.core.details import CONSENT_WORDS, DATE_LABELS
from tracker.core.errors import EditConflict, TrackerError
from tracker.core.models import Contact, Kind
from tracker.core.operations import OpResult
from tracker.core.store import Store
from tracker.ui import clock
from tracker.ui.commands import Undoable
from tracker.ui.important_date import ImportantDateEdit, IncompleteDate
from tracker.ui.text import paragraph

CONTACT_FIELDS = (
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("company", "Company"),
    ("tags", "Tags (comma separated)"),
)


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class ContactDialog(QDialog):
    """A contact's fields, with the details exports bring (address, dates, consent, customer number, other e-mails
    and phones) beside them. Given `save`, OK runs it (a core operation) and a refusal stays in the dialog as a
    sentence, the typed values kept."""

    def __init__(
        self,
        parent: QWidget | None = None,
        contact: Contact | None = None,
        save: Callable[[dict[str, object]], OpResult | None] | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("New contact" if contact is None else f"Edit {contact.name}")
        self._contact = contact
        self._save = save
        self.outcome: OpResult | None = None  # what `save` did (`result` would hide QDialog.result())
        main = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for name, label in CONTACT_FIELDS:
            edit = QLineEdit()
            if contact is not None:
                value = getattr(contact, name)
                edit.setText(", ".join(value) if name == "tags" else (value or ""))
            self.fields[name] = edit
            main.addRow(label, edit)
        self.notes = QPlainTextEdit(contact.notes if contact else "")
        self.notes.setFixedHeight(70)
        main.addRow("Notes", self.notes)

        more = QFormLayout()
        self.address = _lines_edit(contact.address if contact else "", 3)
        more.addRow("Address", self.address)
        dates = contact.dates if contact else {}
        self.dates = {name: ImportantDateEdit(dates.get(name, "")) for name in DATE_LABELS}
        for name, label in DATE_LABELS.items():
            more.addRow(label, self.dates[name])
        self.consent = QComboBox()
        for value, text in ((None, "Not known"), (True, CONSENT_WORDS[True]), (False, CONSENT_WORDS[False])):
            self.consent.addItem(text, value)
        self.consent.setCurrentIndex(self.consent.findData(contact.consent) if contact else 0)
        more.addRow("Marketing e-mail", self.consent)
        self.customer_no = QLineEdit(contact.customer_no or "" if contact else "")
        more.addRow("Customer no.", self.customer_no)
        self.more_emails = _lines_edit("\n".join(contact.more_emails) if contact else "", 2)
        self.more_emails.setPlaceholderText("one per line")
        more.addRow("Other e-mails", self.more_emails)
        self.more_phones = _lines_edit("\n".join(contact.more_phones) if contact else "", 2)
        self.more_phones.setPlaceholderText("one per line")
        more.addRow("Other phones", self.more_phones)

        for form in (main, more):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for edit in self.fields.values():
            edit.setMinimumWidth(230)
        columns = QHBoxLayout()
        columns.addLayout(main, 1)
        columns.addSpacing(12)
        columns.addLayout(more, 1)
        self.error = paragraph()
        self.error.setStyleSheet("color: #c0392b;")
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, "Save"))
        self._initial = self.values()

    def values(self) -> dict[str, object]:
        """Every field as the core's operations take it (IncompleteDate for half a date)."""
        dates = dict(self._contact.dates) if self._contact else {}
        dates |= {name: edit.value() for name, edit in self.dates.items()}
        return (
            {name: edit.text() for name, edit in self.fields.items()}
            | {"notes": self.notes.toPlainText(), "address": self.address.toPlainText()}
            | {"dates": {name: value for name, value in dates.items() if value}}
            | {"consent": self.consent.currentData(), "customer_no": self.customer_no.text()}
            | {"more_emails": self.more_emails.toPlainText(), "more_phones": self.more_phones.toPlainText()}
        )

    def changed(self) -> dict[str, object]:
        """The fields the user changed (for a new contact: those filled in)."""
        return {name: value for name, value in self.values().items() if value != self._initial[name]}

    def accept(self) -> None:
        try:
            changed = self.changed()
        except IncompleteDate:
            self.error.setText("Choose both a day and a month for a date, or neither (the year may be left out).")
            return
        if self._save is not None and changed:
            try:
                self.outcome = self._save(changed)
            except TrackerError as exc:
                self.error.setText(str(exc))
                return
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, contact: Contact | None = None) -> dict[str, object] | None:
        """The fields filled in or changed, or None when cancelled."""
        dialog = cls(parent, contact)
        return dialog.changed() if dialog.exec() == QDialog.DialogCode.Accepted else None

    @classmethod
    def edit(cls, parent: QWidget | None, store: Store, contact: Contact) -> OpResult | None:
        """Edit `contact` through the core's operation; what Save did (for the undo stack), or None when cancelled or
        nothing changed."""
        contact_id = contact.id
        assert contact_id is not None  # a stored contact has its id

        def save(changed: dict[str, object]) -> OpResult | None:
            values: dict[str, Any] = changed  # a contact's fields by name, as ContactsTable.update takes them
            try:
                return operations.contacts.edit(store, contact_id, seen=contact, **values)
            except EditConflict as conflict:  # someone else changed some of these fields meanwhile
                choice = cls.resolve_conflict(dialog, conflict)
                if choice == "mine":
                    return operations.contacts.edit(store, contact_id, overwrite=True, **values)
                rest = {name: value for name, value in values.items() if name not in conflict.changed}
                if choice == "theirs":
                    return operations.contacts.edit(store, contact_id, overwrite=True, **rest) if rest else None
                raise  # back to the dialog: its error line says what changed, nothing was saved

        dialog = cls(parent, contact, save)
        return dialog.outcome if dialog.exec() == QDialog.DialogCode.Accepted else None

    @staticmethod
    def resolve_conflict(parent: QWidget, conflict: EditConflict) -> str | None:
        """Ask what to do when someone else changed the same fields: 'mine' (save over theirs), 'theirs' (keep
        theirs, save the other fields), or None (go back to the form)."""
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Changed meanwhile")
        box.setText(str(conflict).replace("; nothing was saved.", "."))
        box.setInformativeText("Save your version over theirs, or keep theirs (your other changes are saved)?")
        mine = box.addButton("Save mine", QMessageBox.ButtonRole.AcceptRole)
        theirs = box.addButton("Keep theirs", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return "mine" if clicked is mine else "theirs" if clicked is theirs else None


def _lines_edit(text: str, lines: int) -> QPlainTextEdit:
    edit = QPlainTextEdit(text)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
    return edit


@dataclass
class LoggedInteraction:
    kind: str
    occurred_at: datetime
    amount: float | None
    score: int | None
    note: str


class LogInteractionDialog(QDialog):
    def __init__(self, parent: QWidget | None, kinds: list[Kind], who: str):
        super().__init__(parent)
        self.setWindowTitle(f"Log an interaction with {who}")
        form = QFormLayout(self)
        self.kind = QComboBox()
        for kind in kinds:
            self.kind.addItem(f"{kind.name.replace('_', ' ')}  ({kind.stage.label})", kind.name)
        self.kind.setCurrentIndex(max(0, self.kind.findData("purchase")))
        self.when = QDateTimeEdit(clock.qdatetime())
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.amount = QDoubleSpinBox()
        self.amount.setRange(0, 1e9)
        self.amount.setDecimals(2)
        self.amount.setSpecialValueText("—")
        self.score = QSpinBox()
        self.score.setRange(-1, 10)
        self.score.setValue(-1)
        self.score.setSpecialValueText("—")
        self.note = QLineEdit()
        form.addRow("What happened", self.kind)
        form.addRow("When", self.when)
        form.addRow("Amount", self.amount)
        form.addRow("Survey score (0–10)", self.score)
        form.addRow("Note", self.note)
        form.addRow(_buttons(self, "Log it"))

    def value(self) -> LoggedInteraction:
        return LoggedInteraction(
            kind=self.kind.currentData(),
            # PySide6's stubs type toPython() as object; a QDateTime's is a datetime
            occurred_at=self.when.dateTime().toPython(),  # type: ignore[arg-type]
            amount=self.amount.value() or None,
            score=None if self.score.value() < 0 else self.score.value(),
            note=self.note.text(),
        )

    @classmethod
    def ask(cls, parent: QWidget | None, kinds: list[Kind], who: str) -> LoggedInteraction | None:
        return cls.edit(cls(parent, kinds, who))

    @staticmethod
    def edit(dialog: LogInteractionDialog) -> LoggedInteraction | None:
        """Show a prepared dialog; the values, or None when cancelled."""
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None


class FollowUpDialog(QDialog):
    """When to follow up with someone and why; the reason field shows three lines of a long reason, wrapped."""

    #: Lines of the reason shown at once (a reason runs on; the list shows it whole too).
    REASON_LINES = 3

    def __init__(self, parent: QWidget | None, who: str, due: date | None = None, *, with_reason: bool = True):
        super().__init__(parent)
        self.setWindowTitle(f"Follow up with {who}")
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        start = due or clock.today()
        self.due = QDateEdit(QDate(start.year, start.month, start.day).addDays(0 if due else 7))
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.due.setMaximumWidth(self.due.sizeHint().width() + 40)  # a date, not a text field's width
        self.reason = _lines_edit("", self.REASON_LINES)
        self.reason.setPlaceholderText("e.g. Send the quote for the wedding flowers")
        # about 60 characters a line (with room for wrapping): a 120-character reason shows whole in three lines
        self.reason.setMinimumWidth(self.reason.fontMetrics().averageCharWidth() * 64)
        form.addRow("Due", self.due)
        if with_reason:
            form.addRow("Reason", self.reason)
        else:
            self.reason.hide()
        form.addRow(_buttons(self, "Schedule" if with_reason else "Reschedule"))

    def value(self) -> tuple[date, str]:
        """The day and the reason (one line: line breaks typed in it become spaces)."""
        reason = " ".join(self.reason.toPlainText().split())
        # PySide6's stubs type toPython() as object; a QDate's is a date
        return self.due.date().toPython(), reason  # type: ignore[return-value]

    @classmethod
    def ask(cls, parent: QWidget | None, who: str, *, with_reason: bool = True) -> tuple[date, str] | None:
        """The day and reason, or None when cancelled; `with_reason` False: only a new day (a reschedule)."""
        dialog = cls(parent, who, with_reason=with_reason)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None


def kinds_in_order(store: Store) -> list[Kind]:
    """Interaction kinds as a person scans them: by the level they count toward, then by name."""
    return sorted(store.kinds().values(), key=lambda k: (k.stage, k.name))


def log_with_undo(parent: QWidget, store: Store, undo: Undoable, contact: Contact) -> bool:
    """Ask what happened with `contact`, log it, and make it undoable; False if cancelled or refused."""
    logged = LogInteractionDialog.ask(parent, kinds_in_order(store), contact.name)
    if logged is None:
        return False
    contact_id = contact.id
    assert contact_id is not None  # a stored contact has its id
    result = undo.do(
        store,
        lambda s: operations.interactions.log(
            s, contact_id, logged.kind, logged.occurred_at, amount=logged.amount, score=logged.score, note=logged.note
        ),
    )
    return result is not None
