"""Engagement settings: the thresholds and which level each interaction kind counts toward (own kinds too), and the
region phone numbers without a country code are read in."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tracker.core.errors import TrackerError
from tracker.core.levels import Level, Settings
from tracker.core.normalize import phone_regions
from tracker.core.operations import OpResult
from tracker.core.operations.settings import save_engagement
from tracker.core.store import Store
from tracker.ui.dialogs import kinds_in_order
from tracker.ui.text import plain

_Index = QModelIndex | QPersistentModelIndex
LABELS = {
    "window_days": "Lookback window (days)",
    "repeat_days": "Buying days for Retention",
    "drifting_days": "Drifting away after (days)",
    "warm_days": "Warm lead if active within (days)",
    "detractor_days": "Call detractors from the last (days)",
    "backup_keep": "Backups to keep",
    "winback_percent": "Win back when the chance of an order in 90 days is under (%)",
}


class KindsModel(QAbstractTableModel):
    """Kind name and the level it counts toward; the level column is editable."""

    def __init__(self, kinds: list[tuple[str, Level]], parent: QObject | None = None):
        super().__init__(parent)
        self.rows: list[tuple[str, Level]] = list(kinds)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Interaction kind", "Counts toward")[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsEditable if index.column() == 1 else flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        name, level = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return name.replace("_", " ") if index.column() == 0 else level.label
        return None

    def setData(self, index: _Index, value: str | int, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if index.column() != 1 or role != Qt.ItemDataRole.EditRole:
            return False
        name, _ = self.rows[index.row()]
        self.rows[index.row()] = (name, Level.parse(value))
        self.dataChanged.emit(index, index)
        return True

    def add(self, name: str, level: Level) -> None:
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append((name, level))
        self.endInsertRows()


def region_name(code: str) -> str:
    """'United Kingdom (GB)': the country's name as Qt knows it (in the user's language), with its code."""
    name = QLocale.territoryToString(QLocale.codeToTerritory(code))
    return f"{name} ({code})" if name and code not in name else code


def region_combo(current: str) -> QComboBox:
    """Every region phone numbers can be read in, by name; type a name's first letters to jump to it."""
    combo = QComboBox()
    for code in sorted(phone_regions(), key=lambda c: region_name(c).casefold()):
        combo.addItem(region_name(code), code)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class LevelDelegate(QStyledItemDelegate):
    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        editor = QComboBox(parent)
        editor.addItems([level.label for level in Level])
        return editor

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        assert isinstance(editor, QComboBox)  # made by createEditor
        editor.setCurrentText(index.data(Qt.ItemDataRole.EditRole))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: _Index) -> None:
        assert isinstance(editor, QComboBox)  # made by createEditor
        model.setData(index, editor.currentText())


class SettingsDialog(QDialog):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Engagement settings")
        self.resize(520, 640)
        current = store.settings()
        form = QFormLayout()
        self.spins: dict[str, QSpinBox] = {}
        for name in Settings.names():
            spin = QSpinBox()
            spin.setRange(*Settings.range(name))
            spin.setValue(getattr(current, name))
            spin.setToolTip(Settings.HELP[name])
            self.spins[name] = spin
            form.addRow(LABELS[name], spin)
        self.region = region_combo(store.phone_region())
        self.region.setToolTip(
            "A number written without +44, +49… is read as this country's: 07700 900004 in the United Kingdom is "
            "+44 7700 900004. Changing it re-reads every stored number."
        )
        form.addRow("Phone numbers without a country code are in", self.region)
        kinds = kinds_in_order(store)
        self.kinds = KindsModel([(k.name, k.stage) for k in kinds], self)
        self._original = {k.name: k.stage for k in kinds}
        self.table = QTableView()
        self.table.setModel(self.kinds)
        self.table.setItemDelegateForColumn(1, LevelDelegate(self.table))
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("New kind, e.g. tasting")
        self.new_level = QComboBox()
        self.new_level.addItems([level.label for level in Level])
        self.new_level.setCurrentText(Level.INTERACTION.label)
        add = QPushButton("Add kind")
        add.clicked.connect(self._add_kind)
        adder = QHBoxLayout()
        adder.addWidget(self.new_name, 2)
        adder.addWidget(self.new_level, 1)
        adder.addWidget(add)
        self.error = plain(QLabel())
        self.error.setStyleSheet("color: #c0392b;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Which level each kind counts toward</b> (double-click to change)"))
        layout.addWidget(self.table, 1)
        layout.addLayout(adder)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.outcome: OpResult | None = (
            None  # what Save did, for the window's undo stack (`result` would hide QDialog.result())
        )

    def _add_kind(self) -> None:
        name = self.new_name.text().strip().lower().replace(" ", "_")
        if not name:
            return
        if any(row[0] == name for row in self.kinds.rows):
            self.error.setText(f"There already is a kind called {name}.")
            return
        self.kinds.add(name, Level.parse(self.new_level.currentText()))
        self.new_name.clear()

    def save(self) -> None:
        """Write thresholds and kinds together (one core operation, so one undo); on a bad value say so and keep the
        dialog open."""
        current = self.store.settings()
        values = {name: spin.value() for name, spin in self.spins.items() if spin.value() != getattr(current, name)}
        kinds = {name: level for name, level in self.kinds.rows if self._original.get(name) != level}
        region = self.region.currentData()
        try:
            self.outcome = save_engagement(
                self.store, values, kinds, phone_region=region if region != self.store.phone_region() else None
            )
        except TrackerError as exc:
            self.error.setText(str(exc))
            return
        self.accept()

    @classmethod
    def edit(cls, store: Store, parent: QWidget | None = None) -> OpResult | None:
        """Show the dialog; what Save did (its undo record for the window's stack), or None when cancelled."""
        dialog = cls(store, parent)
        return dialog.outcome if dialog.exec() == QDialog.DialogCode.Accepted else None
