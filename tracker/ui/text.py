"""Showing text from the user's data (names, notes, reasons, file names): always as written, never as rich text.
Labels for sentences (wrapped and selectable so they can be copied), tooltips and error dialogs.

Nothing here touches PySide6's `Qt` namespace when it is imported, nor in `plain` and `centred` (used before the
window's first paint): PySide6 makes the Python enum classes of a type on its first use, all of them at once, and
for `Qt` that is 93 classes, ~25 ms of the time to window. Those two set the label's Qt property by its key name
instead, which is the same value (see tests/test_ui_plain_text.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox, QWidget


def plain(label: QLabel) -> QLabel:
    """`label`, set to show its text as written (a QLabel guesses rich text from what it is given)."""
    label.setProperty("textFormat", "PlainText")  # Qt.TextFormat.PlainText, without making Qt's enums
    return label


def centred(label: QLabel) -> QLabel:
    """`label` with its text in the middle both ways (Qt.AlignmentFlag.AlignCenter, without making Qt's enums)."""
    label.setProperty("alignment", "AlignCenter")
    return label


def paragraph(text: str = "") -> QLabel:
    from PySide6.QtCore import Qt

    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # names come from imported files: never rich text
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` as written. Qt shows a tooltip as rich text when Qt.mightBeRichText says so (an
    imported note like `<img src=…>` would load a local image): such text is escaped inside a paragraph that keeps
    its spaces and line breaks; other text is returned as it is."""
    from PySide6.QtGui import Qt  # QtGui's Qt has mightBeRichText

    if not text or not Qt.mightBeRichText(text):
        return text
    import html

    return f"<p style='white-space:pre-wrap'>{html.escape(text, quote=False)}</p>"


def error_box(parent: QWidget | None, message: str, icon: QMessageBox.Icon | None = None) -> QMessageBox:
    """A dialog with one sentence, plain text: it may quote file names or values from imported data; `icon` by
    default a warning."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(
        QMessageBox.Icon.Warning if icon is None else icon, "Tracker", message, QMessageBox.StandardButton.Ok, parent
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box
