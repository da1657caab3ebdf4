"""What a new, empty database shows: two big ways to start, importing a CSV or trying the demo data."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QWidget):
    import_requested = Signal()
    demo_requested = Signal()

    def __init__(self, demo_available: bool, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        title = QLabel("Welcome to Tracker")
        title.setStyleSheet("font-size: 22pt; font-weight: 600;")
        text = QLabel(
            "Bring in the customers you already have — a CSV, vCard or Excel file from Google Contacts, Outlook,\n"
            "your phone, Mailchimp or your shop — and Tracker shows who is engaged, who is drifting away and whom to\n"
            "call next.\n"
            "Everything stays on this computer."
        )
        text.setStyleSheet("color: #555; font-size: 11pt;")
        self.import_button = QPushButton("Import a CSV…")
        self.demo_button = QPushButton("Try the demo data")
        self.demo_button.setEnabled(demo_available)
        if not demo_available:
            self.demo_button.setToolTip("The demo files are not installed with this copy of Tracker.")
        for button in (self.import_button, self.demo_button):
            button.setMinimumSize(240, 44)
            button.setStyleSheet("font-size: 12pt;")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.import_requested)
        self.demo_button.clicked.connect(self.demo_requested)
        for widget in (title, text, self.import_button, self.demo_button):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
            layout.addSpacing(8)
        hint = QLabel("You can also drop a CSV, vCard (.vcf), Excel or LibreOffice file anywhere on this window.")
        hint.setStyleSheet("color: #888;")
        layout.addWidget(hint, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
