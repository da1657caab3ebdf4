"""Showing text from the user's data (names, notes, reasons, file names): always as written, never as rich text.
Labels for sentences (wrapped and selectable so they can be copied), tooltips and error dialogs."""

from __future__ import annotations

import html

from PySide6.QtGui import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def plain(label: QLabel) -> QLabel:
    """`label`, set to show its text as written (a QLabel guesses rich text from what it is given)."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def paragraph(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # names come from imported files: never rich text
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` as written. Qt shows a tooltip as rich text when Qt.mightBeRichText says so (an
    imported note like `<img src=…>` would load a local image): such text is escaped inside a paragraph that keeps
    its spaces and line breaks; other text is returned as it is."""
    if not text or not Qt.mightBeRichText(text):
        return text
    return f"<p style='white-space:pre-wrap'>{html.escape(text, quote=False)}</p>"


def error_box(parent: QWidget | None, message: str, icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
    """A dialog with one sentence, plain text: it may quote file names or values from imported data."""
    box = QMessageBox(icon, "Tracker", message, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box
