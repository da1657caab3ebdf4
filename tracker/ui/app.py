"""Starting the desktop app: the QApplication, the main window, and a clear dialog if the database cannot open."""

from __future__ import annotations

import sys
from pathlib import Path


def run_app(db_path: Path) -> int:
    """Open the main window on `db_path` and run until it closes; returns the exit code."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from tracker.core.errors import TrackerError
    from tracker.core.store import Store
    from tracker.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Tracker")
    app.setOrganizationName("Tracker")
    try:
        store = Store.open(db_path)
    except TrackerError as exc:
        QMessageBox.critical(None, "Tracker", str(exc))
        return 2
    window = MainWindow(store)
    window.show()
    code = app.exec()
    store.close()
    return code
