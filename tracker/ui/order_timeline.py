"""A small strip under a contact's outlook: their past orders as dots on a time line, today, and the expected
next order as a hollow dot (painted with QPainter: no matplotlib on the GUI thread for a panel)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from tracker.ui.palette import Level, level_colour

ORDER_COLOUR = level_colour(Level.CONVERSION)
TODAY_COLOUR = QColor("#8a949c")


class OrderTimeline(QWidget):
    """Past orders, today and the likely next order on one line; empty when there are no orders."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.orders: list[date] = []
        self.today: date | None = None
        self.next_order: date | None = None
        self.setMinimumHeight(44)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_orders(self, orders: list[date], today: date | None, next_order: date | None) -> None:
        self.orders, self.today, self.next_order = sorted(set(orders)), today, next_order
        self.setToolTip(self._tooltip())
        self.update()

    def _tooltip(self) -> str:
        if not self.orders:
            return ""
        text = f"{len(self.orders)} order days, {self.orders[0].isoformat()} to {self.orders[-1].isoformat()}"
        return text + (f"; next order likely around {self.next_order.isoformat()}" if self.next_order else "")

    def span(self) -> tuple[date, date]:
        days = [*self.orders, *(d for d in (self.today, self.next_order) if d)]
        return min(days), max(days)

    def x_of(self, day: date, rect: QRectF) -> float:
        first, last = self.span()
        width = max((last - first).days, 1)
        return rect.left() + rect.width() * (day - first).days / width

    def paintEvent(self, event) -> None:
        if not self.orders:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(10, 6, -10, -18)
        y = rect.center().y()
        painter.setPen(QPen(QColor("#c8cfd4"), 2))
        painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        if self.today:
            x = self.x_of(self.today, rect)
            painter.setPen(QPen(TODAY_COLOUR, 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ORDER_COLOUR)
        for day in self.orders:
            painter.drawEllipse(QPointF(self.x_of(day, rect), y), 4.5, 4.5)
        if self.next_order:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(ORDER_COLOUR, 2))
            painter.drawEllipse(QPointF(self.x_of(self.next_order, rect), y), 6, 6)
        painter.setPen(TODAY_COLOUR)
        first, last = self.span()
        baseline = rect.bottom() + 14
        painter.drawText(QPointF(rect.left() - 4, baseline), f"{first:%b %Y}")
        end_text = f"{last:%b %Y}"
        painter.drawText(
            QPointF(rect.right() - painter.fontMetrics().horizontalAdvance(end_text) + 4, baseline), end_text
        )
        painter.end()
