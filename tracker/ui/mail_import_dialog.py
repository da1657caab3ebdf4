"""File → Import mail or calendar…: mailboxes, e-mails or an .ics calendar become interactions with the contacts.

The chosen files are dry-run first on a worker (what would become interactions, what is left out and why, the
owner's addresses the import goes by, how many correspondents are not contacts yet); the user confirms their
addresses, may add those people, and imports on a worker with progress and cancel (a cancel imports nothing). An
import is one batch, undone from Edit → Import history… as the other imports: nothing goes onto Edit → Undo.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tracker.core.normalize import is_valid_email
from tracker.core.operations.imports import ImportResult
from tracker.core.store import Store
from tracker.ui import clock
from tracker.ui.import_parts import HINT_STYLE, error_label, show_error
from tracker.ui.jobs import Job, job_for, start
from tracker.ui.mail_import_parts import (
    Check,
    Source,
    check_work,
    done_words,
    import_work,
    left_out_words,
    people_words,
    read_words,
)
from tracker.ui.text import paragraph

FILE_FILTER = (
    "Mail and calendars (*.mbox *.mbx *.eml *.msg *.ics);;Mailboxes (*.mbox *.mbx);;E-mails (*.eml *.msg);;"
    "Calendars (*.ics);;All files (*)"
)
INTRO = (
    "Mailboxes (a Google Takeout .mbox, Thunderbird or Apple Mail), e-mails (.eml, Outlook .msg) or a folder of "
    "them, or a calendar (.ics). Tracker keeps who wrote to whom, when, and the subject; never the message bodies."
)


class MailImportDialog(QDialog):
    """Choose the files, check what a dry run would do, confirm your addresses, import."""

    imported = Signal(object)  # Changes, after an import

    def __init__(self, store: Store, paths: Sequence[Path] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.source = Source(())
        self.check: Check | None = None
        self.import_result: ImportResult | None = None
        self.job: Job | None = None
        self._cancel_asked = False
        self.close_when_done = False
        self.setWindowTitle("Import mail or calendar")
        self.resize(760, 580)

        intro = paragraph(INTRO)
        intro.setStyleSheet(HINT_STYLE)
        self.files = paragraph()
        add_files = QPushButton("Add &files…")
        add_files.clicked.connect(self._add_files)
        add_folder = QPushButton("Add a f&older…")
        add_folder.clicked.connect(self._add_folder)
        self.clear_button = QPushButton("C&lear")
        self.clear_button.clicked.connect(lambda: self.set_paths([]))
        self.check_button = QPushButton("C&heck")
        self.check_button.setToolTip("Read the files again and show what the import would do.")
        self.check_button.clicked.connect(self.start_check)
        self.file_buttons = [add_files, add_folder, self.clear_button, self.check_button]
        file_row = QHBoxLayout()
        file_row.addWidget(self.files, 1)
        for button in self.file_buttons:
            file_row.addWidget(button)

        self.summary = paragraph()
        self.summary.setStyleSheet("font-size: 13pt;")
        self.progress = QProgressBar()
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.left_out = paragraph()

        self.owner = QGroupBox("Your addresses")
        self.me_label = paragraph(
            "These are your addresses (one a line): mail from them is yours, mail to them is to you."
        )
        self.me_edit = QPlainTextEdit()
        self.me_edit.setTabChangesFocus(True)
        self.me_edit.setFixedHeight(self.me_edit.fontMetrics().lineSpacing() * 3 + 12)
        self.me_edit.textChanged.connect(self._update)
        self.me_hint = paragraph()
        self.me_hint.setStyleSheet(HINT_STYLE)
        self.confirmed = QCheckBox("&Yes, these are my addresses")
        self.confirmed.toggled.connect(self._update)
        self.check_again = QPushButton("Check &again")
        self.check_again.clicked.connect(self.start_check)
        confirm_row = QHBoxLayout()
        confirm_row.addWidget(self.confirmed, 1)
        confirm_row.addWidget(self.check_again)
        owner_layout = QVBoxLayout(self.owner)
        for widget in (self.me_label, self.me_edit, self.me_hint):
            owner_layout.addWidget(widget)
        owner_layout.addLayout(confirm_row)

        self.add_people = QCheckBox()
        self.add_people.toggled.connect(self._show_check)
        self.error = error_label()
        self.outcome = paragraph()
        self.outcome.setStyleSheet("font-size: 13pt; font-weight: 600;")

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("&Import", QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button.clicked.connect(self.start_import)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)

        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(file_row)
        layout.addSpacing(4)
        layout.addWidget(rule)
        layout.addSpacing(4)
        layout.addWidget(self.summary)
        layout.addLayout(progress_row)
        layout.addWidget(self.left_out)
        layout.addWidget(self.owner)
        layout.addWidget(self.add_people)
        layout.addWidget(self.error)
        layout.addWidget(self.outcome)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.set_paths(paths)

    # Files ------------------------------------------------------------------------------------------------

    def set_paths(self, paths: Sequence[Path]) -> None:
        """Import these files and folders (none: ask for them); a dry run starts at once."""
        self._stop()
        self.source = Source(tuple(Path(path) for path in paths))
        self.check, self.import_result = None, None
        self.me_edit.blockSignals(True)
        self.me_edit.clear()
        self.me_edit.blockSignals(False)
        self.confirmed.setChecked(False)
        self.add_people.setChecked(False)
        self.outcome.clear()
        show_error(self.error, None)
        self.left_out.clear()
        if not self.source.paths:
            self.files.setText("No files chosen yet.")
            self.summary.setText("Choose mailbox files, e-mails, a folder of them, or a calendar.")
        else:
            self.files.setText(self.source.names())
            self.files.setToolTip("\n".join(str(path) for path in self.source.paths))
            problem = self.source.problem()
            if problem:
                self.summary.setText("These files cannot be imported together.")
                show_error(self.error, problem)
            else:
                self.start_check()
        self._update()

    def _add_files(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(self, "Import mail or calendar", str(Path.home()), FILE_FILTER)
        if chosen:
            self.set_paths([*self._kept(), *(Path(path) for path in chosen)])

    def _add_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "A folder of e-mails or mailboxes", str(Path.home()))
        if chosen:
            self.set_paths([*self._kept(), Path(chosen)])

    def _kept(self) -> list[Path]:
        """The files chosen so far, unless they were imported already (adding starts a new import)."""
        return [] if self.import_result is not None else list(self.source.paths)

    # The dry run --------------------------------------------------------------------------------------------

    def typed_addresses(self) -> list[str]:
        return [line.strip() for line in self.me_edit.toPlainText().replace(",", "\n").splitlines() if line.strip()]

    def start_check(self) -> None:
        """Dry-run the import on a worker, with the typed addresses once there are any."""
        typed = self.typed_addresses() if self.check is not None or self.me_edit.toPlainText() else None
        wrong = [address for address in typed or () if not is_valid_email(address)]
        if wrong:  # said before reading the files again, the last check kept
            show_error(self.error, f"'{wrong[0]}' is not an e-mail address; type your own addresses, one a line.")
            return
        self.check = None
        self.confirmed.setChecked(False)
        self.left_out.clear()
        show_error(self.error, None)
        self.summary.setText(f"Reading {self.source.names()}…")
        self._run(check_work(self.source, clock.today(), typed), self._checked)

    def _checked(self, check: Check) -> None:
        self.check = check
        self.me_edit.blockSignals(True)
        self.me_edit.setPlainText("\n".join(check.me))
        self.me_edit.blockSignals(False)
        self.add_people.setText(people_words(check.people))
        self._show_check()

    def _show_check(self) -> None:
        check = self.check
        if check is None:
            return
        adding = self.add_people.isChecked() and check.with_people is not None
        self.summary.setText(read_words(check, adding))
        self.left_out.setText(left_out_words(check.with_people if adding and check.with_people else check.report))
        if check.me and check.origin == "remembered":
            hint = "As you confirmed at an earlier import; change them here if they are not all yours."
        elif check.me and check.origin == "found":
            hint = (
                "Found in the calendar (the address on the most events): please check."
                if self.source.calendar
                else "Found as the most frequent sender: please check."
            )
        elif check.me:
            hint = ""
        elif self.source.calendar:
            hint = "Tracker finds yours on import (the address on the most events), unless you type it here."
        else:
            hint = "Tracker could not tell which address is yours: type it, then press Check again."
        self.me_hint.setText(hint)
        self._update()

    # The import ----------------------------------------------------------------------------------------------

    def start_import(self) -> None:
        if not self._can_import():
            return
        self.outcome.clear()
        show_error(self.error, None)
        self.summary.setText(f"Importing {self.source.names()}…")
        work = import_work(self.source, clock.today(), self.typed_addresses(), self.add_people.isChecked())
        self._run(work, self._imported)

    def _imported(self, result: ImportResult) -> None:
        self.import_result = result
        self.summary.setText("Done.")
        self.outcome.setText(done_words(result))
        self.imported.emit(result.changes)

    # Jobs ---------------------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.job is not None

    def _run(self, work: Callable[..., object], succeeded: Callable[..., None]) -> None:
        self._cancel_asked = False
        self.progress.setRange(0, 0)  # busy until the core reports how much it has read
        job = job_for(self.store, work)
        job.signals.progressed.connect(self._progressed)
        job.signals.succeeded.connect(succeeded)
        job.signals.failed.connect(self._failed)
        job.signals.finished.connect(self._finished)
        self.job = start(job)
        self._update()

    def _progressed(self, done: int, total: int) -> None:
        """`done` of `total` thousandths read; a check's second reading (total 2000) is the import without adding
        the people who are not contacts (the first counted them)."""
        if self._cancel_asked:
            return
        if total > 1000 and self.check is None:
            self.summary.setText("Reading once more: what the import does without adding people who are not contacts…")
            done, total = done - 1000, total - 1000
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _failed(self, message: str) -> None:
        importing = self.check is not None
        if self._cancel_asked:
            self.summary.setText("Cancelled — nothing was imported." if importing else "Check cancelled.")
            return
        self.summary.setText(
            "The import failed; nothing was imported." if importing else "These files cannot be imported."
        )
        show_error(self.error, message)

    def _finished(self) -> None:
        self.job = None
        self._update()
        if self.close_when_done:
            super().reject()

    def cancel(self) -> None:
        if self.job is not None and not self._cancel_asked:
            self._cancel_asked = True
            self.job.cancel()
            self.summary.setText("Cancelling…")
            self._update()

    def _stop(self) -> None:
        """Abandon a dry run (the files changed): its answer is ignored."""
        if self.job is not None:
            self.job.cancel()
            signals = self.job.signals
            for signal in (signals.progressed, signals.succeeded, signals.failed, signals.finished):
                signal.disconnect()
            self.job = None

    def reject(self) -> None:
        """Closing while an import runs cancels it and closes once the rollback is done; a dry run is dropped."""
        if self.job is not None and self.check is not None:
            self.close_when_done = True
            self.cancel()
            return
        self._stop()
        super().reject()

    # State --------------------------------------------------------------------------------------------------

    def _can_import(self) -> bool:
        check = self.check
        if check is None or self.running or self.import_result is not None:
            return False
        typed = self.typed_addresses()
        if [address.lower() for address in typed] != check.me:
            return False  # checked with other addresses: Check again first
        return (bool(typed) and self.confirmed.isChecked()) or (not typed and self.source.calendar)

    def _update(self) -> None:
        check, running = self.check, self.running
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running and not self._cancel_asked)
        self.left_out.setVisible(check is not None and self.import_result is None)
        self.owner.setVisible(check is not None and self.import_result is None)
        self.add_people.setVisible(check is not None and check.people > 0 and self.import_result is None)
        editable = check is not None and not running and self.import_result is None
        for widget in (self.me_edit, self.add_people):
            widget.setEnabled(editable)
        typed = self.typed_addresses()
        changed = check is not None and [address.lower() for address in typed] != check.me
        if changed and self.confirmed.isChecked():
            self.confirmed.setChecked(False)  # confirmed were the addresses checked, not these
        self.confirmed.setVisible(bool(typed))
        self.confirmed.setEnabled(editable and not changed)
        self.check_again.setEnabled(editable and changed)
        for button in self.file_buttons:
            button.setEnabled(not running)
        self.check_button.setEnabled(not running and bool(self.source.paths) and self.source.problem() is None)
        self.import_button.setEnabled(self._can_import())
        self.import_button.setVisible(self.import_result is None)
