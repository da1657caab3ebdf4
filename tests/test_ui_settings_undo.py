"""Tools → Engagement settings is one undoable action: Ctrl+Z takes back a threshold and a kind's level together,
Ctrl+Shift+Z puts them back."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog

from tracker.core.levels import Level
from tracker.ui.main_window import MainWindow
from tracker.ui.settings_dialog import SettingsDialog

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_a_settings_change_is_undone_and_redone(qtbot, store, tmp_path, monkeypatch):
    store.contacts.add(first_name="Anna", email="anna@example.com")
    window = MainWindow(store, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # shortcuts go to the active window
    before_days, before_call = store.settings().drifting_days, store.kind("call").stage
    assert before_days != 200 and before_call is not Level.CONVERSION

    def change_and_save(dialog: SettingsDialog) -> int:
        dialog.spins["drifting_days"].setValue(200)
        row = next(i for i, (name, _) in enumerate(dialog.kinds.rows) if name == "call")
        dialog.kinds.setData(dialog.kinds.index(row, 1), Level.CONVERSION.label)
        dialog.save()
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(SettingsDialog, "exec", change_and_save)
    window.edit_settings()
    assert (store.settings().drifting_days, store.kind("call").stage) == (200, Level.CONVERSION)
    assert window.undo_action.text() == "&Undo Change engagement settings"

    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert (store.settings().drifting_days, store.kind("call").stage) == (before_days, before_call)

    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert (store.settings().drifting_days, store.kind("call").stage) == (200, Level.CONVERSION)
    window.close()
