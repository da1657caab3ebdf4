"""The contact panel's details: address, dates, consent, customer number, other e-mails and phones, reported orders,
then the custom columns kept from imports, as two columns of plain, selectable text in a box of fixed height (a
contact with many details scrolls inside it, so the panel below never jumps)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QScrollArea, QSizePolicy, QWidget

from tracker.core.details import detail_rows
from tracker.core.models import Contact
from tracker.ui.text import plain_tooltip

VISIBLE_LINES = 10  # the box's height in lines of text
LABEL_WIDTH = 118  # the label column's width; longer custom titles wrap


class ContactDetails(QScrollArea):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * VISIBLE_LINES + 8)
        self.rows: list[tuple[str, str]] = []  # what is shown, (label, text), custom fields after a heading
        self._body = QWidget()
        self._grid = QFormLayout(self._body)  # (a form: it sizes rows of wrapped text for the width they get)
        self._grid.setContentsMargins(4, 2, 4, 2)
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(3)
        self._grid.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._grid.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.setWidget(self._body)
        self.show_contact(None)

    def show_contact(self, contact: Contact | None) -> None:
        """List `contact`'s details (None: nothing)."""
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.setParent(None)  # gone from the box now, not when the event loop gets to it
                widget.deleteLater()
        self.rows = []
        self.verticalScrollBar().setValue(0)
        if contact is None:
            return
        details = detail_rows(contact)
        custom = list(contact.fields.items())
        for label, text in details:
            self._add(label, text)
        if custom:
            self._add_heading("From imported files" if details else "Kept from imported files")
            for title, value in custom:
                self._add(title, value)
        if not details and not custom:
            self._add_heading("No other details. Edit all details… adds an address, a birthday, consent…")

    def text(self) -> str:
        """Everything listed, a line per row ('Label: text'), as a test or a screen reader reads it."""
        return "\n".join(f"{label}: {text}" if label else text for label, text in self.rows)

    def _add(self, label: str, text: str) -> None:
        name = _label(label, muted=True)
        name.setFixedWidth(LABEL_WIDTH)
        value = _label(text)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # wraps, never widens…
        policy.setHeightForWidth(True)  # … and is as tall as its lines (setWordWrap's flag, kept)
        value.setSizePolicy(policy)
        self._grid.addRow(name, value)
        self.rows.append((label, text))

    def _add_heading(self, text: str) -> None:
        heading = _label(text, muted=True)
        heading.setStyleSheet("color: palette(placeholder-text); padding-top: 4px;")
        self._grid.addRow(heading)
        self.rows.append(("", text))


def _label(text: str, *, muted: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # values come from imported files: never rich text
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setToolTip(plain_tooltip(text) if len(text) > 40 else "")
    if muted:
        label.setStyleSheet("color: palette(placeholder-text);")
    return label
