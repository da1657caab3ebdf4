"""A birthday or anniversary as people know them: a day and a month, the year only when known."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QSpinBox, QWidget

from tracker.core.details import MONTHS

NO_YEAR = 1899  # the year box's lowest value, shown as "no year"


class IncompleteDate(ValueError):
    """A day without a month or a month without a day."""


class ImportantDateEdit(QWidget):
    """Day, month and an optional year; `value()` is '' (none), '--12-25' (no year) or '1980-12-25'."""

    def __init__(self, value: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.day = QComboBox()
        self.day.addItem("day", None)
        for day in range(1, 32):
            self.day.addItem(str(day), day)
        self.month = QComboBox()
        self.month.addItem("month", None)
        for number, name in enumerate(MONTHS, 1):
            self.month.addItem(name, number)
        self.year = QSpinBox()
        self.year.setRange(NO_YEAR, 2100)
        self.year.setSpecialValueText("no year")
        self.year.setToolTip("Leave as “no year” when only the day is known")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.day)
        layout.addWidget(self.month, 1)
        layout.addWidget(self.year)
        self.set_value(value)

    def set_value(self, value: str) -> None:
        """Show a stored date ('--12-25' or '1980-12-25'); '' clears."""
        year, month, day = NO_YEAR, None, None
        if value.startswith("--") and len(value) == 7:
            month, day = int(value[2:4]), int(value[5:7])
        elif len(value) == 10:
            year, month, day = int(value[:4]), int(value[5:7]), int(value[8:10])
        self.day.setCurrentIndex(max(0, self.day.findData(day)) if day else 0)
        self.month.setCurrentIndex(max(0, self.month.findData(month)) if month else 0)
        self.year.setValue(year)

    def value(self) -> str:
        """The date as the store keeps it (the core checks that it is a day); IncompleteDate for half a date."""
        day, month = self.day.currentData(), self.month.currentData()
        if day is None and month is None:
            return ""
        if day is None or month is None:
            raise IncompleteDate
        if self.year.value() == NO_YEAR:
            return f"--{month:02d}-{day:02d}"
        return f"{self.year.value():04d}-{month:02d}-{day:02d}"
