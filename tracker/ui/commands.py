"""Undo for every change made in the window: each action runs once (errors surface before anything is pushed),
then sits on the QUndoStack with the inverse action for Edit → Undo (Ctrl+Z) and Redo.

Small edits run on the GUI thread (`Undoable.run`). Writes that can take long (bulk delete, bulk tag, many follow-ups
done) run as jobs on a worker with a Store of its own (`Undoable.run_job`): their actions take that store, the widgets
they affect are disabled until the result comes back, and the command is pushed once the first run succeeded. Such
jobs (first runs, undos and redos) run one at a time in the order asked, so an undo never overtakes its redo."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import shiboken6
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from tracker.core.errors import TrackerError
from tracker.core.models import Changes
from tracker.core.store import Store
from tracker.ui.jobs import Job, job_for, start

Action = Callable[[], Changes | None]
#: An action run on a worker: it gets the worker's own Store (SQLite connections belong to their thread).
StoreAction = Callable[[Store], Changes | None]
EVERYTHING_LISTED = Changes(contacts=True, interactions=True, follow_ups=True)


class StoreCommand(QUndoCommand):
    def __init__(
        self, text: str, redo: Action, undo: Action, notify: Callable[[Changes], None], report: Callable[[str], None]
    ):
        super().__init__(text)
        self._redo, self._undo, self._notify, self._report = redo, undo, notify, report
        self._already_done = True

    def redo(self) -> None:
        if self._already_done:  # the first run happened before push, where its errors could be shown
            self._already_done = False
            return
        self._run(self._redo)

    def undo(self) -> None:
        self._run(self._undo)

    def _run(self, action: Action) -> None:
        try:
            changes = action()
        except TrackerError as exc:
            self._report(str(exc))
            return
        self._notify(changes or EVERYTHING_LISTED)


class JobCommand(QUndoCommand):
    """A command whose redo and undo run as jobs (queued behind any still running)."""

    def __init__(self, text: str, owner: Undoable, store: Store, redo: StoreAction, undo: StoreAction, busy):
        super().__init__(text)
        self._owner, self._store, self._redo, self._undo, self._busy = owner, store, redo, undo, busy
        self._already_done = True

    def redo(self) -> None:
        if self._already_done:  # the first run succeeded before push
            self._already_done = False
            return
        self._owner.submit(self._store, self._redo, self._busy)

    def undo(self) -> None:
        self._owner.submit(self._store, self._undo, self._busy)


class Undoable:
    """Runs an action now and makes it undoable; the window owns one for all tabs."""

    def __init__(self, notify: Callable[[Changes], None], report: Callable[[str], None]):
        self.stack = QUndoStack()
        self.notify = notify
        self.report = report
        self._queue: deque[tuple[Store, StoreAction, Sequence[QWidget], Callable[[Any], None] | None]] = deque()
        self.job: Job | None = None  # the write running on a worker, if any

    def run(self, text: str, redo: Action, undo: Action) -> bool:
        """Do it; on a TrackerError report it and push nothing. Returns whether it was done."""
        try:
            changes = redo()
        except TrackerError as exc:
            self.report(str(exc))
            return False
        self.stack.push(StoreCommand(text, redo, undo, self.notify, self.report))
        self.notify(changes or EVERYTHING_LISTED)
        return True

    def run_job(
        self,
        store: Store,
        text: str,
        redo: StoreAction,
        undo: StoreAction,
        *,
        busy: Sequence[QWidget] = (),
        done: Callable[[], None] | None = None,
    ) -> None:
        """Do it on a worker with `busy` disabled meanwhile; once it succeeded, push it (undo and redo run on a
        worker too), tell the window what changed and call `done`. A TrackerError is reported and nothing pushed."""

        def succeeded(_changes: Any) -> None:
            self.stack.push(JobCommand(text, self, store, redo, undo, busy))
            if done is not None:
                done()

        self.submit(store, redo, busy, succeeded)

    def write(
        self,
        store: Store,
        text: str,
        redo: StoreAction,
        undo: StoreAction,
        *,
        background: bool,
        busy: Sequence[QWidget] = (),
        done: Callable[[], None] | None = None,
    ) -> None:
        """`run_job` when `background` (many rows), else `run` on the GUI thread with `store` (one row)."""
        if background:
            self.run_job(store, text, redo, undo, busy=busy, done=done)
        elif self.run(text, lambda: redo(store), lambda: undo(store)) and done is not None:
            done()

    @property
    def running(self) -> bool:
        """Whether a write is running on a worker or waiting for one."""
        return self.job is not None or bool(self._queue)

    def submit(
        self,
        store: Store,
        action: StoreAction,
        busy: Sequence[QWidget] = (),
        succeeded: Callable[[Any], None] | None = None,
    ) -> None:
        """Queue `action` to run on a worker after those already asked for."""
        self._queue.append((store, action, busy, succeeded))
        if self.job is None:
            self._next()

    def _next(self) -> None:
        if not self._queue:
            return
        store, action, busy, succeeded = self._queue.popleft()
        _enable(busy, False)
        self.job = job_for(store, lambda worker_store, **_: action(worker_store))

        def on_success(changes: Any) -> None:
            if succeeded is not None:
                succeeded(changes)
            self.notify(changes or EVERYTHING_LISTED)

        def on_finished() -> None:
            _enable(busy, True)
            self.job = None
            self._next()

        self.job.signals.succeeded.connect(on_success)
        self.job.signals.failed.connect(lambda message: self.report(message))
        self.job.signals.finished.connect(on_finished)
        start(self.job)


def _enable(widgets: Sequence[QWidget], enabled: bool) -> None:
    for widget in widgets:
        if shiboken6.isValid(widget):  # a tab replaced meanwhile (another database opened) is gone
            widget.setEnabled(enabled)
