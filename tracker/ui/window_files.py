"""The main window's part that brings files in: File → Import… (and the welcome page's button), files dropped on the
window, opened as what they hold, and the demo data. MainWindow (tracker.ui.main_window) is one of these."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow

from tracker.core.errors import TrackerError
from tracker.core.models import Changes
from tracker.core.store import Store
from tracker.ui import resources
from tracker.ui.jobs import job_for, start

if TYPE_CHECKING:
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    from tracker.core.importing.reading import Table

#: What can be imported, by name: the import reads any file by its content, this only offers and accepts them.
IMPORTABLE = (".csv", ".txt", ".tsv", ".vcf", ".vcard", ".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".zip")
MAIL_FILES = (".mbox", ".mbx", ".eml", ".msg", ".ics")  # dropped: File → Import mail or calendar…
IMPORT_FILTER = (
    "Contacts and orders (*.csv *.txt *.tsv *.vcf *.vcard *.xlsx *.xlsm *.xlsb *.xls *.ods *.zip);;"
    "CSV and text files (*.csv *.txt *.tsv);;vCard files (*.vcf *.vcard);;"
    "Workbooks (*.xlsx *.xlsm *.xlsb *.xls *.ods);;Mailchimp exports (*.zip);;All files (*)"
)


class FilesWindow(QMainWindow):
    """Imports, drops and the demo data; the window gives the open database and says what changed."""

    store: Store

    def on_changes(self, changes: Changes) -> None:
        raise NotImplementedError  # MainWindow: reload what shows what changed

    def show_error(self, message: str) -> None:
        raise NotImplementedError  # MainWindow: a sentence in a dialog

    def import_file(self, kind: str | None, path: Path | None = None, table: Table | None = None) -> None:
        """Open the import wizard on `path` (asked for when None); `table`: the file as the wizard's preview reads
        it, when it was read already. `kind` None (the welcome page): as what the file holds (see
        `import_dropped`)."""
        if path is None:
            from PySide6.QtWidgets import QFileDialog

            chosen, _ = QFileDialog.getOpenFileName(
                self, f"Import {kind or ''}".strip(), str(Path.home()), IMPORT_FILTER
            )
            if not chosen:
                return
            path = Path(chosen)
        if kind is None:
            self.import_dropped(path)
            return
        from tracker.ui.import_wizard import ImportWizard

        wizard = ImportWizard(self.store, path, kind, self, table=table)
        wizard.imported.connect(self.on_changes)
        wizard.open()

    def import_mail(self, paths: list[Path] | None = None) -> None:
        """File → Import mail or calendar… (or such files dropped): a dry run, then one batch, undone from Edit →
        Import history… (nothing goes onto the undo stack)."""
        from tracker.ui.mail_import_dialog import MailImportDialog

        self.mail_import_dialog = MailImportDialog(self.store, paths or [], self)
        self.mail_import_dialog.imported.connect(self.on_changes)
        self.mail_import_dialog.open()

    def load_demo(self) -> None:
        """Import the demo contacts and a year of their interactions, off the GUI thread."""
        from tracker.core.demo import load_demo
        from tracker.ui import clock

        today = clock.today()

        def work(store: Store, progress, cancelled):
            return load_demo(store, resources.DEMO_CONTACTS, resources.DEMO_INTERACTIONS, today)

        self.statusBar().showMessage("Loading the demo data…")
        job = job_for(self.store, work)
        job.signals.succeeded.connect(self._demo_loaded)
        job.signals.failed.connect(self.show_error)
        self._demo_job = start(job)

    def _demo_loaded(self, loaded) -> None:
        self.on_changes(Changes(contacts=True, interactions=True))
        self.statusBar().showMessage(
            f"Demo data loaded: {loaded.contacts} customers and {loaded.interactions:,} interactions "
            "(Edit → Import history… removes it)",
            15000,
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if urls and all(u.isLocalFile() and u.toLocalFile().lower().endswith(IMPORTABLE + MAIL_FILES) for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls()]
        if len(paths) > 1 and all(path.suffix.lower() in MAIL_FILES for path in paths):
            self.import_mail(paths)  # several mailboxes or e-mails: one import
            return
        self.import_dropped(paths[0])

    def import_dropped(self, path: Path) -> None:
        """Open the wizard on a dropped (or chosen) file as what it holds: interactions for an order export or an
        activity log, else contacts (the core's `file_kind`). The file is read once, for this and for the wizard's
        preview."""
        if path.suffix.lower() in MAIL_FILES:  # a mailbox, an e-mail or a calendar: their own dialog
            self.import_mail([path])
            return
        from tracker.core.importing.file_kind import file_kind
        from tracker.ui.import_wizard import ImportWizard

        try:
            table: Table | None = ImportWizard.read_preview(path)
        except TrackerError:
            table = None  # the wizard's first page tries again and says why the file cannot be read
        kind = file_kind(table.header, table.rows) if table is not None else "contacts"
        self.import_file(kind, path, table)
