"""FollowUpsModel: today's follow-up list, grouped (Overdue, Due today, This week, Suggested)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from tracker.core.followups import Priority, Suggestion, follow_up_order
from tracker.core.levels import OVERDUE_COLOUR
from tracker.ui.tables import Index, ItemsModel
from tracker.ui.text import plain_tooltip

COLUMNS = ("Group", "Due", "Name", "Reason", "Suggested action", "E-mail", "Phone")


class FollowUpsModel(ItemsModel):
    columns = COLUMNS

    def set_items(self, items: list[Suggestion]) -> None:
        super().set_items(sorted(items, key=follow_up_order))

    def actionable(self) -> int:
        """What needs doing today: everything but the 'This week' reminders."""
        return sum(1 for s in self._items if s.priority is not Priority.THIS_WEEK)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                item.priority.group,
                item.due.isoformat(),
                item.contact.name,
                item.reason,
                item.action,
                item.contact.email or "",
                item.contact.phone,
            )[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and item.priority is Priority.OVERDUE:
            return QColor(OVERDUE_COLOUR)
        if role == Qt.ItemDataRole.FontRole and index.column() == 0:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(f"{item.reason}\n{item.action}")
        return None
