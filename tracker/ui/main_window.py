"""The main window: assembles the four tabs and the menus; holds no data logic of its own."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget

from tracker.core.store import Store

TAB_TITLES = ("Dashboard", "Contacts", "Follow-ups", "Interactions")
_MEANWHILE = {
    "Dashboard": "tracker levels",
    "Contacts": "tracker contacts",
    "Follow-ups": "tracker followups",
    "Interactions": "tracker interactions",
}


class MainWindow(QMainWindow):
    """Tabs in a fixed order, reachable with Ctrl+1 … Ctrl+4."""

    def __init__(self, store: Store):
        super().__init__()
        self.store = store
        where = store.path.name if store.path else "in memory"
        self.setWindowTitle(f"Tracker — {where}")
        self.resize(1300, 760)
        self.tabs = QTabWidget()
        for title in TAB_TITLES:
            placeholder = QLabel(
                f"The {title} tab is not ready yet.\n\n"
                f"{store.contacts.count()} contacts in this database. Until this tab arrives, the command\n"
                f"`{_MEANWHILE[title]}` in a terminal shows the same information."
            )
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.tabs.addTab(placeholder, title)
        self.setCentralWidget(self.tabs)
        for index in range(len(TAB_TITLES)):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
            shortcut.activated.connect(lambda i=index: self.tabs.setCurrentIndex(i))
