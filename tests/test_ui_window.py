"""The main window as a user meets it: empty state, tabs and shortcuts, menus, undo, settings remembered."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from tracker.core.store import Store
from tracker.ui.main_window import TAB_TITLES, MainWindow


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, store, settings):
    store.contacts.add(first_name="Anna", last_name="Berg", email="anna@example.com", company="Berg Bakery")
    store.contacts.add(first_name="Zoë", last_name="Müller", email="zoe@example.com", tags="vip")
    made = MainWindow(store, settings)
    qtbot.addWidget(made)
    made.show()
    made.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is made)  # shortcuts go to the active window
    qtbot.waitUntil(lambda: made.contacts_tab.model.total() == 2)
    return made


def test_tabs_in_order_and_shortcuts_switch_them(qtbot, window):
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == list(TAB_TITLES)
    assert window.windowTitle().startswith("tracker.db")
    for index in (3, 1, 2, 0):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + index), Qt.KeyboardModifier.ControlModifier)
        assert window.tabs.currentIndex() == index


def test_empty_database_shows_the_welcome_page(qtbot, tmp_path, settings):
    with Store.open(tmp_path / "empty.db") as empty:
        made = MainWindow(empty, settings)
        qtbot.addWidget(made)
        made.show()
        assert made.stack.currentWidget() is made.empty
        assert made.empty.import_button.text() == "Import a CSV…"
        made.close()  # before the database closes: a visible view may still fetch rows


def test_ctrl_f_focuses_search_and_typing_filters(qtbot, window):
    window.show_tab(0)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 1
    qtbot.waitUntil(lambda: window.contacts_tab.search.hasFocus())
    qtbot.keyClicks(window.contacts_tab.search, "vip")  # a tag; QTest cannot type non-ASCII keys
    assert window.contacts_tab.model.rowCount() == 1
    assert window.contacts_tab.count.text() == "1 of 2 contacts"


def test_delete_then_undo_brings_the_contact_back(qtbot, window, store):
    tab = window.contacts_tab
    tab.select_ids([store.contacts.require("anna@example.com").id])
    window.show_tab(1)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    assert store.contacts.by_email("anna@example.com") is None
    assert tab.model.total() == 1
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store.contacts.require("anna@example.com").company == "Berg Bakery"
    qtbot.waitUntil(lambda: tab.model.total() == 2)


def test_editing_in_the_panel_saves_and_can_be_undone(qtbot, window, store):
    tab = window.contacts_tab
    anna = store.contacts.require("anna@example.com")
    tab.select_ids([anna.id])
    assert tab.panel.title.text() == "Anna Berg"
    phone = tab.panel.fields["phone"]
    phone.clear()
    qtbot.keyClicks(phone, "+46 70 123 45 67")
    assert tab.panel.save_button.isEnabled()
    qtbot.mouseClick(tab.panel.save_button, Qt.MouseButton.LeftButton)
    assert store.contacts.get(anna.id).phone == "+46 70 123 45 67"
    window.undo_action.trigger()
    assert store.contacts.get(anna.id).phone == ""


def test_logging_an_interaction_updates_level_and_timeline(qtbot, window, store, monkeypatch):
    from tracker.ui.dialogs import LoggedInteraction, LogInteractionDialog

    anna = store.contacts.require("anna@example.com")
    answer = LoggedInteraction("purchase", datetime.now().replace(microsecond=0), 35.0, None, "Wedding bouquet")
    monkeypatch.setattr(LogInteractionDialog, "ask", classmethod(lambda cls, *a, **k: answer))
    tab = window.contacts_tab
    tab.select_ids([anna.id])
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert [i.kind for i in store.interactions.list(contact_id=anna.id)] == ["purchase"]
    assert tab.panel.badge.text().strip().startswith("Conversion")
    assert tab.panel.timeline_model.rowCount() == 1
    row = tab.model.row_of(anna.id)
    assert tab.model.index(row, 4).data() == "Conversion"


def test_window_size_and_last_database_are_remembered(qtbot, window, settings, store):
    window.resize(700, 500)  # the offscreen screen is 800x600; the window's minimum size may win
    closed_size = (window.width(), window.height())
    assert closed_size != (800, 600)
    window.close()
    assert settings.value("database/last") == str(store.path)
    again = MainWindow(store, settings)
    qtbot.addWidget(again)
    again.show()  # data loads once the window is on screen
    qtbot.waitUntil(lambda: again.contacts_tab.model.total() == 2)
    # the height comes back exactly; the width may differ by a few pixels of minimum-size hint offscreen
    assert again.height() == closed_size[1] and abs(again.width() - closed_size[0]) <= 24
    assert again.recent_paths()[0] == str(store.path)


def test_try_the_demo_data_fills_an_empty_database(qtbot, tmp_path, settings):
    from tracker.core.levels import Level
    from tracker.ui import resources

    assert resources.demo_available()
    with Store.open(tmp_path / "fresh.db") as fresh:
        made = MainWindow(fresh, settings)
        qtbot.addWidget(made)
        made.show()
        qtbot.mouseClick(made.empty.demo_button, Qt.MouseButton.LeftButton)

        def levels():
            return {row.engagement.level for row in made.contacts_tab.model.visible_rows()}

        # the demo shows every level once its interactions are in, and the tabs replace the welcome page
        qtbot.waitUntil(lambda: made.stack.currentWidget() is made.tabs and levels() == set(Level), timeout=20000)
        assert made.contacts_tab.model.total() >= 250
        made.close()


def test_backups_dialog_backs_up_and_restores_and_the_status_bar_says_when(qtbot, window, store, monkeypatch):
    from tracker.ui.backups_dialog import BackupsDialog

    qtbot.waitUntil(lambda: "last backup" in window.status.text())  # the daily backup after the window showed
    dialog = BackupsDialog(store, window)
    qtbot.addWidget(dialog)
    daily = dialog.model.backups[0]
    assert daily.reason == "daily" and daily.contacts == 2
    store.contacts.add(first_name="Cleo", email="cleo@example.com")
    dialog.back_up_now()
    assert dialog.model.rowCount() == 2 and dialog.model.backups[0].contacts == 3
    dialog.table.selectRow(1)  # the daily one, with two contacts
    monkeypatch.setattr(BackupsDialog, "confirm", staticmethod(lambda parent, backup: True))
    dialog.restore_selected()
    assert store.contacts.count() == 2 and store.contacts.by_email("cleo@example.com") is None
    assert dialog.model.backups[0].reason == "before restore"
    assert dialog.changes.contacts


def _menu_shortcuts(window) -> dict[str, list[str]]:
    """Every menu action with a shortcut: its text → its keys (portable text)."""
    found = {}
    for menu in window.menuBar().findChildren(QMenu):
        for action in menu.actions():
            if action.shortcuts():
                found[action.text()] = [key.toString() for key in action.shortcuts()]
    return found


def test_every_menu_shortcut_is_set_as_designed(window):
    """The menus set their keys with setShortcuts (see tracker.ui.menus._keys): one key each as setShortcut set it,
    the platform's first binding for a standard key, Redo with Ctrl+Shift+Z first and the platform's after it."""

    def standard(key: QKeySequence.StandardKey) -> list[str]:
        first = QKeySequence(key)
        return [] if first.isEmpty() else [first.toString()]

    redo = ["Ctrl+Shift+Z"] + [
        k.toString() for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo) if k.toString() != "Ctrl+Shift+Z"
    ]
    expected = {
        "&New database…": ["Ctrl+Shift+N"],
        "&Open database…": standard(QKeySequence.StandardKey.Open),
        "&Import contacts…": ["Ctrl+I"],
        "Import &interactions…": ["Ctrl+Shift+I"],
        "&Export contacts…": ["Ctrl+E"],
        "Export dashboard &report (PDF)…": ["Ctrl+P"],
        "&Quit": standard(QKeySequence.StandardKey.Quit),
        "&Undo": standard(QKeySequence.StandardKey.Undo),
        "&Redo": redo,
        "&New contact…": ["Ctrl+N"],
        "&Log interaction…": ["Ctrl+L"],
        "&Schedule follow-up…": ["Ctrl+Shift+F"],
        "&Tag selected contacts…": ["Ctrl+T"],
        "&Delete selected": standard(QKeySequence.StandardKey.Delete),
        "Import &history…": ["Ctrl+H"],
        "&Find": standard(QKeySequence.StandardKey.Find),
        **{title: [f"Ctrl+{i + 1}"] for i, title in enumerate(TAB_TITLES)},
        "&Reload": standard(QKeySequence.StandardKey.Refresh),
        "&Engagement settings…": ["Ctrl+,"],
        "How good are the &predictions?…": ["Ctrl+Shift+P"],
        "Find &duplicates…": ["Ctrl+Shift+D"],
    }
    assert _menu_shortcuts(window) == {text: keys for text, keys in expected.items() if keys}


def test_menu_shortcuts_reach_their_commands(qtbot, window, monkeypatch):
    """Keys pressed in the window run their menu commands (a string key, a standard key, one that opens a dialog)."""
    asked = []
    monkeypatch.setattr(window, "choose_database", asked.append)  # the menu's lambdas call it by name
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert asked == [True]
    qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)  # QKeySequence.StandardKey.Open
    assert asked == [True, False]
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "import_history_dialog", None) is not None)
    assert window.import_history_dialog.isVisible()
    window.import_history_dialog.close()


def test_the_status_bar_names_the_newest_backup_and_lists_the_folder_only_when_it_changed(
    qtbot, window, store, monkeypatch
):
    """The status bar's "last backup" follows every backup taken (by the window or not), and the backups are listed
    again only when their folder's files changed (listing them on every status update stalled the window)."""
    from datetime import datetime

    from tracker.core.backups import Backups

    qtbot.waitUntil(lambda: "last backup" in window.status.text())  # the daily backup after the window showed
    listed = []
    real_list = Backups.list
    monkeypatch.setattr(Backups, "list", lambda self: listed.append(1) or real_list(self))
    window._update_status()
    window._update_status()
    assert listed == []  # nothing changed in the folder
    store.backups.take(store.conn, "manual", now=datetime(2031, 5, 4, 3, 2))
    listed.clear()  # taking one lists them too (to prune)
    window._update_status()
    window._update_status()
    assert "last backup 2031-05-04 03:02" in window.status.text()
    assert len(listed) == 1


def test_the_other_tabs_are_built_while_the_contacts_load(qtbot, store, settings, monkeypatch):
    """The Interactions and Follow-ups tabs are built while the first contacts load runs on its worker (the GUI
    thread is idle then), and load once the contacts have."""
    import threading

    from tracker.ui import contacts_tab

    store.contacts.add(first_name="Anna", last_name="Berg", email="anna@example.com")
    release = threading.Event()
    real_load = contacts_tab.load_contacts

    def held_load(*args):
        release.wait(30)
        return real_load(*args)

    monkeypatch.setattr(contacts_tab, "load_contacts", held_load)
    made = MainWindow(store, settings)
    qtbot.addWidget(made)
    made.show()
    try:
        qtbot.waitUntil(lambda: made._interactions.widget is not None and made._followups.widget is not None)
        assert made.contacts_tab.model.total() == 0  # still loading
    finally:
        release.set()
    qtbot.waitUntil(lambda: made.contacts_tab.model.total() == 1)
    qtbot.waitUntil(lambda: made.interactions_tab.model.rowCount() == 0 and made.followups_tab._shown is not None)
    made.close()
