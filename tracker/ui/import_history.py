"""Edit → Import history…: every import (what, from which file, when, its counts, undone or not) and undoing one.

The list comes from the store (`store.imports`), the preview and the undo are core operations
(`tracker.core.operations.imports`); the undo asks first (the question the import wizard
asks, tracker/ui/import_undo.py), then runs as a job with the dialog disabled until it answers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tracker.core.errors import TrackerError
from tracker.core.models import ImportBatch
from tracker.core.operations import imports as import_ops
from tracker.core.store import Store
from tracker.ui.import_undo import confirm_undo, start_undo, undone_sentence
from tracker.ui.jobs import Job
from tracker.ui.tables import Index, ItemsModel, data_table, selected_rows
from tracker.ui.text import error_box, plain, plain_tooltip

COUNTS = ("rows", "created", "updated", "rejected")
UNDONE_COLOUR = "#8a949c"


def _moment(iso: str | None) -> str:
    """'2026-11-23T10:04:05' as '2026-11-23 10:04'."""
    return (iso or "")[:16].replace("T", " ")


class ImportsModel(ItemsModel):
    """Past imports, newest first (as `store.imports.list()` gives them)."""

    columns = ("#", "Kind", "File", "When", "By", "Rows", "Created", "Updated", "Rejected", "Undone")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self):
            return None
        batch: ImportBatch = self.item_at(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            counts = [f"{batch.counts[name]:,}" if name in batch.counts else "" for name in COUNTS]
            return (
                str(batch.id),
                batch.kind,
                PurePath(batch.source).name or batch.source,
                _moment(batch.started_at),
                batch.by,
                *counts,
                _moment(batch.undone_at) or "no",
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return plain_tooltip(batch.source)  # the file's whole path, as written
        if role == Qt.ItemDataRole.TextAlignmentRole and (column == 0 or 5 <= column <= 8):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and batch.undone_at:
            return QColor(UNDONE_COLOUR)
        return None


class ImportHistoryDialog(QDialog):
    """The imports with an Undo button for the selected one; `changed` carries the undo's Changes to the window."""

    changed = Signal(object)

    #: The question before an undo (tests replace it instead of answering a modal box).
    confirm = staticmethod(confirm_undo)

    def __init__(self, store: Store, parent: QWidget | None = None, report: Callable[[str], None] | None = None):
        super().__init__(parent)
        self.store = store
        self.report = report or (lambda message: error_box(self, message).exec())
        self.job: Job | None = None
        self.setWindowTitle("Import history")
        self.resize(900, 420)
        self.model = ImportsModel(self)
        self.table = data_table(self.model, (40, 90, 220, 130, 90, 70, 70, 70, 70))
        self.table.setColumnHidden(ImportsModel.columns.index("By"), store.url is None)  # a file has one user
        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.info = plain(
            QLabel(
                "Undoing an import removes the contacts and interactions it added and puts back the contacts it "
                "updated; a backup is taken first."
            )
        )
        self.info.setWordWrap(True)
        self.status = plain(QLabel())  # the undo's counts; names nothing from the data but stays plain
        self.status.setWordWrap(True)
        self.undo_button = QPushButton("&Undo selected import…")
        self.undo_button.clicked.connect(self.undo_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.refresh()

    def refresh(self) -> None:
        chosen = self.selected()
        self.model.set_items(self.store.imports.list())
        if chosen is not None:
            rows = [r for r in range(len(self.model)) if self.model.item_at(r).id == chosen.id]
            if rows:
                self.table.selectRow(rows[0])
        self._update_buttons()

    def selected(self) -> ImportBatch | None:
        rows = selected_rows(self.table)
        return self.model.item_at(rows[0]) if rows else None

    def select_batch(self, batch_id: int) -> None:
        for row in range(len(self.model)):
            if self.model.item_at(row).id == batch_id:
                self.table.selectRow(row)

    def _update_buttons(self, *_: object) -> None:
        batch = self.selected()
        self.undo_button.setEnabled(batch is not None and not batch.undone_at and self.job is None)

    def undo_selected(self) -> None:
        """Say what the undo removes (work done since included), and on a yes undo it on a worker."""
        batch = self.selected()
        if batch is None or batch.undone_at or self.job is not None:
            return
        try:
            preview = import_ops.undo_preview(self.store, batch.id)
        except TrackerError as exc:
            self.report(str(exc))
            return
        if not self.confirm(self, preview):
            return
        self.status.setText(f"Undoing import {batch.id}…")
        self.setEnabled(False)
        batch_id = batch.id
        self.job = start_undo(
            self.store, batch_id, preview, succeeded=self._undone, failed=self._failed, finished=self._finished
        )

    def _undone(self, result: import_ops.UndoImportResult) -> None:
        self.status.setText(undone_sentence(result))
        self.changed.emit(result.changes)

    def _failed(self, message: str) -> None:
        self.status.clear()
        self.report(message)

    def _finished(self) -> None:
        self.job = None
        self.setEnabled(True)
        self.refresh()

    def reject(self) -> None:
        """Not while an undo runs: the dialog closes once it has answered."""
        if self.job is None:
            super().reject()
