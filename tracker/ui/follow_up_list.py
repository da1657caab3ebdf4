"""The follow-up list worked out once per state of the data and shared by every part of the window that shows it.

The Follow-ups tab lists the next UPCOMING_DAYS days of it and the Dashboard counts the next WORKLOAD_DAYS
(`tracker.core.dashboard.count_due`); both are views of one `suggest_follow_ups` run with the longer horizon.
Worked out separately they classified every contact twice (3.5–9 s each at 100,000 contacts on a 2-core
machine, each holding the GIL for part of it). A state is (today, the file's data_version, this connection's
total_changes), as the Dashboard keys what it draws: equal only while nothing was written and the day is the same.

It is worked out by tracker.ui.follow_up_work (in a helper process for a long list).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from tracker.core.followups import Suggestion
from tracker.core.store import Store
from tracker.ui import clock
from tracker.ui.follow_up_work import work_out
from tracker.ui.jobs import Refresher


class FollowUpList(QObject):
    """`request()` asks for the list of the data as it is now; `arrived(state, items)` brings it, at once (queued)
    when it was worked out for this state already, else after one job on a worker shared by every request."""

    arrived = Signal(object, object)  # (state, list[Suggestion])

    def __init__(self, store: Store, report: Callable[[str], None], parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.state: tuple | None = None  # the state `items` was worked out for
        self.items: list[Suggestion] = []
        self._wanted: tuple | None = None
        self.refresher = Refresher(store, self._run, self._done, report, self)

    def current_state(self) -> tuple:
        return clock.today(), self.store.data_version(), self.store.conn.total_changes

    def request(self) -> None:
        if self.store.closed:
            return
        state = self.current_state()
        if state == self.state:
            QTimer.singleShot(0, self, self._send)  # the answer is known; given as a job's would be, later
            return
        if state == self._wanted and self.refresher._job is not None:
            return  # the job working it out for this very state brings it to every subscriber
        self._wanted = state
        self.refresher.request()

    def shut_down(self) -> None:
        self.refresher.closed = True

    def _run(self, store: Store) -> tuple[tuple, list[Suggestion]]:
        state = self._wanted  # read when the job starts: a request made while it waited is included
        assert state is not None  # set by request before the job starts
        return state, work_out(store, state[0])

    def _done(self, result: tuple[tuple, list[Suggestion]]) -> None:
        if self.store.closed:
            return
        self.state, self.items = result
        self._send()

    def _send(self) -> None:
        if self.state is not None and not self.store.closed:
            self.arrived.emit(self.state, self.items)
