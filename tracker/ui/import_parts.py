"""Pieces of the import wizard that are not pages: the preview table model and the wording of its messages."""

from __future__ import annotations

import codecs

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QLabel

from tracker.core.errors import ImportHint, ImportRejected, TrackerError
from tracker.core.importing.reading import Table
from tracker.core.importing.report import Problem
from tracker.core.levels import OVERDUE_COLOUR
from tracker.ui.text import plain_tooltip

ERROR_STYLE = f"color: {OVERDUE_COLOUR};"
HINT_STYLE = "color: #666;"
_ROOT = QModelIndex()
PREVIEW_ROWS = 50
#: How the Columns page names each field.
FIELD_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "name": "Full name",
    "email": "E-mail",
    "phone": "Phone",
    "company": "Company",
    "tags": "Tags",
    "notes": "Notes",
    "source": "Source",
    "date": "Date",
    "kind": "Type (what happened)",
    "amount": "Amount",
    "score": "Score",
    "note": "Note",
    "channel": "Channel",
    "order": "Order number",
    "customer_no": "Customer number",
    "status": "Order status (paid, refunded…)",
    "cancelled": "Cancelled at",
    "quantity": "Quantity",
    "unit_price": "Unit price",
    "ignore": "Don't import",
}


def window_remedy(exc: ImportRejected) -> str | None:
    """What to change in the wizard so that a rejected file imports: a control on one of its pages. (Column choices
    naming no such column or field cannot come from the Columns page, which offers only what is there.)"""
    if exc.hint is ImportHint.ENCODING:
        return "choose another encoding on the first page"
    if exc.hint in (ImportHint.MAPPING, ImportHint.KIND):
        field = exc.field or ("kind" if exc.hint is ImportHint.KIND else "email")
        return f"choose “{FIELD_LABELS.get(field, field)}” for the right column on the Columns page"
    return window_hint_remedy(exc.hint)


def window_hint_remedy(hint: ImportHint | None) -> str | None:
    """A hint that is not about the wizard's own pages, as the window words it (its menus)."""
    if hint is ImportHint.UNKNOWN_KIND:
        return "add it in Tools → Engagement settings"
    return None


def window_row_reason(problem: Problem) -> str:
    """Why an import row was rejected or warned about, with what to do in the window."""
    return problem.worded(window_hint_remedy(problem.hint))


def window_sentence(exc: TrackerError) -> str:
    """The core's sentence, with the wizard's remedy for a rejected file."""
    return exc.with_remedy(window_remedy(exc)) if isinstance(exc, ImportRejected) else str(exc)


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def codec_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name


def error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setTextFormat(Qt.TextFormat.PlainText)  # errors quote values from the file
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def show_error(label: QLabel, message: str | None) -> None:
    label.setText(message or "")
    label.setVisible(bool(message))


class PreviewModel(QAbstractTableModel):
    """The header and the first rows of a file as read, with the file's line numbers down the side."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._header: list[str] = []
        self._rows: list[list[str]] = []
        self._lines: list[int] = []

    def set_table(self, table: Table | None) -> None:
        self.beginResetModel()
        if table is None:
            self._header, self._rows, self._lines = [], [], []
        else:
            self._rows = table.rows[:PREVIEW_ROWS]
            self._lines = table.line_numbers[:PREVIEW_ROWS]
            width = max([len(table.header), *(len(row) for row in self._rows)])
            self._header = [*table.header, *(f"Column {i + 1}" for i in range(len(table.header), width))]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._header)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._rows[index.row()]
        value = row[index.column()] if index.column() < len(row) else ""
        return plain_tooltip(value) if role == Qt.ItemDataRole.ToolTipRole else value

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._header[section] if 0 <= section < len(self._header) else None
        return str(self._lines[section]) if 0 <= section < len(self._lines) else None
