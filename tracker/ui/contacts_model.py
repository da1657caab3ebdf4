"""ContactsModel: every contact with its engagement, held compactly in memory; search, filter and sort in place.

At 100k contacts a list of rows plus one lower-cased search string per row filters in a few milliseconds per
keystroke, and sorting a key list beats paging through SQL for each click (see tests/bench/bench_app.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from tracker.core.levels import Level
from tracker.core.models import ContactRow

COLUMNS = ("Name", "Company", "E-mail", "Phone", "Level", "Score", "Last engagement", "Next follow-up", "Tags")
LEVEL_COLUMN = COLUMNS.index("Level")
_Index = QModelIndex | QPersistentModelIndex


def _sort_key(column: int):
    keys = {
        0: lambda r: (r.contact.name.lower(), r.contact.id),
        1: lambda r: (r.contact.company.lower(), r.contact.name.lower()),
        2: lambda r: (r.contact.email or "").lower(),
        3: lambda r: r.contact.phone,
        4: lambda r: (r.engagement.level, r.engagement.score),
        5: lambda r: (r.engagement.score, r.engagement.level),
        6: lambda r: r.engagement.last_engaged or "",
        7: lambda r: r.next_follow_up or "9999",
        8: lambda r: ", ".join(r.contact.tags).lower(),
    }
    return keys[column]


class ContactsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[ContactRow] = []
        self._haystacks: list[str] = []
        self._visible: list[int] = []
        self._text = ""
        self._level: Level | None = None
        self._tag: str | None = None
        self._sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)

    # Loading ------------------------------------------------------------------------------------

    def set_rows(self, rows: list[ContactRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._haystacks = [self._haystack(r) for r in rows]
        self._visible = self._filtered()
        self._apply_sort()
        self.endResetModel()

    def replace_rows(self, rows: Iterable[ContactRow]) -> None:
        """Update a few contacts in place (after an edit) without reloading everything."""
        by_id = {r.contact.id: r for r in rows}
        self.beginResetModel()
        for position, row in enumerate(self._rows):
            fresh = by_id.pop(row.contact.id, None)
            if fresh is not None:
                self._rows[position] = fresh
                self._haystacks[position] = self._haystack(fresh)
        for fresh in by_id.values():
            self._rows.append(fresh)
            self._haystacks.append(self._haystack(fresh))
        self._visible = self._filtered()
        self._apply_sort()
        self.endResetModel()

    def remove_ids(self, ids: Iterable[int]) -> None:
        gone = set(ids)
        keep = [i for i, r in enumerate(self._rows) if r.contact.id not in gone]
        self.beginResetModel()
        self._rows = [self._rows[i] for i in keep]
        self._haystacks = [self._haystacks[i] for i in keep]
        self._visible = self._filtered()
        self._apply_sort()
        self.endResetModel()

    @staticmethod
    def _haystack(row: ContactRow) -> str:
        c = row.contact
        return " ".join((c.first_name, c.last_name, c.email or "", c.company, c.phone, *c.tags)).lower()

    # Filtering and sorting ---------------------------------------------------------------------------

    def set_filter(self, text: str = "", level: Level | None = None, tag: str | None = None) -> None:
        self._text, self._level, self._tag = text.strip().lower(), level, (tag or None)
        self.beginResetModel()
        self._visible = self._filtered()
        self._apply_sort()
        self.endResetModel()

    def _filtered(self) -> list[int]:
        text, level, tag = self._text, self._level, self._tag.lower() if self._tag else None
        words = text.split()
        rows, hay = self._rows, self._haystacks
        out = []
        for i in range(len(rows)):
            if words and not all(w in hay[i] for w in words):
                continue
            if level is not None and rows[i].engagement.level is not level:
                continue
            if tag is not None and tag not in (t.lower() for t in rows[i].contact.tags):
                continue
            out.append(i)
        return out

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort()
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        column, order = self._sort
        key = _sort_key(column)
        rows = self._rows
        self._visible.sort(key=lambda i: key(rows[i]), reverse=order == Qt.SortOrder.DescendingOrder)

    # Access --------------------------------------------------------------------------------------

    def row_at(self, row: int) -> ContactRow:
        return self._rows[self._visible[row]]

    def row_of(self, contact_id: int) -> int | None:
        for position, i in enumerate(self._visible):
            if self._rows[i].contact.id == contact_id:
                return position
        return None

    def total(self) -> int:
        return len(self._rows)

    def visible_rows(self) -> list[ContactRow]:
        return [self._rows[i] for i in self._visible]

    # Qt model interface ----------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._visible):
            return None
        row = self.row_at(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            c, e = row.contact, row.engagement
            return (c.name, c.company, c.email or "", c.phone, e.level.label, e.score, e.last_engaged or "",
                    row.next_follow_up or "", ", ".join(c.tags))[column]
        if role == Qt.ItemDataRole.UserRole:
            return row.engagement.level if column == LEVEL_COLUMN else row.contact.id
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 5:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == LEVEL_COLUMN:
            return f"{row.engagement.level.label}: engagement score {row.engagement.score}/100"
        return None
