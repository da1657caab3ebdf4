"""A tab that builds its real widget only when first shown, so heavy imports (matplotlib) wait until needed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class LazyTab(QWidget):
    def __init__(self, factory: Callable[[], QWidget], message: str = "Loading…", parent: QWidget | None = None):
        super().__init__(parent)
        self._factory = factory
        self.widget: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._waiting = QLabel(message)
        self._waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addWidget(self._waiting)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.widget is None:
            QTimer.singleShot(0, self.build)  # after this paint: the window is on screen first

    def build(self) -> QWidget:
        if self.widget is None:
            self.widget = self._factory()
            self._layout.removeWidget(self._waiting)
            self._waiting.deleteLater()
            self._layout.addWidget(self.widget)
        return self.widget
