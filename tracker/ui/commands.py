"""Undo for every change made in the window: each action runs once (errors surface before anything is pushed),
then sits on the QUndoStack for Edit → Undo (Ctrl+Z) and Redo.

The window's writes are the core's operations (tracker.core.operations, as the command line's): `Undoable.do` runs one
and pushes its UndoRecord. One row runs on the GUI thread; many rows (bulk delete, bulk tag, many follow-ups done) run
as a job on a worker with a Store of its own, the widgets they affect disabled until the result comes back. Such jobs
(first runs, undos and redos) run one at a time in the order asked, so an undo never overtakes its redo.
`Undoable.run` still takes a pair of plain actions (do, undo) on the GUI thread."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from tracker.core.errors import TrackerError
from tracker.core.models import Changes
from tracker.core.store import Store
from tracker.ui.jobs import Job, job_for, start

if TYPE_CHECKING:  # the operations load with the first command (after the window's first paint)
    from tracker.core.operations import OpResult, UndoRecord

Action = Callable[[], Changes | None]
#: A core operation bound to its arguments: it gets the Store to write to (a worker's own, in the background).
Operation = Callable[[Store], "OpResult"]
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


class OpCommand(QUndoCommand):
    """A core operation on the stack (tracker.core.operations): undo applies its UndoRecord, whose result carries the
    record that redoes it, and so on. Background commands apply it on a worker, queued behind any write still running.

    A record the store refuses (the rows were changed since) is reported and kept: the stack has moved but the
    database has not, so the next move the other way finds the database already there and does nothing."""

    def __init__(self, owner: Undoable, store: Store, record: UndoRecord, busy: Sequence[QWidget], background: bool):
        super().__init__(record.label)
        self._owner, self._store, self._record, self._busy, self._background = owner, store, record, busy, background
        self._already_done = True

    def redo(self) -> None:
        if self._already_done:  # the operation itself ran before push, where its errors could be shown
            self._already_done = False
            return
        self._apply(redoing=True)

    def undo(self) -> None:
        self._apply(redoing=False)

    def _apply(self, *, redoing: bool) -> None:
        if self._background:  # the record is read when the job runs, after the job before it has answered

            def apply(store: Store) -> OpResult:
                return self._current(redoing).apply(store)

            self._owner.submit(self._store, apply, self._busy, self._applied)
            return
        try:
            result = self._current(redoing).apply(self._store)
        except TrackerError as exc:
            self._owner.report(str(exc))
            return
        self._applied(result)
        self._owner.notify(result.changes)

    def _current(self, redoing: bool) -> _Nothing | UndoRecord:
        """The record that moves the database the way the stack moved, or nothing when it is already there."""
        return self._record if self._record.redoes == redoing else _NOTHING

    def _applied(self, result: OpResult) -> None:
        if result.undo is not None:
            self._record = result.undo


class _Nothing:
    """Applying it changes nothing (the database is already where the stack says)."""

    def apply(self, _store: Store) -> OpResult:
        from tracker.core.operations import OpResult

        return OpResult(Changes(), (), "")

    def __bool__(self) -> bool:
        return False


_NOTHING = _Nothing()


class Undoable:
    """Runs an action now and makes it undoable; the window owns one for all tabs."""

    def __init__(self, notify: Callable[[Changes], None], report: Callable[[str], None]):
        self.stack = QUndoStack()
        self.notify = notify
        self.report = report
        self._queue: deque[tuple[Store, Operation, Sequence[QWidget], Callable[[OpResult], None] | None]] = deque()
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

    def do(
        self,
        store: Store,
        operation: Operation,
        *,
        background: bool = False,
        busy: Sequence[QWidget] = (),
        done: Callable[[OpResult], None] | None = None,
    ) -> OpResult | None:
        """Run a core operation (`operation(store)` → OpResult) and put its undo record on the stack.

        With `background` (many rows) it runs as a job on a worker's own Store with `busy` disabled until it answers,
        and so do its undo and redo; else here, on `store`. Then the window hears what changed and `done` gets the
        result. A TrackerError is reported in its sentence and nothing is pushed. Returns the result when it ran
        here, None when it failed or runs in the background."""

        def succeeded(result: OpResult) -> None:
            if result.undo is not None:
                self.stack.push(OpCommand(self, store, result.undo, busy, background))
            if done is not None:
                done(result)

        if background:
            self.submit(store, operation, busy, succeeded)
            return None
        try:
            result = operation(store)
        except TrackerError as exc:
            self.report(str(exc))
            return None
        succeeded(result)
        self.notify(result.changes)
        return result

    def push(self, store: Store, result: OpResult) -> None:
        """Put an operation that already ran here on the stack (a dialog that ran it to show its errors in place,
        such as Tools → Engagement settings); the window hears what changed."""
        if result.undo is not None:
            self.stack.push(OpCommand(self, store, result.undo, (), False))
        self.notify(result.changes)

    @property
    def running(self) -> bool:
        """Whether a write is running on a worker or waiting for one."""
        return self.job is not None or bool(self._queue)

    def submit(
        self,
        store: Store,
        operation: Operation,
        busy: Sequence[QWidget] = (),
        succeeded: Callable[[OpResult], None] | None = None,
    ) -> None:
        """Queue `operation` to run on a worker after those already asked for; the window hears what it changed."""
        self._queue.append((store, operation, busy, succeeded))
        if self.job is None:
            self._next()

    def _next(self) -> None:
        if not self._queue:
            return
        store, operation, busy, succeeded = self._queue.popleft()
        _enable(busy, False)
        self.job = job_for(store, lambda worker_store, **_: operation(worker_store))

        def on_success(result: OpResult) -> None:
            if succeeded is not None:
                succeeded(result)
            self.notify(result.changes)

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
