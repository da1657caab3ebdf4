"""The main window: assembles the tabs, menus and status bar, and passes changes on; no data logic of its own (what
it does with files brought to it is tracker.ui.window_files)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QThreadPool, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabWidget

from tracker import __version__
from tracker.core.errors import TrackerError
from tracker.core.models import Changes
from tracker.core.paths import as_target
from tracker.core.store import Store
from tracker.ui import resources
from tracker.ui.commands import Undoable
from tracker.ui.jobs import Refresher, job_for, run_in_background, start
from tracker.ui.lazy_tab import LazyTab
from tracker.ui.menus import build_menus
from tracker.ui.text import error_box, plain
from tracker.ui.window_files import FilesWindow

if TYPE_CHECKING:
    from datetime import datetime

    from PySide6.QtGui import QCloseEvent

    from tracker.ui.empty_state import EmptyState

# Time to window (issue 16): nothing the window does before its first paint touches PySide6's `Qt` namespace, whose
# first use makes its 93 Python enum classes (~25 ms); QMessageBox, html and the welcome page load when first used.

TAB_TITLES = ("Dashboard", "Contacts", "Follow-ups", "Interactions")
DASHBOARD_TAB, CONTACTS_TAB, FOLLOW_UPS_TAB, INTERACTIONS_TAB = range(4)
MAX_RECENT = 8
#: What a reload of everything (View → Reload, another process's commit, a newly opened file) covers.
EVERYTHING = Changes(contacts=True, interactions=True, follow_ups=True, kinds=True, settings=True)
#: How often the window looks for commits by other processes (the CLI beside it, a second window).
WATCH_INTERVAL_MS = 1000


def _import_tabs() -> None:
    """Load the Interactions and Follow-ups tabs' modules on a pool thread (see _build_while_loading)."""
    import tracker.ui.followups_tab
    import tracker.ui.interactions_tab  # noqa: F401


def _import_charts() -> None:
    """Load matplotlib and the dashboard module on a worker thread, so building the tab after is quick."""
    import tracker.ui.dashboard_tab  # noqa: F401


class MainWindow(FilesWindow):
    """Tabs in a fixed order (Ctrl+1 … Ctrl+4), menus with the usual shortcuts, an empty state for new files."""

    def __init__(self, store: Store, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings or QSettings()
        self.setAcceptDrops(True)
        if resources.ICON.is_file():
            self.setWindowIcon(QIcon(str(resources.ICON)))
        self.undo = Undoable(self.on_changes, self.show_error)
        self._reload_timer = QTimer(self, singleShot=True)
        self._reload_timer.timeout.connect(self._reload_pending)
        self._pending = Changes()  # what changed since the tabs last reloaded
        self._data_version: int | None = None
        self._backups_seen: tuple[tuple, datetime | None] | None = None  # see _newest_backup
        self._watch_timer = QTimer(self, interval=WATCH_INTERVAL_MS)
        self._watch_timer.timeout.connect(self._watch_other_processes)
        self._watch_timer.start()
        self.stack = QStackedWidget()
        self.stack.installEventFilter(self)
        self.setCentralWidget(self.stack)
        self.recent_menu, self.undo_action, self.redo_action, self.undo_keys = build_menus(self)
        self.status = plain(QLabel())  # the undo text quotes names from the data
        self.statusBar().addPermanentWidget(self.status)
        self.undo.stack.indexChanged.connect(self._update_status)
        self.store: Store = store  # set_store closes the previous store: none yet
        self.set_store(store)
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1300, 760)

    # Database ----------------------------------------------------------------------------------------

    def set_store(self, store: Store) -> None:
        """Show `store` (closing the previous one): new tabs, a clean undo history, the title updated."""
        old = self.store
        self.store = store
        self.undo.stack.clear()
        while self.stack.count():
            widget = self.stack.widget(0)
            assert widget is not None  # count() > 0
            self.stack.removeWidget(widget)
            widget.deleteLater()
        self._follow_ups = None  # the new tabs' shared follow-up list, made when the first of them is built
        self._empty: EmptyState | None = None  # the welcome page, made when a file without contacts is shown
        self.tabs = QTabWidget()
        # Only the tab on screen is built before the first paint; the others (and their modules) right after.
        self.dashboard_tab = LazyTab(self._make_dashboard, "Drawing the dashboard…", prepare=_import_charts)
        self._contacts = LazyTab(self._make_contacts)
        self._followups = LazyTab(self._make_followups)
        self._interactions = LazyTab(self._make_interactions)
        self.tabs.addTab(self.dashboard_tab, "Dashboard")
        self.tabs.addTab(self._contacts, "Contacts")
        self.tabs.addTab(self._followups, "Follow-ups")
        self.tabs.addTab(self._interactions, "Interactions")
        self.stack.addWidget(self.tabs)
        where = self.where()
        name = store.path.name if store.path else where[:1].upper() + where[1:] if store.url else "Untitled"
        self.setWindowTitle(f"{name} — Tracker")
        self.setWindowFilePath(where if store.path else "")
        if store.path or store.url:  # a team database's address holds no password (libpq's places keep it)
            self.settings.setValue("database/last", str(store.path or store.url))
            self._remember_recent(store.path or str(store.url))
        if old is not None and old is not store:
            old.close()
        self._show_right_page()
        self._first_paint_seen = False
        self._checked_once = False
        self._data_version = None
        if self.isVisible():
            self._reload_soon(EVERYTHING, 0)

    @property
    def empty(self) -> EmptyState:
        """The welcome page of a file without contacts (import a file, try the demo data), made on first use."""
        if self._empty is None:
            from tracker.ui.empty_state import EmptyState

            self._empty = EmptyState(resources.demo_available())
            self._empty.import_requested.connect(lambda: self.import_file(None))
            self._empty.demo_requested.connect(self.load_demo)
            self.stack.addWidget(self._empty)
        return self._empty

    # Tabs, built on first use ----------------------------------------------------------------------------

    @property
    def contacts_tab(self):
        return self._contacts.build()

    @property
    def followups_tab(self):
        return self._followups.build()

    @property
    def interactions_tab(self):
        return self._interactions.build()

    @property
    def follow_ups(self):
        """The follow-up list the Follow-ups tab and the Dashboard share (worked out once per state of the data)."""
        if self._follow_ups is None:
            from tracker.ui.follow_up_list import FollowUpList

            self._follow_ups = FollowUpList(self.store, self.undo.report, self.tabs)  # deleted with the tabs
        return self._follow_ups

    def _make_contacts(self):
        from tracker.ui.contacts_tab import ContactsTab

        tab = ContactsTab(self.store, self.undo)
        splitter = self.settings.value("contacts/splitter")
        if isinstance(splitter, QByteArray):
            tab.splitter.restoreState(splitter)
        tab.loaded.connect(lambda _: self._update_status())
        return tab

    def _make_followups(self):
        from tracker.ui.followups_tab import FollowUpsTab

        tab = FollowUpsTab(self.store, self.undo, follow_ups=self.follow_ups)
        tab.count_changed.connect(
            lambda n: self.tabs.setTabText(FOLLOW_UPS_TAB, f"Follow-ups ({n})" if n else "Follow-ups")
        )
        tab.open_contact.connect(self.show_contact)
        return tab

    def _make_interactions(self):
        from tracker.ui.interactions_tab import InteractionsTab

        return InteractionsTab(self.store, self.undo)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The first paint of the window's content starts the first data load (the window is on screen)."""
        if event.type() == QEvent.Type.Paint and not self._first_paint_seen:
            self._first_paint_seen = True
            self._reload_soon(EVERYTHING, 0)
        return super().eventFilter(watched, event)

    def _make_dashboard(self):
        from tracker.ui.dashboard_tab import DashboardTab  # matplotlib loads here, not at start-up

        tab = DashboardTab(self.store, self.undo, follow_ups=self.follow_ups)
        tab.backtest_requested.connect(self.show_backtest)
        return tab

    def _show_right_page(self) -> None:
        empty = self.store.contacts.is_empty()
        self.stack.setCurrentWidget(self.empty if empty else self.tabs)

    def choose_database(self, create: bool) -> None:
        from PySide6.QtWidgets import QFileDialog  # its enums are made on first use, after the first paint

        title = "New database" if create else "Open database"
        ask = QFileDialog.getSaveFileName if create else QFileDialog.getOpenFileName
        path, _ = ask(self, title, str(Path.home()), "Tracker databases (*.db);;All files (*)")
        if path:
            self.open_database(Path(path))

    def where(self) -> str:
        """The open database as the title, status bar and About name it: its file, or the team database."""
        return str(self.store.path) if self.store.path else self.store.describe()

    def connect_team(self) -> None:
        """File → Connect to a team database…: its address, then opened as a file is."""
        from tracker.ui.team_connect import ask_address

        address = ask_address(self, self.recent_paths(), self.show_error)
        if address is not None:
            self.open_database(address)

    def open_database(self, path: Path | str) -> bool:
        try:
            store = Store.open(path, verify=False)  # checked on a worker once shown
        except TrackerError as exc:
            self.show_error(str(exc))
            return False
        self.set_store(store)
        return True

    def _remember_recent(self, path: Path | str) -> None:
        recent = [p for p in self.recent_paths() if p != str(path)]
        self.settings.setValue("database/recent", [str(path), *recent][:MAX_RECENT])
        self._fill_recent_menu()

    def recent_paths(self) -> list[str]:
        value = self.settings.value("database/recent") or []
        return [value] if isinstance(value, str) else list(value)

    # Menus ----------------------------------------------------------------------------------------------

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_paths():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.open_database(as_target(p)))
        self.recent_menu.setEnabled(bool(self.recent_paths()))

    # Commands -------------------------------------------------------------------------------------------

    def show_tab(self, index: int) -> None:
        self.stack.setCurrentWidget(self.tabs)
        self.tabs.setCurrentIndex(index)

    def _on_contacts(self, action) -> None:
        self.show_tab(CONTACTS_TAB)
        action()

    def show_contact(self, contact_id: int) -> None:
        """Open a contact in the Contacts tab (clearing filters that would hide it)."""
        self.show_tab(CONTACTS_TAB)
        tab = self.contacts_tab
        if tab.model.row_of(contact_id) is None:
            tab.search.clear()
            tab.level.setCurrentIndex(0)
            tab.tag.setCurrentIndex(0)
        tab.select_ids([contact_id])

    def show_backtest(self) -> None:
        """The purchase outlook's backtest: refit up to a cut-off, compare with what happened."""
        from tracker.ui.backtest_dialog import BacktestDialog

        self.backtest_dialog = BacktestDialog(self.store, self)
        self.backtest_dialog.exec()

    def find_duplicates(self) -> None:
        """Tools → Find duplicates…: pairs that look like one person, side by side, merged on the undo stack."""
        from tracker.ui.duplicates_dialog import DuplicatesDialog

        self.duplicates_dialog = DuplicatesDialog(self.store, self.undo, self)
        self.duplicates_dialog.open()

    def show_backups(self) -> None:
        from tracker.ui.backups_dialog import BackupsDialog

        if self.store.backups is None:
            self.show_error("An in-memory database has no backups.")
            return
        dialog = BackupsDialog(self.store, self)
        dialog.exec()
        if dialog.changes != Changes():
            self.undo.stack.clear()  # the undo history described the database before the restore
            self.on_changes(dialog.changes)
        self._update_status()

    def show_import_history(self) -> None:
        """Edit → Import history…: past imports, and undoing one (the window refreshes what it removed)."""
        from tracker.ui.import_history import ImportHistoryDialog

        dialog = ImportHistoryDialog(self.store, self, report=lambda message: self.show_error(message))
        dialog.changed.connect(self.on_changes)
        self.import_history_dialog = dialog
        dialog.open()

    def _check_and_back_up(self) -> None:
        """Once per opened file, after the window shows: quick_check and the daily backup, on a worker. Until it
        answers, the first write checks for itself; once it has found damage, every write is refused."""

        def work(store: Store, **_):
            problem = store.check_integrity()
            return problem, (store.daily_backup() if problem is None and not store.read_only else None)

        job = job_for(self.store, work)
        job.signals.succeeded.connect(self._checked)
        job.signals.failed.connect(self.show_error)
        self._check_job = start(job)

    def _checked(self, result) -> None:
        problem, _ = result
        self._update_status()
        if problem is not None and self.store.damaged:
            from tracker.core.store.integrity import first_finding

            good = self.store.backups.newest_good() if self.store.backups else None
            offer = (
                f" The newest good backup is from {good.created:%Y-%m-%d %H:%M}: File → Backups… restores it into "
                "a new file beside this one."
                if good
                else ""
            )
            self.show_error(
                f"This database is damaged ({first_finding(problem)}), so Tracker only reads it: you can look "
                f"and export, but nothing will be saved into it.{offer}"
            )

    def _watch_other_processes(self) -> None:
        """Another process (the CLI, a second window) committed to the file: refresh what shows it. Polled on
        the GUI thread: PRAGMA data_version reads shared memory, no disk, a few microseconds."""
        try:
            version = self.store.data_version()
        except sqlite3.Error:  # a file that went away is reported by the next real read or write
            return
        if self._data_version is not None and version != self._data_version:
            self.on_changes(EVERYTHING)
        self._data_version = version

    def edit_settings(self) -> None:
        from tracker.ui.settings_dialog import SettingsDialog

        result = SettingsDialog.edit(self.store, self)
        if result is not None:
            self.undo.push(self.store, result)  # Edit → Undo takes the whole save back

    def focus_search(self) -> None:  # Edit → Find (`find` would hide QWidget.find())
        self.show_tab(CONTACTS_TAB)
        self.contacts_tab.search.setFocus()
        self.contacts_tab.search.selectAll()

    def log_interaction(self) -> None:
        if self.tabs.currentIndex() == INTERACTIONS_TAB:
            self.interactions_tab.add()
        else:
            self._on_contacts(self.contacts_tab.log_interaction)

    def export_report(self) -> None:
        self.show_tab(DASHBOARD_TAB)
        from tracker.ui.dashboard_tab import DashboardTab  # loaded already: build() made the tab

        dashboard = self.dashboard_tab.build()
        assert isinstance(dashboard, DashboardTab)
        dashboard.export_report()

    def delete_selected(self) -> None:
        if self.tabs.currentIndex() == INTERACTIONS_TAB:
            self.interactions_tab.delete_selected()
        elif self.tabs.currentIndex() == CONTACTS_TAB:
            self.contacts_tab.delete_selected()

    def export_contacts(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        try:  # asked before where to save: on a team database it is the owner's work
            self.store.require_owner("Exporting contacts")
        except TrackerError as exc:
            self.show_error(str(exc))
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export contacts", str(Path.home() / "contacts.csv"), "CSV for Excel (*.csv)"
        )
        if not path:
            return
        from tracker.ui import clock
        from tracker.ui.contacts_export import export_in_background

        export_in_background(  # on a worker with a progress dialog: 100k contacts take seconds
            self,
            self.store,
            self.contacts_tab.model.visible_ids(),
            path,
            clock.today(),
            exported=lambda count: self.statusBar().showMessage(f"Exported {count:,} contacts to {path}", 8000),
            failed=lambda message: self.show_error(message),
            cancelled=lambda: self.statusBar().showMessage("Export cancelled; no file was written.", 8000),
        )

    def about(self) -> None:
        import html

        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self,
            "About Tracker",
            f"<b>Tracker {__version__}</b><p>Your customers, what they did, and whom to contact next."
            f"<p>Database: {html.escape(self.where())}<br>"
            + ("Shared with your team on its server." if self.store.url else "Nothing leaves this computer."),
        )

    # Changes ----------------------------------------------------------------------------------------------

    def on_changes(self, changes: Changes) -> None:
        """Something was written: reload the tabs that show it (debounced, classification runs off the GUI
        thread); a Changes() with nothing set reloads nothing."""
        if any(changes.astuple()):
            self._reload_soon(changes, 150)
        self._update_status()

    def _reload_soon(self, changes: Changes, delay_ms: int) -> None:
        self._pending = self._pending | changes
        self._reload_timer.start(delay_ms)

    def _reload_everything(self) -> None:
        """View → Reload."""
        self._pending = EVERYTHING
        self._reload_pending()

    def _reload_pending(self) -> None:
        """Reload each tab that `wants` what changed since the last reload."""
        self._reload_timer.stop()
        changes, self._pending = self._pending, Changes()
        if changes.contacts:
            self._show_right_page()
        if not self._checked_once:
            from tracker.ui import clock, contacts_load  # loaded with the Contacts tab anyway

            contacts_load.read_ahead(self.store, clock.today())  # a long list's helper starts before the tab is made
        contacts = self.contacts_tab
        if not self._checked_once:
            # The first load: the contacts list alone first (the other tabs and the file check compete for the
            # GIL and the disk), the rest once it has loaded.
            self._checked_once = True
            if contacts.wants(changes):
                from PySide6.QtCore import Qt  # after the first paint (see the top of this module)

                once = Qt.ConnectionType.SingleShotConnection
                contacts.loaded.connect(lambda _: self._after_first_load(changes), once)
                contacts.reload()
                self._build_while_loading()
                return
            self._after_first_load(changes)
            return
        tabs = [contacts, self.interactions_tab, self.followups_tab]  # built here on the first reload
        if self.dashboard_tab.widget is not None:  # built once it is first shown, and loads then
            tabs.append(self.dashboard_tab.widget)
        for tab in tabs:
            if tab.wants(changes):
                tab.reload()
        self.statusBar().clearMessage()

    def _after_first_load(self, changes: Changes) -> None:
        """The first load's other tabs (the dashboard loads itself when it is first shown)."""
        if self.store.path is not None:
            self._check_and_back_up()
        for tab in (self.interactions_tab, self.followups_tab):
            if tab.wants(changes):
                tab.reload()

    def _build_while_loading(self) -> None:
        """Build the Interactions and Follow-ups tabs and list the backups for the status bar while the contacts
        load (the GUI thread waits for the worker then), each in a turn of the event loop of its own: done when the
        list had loaded, they were one stall of ~50 ms with the list's first levels to paint (issue 16). Their modules
        are imported on a pool thread first: imports are Python that lets the GUI thread have the GIL every switch
        interval, where on the GUI thread they were ~20 ms of each tab's turn."""
        tabs = self.tabs  # another file opened meanwhile builds its own
        steps = [lambda: self.interactions_tab, lambda: self.followups_tab, self._newest_backup]

        def next_tab() -> None:
            if self.tabs is tabs and steps and not self.store.closed:  # a closed window's turn comes to nothing
                steps.pop(0)()
                QTimer.singleShot(0, self, next_tab)

        def imported() -> None:
            if shiboken6.isValid(self):
                next_tab()

        self._importing_tabs = run_in_background(_import_tabs, imported)

    def _update_status(self, *_: object) -> None:
        if not shiboken6.isValid(self.undo.stack):  # its destructor clears it, which signals: the window is going
            return
        built = getattr(self, "_contacts", None) is not None and self._contacts.widget is not None
        # the count once the Contacts tab has loaded them (counting on the GUI thread stalled it at 100k)
        total = self.contacts_tab.model.total() if built else 0
        undo = self.undo.stack.undoText()
        welcome = self._empty is not None and self.stack.currentWidget() is self._empty
        text = (f"{total:,} contacts · " if total or welcome else "") + self.where()
        if self.store.read_only or self.store.damaged:
            text += " · read-only (damaged)" if self.store.damaged else " · read-only"
        newest = self._newest_backup()
        if newest is not None:
            text += f" · last backup {newest:%Y-%m-%d %H:%M}"
        self.status.setText(text + (f" · Undo: {undo}" if undo else ""))

    def _newest_backup(self) -> datetime | None:
        """When the newest backup of the file was taken (None: none). Listing the backups reads and describes every
        file in their folder (12-15 ms on the GUI thread, and the status is updated on every change): the answer is
        kept while the folder holds the same names (a backup is published by a rename into it, pruned by deleting:
        both change the names; backups are never rewritten in place)."""
        backups = self.store.backups
        if backups is None:
            return None
        try:
            key: tuple | None = (str(backups.folder), tuple(sorted(os.listdir(backups.folder))))
        except OSError:  # no folder yet: nothing to keep
            key = None
        if key is not None and self._backups_seen is not None and self._backups_seen[0] == key:
            return self._backups_seen[1]
        found = backups.list()
        newest = found[0].created if found else None
        self._backups_seen = None if key is None else (key, newest)
        return newest

    def show_error(self, message: str) -> None:
        """A sentence in a dialog; plain text, since it may quote file names or values from imported data."""
        error_box(self, message).exec()

    # Window events ------------------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self._reload_timer.stop()
        self._watch_timer.stop()
        for refresher in self.findChildren(Refresher):  # every tab's and panel's: results on their way are dropped
            refresher.closed = True
        QThreadPool.globalInstance().waitForDone(5000)
        self.settings.setValue("window/geometry", self.saveGeometry())
        if self._contacts.widget is not None:
            from tracker.ui.contacts_tab import ContactsTab  # loaded already: the tab is built

            contacts = self._contacts.widget
            assert isinstance(contacts, ContactsTab)
            self.settings.setValue("contacts/splitter", contacts.splitter.saveState())
        super().closeEvent(event)
