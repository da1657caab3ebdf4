"""The Contacts tab: instant search and filters over every contact, the detail panel, new/delete/tag with undo."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from tracker.core import operations, search
from tracker.core.levels import Level
from tracker.core.models import Changes
from tracker.core.operations import OpResult
from tracker.core.store import Store
from tracker.ui import clock, contacts_load
from tracker.ui.commands import Undoable
from tracker.ui.contact_panel import ContactPanel
from tracker.ui.contacts_load import Loaded, PreparedListing, prepare_listing
from tracker.ui.contacts_model import LEVEL_COLUMN, ContactsModel
from tracker.ui.dialogs import ContactDialog, FollowUpDialog, log_with_undo
from tracker.ui.jobs import Refresher, release_memory_in_background
from tracker.ui.palette import level_colour
from tracker.ui.tables import Index, data_table, selected_rows


class LevelBadgeDelegate(QStyledItemDelegate):
    """Paints the level as a coloured pill, so warm customers stand out while scrolling."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        level = index.data(Qt.ItemDataRole.UserRole)
        if not isinstance(level, Level):
            return super().paint(painter, option, index)
        self.initStyleOption(option, index)
        option.widget.style().drawPrimitive(
            option.widget.style().PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = level.label
        metrics = option.fontMetrics
        width = metrics.horizontalAdvance(text) + 14
        rect = QRect(option.rect.left() + 4, option.rect.center().y() - 9, width, 18)
        painter.setBrush(level_colour(level))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(rect, 9, 9)
        painter.setPen(QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
        return None


#: From this many contacts the list loads in phases (rows, then the search index, then the levels); below it, in
#: one go, so a small list never shows blank levels.
PHASED_FROM = 5_000


def load_contacts(store: Store, emit: Callable[[object], None]) -> Loaded:
    """Runs on the loading worker (tracker.ui.contacts_load.load, phased from PHASED_FROM contacts)."""
    return contacts_load.load(store, clock.today(), emit, PHASED_FROM)


class ContactsTab(QWidget):
    loaded = Signal(int)

    def __init__(self, store: Store, undo: Undoable, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.undo = undo
        self.model = ContactsModel(self)
        self.model.rows_loader = lambda ids: store.engagement.contact_rows(
            clock.today(), store.settings(), contact_ids=ids
        )
        self._selected_before: list[int] | None = None  # kept over a phased load, which resets the list early
        self.refresher = Refresher(store, load_contacts, self._loaded, undo.report, self, partial=self._part)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name, e-mail, company, phone, tag or notes…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.level = QComboBox()
        self.level.addItem("All levels", None)
        for level in Level:
            self.level.addItem(level.label, level)
        self.level.currentIndexChanged.connect(self._filter)
        self.tag = QComboBox()
        self.tag.addItem("All tags", None)
        self.tag.currentIndexChanged.connect(self._filter)
        self.count = QLabel("Loading contacts…")
        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        bar.addWidget(self.level)
        bar.addWidget(self.tag)
        bar.addWidget(self.count)

        self.table = data_table(self.model, (165, 130, 205, 125, 100, 50, 110, 105))
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setItemDelegateForColumn(LEVEL_COLUMN, LevelBadgeDelegate(self.table))
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.panel = ContactPanel(store)
        self.panel.saved.connect(self.save_contact)
        self.panel.edit_requested.connect(self.edit_contact)
        self.panel.log_requested.connect(self.log_interaction)
        self.panel.follow_up_requested.connect(self.schedule_follow_up)

        self.splitter = QSplitter()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(bar)
        left_layout.addWidget(self.table)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)
        QTimer.singleShot(0, self, self._prepare_badges)

    def _prepare_badges(self) -> None:
        """Have PySide6 make the Python types of the view's style (QStyle's enum classes, ~23 ms) now, in a turn of
        the event loop of its own while the list loads: the level badges' first paint asks for them, which was when
        the levels arrived at the end of a load, in the same stall as their first paint (issue 16)."""
        self.table.style()

    # Loading -----------------------------------------------------------------------------------------

    @staticmethod
    def wants(changes: Changes) -> bool:
        """Whether the list shows what changed: contacts, their levels (interactions, kinds, settings) and their
        next follow-up."""
        return changes.contacts or changes.interactions or changes.follow_ups or changes.kinds or changes.settings

    def reload(self) -> None:
        """Classify every contact off the GUI thread and show the result (see Refresher)."""
        self.refresher.request()

    def shut_down(self) -> None:
        """The window is closing: results still on their way must not touch a database about to close."""
        self.refresher.closed = True

    def _part(self, part: object) -> None:
        """A phase of a long load has come: the rows (shown at once), then the search index."""
        if isinstance(part, PreparedListing):
            self._selected_before = self.selected_ids()
            self.model.set_listing(part)
        elif isinstance(part, search.StoredIndex):
            self.model.set_index(part)
        self._update_count()

    def _loaded(self, result: Loaded) -> None:
        selected = self.selected_ids() if self._selected_before is None else self._selected_before
        self._selected_before = None
        if result.listing is not None:
            self.model.set_listing(result.listing, result.engagement, result.index)
        else:
            self.model.set_engagement(result.engagement, result.due)
        self._refresh_tags(result.tags)
        self._update_count()
        self.select_ids(selected)
        release_memory_in_background()
        self.loaded.emit(self.model.total())

    def refresh_contacts(self, ids: list[int]) -> None:
        """Re-read a few contacts after an edit (cheaper than reclassifying everybody)."""
        store = self.store
        self.model.update(
            prepare_listing(store.engagement.listing(ids)),
            store.engagement.engagement_columns(clock.today(), store.settings(), ids),
            search.index_stored(store, ids),  # with their interaction notes, to search
        )
        self._update_count()
        self.select_ids(ids[:1])

    def _refresh_tags(self, tags: list[str] | None = None) -> None:
        current = self.tag.currentData()
        self.tag.blockSignals(True)
        self.tag.clear()
        self.tag.addItem("All tags", None)
        for tag in self.store.contacts.all_tags() if tags is None else tags:
            self.tag.addItem(tag, tag)
        self.tag.setCurrentIndex(max(0, self.tag.findData(current)))
        self.tag.blockSignals(False)

    def _filter(self, *_: object) -> None:
        self.model.set_filter(self.search.text(), self.level.currentData(), self.tag.currentData())
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total()
        if self.model.searching:
            self.count.setText(f"Searching {total:,} contacts…")
            return
        self.count.setText(f"{shown:,} of {total:,} contacts" if shown != total else f"{total:,} contacts")

    # Selection -----------------------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        ids = []
        for r in selected_rows(self.table):
            ids.append(self.model.id_at(r))
        return ids

    def select_ids(self, ids: list[int]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        for contact_id in ids:
            row = self.model.row_of(contact_id)
            if row is not None:
                flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
                selection.select(self.model.index(row, 0), flags)
                self.table.scrollTo(self.model.index(row, 0))

    def _selection_changed(self, *_: object) -> None:
        ids = self.selected_ids()
        self.panel.show_contact(ids[0] if len(ids) == 1 else None)

    # Actions (all undoable: the core's operations, see Undoable.do) -------------------------------------------

    def new_contact(self) -> None:
        values = ContactDialog.ask(self)
        if values is not None:
            self.undo.do(
                self.store,
                lambda store: operations.contacts.add(store, **values),
                done=lambda result: self.refresh_contacts(list(result.ids)),
            )

    def edit_contact(self, contact_id: int) -> None:
        """Every field of one contact in the dialog (address, dates, consent…); Save is one undoable edit."""
        result = ContactDialog.edit(self, self.store, self.store.contacts.get(contact_id))
        if result is not None:
            self.undo.push(self.store, result)
            self.refresh_contacts([contact_id])

    def save_contact(self, contact_id: int, values: dict) -> None:
        self.undo.do(
            self.store,
            lambda store: operations.contacts.edit(store, contact_id, **values),
            done=lambda _: self.refresh_contacts([contact_id]),
        )

    @property
    def busy_widgets(self) -> tuple[QWidget, ...]:
        """What a write of many contacts disables until its result comes back."""
        return (self.table, self.panel)

    def delete_selected(self) -> None:
        """Delete the selected contacts (many: on a worker, after a backup; one: at once)."""
        ids = self.selected_ids()
        if not ids or not self.table.isEnabled():
            return

        def done(_result: OpResult) -> None:
            self.model.remove_ids(ids)
            self._update_count()

        self.undo.do(
            self.store,
            lambda store: operations.contacts.delete(store, ids),
            background=len(ids) > 1,
            busy=self.busy_widgets,
            done=done,
        )

    def tag_selected(self) -> None:
        """Add tags to the selected contacts (many: on a worker; one: at once)."""
        ids = self.selected_ids()
        if not ids or not self.table.isEnabled():
            return
        text, ok = QInputDialog.getText(self, "Tag contacts", f"Add tags to {len(ids)} contact(s):")
        if not ok or not text.strip():
            return

        def done(_result: OpResult) -> None:
            self.refresh_contacts(ids)
            self._refresh_tags()

        self.undo.do(
            self.store,
            lambda store: operations.contacts.tag(store, ids, text),
            background=len(ids) > 1,
            busy=self.busy_widgets,
            done=done,
        )

    def log_interaction(self, contact_id: int | None = None) -> None:
        contact_id = contact_id if contact_id is not None else next(iter(self.selected_ids()), None)
        if contact_id is None:
            return
        if log_with_undo(self, self.store, self.undo, self.store.contacts.get(contact_id)):
            self.refresh_contacts([contact_id])

    def schedule_follow_up(self, contact_id: int | None = None) -> None:
        contact_id = contact_id if contact_id is not None else next(iter(self.selected_ids()), None)
        if contact_id is None:
            return
        answer = FollowUpDialog.ask(self, self.store.contacts.get(contact_id).name)
        if answer is not None:
            due, reason = answer
            self.undo.do(
                self.store,
                lambda store: operations.follow_ups.schedule(store, contact_id, due, reason),
                done=lambda _: self.refresh_contacts([contact_id]),
            )
