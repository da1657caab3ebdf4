"""The main window as the app opens it, for tests that drive it beside other clients."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from tracker.core.store import Store
from tracker.ui.main_window import MainWindow


@contextmanager
def open_window(
    qtbot, target: Path | str, folder: Path, monkeypatch, *, contacts: int | None = None
) -> Iterator[MainWindow]:
    """The window on `target` (a file or a team database's address), opened as the app does (verify=False), with
    its settings in `folder`, shown and active. Its error messages are collected in `window.errors` instead of
    boxes; with `contacts`, it is on the Contacts tab once the list has loaded that many. Closed, with its
    store, on leaving."""
    errors: list[str] = []
    monkeypatch.setattr(MainWindow, "show_error", lambda self, message: errors.append(message))
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(Store.open(target, verify=False), settings)
    window.errors = errors
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    if contacts is not None:
        window.show_tab(1)
        qtbot.waitUntil(lambda: window.contacts_tab.model.total() == contacts)
    try:
        yield window
    finally:
        window.close()
        window.store.close()
