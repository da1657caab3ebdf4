"""The Interactions tab: every interaction newest first, filtered by kind, dates and contact; add/edit/delete."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from tracker.core import operations
from tracker.core.models import Changes
from tracker.core.store import Store
from tracker.ui import clock
from tracker.ui.commands import Undoable
from tracker.ui.dialogs import LogInteractionDialog, kinds_in_order, log_with_undo
from tracker.ui.interactions_model import PagedInteractionsModel, kind_words
from tracker.ui.tables import data_table, selected_rows


class InteractionsTab(QWidget):
    def __init__(self, store: Store, undo: Undoable, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.undo = undo
        self._stale = True
        self.kind = QComboBox()
        self.contact = QLineEdit()
        self.contact.setPlaceholderText("Contact e-mail")
        self.contact.setClearButtonEnabled(True)
        self.use_since = QCheckBox("From")
        self.since = QDateEdit(clock.qdate().addMonths(-3))
        self.until = QDateEdit(clock.qdate())
        self.use_until = QCheckBox("to")
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.status = QLabel()
        bar = QHBoxLayout()
        for widget in (QLabel("Kind"), self.kind, self.contact, self.use_since, self.since, self.use_until, self.until):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.status)
        self.model = PagedInteractionsModel(self._fetch, self)
        self.table = data_table(self.model, (130, 200, 130, 90, 60))
        self.table.doubleClicked.connect(lambda index: self.edit_row(index.row()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self._fill_kinds()
        for signal in (
            self.kind.currentIndexChanged,
            self.contact.editingFinished,
            self.use_since.toggled,
            self.since.dateChanged,
            self.use_until.toggled,
            self.until.dateChanged,
        ):
            signal.connect(self.reload)

    def _fill_kinds(self) -> None:
        self.kind.blockSignals(True)
        current = self.kind.currentData()
        self.kind.clear()
        self.kind.addItem("All kinds", None)
        for kind in sorted(self.store.kinds().values(), key=lambda k: (k.stage, k.name)):
            self.kind.addItem(kind_words(kind.name), kind.name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(current)))
        self.kind.blockSignals(False)

    def _filters(self) -> dict:
        contact_id = None
        text = self.contact.text().strip()
        if text:
            found = self.store.contacts.by_email(text)
            contact_id = found.id if found else -1
        return {
            "contact_id": contact_id,
            "kinds": [self.kind.currentData()] if self.kind.currentData() else [],
            "since": self.since.date().toPython() if self.use_since.isChecked() else None,
            "until": self.until.date().toPython() if self.use_until.isChecked() else None,
        }

    def _fetch(self, limit: int, offset: int):
        return self.store.interactions.list(limit=limit, offset=offset, **self._filters())

    @staticmethod
    def wants(changes: Changes) -> bool:
        """Whether the list shows what changed: interactions, the contacts' names, the kinds."""
        return changes.interactions or changes.contacts or changes.kinds

    def reload(self, *_: object) -> None:
        """Show the newest page; while the tab is hidden, only remember to do so when it is next shown."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self.model.reload()
        shown = self.model.rowCount()
        more = "+" if self.model.canFetchMore() else ""
        self.status.setText(f"{shown:,}{more} interactions, newest first")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def selected_ids(self) -> list[int]:
        return [self.model.item_at(r).id for r in selected_rows(self.table)]

    def add(self) -> None:
        email, ok = QInputDialog.getText(self, "Log an interaction", "Contact e-mail:")
        if not ok or not email.strip():
            return
        contact = self.store.contacts.by_email(email)
        if contact is None:
            self.undo.report(f"No contact has the e-mail address '{email.strip()}'.")
            return
        log_with_undo(self, self.store, self.undo, contact)

    def edit_row(self, row: int) -> None:
        item = self.model.item_at(row)
        dialog = LogInteractionDialog(self, kinds_in_order(self.store), item.contact_name or item.contact_email or "")
        dialog.kind.setCurrentIndex(max(0, dialog.kind.findData(item.kind)))
        dialog.note.setText(item.note)
        dialog.when.setDateTime(QDateTime.fromString(item.occurred_at, Qt.DateFormat.ISODate))
        if item.amount is not None:
            dialog.amount.setValue(item.amount)
        if item.score is not None:
            dialog.score.setValue(item.score)
        changed = LogInteractionDialog.edit(dialog)
        if changed is None:
            return
        self.undo.do(
            self.store,
            lambda store: operations.interactions.edit(
                store,
                item.id,
                kind=changed.kind,
                occurred_at=changed.occurred_at,
                amount=changed.amount,  # None: "—", no amount
                score=changed.score,
                note=changed.note,
            ),
        )

    def delete_selected(self) -> None:
        """Delete the selected interactions (many: on a worker, the list disabled meanwhile; one: at once)."""
        ids = self.selected_ids()
        if not ids or not self.table.isEnabled():
            return
        self.undo.do(
            self.store,
            lambda store: operations.interactions.delete(store, ids),
            background=len(ids) > 1,
            busy=(self.table,),
        )
