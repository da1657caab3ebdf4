"""The main window's menu bar: File, Edit, View, Tools and Help with their shortcuts, and Edit → Undo / Redo's keys
kept from line edits (UndoKeys). Built before the window's first paint: the shortcuts work from the start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QWidget

if TYPE_CHECKING:
    from tracker.ui.main_window import MainWindow


class UndoKeys(QObject):
    """Ctrl+Z / Ctrl+Shift+Z anywhere in the main window are Edit → Undo and Redo. A line edit or spin box with the
    focus (the search box is the Contacts tab's default) would take them for its own text undo: each widget of the
    window that gets the focus has this filter, which answers the ShortcutOverride for the actions' keys so the
    action's shortcut fires. Only while the action is enabled (with nothing to undo, text undo still works); dialogs
    are other windows and keep their own text undo."""

    def __init__(self, window: QMainWindow, actions: list[QAction]):
        super().__init__(window)
        self._window, self._actions = window, actions
        app = QApplication.instance()
        assert isinstance(app, QApplication)  # a window needs the widgets' application
        app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and new.window() is self._window:
            new.installEventFilter(self)  # once: installing again only moves it to the front

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and isinstance(watched, QWidget)  # the filter is installed on focused widgets only
            and watched.window() is self._window
        ):
            pressed = QKeySequence(event.keyCombination())
            for action in self._actions:
                if action.isEnabled() and any(
                    pressed.matches(key) == QKeySequence.SequenceMatch.ExactMatch for key in action.shortcuts()
                ):
                    event.ignore()  # not the widget's: the shortcut map gives it to the action
                    return True
        return False


def _keys(key: QKeySequence) -> list[QKeySequence]:
    """For action.setShortcuts(_keys(key)), which is action.setShortcut(key): PySide6's check of setShortcut's
    argument makes the Python enum classes of the `Qt` namespace (93 of them, ~25 ms before the window's first paint;
    time to window, issue 16), setShortcuts with a list does not. QKeySequence(StandardKey) is the platform's first
    binding of that key (none: no shortcut), which is what setShortcut(StandardKey) sets."""
    return [] if key.isEmpty() else [key]


def build_menus(window: MainWindow) -> tuple[QMenu, QAction, QAction, UndoKeys]:
    """Fill the window's menu bar; returns File → Open recent (filled by the window), Edit → Undo and Redo, and the
    filter that keeps their keys from line edits."""
    from tracker.ui.main_window import TAB_TITLES  # loaded already: the window calls this

    def add(
        menu: QMenu, text: str, slot, shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None
    ) -> QAction:
        action = QAction(text, window)
        if shortcut is not None:
            action.setShortcuts(_keys(QKeySequence(shortcut)))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    bar = window.menuBar()
    file = bar.addMenu("&File")
    add(file, "&New database…", lambda: window.choose_database(True), "Ctrl+Shift+N")
    add(file, "&Open database…", lambda: window.choose_database(False), QKeySequence.StandardKey.Open)
    add(file, "Connect to a &team database…", window.connect_team)
    recent_menu = file.addMenu("Open &recent")
    file.addSeparator()
    add(file, "&Import contacts…", lambda: window.import_file("contacts"), "Ctrl+I")
    add(file, "Import &interactions…", lambda: window.import_file("interactions"), "Ctrl+Shift+I")
    add(file, "Import &mail or calendar…", lambda: window.import_mail())
    add(file, "&Export contacts…", window.export_contacts, "Ctrl+E")
    add(file, "Export dashboard &report (PDF)…", window.export_report, "Ctrl+P")
    file.addSeparator()
    add(file, "&Backups…", window.show_backups)
    file.addSeparator()
    add(file, "&Quit", window.close, QKeySequence.StandardKey.Quit)

    edit = bar.addMenu("&Edit")
    undo_action = window.undo.stack.createUndoAction(window, "&Undo")
    undo_action.setShortcuts(_keys(QKeySequence(QKeySequence.StandardKey.Undo)))
    redo_action = window.undo.stack.createRedoAction(window, "&Redo")
    # Ctrl+Shift+Z everywhere (the platform's list may start with Ctrl+Y), and the platform's keys after it
    redo_keys = [QKeySequence("Ctrl+Shift+Z")]
    redo_keys += [k for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo) if k not in redo_keys]
    redo_action.setShortcuts(redo_keys)
    edit.addActions([undo_action, redo_action])
    undo_keys = UndoKeys(window, [undo_action, redo_action])
    edit.addSeparator()
    add(edit, "&New contact…", lambda: window._on_contacts(window.contacts_tab.new_contact), "Ctrl+N")
    add(edit, "&Log interaction…", window.log_interaction, "Ctrl+L")
    add(
        edit,
        "&Schedule follow-up…",
        lambda: window._on_contacts(window.contacts_tab.schedule_follow_up),
        "Ctrl+Shift+F",
    )
    add(edit, "&Tag selected contacts…", lambda: window._on_contacts(window.contacts_tab.tag_selected), "Ctrl+T")
    add(edit, "&Delete selected", window.delete_selected, QKeySequence.StandardKey.Delete)
    edit.addSeparator()
    add(edit, "Import &history…", window.show_import_history, "Ctrl+H")
    edit.addSeparator()
    add(edit, "&Find", window.focus_search, QKeySequence.StandardKey.Find)

    view = bar.addMenu("&View")
    for index, title in enumerate(TAB_TITLES):
        add(view, title, lambda _=False, i=index: window.show_tab(i), f"Ctrl+{index + 1}")
    view.addSeparator()
    add(view, "&Reload", window._reload_everything, QKeySequence.StandardKey.Refresh)

    tools = bar.addMenu("&Tools")
    add(tools, "&Engagement settings…", window.edit_settings, "Ctrl+,")
    add(tools, "How good are the &predictions?…", window.show_backtest, "Ctrl+Shift+P")
    add(tools, "Find &duplicates…", window.find_duplicates, "Ctrl+Shift+D")

    help_menu = bar.addMenu("&Help")
    add(help_menu, "&About Tracker", window.about)
    return recent_menu, undo_action, redo_action, undo_keys
