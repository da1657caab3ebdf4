"""ContactsModel: every contact with its engagement, held compactly in memory; search, filter and sort in place.

All rows are kept in the current sort order, so a keystroke only filters (tracker.core.search's Query.select: a
substring test per row against a search text prepared on the loading thread, the same rule as
`tracker contacts --search`) and never sorts; a click on a header sorts once. Figures at 100k contacts are in
tests/bench/bench_app.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt

from tracker.core import search
from tracker.core.levels import Level
from tracker.core.models import ContactRow
from tracker.core.store import Store
from tracker.ui.tables import ColumnsModel, Index

COLUMNS = ("Name", "Company", "E-mail", "Phone", "Level", "Score", "Last engagement", "Next follow-up", "Tags")
LEVEL_COLUMN = COLUMNS.index("Level")


# One key per column, given the row and its precomputed lower-case name (Contact.name is not free at 100k rows).
SORT_KEYS: tuple[Callable[[ContactRow, str], Any], ...] = (  # each column's own comparable key
    lambda r, name: (name, r.contact.id),
    lambda r, name: (r.contact.company.lower(), name),
    lambda r, name: (r.contact.email or "").lower(),
    lambda r, name: r.contact.phone,
    lambda r, name: (r.engagement.level, r.engagement.score),
    lambda r, name: (r.engagement.score, r.engagement.level),
    lambda r, name: r.engagement.last_engaged or "",
    lambda r, name: r.next_follow_up or "9999",
    lambda r, name: ", ".join(r.contact.tags).lower(),
)


@dataclass(slots=True)
class PreparedRows:
    """Rows with their search texts and phone digits, made on the worker that loaded them (not on the GUI thread)."""

    rows: list[ContactRow]
    texts: list[str]
    digits: list[str]
    names: list[str]


def prepare_rows(rows: list[ContactRow], store: Store | None = None) -> PreparedRows:
    """Rows ready to search; their interaction notes are read from `store` (without one they are not searched)."""
    texts, digits = search.index_rows(store, rows)
    return PreparedRows(rows, texts, digits, [r.contact.name.lower() for r in rows])


class ContactsModel(ColumnsModel):
    columns = COLUMNS

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[ContactRow] = []
        self._texts: list[str] = []
        self._digits: list[str] = []
        self._names: list[str] = []
        self._order: list[int] = []  # every row, in the current sort order
        self._visible: list[int] = []
        self._query = search.parse("")
        self._level: Level | None = None
        self._tag: str | None = None
        self._sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)

    # Loading ------------------------------------------------------------------------------------

    def set_rows(self, rows: list[ContactRow] | PreparedRows) -> None:
        prepared = rows if isinstance(rows, PreparedRows) else prepare_rows(rows)
        self.beginResetModel()
        self._rows, self._names = prepared.rows, prepared.names
        self._texts, self._digits = prepared.texts, prepared.digits
        self._apply_sort()
        self._visible = self._filtered()
        self.endResetModel()

    def replace_rows(self, rows: Iterable[ContactRow] | PreparedRows) -> None:
        """Update a few contacts in place (after an edit) without reloading everything."""
        prepared = rows if isinstance(rows, PreparedRows) else prepare_rows(list(rows))
        by_id = {r.contact.id: i for i, r in enumerate(prepared.rows)}
        self.beginResetModel()
        for position, row in enumerate(self._rows):
            fresh = by_id.pop(row.contact.id, None)
            if fresh is not None:
                self._rows[position] = prepared.rows[fresh]
                self._texts[position] = prepared.texts[fresh]
                self._digits[position] = prepared.digits[fresh]
                self._names[position] = prepared.names[fresh]
        for fresh in by_id.values():
            self._rows.append(prepared.rows[fresh])
            self._texts.append(prepared.texts[fresh])
            self._digits.append(prepared.digits[fresh])
            self._names.append(prepared.names[fresh])
        self._apply_sort()
        self._visible = self._filtered()
        self.endResetModel()

    def remove_ids(self, ids: Iterable[int]) -> None:
        gone = set(ids)
        keep = [i for i, r in enumerate(self._rows) if r.contact.id not in gone]
        self.beginResetModel()
        self._rows = [self._rows[i] for i in keep]
        self._texts = [self._texts[i] for i in keep]
        self._digits = [self._digits[i] for i in keep]
        self._names = [self._names[i] for i in keep]
        self._apply_sort()
        self._visible = self._filtered()
        self.endResetModel()

    # Filtering and sorting ---------------------------------------------------------------------------

    def set_filter(self, text: str = "", level: Level | None = None, tag: str | None = None) -> None:
        self._query, self._level, self._tag = search.parse(text), level, (tag or None)
        self.beginResetModel()
        self._visible = self._filtered()
        self.endResetModel()

    def _filtered(self) -> list[int]:
        """Indices of matching rows, already in sort order (the order list is walked, nothing is sorted)."""
        rows = self._rows
        matching = self._query.select(self._order, self._texts, self._digits) if self._query else self._order
        if self._level is not None:
            level = self._level
            matching = [i for i in matching if rows[i].engagement.level is level]
        if self._tag:
            tag = self._tag.lower()
            matching = [i for i in matching if any(t.lower() == tag for t in rows[i].contact.tags)]
        return list(matching)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort()
        self._visible = self._filtered()
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        column, order = self._sort
        rows = self._rows
        key, names = SORT_KEYS[column], self._names
        keys = [key(row, name) for row, name in zip(rows, names, strict=True)]
        self._order = sorted(range(len(rows)), key=keys.__getitem__, reverse=order == Qt.SortOrder.DescendingOrder)

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

    def __len__(self) -> int:
        return len(self._visible)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._visible):
            return None
        row = self.row_at(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            c, e = row.contact, row.engagement
            return (
                c.name,
                c.company,
                c.email or "",
                c.phone,
                e.level.label,
                e.score,
                e.last_engaged or "",
                row.next_follow_up or "",
                ", ".join(c.tags),
            )[column]
        if role == Qt.ItemDataRole.UserRole:
            return row.engagement.level if column == LEVEL_COLUMN else row.contact.id
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 5:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == LEVEL_COLUMN:
            return f"{row.engagement.level.label}: engagement score {row.engagement.score}/100"
        return None
