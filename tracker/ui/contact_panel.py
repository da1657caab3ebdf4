"""The detail panel beside the contacts table: fields to edit, the details imports bring (address, dates, consent,
custom columns…), the level with its reasons, the timeline."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tracker.core.engagement import explain
from tracker.core.errors import NotEnoughPurchases
from tracker.core.models import Contact
from tracker.core.store import Store
from tracker.core.store.purchases import PURCHASE_KIND
from tracker.ui import clock
from tracker.ui.contact_details import ContactDetails
from tracker.ui.dialogs import CONTACT_FIELDS
from tracker.ui.interactions_model import TIMELINE_COLUMNS, InteractionsModel
from tracker.ui.jobs import Refresher
from tracker.ui.order_timeline import OrderTimeline
from tracker.ui.palette import LEVEL_COLOURS
from tracker.ui.tables import data_table
from tracker.ui.text import paragraph

if TYPE_CHECKING:
    from tracker.core.outlook.forecast import Outlook  # imported when first needed: it is heavy


class ContactPanel(QWidget):
    saved = Signal(int, dict)
    edit_requested = Signal(int)
    log_requested = Signal(int)
    follow_up_requested = Signal(int)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.contact: Contact | None = None
        layout = QVBoxLayout(self)
        self.title = QLabel("Select a contact")
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # names come from imported files: never rich text
        self.title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.badge = QLabel()
        self.badge.setObjectName("levelBadge")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.badge)
        layout.addLayout(top)

        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for name, label in CONTACT_FIELDS:
            edit = QLineEdit()
            edit.textEdited.connect(self._mark_dirty)
            self.fields[name] = edit
            form.addRow(label.split(" (")[0], edit)
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(54)
        self.notes.textChanged.connect(self._notes_changed)
        form.addRow("Notes", self.notes)
        layout.addLayout(form)

        actions = QHBoxLayout()
        self.save_button = QPushButton("Save changes")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._save)
        self.log_button = QPushButton("Log interaction…")
        self.log_button.clicked.connect(lambda: self.contact and self.log_requested.emit(self.contact.id))
        self.follow_button = QPushButton("Schedule follow-up…")
        self.follow_button.clicked.connect(lambda: self.contact and self.follow_up_requested.emit(self.contact.id))
        for button in (self.save_button, self.log_button, self.follow_button):
            actions.addWidget(button)
        layout.addLayout(actions)

        # Details, the level's reasons and the outlook share one box of fixed height, a tab each, so that the
        # timeline below keeps the rest of the panel's height (mail makes it long) and nothing is squeezed.
        self.sections = QTabWidget()
        self.edit_button = QPushButton("Edit all details…")
        self.edit_button.setToolTip("Address, birthday, marketing consent, other e-mails and phones…")
        self.edit_button.clicked.connect(lambda: self.contact and self.edit_requested.emit(self.contact.id))
        self.sections.setCornerWidget(self.edit_button, Qt.Corner.TopRightCorner)
        self.details = ContactDetails()
        self.sections.addTab(self.details, "Details")
        self.reasons = paragraph()
        self.sections.addTab(_page(self.reasons), "Level")
        self.sections.setTabToolTip(1, "Why this level: what the contact did that put them there")
        self.outlook_text = paragraph()
        self.order_timeline = OrderTimeline()
        self.sections.addTab(_page(self.outlook_text, self.order_timeline), "Outlook")
        self.sections.setTabToolTip(2, "Purchase outlook: when they are likely to order again")
        self.sections.setFixedHeight(self.details.height() + self.sections.tabBar().sizeHint().height() + 8)
        layout.addWidget(self.sections)
        # the shop's latest outlook, from a worker; False: nobody has bought yet
        self.outlook: Outlook | Literal[False] | None = None
        self.outlook_refresher = Refresher(store, _latest_outlook, self._outlook_ready, self._outlook_failed, self)
        layout.addWidget(QLabel("<b>Timeline</b>"))
        self.timeline_model = InteractionsModel(TIMELINE_COLUMNS, self)
        metrics = self.fontMetrics()
        widths = (
            metrics.horizontalAdvance("2026-12-31 23:59") + 14,
            metrics.horizontalAdvance("You wrote/called") + 16,
        )
        self.timeline = data_table(self.timeline_model, widths, rows=False)
        layout.addWidget(self.timeline, 1)
        self._loading = False
        self.show_contact(None)

    def show_contact(self, contact_id: int | None) -> None:
        """Load a contact (or clear the panel for None)."""
        self._loading = True
        self.contact = self.store.contacts.get(contact_id) if contact_id is not None else None
        enabled = self.contact is not None
        for widget in (*self.fields.values(), self.notes, self.edit_button, self.log_button, self.follow_button):
            widget.setEnabled(enabled)
        if self.contact is None:
            self.title.setText("Select a contact")
            self.badge.clear()
            self.badge.setStyleSheet("")
            self.reasons.clear()
            for edit in self.fields.values():
                edit.clear()
            self.notes.clear()
            self.details.show_contact(None)
            self.timeline_model.set_items([])
            self.outlook_text.clear()
            self.order_timeline.set_orders([], None, None)
        else:
            c = self.contact
            self.title.setText(c.name or "(no name)")
            for name, edit in self.fields.items():
                value = getattr(c, name)
                edit.setText(", ".join(value) if name == "tags" else (value or ""))
            self.notes.setPlainText(c.notes)
            self.details.show_contact(c)
            explanation = explain(self.store, c, clock.today())
            level = explanation.engagement.level
            self.badge.setText(f" {level.label} · {explanation.engagement.score} ")
            self.badge.setStyleSheet(
                f"background: {LEVEL_COLOURS[level]}; color: white; border-radius: 8px; padding: 3px 8px;"
                " font-weight: 600;"
            )
            self.reasons.setText("\n".join(f"• {reason}" for reason in explanation.reasons))
            self.timeline_model.set_items(self.store.interactions.list(contact_id=c.id, limit=500))
            self._show_outlook()
            self.outlook_refresher.request()  # cheap when nothing was bought since: the fit is cached
        self.save_button.setEnabled(False)
        self._loading = False

    def _orders(self, contact_id: int) -> list[date]:
        """Every purchase day of a contact (the timeline table shows only the latest 500 interactions)."""
        purchases = self.store.interactions.list(contact_id=contact_id, kinds=[PURCHASE_KIND])
        return [date.fromisoformat(i.occurred_at[:10]) for i in purchases]

    def _show_outlook(self) -> None:
        """The selected contact's outlook in words and the order strip, from the latest outlook to hand."""
        from tracker.core.outlook.words import sentence, shown_next

        if self.contact is None:
            return
        contact_id = self.contact.id
        assert contact_id is not None  # a stored contact has its id
        orders = self._orders(contact_id)
        if self.outlook is None:
            self.outlook_text.setText("Working out the purchase outlook…" if orders else "No purchases yet.")
            self.order_timeline.set_orders(orders, clock.today() if orders else None, None)
            return
        figures = self.outlook.get(contact_id) if self.outlook else None
        if figures is None or not self.outlook:  # (no outlook: no figures)
            self.outlook_text.setText("No purchases yet: the outlook starts with their first order.")
            self.order_timeline.set_orders([], None, None)
            return
        as_of, horizon = self.outlook.as_of, self.outlook.horizon
        self.outlook_text.setText(sentence(figures, as_of, horizon))
        upcoming = figures.expected_next_purchase if shown_next(figures, as_of, horizon) else None
        self.order_timeline.set_orders(orders, as_of, upcoming)

    def _outlook_ready(self, outlook: Outlook | None) -> None:
        self.outlook = outlook or False  # False: nobody has bought yet
        self._show_outlook()

    def _outlook_failed(self, message: str) -> None:
        self.outlook_text.setText(f"The purchase outlook could not be worked out: {message}")

    def _mark_dirty(self, *_: object) -> None:
        if not self._loading and self.contact is not None:
            self.save_button.setEnabled(True)

    def _notes_changed(self) -> None:
        self._mark_dirty()

    def _save(self) -> None:
        if self.contact is None:
            return
        values = {name: edit.text() for name, edit in self.fields.items()} | {"notes": self.notes.toPlainText()}
        self.saved.emit(self.contact.id, values)


def _page(*widgets: QWidget) -> QScrollArea:
    """A tab of the panel's sections: its widgets top down, scrolling when they are taller than the box."""
    body = QWidget()
    column = QVBoxLayout(body)
    column.setContentsMargins(6, 6, 6, 6)
    for widget in widgets:
        column.addWidget(widget)
    column.addStretch(1)
    page = QScrollArea()
    page.setWidgetResizable(True)
    page.setFrameShape(QFrame.Shape.NoFrame)
    page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    page.setWidget(body)
    return page


def _latest_outlook(store: Store) -> Outlook | None:
    """Every buyer's outlook as of today (cached in the core until purchases change); None: no purchases."""
    from tracker.core.outlook.forecast import forecast

    try:
        return forecast(store, clock.today())
    except NotEnoughPurchases:
        return None
