"""The import wizard's last two pages: the check (a dry run of the import: what would be created, merged and
rejected, nothing written) and the import itself, each run as a job with progress and cancel; the import page
offers saving the rejected rows and undoing the batch. The wizard (import_wizard.py) holds the file, the columns
chosen and the work both pages run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from tracker.core.errors import TrackerError
from tracker.core.importing import ImportReport
from tracker.core.models import Changes
from tracker.core.operations.imports import UndoImportResult, undo_preview
from tracker.ui.import_parts import (
    error_label,
    plural,
    show_error,
    window_row_reason,
)
from tracker.ui.import_undo import confirm_undo, start_undo, undone_sentence
from tracker.ui.jobs import Job, job_for, start
from tracker.ui.text import plain

if TYPE_CHECKING:
    from tracker.ui.import_wizard import ImportWizard


class CheckPage(QWizardPage):
    """A dry run of the import: what would be created, merged and rejected, before anything is written."""

    def __init__(self, owner: ImportWizard):
        super().__init__()
        self.owner = owner
        self.setTitle("Check")
        self.setSubTitle("Nothing has been written yet. This is what the import will do.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Import")
        self.report: ImportReport | None = None
        self._job: Job | None = None
        self.summary = plain(QLabel())
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size: 13pt;")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.hide()
        self.problems = plain(QLabel())  # quotes values from the file
        self.problems.setWordWrap(True)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addSpacing(6)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        layout.addWidget(self.problems, 1)

    def isComplete(self) -> bool:
        return self.report is not None and self._job is None

    def initializePage(self) -> None:
        self.report = None
        self.problems.clear()
        show_error(self.error, None)
        self.owner.mapping = self.owner.columns_page.mapping()
        if self.owner.path.stat().st_size > self.owner.BACKGROUND_CHECK_BYTES:
            self.summary.setText("Checking the file…")
            self.busy.show()
            self._job = job_for(self.owner.store, self.owner.work(dry_run=True))
            self._job.signals.succeeded.connect(self._checked)
            self._job.signals.failed.connect(self._check_failed)
            self._job.signals.finished.connect(self._job_finished)
            start(self._job)
        else:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self._checked(self.owner.work(dry_run=True)(self.owner.store))
            except TrackerError as exc:
                self._check_failed(str(exc))
            finally:
                QGuiApplication.restoreOverrideCursor()
        self.completeChanged.emit()

    def cleanupPage(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Abandon a background check (Back or closing the window); its result is ignored."""
        if self._job is not None:
            self._job.cancel()
            for signal in (self._job.signals.succeeded, self._job.signals.failed, self._job.signals.finished):
                signal.disconnect()
            self._job = None
            self.busy.hide()

    def _checked(self, report: ImportReport) -> None:
        self.report = report
        counts = f"{plural(report.rows, 'row')}: {report.created:,} new"
        if self.owner.kind == "contacts":
            counts += f", {report.updated:,} merged into existing contacts, {report.rejected:,} rejected"
        else:
            counts += (
                f" interactions, {report.updated:,} merged into other rows or ones already here, "
                f"{report.rejected:,} rejected"
            )
            counts += report.skipped_text()
            if report.contacts_created:
                counts += f" ({plural(report.contacts_created, 'new contact')})"
        self.summary.setText(counts + ".")
        lines = [
            f"Line {p.line}: {window_row_reason(p)}" + ("" if p.rejected else " (row kept)")
            for p in report.problems[:10]
        ]
        if report.problem_count > 10:
            lines.append(f"…and {report.problem_count - 10:,} more. You can save the rejected rows after importing.")
        self.problems.setText("\n".join(lines) or "No problems found.")

    def _check_failed(self, message: str) -> None:
        self.summary.setText("This file cannot be imported as it is.")
        show_error(self.error, message)

    def _job_finished(self) -> None:
        self._job = None
        self.busy.hide()
        self.completeChanged.emit()


class ImportPage(QWizardPage):
    """The real import, on a worker thread: progress, cancel, then the report, saving rejects and undo."""

    def __init__(self, owner: ImportWizard):
        super().__init__()
        self.owner = owner
        self.setTitle("Import")
        self.setSubTitle("The file is imported as one batch: all of it or, if you cancel, none of it.")
        self.report: ImportReport | None = None
        self.job: Job | None = None
        self.undo_job: Job | None = None  # the undo of this import, while it runs on a worker
        self._is_undone = False
        self._status_before_undo = ""
        self._cancel_asked = False
        self.status = plain(QLabel())  # names the file and its source
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-size: 13pt;")
        self.progress = QProgressBar()
        self.cancel_button = QPushButton("&Cancel import")
        self.cancel_button.clicked.connect(self.cancel)
        self.error = error_label()
        self.note = plain(QLabel())
        self.note.setWordWrap(True)
        self.save_button = QPushButton("&Save rejected rows…")
        self.save_button.clicked.connect(self._save_rejects)
        self.undo_button = QPushButton("&Undo this import")
        self.undo_button.clicked.connect(self._undo)
        for button in (self.save_button, self.undo_button):
            button.hide()
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(progress_row)
        layout.addWidget(self.error)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        layout.addStretch(1)

    @property
    def running(self) -> bool:
        """The import or its undo is running on a worker."""
        return self.job is not None or self.undo_job is not None

    def isComplete(self) -> bool:
        return not self.running

    def initializePage(self) -> None:
        if self.job is not None or self.report is not None:
            return
        self.status.setText(f"Reading {self.owner.path.name}…")
        self.progress.setRange(0, 0)  # busy until the importer reports its first rows
        self.job = job_for(self.owner.store, self.owner.work(dry_run=False))
        self.job.signals.progressed.connect(self._progressed)
        self.job.signals.succeeded.connect(self._succeeded)
        self.job.signals.failed.connect(self._failed)
        self.job.signals.finished.connect(self._finished)
        start(self.job)
        self.cancel_button.setFocus()
        self.completeChanged.emit()

    def cancel(self) -> None:
        if self.job is not None and not self._cancel_asked:
            self._cancel_asked = True
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText("Cancelling…")

    def _progressed(self, done: int, total: int) -> None:
        """`done` of `total` thousandths of the file read."""
        if self._cancel_asked:
            return
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(f"Importing… {done * 100 // max(total, 1)}% of {self.owner.path.name} read")

    def _succeeded(self, report: ImportReport) -> None:
        self.report = report
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        late = " (it had finished before it could be cancelled)" if self._cancel_asked else ""
        self.status.setText("Done" + late + ". " + report.summary())
        if report.rejected:
            self.note.setText(
                f"{plural(report.rejected, 'row')} could not be imported; save them to fix them "
                "in a spreadsheet and import that file again."
            )
        self.save_button.setVisible(True)
        self.save_button.setEnabled(bool(report.rejected))
        self.save_button.setToolTip("" if report.rejected else "No rows were rejected.")
        self.undo_button.setVisible(report.batch_id is not None)
        self.owner.imported.emit(Changes(contacts=True, interactions=self.owner.kind == "interactions"))

    def _failed(self, message: str) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        if self._cancel_asked:
            self.status.setText("Cancelled — nothing was imported.")
        else:
            self.status.setText("The import failed; nothing was imported.")
            show_error(self.error, message)

    def _finished(self) -> None:
        self.job = None
        self.cancel_button.hide()
        self.progress.hide()
        self.completeChanged.emit()
        self.owner.button(QWizard.WizardButton.FinishButton).setFocus()
        if self.owner.close_when_done:
            self.owner.reject()

    def _save_rejects(self) -> None:
        path = self.owner._ask_save_path()
        if not path or self.report is None:
            return
        try:
            written = self.report.write_rejects(path, database=self.owner.store.path)
        except (TrackerError, OSError) as exc:
            show_error(self.error, str(exc))
            return
        show_error(self.error, None)
        self.note.setText(f"Saved {plural(written, 'rejected row')} to {path}.")

    def _undo(self) -> None:
        """Ask first when work done since would go with it, then undo on a worker (as Edit → Import history…
        does), the button disabled until it answers."""
        if self.report is None or self.report.batch_id is None or self.undo_job is not None:
            return
        batch_id = self.report.batch_id
        try:
            preview = undo_preview(self.owner.store, batch_id)
        except TrackerError as exc:
            show_error(self.error, str(exc))
            return
        if preview.later_work and not self.confirm_undo(self, preview):
            return
        show_error(self.error, None)
        self.undo_button.setEnabled(False)
        self._status_before_undo = self.status.text()
        self.status.setText(f"Undoing import {batch_id}…")
        self.undo_job = start_undo(
            self.owner.store,
            batch_id,
            preview,
            succeeded=self._undone,
            failed=self._undo_failed,
            finished=self._undo_finished,
        )
        self.completeChanged.emit()

    def _undone(self, result: UndoImportResult) -> None:
        self._is_undone = True
        self.status.setText(undone_sentence(result))
        self.owner.imported.emit(result.changes)

    def _undo_failed(self, message: str) -> None:
        self.status.setText(self._status_before_undo)
        show_error(self.error, message)

    def _undo_finished(self) -> None:
        self.undo_job = None
        self.undo_button.setEnabled(not self._is_undone)
        self.completeChanged.emit()
        if self.owner.close_when_done:
            self.owner.reject()

    #: Asked before an undo that takes work done since the import with it (shared with Edit → Import history…).
    confirm_undo = staticmethod(confirm_undo)
