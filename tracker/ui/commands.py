"""Undo for every change made in the window: each action runs once (errors surface before anything is pushed),
then sits on the QUndoStack with the inverse action for Edit → Undo (Ctrl+Z) and Redo."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand, QUndoStack

from tracker.core.errors import TrackerError
from tracker.core.models import Changes

Action = Callable[[], Changes | None]


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
        self._notify(changes or Changes(contacts=True, interactions=True, follow_ups=True))


class Undoable:
    """Runs an action now and makes it undoable; the window owns one for all tabs."""

    def __init__(self, notify: Callable[[Changes], None], report: Callable[[str], None]):
        self.stack = QUndoStack()
        self.notify = notify
        self.report = report

    def run(self, text: str, redo: Action, undo: Action) -> bool:
        """Do it; on a TrackerError report it and push nothing. Returns whether it was done."""
        try:
            changes = redo()
        except TrackerError as exc:
            self.report(str(exc))
            return False
        self.stack.push(StoreCommand(text, redo, undo, self.notify, self.report))
        self.notify(changes or Changes(contacts=True, interactions=True, follow_ups=True))
        return True
