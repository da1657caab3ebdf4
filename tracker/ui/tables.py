"""What every data table in the app shares: the column/header boilerplate of a model, and how a view looks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

Index = QModelIndex | QPersistentModelIndex


class ColumnsModel(QAbstractTableModel):
    """A flat table with named columns; subclasses give the row count (`__len__`) and `data`."""

    columns: Sequence[str] = ()

    def __len__(self) -> int:
        raise NotImplementedError

    def __bool__(self) -> bool:  # a model is an object, not a container: never falsy because it is empty
        return True

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section]
        return None


def data_table(model: QAbstractTableModel, widths: Sequence[int] = (), *, rows: bool = True) -> QTableView:
    """A read-only table view of `model`: one line per row, whole-row (multi) selection, resizable columns."""
    view = QTableView()
    view.setModel(model)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(26 if rows else 24)
    view.setWordWrap(False)
    view.setAlternatingRowColors(rows)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    header = view.horizontalHeader()
    for column, width in enumerate(widths):
        header.resizeSection(column, width)
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


class ItemsModel(ColumnsModel):
    """A ColumnsModel over a plain list of items (follow-ups, interactions, backups)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._items: list[Any] = []  # a subclass's items: follow-ups, interactions, backups…

    def set_items(self, items: list[Any]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item_at(self, row: int) -> Any:
        return self._items[row]

    def items(self) -> list[Any]:
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)


def selected_rows(view: QTableView) -> list[int]:
    """The rows selected in a view, top to bottom, once each (a row selection reports every cell)."""
    return sorted({index.row() for index in view.selectionModel().selectedRows()})
