"""Tools → Find duplicates…: the pairs of contacts that look like one person (found on a worker), the two compared
side by side with a choice of which value to keep for each field, and Merge through the window's undo stack, so
Ctrl+Z takes a merge back (here or in the window).

The finder is `tracker.core.duplicates.find_duplicates`, the merge `tracker.core.operations.merge.merge_contacts`;
"Not duplicates" hides a pair for the rest of the session."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from tracker.core.duplicates import DuplicatePair, find_duplicates, logged_counts
from tracker.core.errors import ContactNotFound
from tracker.core.models import Contact
from tracker.core.operations.merge import merge_contacts
from tracker.core.store import Store
from tracker.ui.commands import Undoable
from tracker.ui.jobs import Job, job_for, start
from tracker.ui.text import paragraph, plain

#: The fields compared with a choice (merge_contacts' CHOOSABLE), as the dialog names them.
CHOSEN_FIELDS = (
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("company", "Company"),
    ("address", "Address"),
    ("customer_no", "Customer no."),
    ("source", "Source"),
)
#: Shown for both, joined by the merge (no choice).
JOINED_FIELDS = (
    ("tags", "Tags"),
    ("more_emails", "Other e-mails"),
    ("more_phones", "Other phones"),
    ("dates", "Dates"),
    ("fields", "Other fields"),
    ("consent", "Marketing consent"),
    ("notes", "Notes"),
)
EMPTY = "—"
#: Pairs the user said are not duplicates, by database, for this session.
_NOT_DUPLICATES: dict[str, set[tuple[int, int]]] = {}


def _shown(name: str, value: Any) -> str:
    """A field's value as one short line of plain text."""
    if name == "consent":
        return EMPTY if value is None else ("given" if value else "withdrawn")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items()) or EMPTY
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value) or EMPTY
    text = " ".join(str(value or "").split())
    return (text if len(text) <= 60 else text[:59] + "…") or EMPTY


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


class DuplicatesDialog(QDialog):
    """Pairs on the left, the selected pair side by side on the right; Merge, Not duplicates, Close."""

    def __init__(self, store: Store, undo: Undoable, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.undo = store, undo
        self.setWindowTitle("Find duplicates")
        self.pairs: list[DuplicatePair] = []
        self.job: Job | None = None
        self._again = False
        self.skipped = _NOT_DUPLICATES.setdefault(str(store.path or id(store)), set())
        self.contacts: tuple[Contact, Contact] | None = None
        self.keep_side = 0  # 0: the left contact is kept, 1: the right one
        self.choices: dict[str, QButtonGroup] = {}

        self.status = paragraph("Looking for duplicates…")
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        self.list.currentRowChanged.connect(self._show_pair)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.status)
        left_layout.addWidget(self.progress)
        left_layout.addWidget(self.list)

        self.reasons = paragraph()
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.outcome = paragraph()
        box = QGroupBox("Side by side: choose which value to keep")
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.reasons)
        box_layout.addWidget(self.scroll_area, 1)
        box_layout.addWidget(self.outcome)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(box)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([330, 670])

        self.merge_button = QPushButton("&Merge")
        self.merge_button.clicked.connect(self.merge)
        self.skip_button = QPushButton("&Not duplicates")
        self.skip_button.clicked.connect(self.skip)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        for button in (self.merge_button, self.skip_button, close):
            button.setAutoDefault(False)  # Enter in the list must not merge
        buttons = QHBoxLayout()
        self.done_label = plain(QLabel())
        buttons.addWidget(self.done_label, 1)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.resize(1040, 620)

        # Ctrl+Z / Ctrl+Shift+Z here are the window's Edit → Undo and Redo (a dialog is a window of its own)
        for keys, slot in ((QKeySequence.StandardKey.Undo, undo.stack.undo), ("Ctrl+Shift+Z", undo.stack.redo)):
            action = QAction(self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(slot)
            self.addAction(action)
        undo.stack.indexChanged.connect(self._stack_moved)
        self._show_pair(-1)
        self.search()

    # Finding ------------------------------------------------------------------------------------------------

    def search(self) -> None:
        """Run the finder on a worker (again once afterwards when asked while it runs)."""
        if self.job is not None:
            self._again = True
            return
        self.status.setText("Looking for duplicates…")
        self.progress.show()
        self.progress.setRange(0, 0)
        self.job = job_for(self.store, lambda store, progress, cancelled: find_duplicates(
            store, progress=progress, cancelled=cancelled))  # fmt: skip
        self.job.signals.progressed.connect(self._progressed)
        self.job.signals.succeeded.connect(self._found)
        self.job.signals.failed.connect(self._failed)
        self.job.signals.finished.connect(self._finished)
        start(self.job)

    def _progressed(self, done: int, total: int) -> None:
        if shiboken6.isValid(self.progress):
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _found(self, pairs: list[DuplicatePair]) -> None:
        if not shiboken6.isValid(self.list):
            return
        current = self.list.currentRow()
        self.pairs = [pair for pair in pairs if pair.ids not in self.skipped]
        self.list.blockSignals(True)
        self.list.clear()
        for pair in self.pairs:
            item = QListWidgetItem(
                f"{pair.first.name} #{pair.ids[0]}  and  {pair.second.name} #{pair.ids[1]}  (score {pair.score})\n"
                + "\n".join(f"  {reason}" for reason in pair.reasons)
            )
            item.setToolTip("\n".join(pair.reasons))
            self.list.addItem(item)
        self.list.blockSignals(False)
        count = len(self.pairs)
        self.status.setText(
            f"{count:,} pair{'s' if count != 1 else ''} that may be one person, best evidence first."
            if count
            else "No duplicates found."
        )
        self.list.setCurrentRow(min(max(current, 0), count - 1) if count else -1)
        self._show_pair(self.list.currentRow())

    def _failed(self, message: str) -> None:
        if shiboken6.isValid(self.status):
            self.status.setText(message)

    def _finished(self) -> None:
        self.job = None
        if shiboken6.isValid(self.progress):
            self.progress.hide()
        if self._again and shiboken6.isValid(self):
            self._again = False
            self.search()

    def _stack_moved(self, *_: object) -> None:
        """A merge done, undone or redone (here or in the window): the pairs are found again."""
        if shiboken6.isValid(self) and self.isVisible():
            self.search()

    # The pair side by side ------------------------------------------------------------------------------------

    def _show_pair(self, row: int) -> None:
        self.compare = QWidget()  # a new one for each pair; the scroll area deletes the one before
        self.grid = QGridLayout(self.compare)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        self.grid.setHorizontalSpacing(16)
        self.scroll_area.setWidget(self.compare)
        self.choices.clear()
        pair = self.pairs[row] if 0 <= row < len(self.pairs) else None
        contacts = self._load(pair)
        self.contacts = contacts
        self.merge_button.setEnabled(contacts is not None)
        self.skip_button.setEnabled(pair is not None)
        if pair is None or contacts is None:
            self.reasons.setText("Choose a pair on the left." if self.pairs else "")
            self.outcome.setText("")
            return
        self.reasons.setText("Why: " + "; ".join(pair.reasons) + f" (score {pair.score} of 100).")
        counts = logged_counts(self.store, [c.id for c in contacts if c.id is not None])
        self.keep_group = QButtonGroup(self)
        self.grid.addWidget(self._bold("Keep"), 0, 0)
        for side, contact in enumerate(contacts):
            radio = QRadioButton(f"{contact.name} (#{contact.id})")
            radio.setChecked(side == self.keep_side)
            self.keep_group.addButton(radio, side)
            self.grid.addWidget(radio, 0, side + 1)
        self.keep_group.idClicked.connect(self._keep_changed)
        row_at = 1
        for name, label in CHOSEN_FIELDS:
            values = [getattr(contact, name, None) for contact in contacts]
            if not any(values):
                continue
            self.grid.addWidget(plain(QLabel(label)), row_at, 0)
            if all(values) and values[0] != values[1]:  # a choice; else the merge keeps the one value there is
                group = QButtonGroup(self)
                for side, value in enumerate(values):
                    radio = QRadioButton(_shown(name, value))
                    group.addButton(radio, side)
                    self.grid.addWidget(radio, row_at, side + 1)
                self.choices[name] = group
            else:
                for side, value in enumerate(values):
                    self.grid.addWidget(self._value(_shown(name, value)), row_at, side + 1)
            row_at += 1
        self._default_choices()
        for name, label in JOINED_FIELDS:
            values = [getattr(contact, name, None) for contact in contacts]
            if all(value in (None, "", (), {}) for value in values):
                continue
            self.grid.addWidget(plain(QLabel(label)), row_at, 0)
            for side, value in enumerate(values):
                self.grid.addWidget(self._value(_shown(name, value)), row_at, side + 1)
            row_at += 1
        self.grid.addWidget(plain(QLabel("Logged")), row_at, 0)
        for side, contact in enumerate(contacts):
            assert contact.id is not None  # stored
            interactions, follow_ups = counts[contact.id]
            text = f"{_count(interactions, 'interaction')}, {_count(follow_ups, 'follow-up')}"
            self.grid.addWidget(self._value(text), row_at, side + 1)
        self.grid.setRowStretch(row_at + 1, 1)
        self._say_outcome()

    def _load(self, pair: DuplicatePair | None) -> tuple[Contact, Contact] | None:
        """Both contacts as they are now (one may have gone since the search)."""
        if pair is None:
            return None
        try:
            return self.store.contacts.get(pair.ids[0]), self.store.contacts.get(pair.ids[1])
        except ContactNotFound:
            return None

    def _value(self, text: str) -> QLabel:
        """A value without a choice, lined up with the radio buttons' text."""
        label = plain(QLabel(text))
        label.setIndent(QRadioButton().sizeHint().width() - 4)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _bold(self, text: str) -> QLabel:
        label = plain(QLabel(text))
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label

    def _keep_changed(self, side: int) -> None:
        self.keep_side = side
        self._default_choices()
        self._say_outcome()

    def _default_choices(self) -> None:
        """Each field that differs takes the kept contact's value."""
        for group in self.choices.values():
            group.button(self.keep_side).setChecked(True)

    def _say_outcome(self) -> None:
        if self.contacts is None:
            return
        kept, other = self.contacts[self.keep_side], self.contacts[1 - self.keep_side]
        assert other.id is not None
        interactions, follow_ups = logged_counts(self.store, [other.id])[other.id]
        moved = f"{_count(interactions, 'interaction')} and {_count(follow_ups, 'follow-up')}"
        self.outcome.setText(
            f"Merge keeps {kept.name} (#{kept.id}) with the values chosen above, fills its empty fields from "
            f"#{other.id}, joins tags, dates and notes, keeps the e-mail and phone it does not take as other ones, "
            f"moves {moved} and deletes #{other.id}. Ctrl+Z undoes it."
        )

    def chosen_fields(self) -> dict[str, str]:
        """{field: "keep" | "other"} for the merge, from the radio buttons."""
        out: dict[str, str] = {}
        for name, group in self.choices.items():
            side = group.checkedId()
            if side >= 0:
                out[name] = "keep" if side == self.keep_side else "other"
        return out

    # Actions ------------------------------------------------------------------------------------------------

    def merge(self) -> None:
        """Merge the shown pair as chosen, on the window's undo stack."""
        if self.contacts is None:
            return
        keep_id, other_id = self.contacts[self.keep_side].id, self.contacts[1 - self.keep_side].id
        assert keep_id is not None and other_id is not None  # stored contacts
        fields = self.chosen_fields()
        result = self.undo.do(self.store, lambda store: merge_contacts(store, keep_id, other_id, fields=fields))
        if result is not None:
            self.done_label.setText(result.summary)
            self.keep_side = 0

    def skip(self) -> None:
        """Not duplicates: hide the pair for the rest of the session."""
        row = self.list.currentRow()
        if not 0 <= row < len(self.pairs):
            return
        self.skipped.add(self.pairs[row].ids)
        self.pairs.pop(row)
        self.list.blockSignals(True)
        self.list.takeItem(row)
        self.list.blockSignals(False)
        self.list.setCurrentRow(min(row, len(self.pairs) - 1))
        self._show_pair(self.list.currentRow())
        self.list.setFocus()

    def done(self, code: int) -> None:
        """Closing stops a search still running (it only reads) and stops following the undo stack."""
        if self.job is not None:
            self.job.cancel()
        if shiboken6.isValid(self.undo.stack):
            self.undo.stack.indexChanged.disconnect(self._stack_moved)
        super().done(code)
