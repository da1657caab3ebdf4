"""A tab that builds its real widget only after it has first been painted, so heavy imports (matplotlib) never
delay the window appearing; the imports themselves run on a worker thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRunnable, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from tracker.ui.jobs import run_in_background
from tracker.ui.text import centred

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent


class LazyTab(QWidget):
    def __init__(
        self,
        factory: Callable[[], QWidget],
        message: str = "Loading…",
        prepare: Callable[[], object] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._factory = factory
        self._prepare = prepare
        self._scheduled = False
        self._runner: QRunnable | None = None  # kept while `prepare` runs on the pool
        self.widget: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._waiting = centred(QLabel(message))  # painted first: no Qt enums (see tracker.ui.text)
        self._layout.addWidget(self._waiting)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._scheduled:
            self._scheduled = True  # the window is on screen now; build in the next turn of the event loop
            QTimer.singleShot(0, self._start)

    def _start(self) -> None:
        if self._prepare is None:
            self.build()
        else:
            self._runner = run_in_background(self._prepare, self.build)

    def build(self) -> QWidget:
        if self.widget is None:
            self.widget = self._factory()
            self._layout.removeWidget(self._waiting)
            self._waiting.deleteLater()
            self._layout.addWidget(self.widget)
        return self.widget
