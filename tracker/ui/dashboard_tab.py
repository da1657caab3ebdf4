"""The Dashboard tab: headline numbers and five charts, computed off the GUI thread, savable and printable.

What it shows is kept per state of the data: the day, the database's data_version (commits by other connections:
workers, other processes) and this connection's total_changes (its own writes). A reload with the same state draws
nothing again; the numbers come first (a change to a few contacts folded into the numbers kept, see
DashboardCache), the follow-ups chart when the Follow-ups list has been counted."""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from PySide6.QtCore import Qt, QTimer, Signal
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

from tracker.core.charts import chart_axes, dashboard_figure, headline_text, save_figure, styled_figure
from tracker.core.dashboard import DashboardCache, DashboardData, FollowUpsDue, count_due
from tracker.core.errors import TrackerError
from tracker.core.followups import Suggestion
from tracker.core.live_charts import PARTS, LiveChart
from tracker.core.models import Changes
from tracker.core.store import Store
from tracker.ui import clock
from tracker.ui.commands import Undoable
from tracker.ui.follow_up_list import FollowUpList
from tracker.ui.jobs import Refresher
from tracker.ui.text import paragraph

CHARTS = (  # name, (row, column, rows, columns) in the grid
    ("funnel", (0, 0, 1, 1)),
    ("history", (0, 1, 1, 1)),
    ("workload", (0, 2, 1, 1)),
    ("activity", (1, 0, 1, 2)),
    ("sources", (1, 2, 1, 1)),
)


class ChartCanvas(FigureCanvasQTAgg):
    """One chart; right-click offers 'Save chart as…' (PNG or SVG). New numbers of the same shape move its bars and
    rewrite its figures in place (LiveChart); a chart whose part of the data (PARTS) is unchanged is not touched."""

    def __init__(self, name: str, store: Store, report, parent: QWidget | None = None):
        super().__init__(styled_figure(5, 3, layout=None))  # each chart places itself: no layout engine
        self.setParent(parent)
        self.name = name
        self.draw_chart = LiveChart(name)  # called as draw_chart(axes, data)
        self.axes = chart_axes(self.figure)  # one figure and Axes for the tab's life
        self.shown_part: object = None
        self.store, self.report = store, report  # the database a chart must never be saved over; errors to a dialog
        self.setMinimumHeight(270)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        save = QAction("Save chart as…", self)
        save.triggered.connect(self.save_as)
        self.addAction(save)

    def show_data(self, data: DashboardData) -> None:
        part = PARTS[self.name](data)
        if part == self.shown_part:
            return  # the same picture
        self.shown_part = part
        self.draw_chart(self.axes, data)
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


def _outlook_summary(store: Store, day):
    from tracker.core.outlook.summary import outlook_summary  # numpy and scipy on first use, on a worker

    return outlook_summary(store, day)


class Keyed:
    """One piece of the dashboard computed on a worker and shown once per state of the data (see the module)."""

    def __init__(self, tab: DashboardTab, work, show):
        self.work, self.show, self.store = work, show, tab.store
        self.shown: tuple | None = None  # the state what is on screen was computed for
        self.wanted: tuple | None = None  # the state asked for last
        self.refresher = Refresher(tab.store, self._run, self._arrived, tab.undo.report, tab)

    def request(self, state: tuple) -> None:
        if state == self.shown:
            return  # the same data on the same day: what is drawn stands
        self.wanted = state
        self.refresher.request()

    def _run(self, store: Store):
        state = self.wanted  # read when the job starts: a request made while it waits is included
        assert state is not None  # set by request before the job starts
        return state, self.work(store, state[0])

    def _arrived(self, result) -> None:
        if self.store.closed:
            return  # the window closed its file while the job ran
        state, value = result
        self.shown = state
        self.show(value)


class SharedDue:
    """The follow-ups chart's counts from the window's follow-up list (FollowUpList, shared with the Follow-ups
    tab), shown once per state of the data as Keyed shows its piece."""

    def __init__(self, tab: DashboardTab, follow_ups: FollowUpList, show):
        self.tab, self.follow_ups, self.show = tab, follow_ups, show
        self.shown: tuple | None = None  # the state the chart's counts are of
        follow_ups.arrived.connect(self._arrived)

    def request(self, state: tuple) -> None:
        if state != self.shown:
            self.follow_ups.request()

    def busy(self) -> bool:
        return self.follow_ups.refresher._job is not None

    def _arrived(self, state: tuple, items: list[Suggestion]) -> None:
        if self.tab.store.closed or state == self.shown:
            return
        self.shown = state
        self.show(count_due(items, state[0]))


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

    def __init__(
        self, store: Store, undo: Undoable, parent: QWidget | None = None, *, follow_ups: FollowUpList | None = None
    ):
        """`follow_ups`: the window's list, shared with the Follow-ups tab (a tab of its own works it out alone)."""
        super().__init__(parent)
        self.store, self.undo = store, undo
        self.data: DashboardData | None = None
        self.due: FollowUpsDue | None = None  # the follow-up list counted by day, for the state self.data is of
        self.numbers_cache = DashboardCache()  # kept between refreshes: a change to a few contacts is folded in
        self.numbers_job = Keyed(self, self.numbers_cache.numbers, self._show)
        shared = follow_ups if follow_ups is not None else FollowUpList(store, undo.report, self)
        self.due_job = SharedDue(self, shared, self._show_due)
        self.headline = QHBoxLayout()
        self.numbers = add_numbers(self.headline, 5, 20)
        self.export_button = QPushButton("Export PDF report…")
        self.export_button.clicked.connect(self.export_report)
        self.headline.addStretch(1)
        self.headline.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        self.outlook = OutlookBox(self)
        self.outlook.backtest_requested.connect(self.backtest_requested)
        self.outlook_job = Keyed(self, _outlook_summary, self.outlook.show_summary)
        grid = QGridLayout()
        self.canvases: dict[str, ChartCanvas] = {}
        for name, (row, column, rows, columns) in CHARTS:
            canvas = ChartCanvas(name, store, lambda message: self.undo.report(message), self)
            self.canvases[name] = canvas
            grid.addWidget(canvas, row, column, rows, columns)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.addLayout(self.headline)
        inner_layout.addWidget(self.outlook)
        inner_layout.addLayout(grid, 1)  # the charts take the room there is
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

    def state(self) -> tuple:
        """(today, data_version, total_changes): equal only while nothing was written and the day is the same."""
        return clock.today(), self.store.data_version(), self.store.conn.total_changes

    def reload(self) -> None:
        """Recompute on a worker what the data or the day changed since it was drawn (see Keyed): the numbers
        first, then the follow-up list and the outlook, which take longer and would slow the numbers down."""
        if self.store.closed:
            return  # built or reloaded by a queued event after the window closed its file
        state = self.state()
        self.numbers_job.request(state)
        if self.numbers_job.shown == state:
            self._request_the_rest()

    def _request_the_rest(self) -> None:
        """The follow-up list, then the outlook: one after the other, the second finds the purchase forecast both
        need in its cache (side by side they fitted it twice). Queued after drawing: the window may have closed
        its store meanwhile."""
        if self.store.closed:
            return
        state = self.state()
        self.due_job.request(state)
        if self.due_job.shown == state:
            self.outlook_job.request(state)

    def _show(self, data: DashboardData) -> None:
        if self.due is not None and self.due_job.shown == self.numbers_job.shown:
            data = data.with_follow_ups(self.due)  # counted for this very state already
        self.data = data
        for (value, label), (text, caption) in zip(self.numbers, headline_text(data), strict=True):
            value.setText(text)
            label.setText(caption)
        for canvas in self.canvases.values():
            canvas.show_data(data)
        if data.follow_ups_counted:
            self.refreshed.emit(data)
        # after the charts have drawn (draw_idle is queued first): a worker fitting the forecast meanwhile would
        # take the GIL from the drawing
        QTimer.singleShot(0, self, self._request_the_rest)

    def _show_due(self, due: FollowUpsDue) -> None:
        self.due = due
        self.outlook_job.request(self.state())
        if self.data is None or self.due_job.shown != self.numbers_job.shown:
            return  # shown with the numbers of the same state when they arrive
        self.data = self.data.with_follow_ups(due)
        self.canvases["workload"].show_data(self.data)
        self.refreshed.emit(self.data)

    def export_report(self) -> None:
        if self.data is None:
            self.undo.report("The dashboard is still being drawn; export the report once it shows.")
            return
        if not self.data.follow_ups_counted:
            self.undo.report("The follow-ups are still being counted; export the report once the chart shows them.")
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
