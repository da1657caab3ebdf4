"""Starting the desktop app: QApplication, the main window on the right database, a dialog if it cannot open."""

from __future__ import annotations

import sys
from pathlib import Path

#: How long a thread may keep the GIL while another waits for it (Python's default: 5 ms). The GUI thread calls
#: into Python for every cell it paints and every key; behind a loading worker each call would wait that long.
SWITCH_INTERVAL_S = 0.001


def tune_interpreter() -> None:
    """Give the GUI thread the GIL sooner while workers run Python (see SWITCH_INTERVAL_S)."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def run_app(db_path: Path | str | None) -> int:
    """Open the main window on `db_path` (a file, or a team database's address; None: the last database used,
    else the default) until it closes."""
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QMessageBox

    from tracker.core.errors import TrackerError
    from tracker.core.paths import URL_SCHEMES, default_db_path
    from tracker.core.store import Store
    from tracker.ui import crash, resources
    from tracker.ui.main_window import MainWindow
    from tracker.ui.text import error_box

    tune_interpreter()
    app = QApplication.instance() or QApplication(sys.argv)
    # static: instance() is typed QCoreApplication, these are QGuiApplication's and QApplication's
    QApplication.setApplicationName("Tracker")
    QApplication.setOrganizationName("Tracker")
    QApplication.setDesktopFileName("tracker")
    if resources.ICON.is_file():
        QApplication.setWindowIcon(QIcon(str(resources.ICON)))
    settings = QSettings()
    if db_path is None:
        last = settings.value("database/last")
        if isinstance(last, str) and last.startswith(URL_SCHEMES):  # the team database used last
            db_path = last
        else:
            db_path = Path(last) if last and Path(last).is_file() else default_db_path()
    try:
        store = Store.open(db_path, verify=False)  # checked on a worker once the window shows
    except TrackerError as exc:
        from tracker.core.backups import offer_backup  # only for a file that cannot be opened

        text = str(exc) if isinstance(db_path, str) else offer_backup(db_path, str(exc))
        error_box(None, text, QMessageBox.Icon.Critical).exec()  # plain text
        return 2
    crash.install()  # from here on a bug is logged and said in one sentence; the window stays open
    window = MainWindow(store, settings)
    window.show()
    code = app.exec()
    assert window.store is not None  # MainWindow.__init__ sets it
    window.store.close()
    return code
