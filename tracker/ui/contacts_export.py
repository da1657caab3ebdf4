"""File → Export contacts… off the GUI thread: the core's export of the listed contacts runs as a Job while a
cancellable progress dialog shows how far it has got (100,000 contacts take seconds to write)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from tracker.core.contacts_export import export_contacts
from tracker.core.errors import TrackerError
from tracker.core.safe_write import check_target
from tracker.core.store import Store
from tracker.ui.jobs import Job, job_for, start


class ContactsExport(QObject):
    """One export: `exported(count)` when the file is written, `failed(sentence)` when it is not (a cancel says
    so in `cancelled` instead); `finished` either way. A child of the window, so a result arriving after the window
    is gone reaches nothing."""

    exported = Signal(int)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, parent: QWidget, store: Store, contact_ids: list[int], path: Path | str, day: date):
        super().__init__(parent)
        self.path = path
        self._cancel_asked = False
        self.dialog = QProgressDialog("Exporting contacts…", "Cancel", 0, max(len(contact_ids), 1), parent)
        self.dialog.setWindowTitle("Export contacts")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumDuration(400)  # a short export finishes before any dialog flashes up
        self.dialog.canceled.connect(self.cancel)
        self.job: Job | None = job_for(
            store,
            lambda worker_store, progress, cancelled: export_contacts(
                worker_store, path, contact_ids, day, progress=progress, cancelled=cancelled
            ),
        )
        self.job.signals.progressed.connect(self._progressed)
        self.job.signals.succeeded.connect(self._succeeded)
        self.job.signals.failed.connect(self._failed)
        self.job.signals.finished.connect(self._finished)

    def start(self) -> None:
        assert self.job is not None
        start(self.job)

    def running(self) -> bool:
        return self.job is not None

    def cancel(self) -> None:
        if self.job is not None and not self._cancel_asked:
            self._cancel_asked = True
            self.job.cancel()
            if shiboken6.isValid(self.dialog):
                self.dialog.setLabelText("Cancelling…")

    def _progressed(self, done: int, total: int) -> None:
        if shiboken6.isValid(self.dialog) and not self._cancel_asked:
            self.dialog.setMaximum(max(total, 1))
            self.dialog.setValue(done)
            self.dialog.setLabelText(f"Exporting contacts… {done:,} of {total:,}")

    def _succeeded(self, count: int) -> None:
        self.exported.emit(count)  # written whole even when the cancel came too late: the file is there

    def _failed(self, message: str) -> None:
        if self._cancel_asked:
            self.cancelled.emit()
        else:
            self.failed.emit(message)

    def _finished(self) -> None:
        self.job = None
        if shiboken6.isValid(self.dialog):
            self.dialog.canceled.disconnect(self.cancel)  # closing a progress dialog emits canceled
            self.dialog.close()
            self.dialog.deleteLater()
        self.finished.emit()


def export_in_background(
    parent: QWidget,
    store: Store,
    contact_ids: list[int],
    path: str,
    day: date,
    *,
    exported: Callable[[int], object],
    failed: Callable[[str], object],
    cancelled: Callable[[], object],
) -> ContactsExport | None:
    """Start exporting `contact_ids` (in that order) as of `day` to `path`; a target that must not be written
    (the database, a folder…) is refused at once through `failed`, without a worker. Returns the running export."""
    try:
        check_target(path, database=store.path)
    except TrackerError as exc:
        failed(str(exc))
        return None
    export = ContactsExport(parent, store, contact_ids, path, day)
    export.exported.connect(exported)
    export.failed.connect(failed)
    export.cancelled.connect(cancelled)
    export.finished.connect(export.deleteLater)
    export.start()
    return export
