"""Tools → How good are the predictions?: refit the purchase outlook on the orders up to a cut-off and show,
in words, two charts and a table, how the forecast compares with what customers really bought after it."""

from __future__ import annotations

from datetime import date, timedelta

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tracker.core.charts import draw_backtest, styled_figure
from tracker.core.outlook.backtest import Backtest, backtest
from tracker.core.outlook.forecast import HORIZON_DAYS, MAX_HORIZON_DAYS
from tracker.core.store import Store
from tracker.ui import clock
from tracker.ui.jobs import Job, job_for, start
from tracker.ui.tables import Index, ItemsModel, data_table
from tracker.ui.text import paragraph


class PastOrdersModel(ItemsModel):
    """The backtest by orders before the cut-off: customers, actual and predicted mean orders after it."""

    columns = ("Orders before", "Customers", "Actual orders after (mean)", "Predicted (mean)")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self.item_at(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.label, f"{row.customers:,}", f"{row.actual_mean:.2f}", f"{row.predicted_mean:.2f}")[
                index.column()
            ]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column():
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class BacktestDialog(QDialog):
    def __init__(self, store: Store, parent: QWidget | None = None, today: date | None = None):
        super().__init__(parent)
        self.store = store
        self.today = today or clock.today()
        self.outcome: Backtest | None = None  # the latest backtest shown (`result` would hide QDialog.result())
        self._job: Job | None = None
        self.setWindowTitle("How good are the predictions?")
        self.resize(1020, 760)

        self.cutoff = QDateEdit(_qdate(self.today - timedelta(days=HORIZON_DAYS)))
        self.cutoff.setCalendarPopup(True)
        self.cutoff.setDisplayFormat("yyyy-MM-dd")
        self.cutoff.setMaximumDate(_qdate(self.today - timedelta(days=1)))
        self.days = QSpinBox()
        self.days.setRange(1, MAX_HORIZON_DAYS)
        self.days.setValue(HORIZON_DAYS)
        self.days.setSuffix(" days")
        self.run_button = QPushButton("Check")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Fit on the orders up to"))
        controls.addWidget(self.cutoff)
        controls.addWidget(QLabel("and compare the next"))
        controls.addWidget(self.days)
        controls.addWidget(self.run_button)
        controls.addStretch(1)

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: a fit has no steps to count
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.hide()
        self.summary = paragraph()
        self.canvas = FigureCanvasQTAgg(styled_figure(10, 3.6))
        self.canvas.setMinimumHeight(320)
        self.model = PastOrdersModel(self)
        self.table = data_table(self.model, (120, 100, 200))
        self.table.setMaximumHeight(230)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.run()

    def run(self) -> None:
        """Refit and compare on a worker; the window stays responsive."""
        if self._job is not None:
            return
        # PySide6's stubs type toPython() as object; a QDate's is a date
        cutoff: date = self.cutoff.date().toPython()  # type: ignore[assignment]
        days, today = self.days.value(), self.today
        self._job = job_for(self.store, lambda store, **_: backtest(store, cutoff, days, today=today))
        self._job.signals.succeeded.connect(self._show)
        self._job.signals.failed.connect(self._failed)
        self._job.signals.finished.connect(self._finished)
        self.run_button.setEnabled(False)
        self.progress.show()
        self.summary.setText("Fitting on the orders up to the cut-off…")
        start(self._job)

    def _show(self, result: Backtest) -> None:
        self.outcome = result
        self.summary.setText("\n".join(result.sentences()))
        draw_backtest(self.canvas.figure, result)
        self.canvas.draw_idle()
        self.model.set_items(result.by_past_orders)

    def _failed(self, message: str) -> None:
        self.outcome = None
        self.summary.setText(message)
        self.model.set_items([])
        self.canvas.figure.clear()
        self.canvas.draw_idle()

    def _finished(self) -> None:
        self._job = None
        self.run_button.setEnabled(True)
        self.progress.hide()


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
