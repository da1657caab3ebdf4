"""The window that `tracker` opens: four tabs in order, reachable with Ctrl+1 … Ctrl+4."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tracker.ui.main_window import TAB_TITLES, MainWindow


def test_tabs_in_order_and_shortcuts_switch_them(qtbot, store):
    store.contacts.add(first_name="Anna", email="anna@example.com")
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # shortcuts go to the active window
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == list(TAB_TITLES)
    assert "tracker.db" in window.windowTitle()
    for index in (3, 1, 2, 0):
        qtbot.keyClick(window.tabs, Qt.Key(Qt.Key.Key_1 + index), Qt.KeyboardModifier.ControlModifier)
        assert window.tabs.currentIndex() == index
    assert "1 contacts" in window.tabs.currentWidget().text()
