"""File → Backups…: the backups beside the database, a backup now, and restoring one (after backing up today)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tracker.core.backups import Backup
from tracker.core.errors import TrackerError
from tracker.core.models import Changes
from tracker.core.operations import imports as import_ops
from tracker.core.store import Store
from tracker.ui.tables import Index, ItemsModel, data_table, selected_rows
from tracker.ui.text import plain


class BackupsModel(ItemsModel):
    columns = ("When", "Why", "Contacts", "File")

    @property
    def backups(self) -> list[Backup]:
        return self.items()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        b = self.item_at(index.row())
        return (f"{b.created:%Y-%m-%d %H:%M}", b.reason, "" if b.contacts is None else f"{b.contacts:,}", b.path.name)[
            index.column()
        ]


class BackupsDialog(QDialog):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.changes = Changes()
        self.setWindowTitle("Backups")
        self.resize(720, 420)
        self.model = BackupsModel(self)
        self.table = data_table(self.model, (140, 180, 80))
        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)
        where = store.backups.folder if store.backups else None
        self.info = plain(
            QLabel(
                f"Kept in {where}: the last {store.settings().backup_keep} and one a month for a "
                "year. A backup is taken before every import, undo and bulk delete, and once a day."
            )
        )
        self.info.setWordWrap(True)
        self.error = plain(QLabel())
        self.error.setStyleSheet("color: #c0392b;")
        self.backup_button = QPushButton("Back up now")
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton("Restore selected…")
        self.restore_button.clicked.connect(self.restore_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addWidget(close)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_items(self.store.backups.list() if self.store.backups else [])
        self.restore_button.setEnabled(len(self.model) > 0)

    def selected(self) -> Backup | None:
        rows = selected_rows(self.table)
        return self.model.item_at(rows[0]) if rows else None

    def back_up_now(self) -> None:
        try:
            self.store.safety_backup("manual")
        except TrackerError as exc:
            self.error.setText(str(exc))
        self.refresh()

    @staticmethod
    def confirm(parent: QWidget, backup: Backup) -> bool:
        """Ask before replacing everything (tests replace this)."""
        answer = QMessageBox.question(
            parent,
            "Restore backup",
            f"Replace everything in this database with the backup from {backup.created:%Y-%m-%d %H:%M} "
            f"({backup.contacts or 0:,} contacts)?\n\nToday's state is backed up first, so this can be undone by "
            "restoring that backup.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def restore_selected(self) -> None:
        backup = self.selected()
        if backup is None or not self.confirm(self, backup):
            return
        try:
            result = import_ops.restore(self.store, backup.id)
        except TrackerError as exc:
            self.error.setText(str(exc))
            return
        self.changes = result.changes
        self.refresh()
