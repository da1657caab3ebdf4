"""The Follow-ups tab: whom to contact and why; done, snooze, reschedule, open, copy and export, with undo."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tracker.core import operations
from tracker.core.errors import TrackerError
from tracker.core.export import FOLLOW_UP_EXPORT_COLUMNS as EXPORT_COLUMNS
from tracker.core.export import neutralise, write_csv
from tracker.core.followups import GROUP_ORDER, Priority, Suggestion, due_by
from tracker.core.models import Changes
from tracker.core.store import Store
from tracker.core.vcard import write_vcards
from tracker.ui import clock
from tracker.ui.commands import Undoable
from tracker.ui.dialogs import FollowUpDialog
from tracker.ui.follow_up_list import FollowUpList
from tracker.ui.followups_model import COLUMNS, FollowUpsModel
from tracker.ui.tables import ItemsModel, data_table, selected_rows

UPCOMING_DAYS = 7
REASON_COLUMN = COLUMNS.index("Reason")


def _split(items: list[Suggestion]) -> tuple[list[int], list[tuple[int, str]]]:
    """The scheduled follow-ups' ids, and the suggestions as (contact id, reason)."""
    scheduled = [s.follow_up_id for s in items if s.follow_up_id is not None]
    suggested = []
    for s in items:
        if s.follow_up_id is None:
            assert s.contact.id is not None  # suggestions are for stored contacts
            suggested.append((s.contact.id, s.reason))
    return scheduled, suggested


class _OrderedModel(FollowUpsModel):
    """The tab's model: the window's list comes in the list's one order already (suggest_follow_ups sorts by
    follow_up_order, due_by keeps it), so it is shown as it comes. Sorting it again on the GUI thread made the same
    order from 23,000 keys at 100k contacts (~90 ms, a stall of the window; issue 16)."""

    def set_items(self, items: list[Suggestion]) -> None:
        ItemsModel.set_items(self, items)


#: Each priority's heading, looked up once (Priority.group makes a dict per call).
_GROUP_OF = {priority: priority.group for priority in Priority}


class FollowUpsTab(QWidget):
    count_changed = Signal(int)
    open_contact = Signal(int)

    def __init__(
        self, store: Store, undo: Undoable, parent: QWidget | None = None, *, follow_ups: FollowUpList | None = None
    ):
        """`follow_ups`: the window's list, shared with the Dashboard (a tab of its own works it out alone)."""
        super().__init__(parent)
        self.store, self.undo = store, undo
        self.follow_ups = follow_ups if follow_ups is not None else FollowUpList(store, undo.report, self)
        self.follow_ups.arrived.connect(self._arrived)
        self._closed = False
        self._shown: tuple | None = None  # the state of the data the list on screen is of
        self.model = _OrderedModel(self)
        self.table = data_table(self.model, (82, 86, 160, 440, 250, 230, 130))
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(REASON_COLUMN, QHeaderView.ResizeMode.Stretch)  # the reason takes the room
        # Reasons run to 150 characters: every row is two lines high, wrapped (one height for all rows, so a
        # list of 100,000 costs no measuring), and the current row's whole reason shows under the list.
        self.table.setWordWrap(True)
        self.table.verticalHeader().setDefaultSectionSize(2 * self.table.fontMetrics().lineSpacing() + 10)
        self.table.doubleClicked.connect(
            lambda index: self.open_contact.emit(self.model.item_at(index.row()).contact.id)
        )
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        self.model.modelReset.connect(self._show_detail)

        self.done_button = QPushButton("Done")
        self.done_button.setToolTip("Logs a call and clears the follow-up")
        self.done_button.clicked.connect(self.mark_done)
        self.snooze_button = QToolButton()
        self.snooze_button.setText("Snooze")
        self.snooze_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        snooze_menu = QMenu(self.snooze_button)
        snooze_menu.addAction("1 day", lambda: self.snooze(1))
        snooze_menu.addAction("1 week", lambda: self.snooze(7))
        snooze_menu.addAction("Pick a date…", self.reschedule)
        self.snooze_button.setMenu(snooze_menu)
        self.reschedule_button = QPushButton("Reschedule…")
        self.reschedule_button.clicked.connect(self.reschedule)
        self.open_button = QPushButton("Open contact")
        self.open_button.clicked.connect(self._open_selected)
        self.copy_button = QPushButton("Copy e-mails")
        self.copy_button.clicked.connect(self.copy_emails)
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        export_menu = QMenu(self.export_button)
        export_menu.addAction("CSV for Excel or mail merge…", self.export_csv)
        export_menu.addAction("vCard for a phone…", self.export_vcard)
        self.export_button.setMenu(export_menu)
        self.summary = QLabel()
        bar = QHBoxLayout()
        for widget in (
            self.done_button,
            self.snooze_button,
            self.reschedule_button,
            self.open_button,
            self.copy_button,
            self.export_button,
        ):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)

    # Loading ---------------------------------------------------------------------------------------------

    @staticmethod
    def wants(changes: Changes) -> bool:
        """Whether the suggestions may have changed: they follow the follow-ups, the contacts, their interactions
        and the levels (kinds, settings)."""
        return changes.contacts or changes.interactions or changes.follow_ups or changes.kinds or changes.settings

    def reload(self) -> None:
        """Ask for the window's follow-up list (worked out on a worker, once per state of the data: FollowUpList)."""
        self.follow_ups.request()

    def shut_down(self) -> None:
        self._closed = True
        if self.follow_ups.parent() is self:
            self.follow_ups.shut_down()

    def _arrived(self, state: tuple, items: list[Suggestion]) -> None:
        if not self._closed and state != self._shown:  # the Dashboard asked for a list this tab shows already
            self._shown = state
            self._loaded(due_by(items, state[0] + timedelta(days=UPCOMING_DAYS)))

    def _loaded(self, items: list[Suggestion]) -> None:
        """Show `items` (in the list's order, see _OrderedModel); the rows selected before stay selected."""
        selected = {s.contact.id for s in self.selected()}
        self.model.set_items(items)
        if selected:
            for row, item in enumerate(items):
                if item.contact.id in selected:
                    self.table.selectRow(row)
        per_priority: dict[Priority, int] = {}
        for item in items:
            per_priority[item.priority] = per_priority.get(item.priority, 0) + 1
        groups: dict[str, int] = {}  # by heading, in the list's order of headings
        for priority, n in sorted(per_priority.items(), key=lambda pn: (GROUP_ORDER[_GROUP_OF[pn[0]]], pn[0])):
            groups[_GROUP_OF[priority]] = groups.get(_GROUP_OF[priority], 0) + n
        self.summary.setText(" · ".join(f"{n} {name.lower()}" for name, n in groups.items()) or "Nothing to do")
        self.count_changed.emit(len(items) - per_priority.get(Priority.THIS_WEEK, 0))

    def _show_detail(self, *_: object) -> None:
        """The current row's name, whole reason and suggested action, under the list."""
        row = self.table.currentIndex().row()
        if not 0 <= row < self.model.rowCount():
            self.detail.setText("Select a row to read its whole reason here." if self.model.rowCount() else "")
            return
        item = self.model.item_at(row)
        self.detail.setText(f"{item.contact.name}: {item.reason}.  Suggested: {item.action}.")

    def selected(self) -> list[Suggestion]:
        return [self.model.item_at(r) for r in selected_rows(self.table)]

    # Actions -----------------------------------------------------------------------------------------------

    def mark_done(self) -> None:
        """Log a call for each selected entry and close its follow-up (or note the suggestion as handled)."""
        items = self.selected()
        if not items or not self.table.isEnabled():
            return
        moment = clock.now()
        scheduled, suggested = _split(items)
        # many rows on a worker, with the list and its buttons disabled until done; one row at once
        self.undo.do(
            self.store,
            lambda store: operations.follow_ups.done(store, moment, follow_up_ids=scheduled, suggested=suggested),
            background=len(items) > 1,
            busy=(self.table, self.done_button, self.snooze_button, self.reschedule_button),
        )

    def snooze(self, days: int) -> None:
        """Hide the selected follow-ups for `days` (their due date stays); a suggestion becomes a follow-up then."""
        self._move(operations.follow_ups.snooze, clock.today() + timedelta(days=days))

    def reschedule(self) -> None:
        items = self.selected()
        if not items:
            return
        who = items[0].contact.name if len(items) == 1 else f"{len(items)} contacts"
        answer = FollowUpDialog.ask(self, who, with_reason=False)
        if answer is not None:
            self._move(operations.follow_ups.reschedule, answer[0])

    def _move(self, operation, day: date) -> None:
        """Snooze or reschedule the selection to `day` (scheduled follow-ups by id, suggestions by contact and
        reason)."""
        items = self.selected()
        if not items or not self.table.isEnabled():
            return
        scheduled, suggested = _split(items)
        self.undo.do(
            self.store,
            lambda store: operation(store, day, follow_up_ids=scheduled, suggested=suggested),
            background=len(items) > 1,
            busy=(self.table, self.done_button, self.snooze_button, self.reschedule_button),
        )

    def _open_selected(self) -> None:
        items = self.selected()
        if items:
            self.open_contact.emit(items[0].contact.id)

    def copy_emails(self) -> None:
        items = self.selected() or self.model.items()
        emails = [neutralise(s.contact.email) for s in items if s.contact.email]
        QGuiApplication.clipboard().setText(", ".join(dict.fromkeys(emails)))

    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export follow-ups", str(Path.home() / "follow-ups.csv"), "CSV for Excel (*.csv)"
        )
        if path:
            self._write(
                lambda: write_csv(
                    path, EXPORT_COLUMNS, [s.to_dict() for s in self.model.items()], database=self.store.path
                )
            )

    def export_vcard(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export for a phone", str(Path.home() / "follow-ups.vcf"), "vCard (*.vcf)"
        )
        if path:
            self._write(
                lambda: write_vcards(
                    path, [(s.contact, s.reason) for s in self.model.items()], database=self.store.path
                )
            )

    def _write(self, action) -> None:
        try:
            action()
        except TrackerError as exc:
            self.undo.report(str(exc))
