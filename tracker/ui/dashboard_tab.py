"""The Dashboard tab: headline numbers and five charts, computed off the GUI thread, savable and printable."""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from tracker.core.charts import (
    chart_style,
    dashboard_figure,
    draw_activity,
    draw_funnel,
    draw_history,
    draw_sources,
    draw_workload,
    headline_text,
    save_figure,
    styled_figure,
)
from tracker.core.dashboard import DashboardData, build_dashboard
from tracker.core.errors import TrackerError
from tracker.core.models import Changes
from tracker.core.store import Store
from tracker.ui import clock
from tracker.ui.commands import Undoable
from tracker.ui.jobs import Refresher
from tracker.ui.text import paragraph

CHARTS = (
    ("funnel", draw_funnel, (0, 0, 1, 1)),
    ("history", draw_history, (0, 1, 1, 1)),
    ("workload", draw_workload, (0, 2, 1, 1)),
    ("activity", draw_activity, (1, 0, 1, 2)),
    ("sources", draw_sources, (1, 2, 1, 1)),
)


class ChartCanvas(FigureCanvasQTAgg):
    """One chart; right-click offers 'Save chart as…' (PNG or SVG)."""

    def __init__(self, name: str, draw, store: Store, report, parent: QWidget | None = None):
        super().__init__(styled_figure(5, 3))
        self.setParent(parent)
        self.name, self.draw_chart = name, draw
        self.store, self.report = store, report  # the database a chart must never be saved over; errors to a dialog
        self.setMinimumHeight(270)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        save = QAction("Save chart as…", self)
        save.triggered.connect(self.save_as)
        self.addAction(save)

    def show_data(self, data: DashboardData) -> None:
        self.figure.clear()
        with chart_style():
            self.draw_chart(self.figure.add_subplot(), data)
        self.draw_idle()

    def save_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save chart", f"{self.name}.png", "PNG (*.png);;SVG (*.svg)")
        if not path:
            return
        try:
            save_figure(self.figure, path, database=self.store.path)
        except TrackerError as exc:
            self.report(str(exc))


def add_numbers(row: QHBoxLayout, count: int, points: int) -> list[tuple[QLabel, QLabel]]:
    """`count` big numbers with a caption under each, added to `row`; returns the (value, caption) labels."""
    numbers = []
    for _ in range(count):
        value, label = QLabel("…"), QLabel("")
        value.setStyleSheet(f"font-size: {points}pt; font-weight: 600; color: #2d3436;")
        label.setStyleSheet("color: #8a949c;")
        value.setMinimumWidth(150)
        box = QVBoxLayout()
        box.setSpacing(0)
        box.addWidget(value)
        box.addWidget(label)
        box.addStretch(1)
        row.addLayout(box)
        numbers.append((value, label))
    return numbers


def _outlook_summary(store: Store):
    from tracker.core.outlook.summary import outlook_summary  # numpy and scipy on first use, on a worker

    return outlook_summary(store, clock.today())


class OutlookBox(QGroupBox):
    """Expected orders and revenue over the next 90 days, and the valuable customers at risk."""

    backtest_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Purchase outlook", parent)
        self.summary = None  # the latest OutlookSummary, for the PDF report
        row = QHBoxLayout()
        self.numbers = add_numbers(row, 3, 16)
        self.at_risk = paragraph()
        self.at_risk.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        row.addWidget(self.at_risk, 1)
        self.backtest_button = QPushButton("How good are these predictions?…")
        self.backtest_button.clicked.connect(self.backtest_requested)
        row.addWidget(self.backtest_button, 0, Qt.AlignmentFlag.AlignTop)
        self.model = QLabel()
        self.model.setStyleSheet("color: #8a949c;")
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.model)

    def show_summary(self, summary) -> None:
        """Show an OutlookSummary, or say that the outlook starts with the first orders (None)."""
        self.summary = summary
        self.backtest_button.setEnabled(summary is not None)
        if summary is None:
            for value, label in self.numbers:
                value.setText("—")
                label.clear()
            self.at_risk.setText("No purchases yet: import the shop's orders to see who is likely to order next.")
            self.model.clear()
            return
        orders, revenue = summary.expected_orders, summary.expected_revenue
        figures = [
            ("—" if orders is None else f"{orders:,.0f}", f"orders expected in {summary.horizon} days"),
            ("—" if revenue is None else f"{revenue:,.0f}", "revenue expected"),
            (f"{len(summary.at_risk):,}", "customers at risk"),
        ]
        for (value, label), (text, caption) in zip(self.numbers, figures, strict=True):
            value.setText(text)
            label.setText(caption)
        lines = summary.at_risk_lines()
        more = len(summary.at_risk) - len(lines)
        heading = ["Most valuable at risk:"] if lines else []
        self.at_risk.setText(
            "\n".join(heading + lines + ([f"and {more:,} more (see Follow-ups)"] if more > 0 else []))
            or "Nobody is at risk: every repeat customer is likely to order again soon."
        )
        self.model.setText(summary.model)


class DashboardTab(QWidget):
    refreshed = Signal(object)
    backtest_requested = Signal()

    def __init__(self, store: Store, undo: Undoable, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.undo = store, undo
        self.data: DashboardData | None = None
        self.refresher = Refresher(store, lambda s: build_dashboard(s, clock.today()), self._show, undo.report, self)
        self.headline = QHBoxLayout()
        self.numbers = add_numbers(self.headline, 5, 20)
        self.export_button = QPushButton("Export PDF report…")
        self.export_button.clicked.connect(self.export_report)
        self.headline.addStretch(1)
        self.headline.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        self.outlook = OutlookBox(self)
        self.outlook.backtest_requested.connect(self.backtest_requested)
        self.outlook_refresher = Refresher(store, _outlook_summary, self.outlook.show_summary, undo.report, self)
        grid = QGridLayout()
        self.canvases: dict[str, ChartCanvas] = {}
        for name, draw, (row, column, rows, columns) in CHARTS:
            canvas = ChartCanvas(name, draw, store, lambda message: self.undo.report(message), self)
            self.canvases[name] = canvas
            grid.addWidget(canvas, row, column, rows, columns)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.addLayout(self.headline)
        inner_layout.addWidget(self.outlook)
        inner_layout.addLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.reload()

    @staticmethod
    def wants(changes: Changes) -> bool:
        """The dashboard counts everything: any change."""
        return any(changes.astuple())

    def reload(self) -> None:
        """Recompute on a worker (see Refresher)."""
        self.refresher.request()
        self.outlook_refresher.request()

    def _show(self, data: DashboardData) -> None:
        self.data = data
        for (value, label), (text, caption) in zip(self.numbers, headline_text(data), strict=True):
            value.setText(text)
            label.setText(caption)
        for canvas in self.canvases.values():
            canvas.show_data(data)
        self.refreshed.emit(data)

    def export_report(self) -> None:
        if self.data is None:
            self.undo.report("The dashboard is still being drawn; export the report once it shows.")
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export report", str(Path.home() / "tracker-report.pdf"), "PDF (*.pdf)"
        )
        if not path:
            return
        try:
            note = self.outlook.summary.sentence() if self.outlook.summary is not None else ""
            save_figure(dashboard_figure(self.data, note), path, database=self.store.path)
        except TrackerError as exc:
            self.undo.report(str(exc))
