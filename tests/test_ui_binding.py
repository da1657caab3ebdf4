"""Guards against a Qt binding that leaks references to None/True (PySide6 6.12.0 on Python 3.11 does, and the
app then aborts after a few thousand keystrokes with 'none_dealloc')."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel


class _Emitter(QObject):
    changed = Signal(bool)


def test_void_calls_and_signals_keep_reference_counts(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
    assert sys.getrefcount(None) >= before - 50, "PySide6 leaks references to None: pin a version without the bug"
    emitter = _Emitter()
    emitter.changed.connect(lambda value: None)
    before = sys.getrefcount(True)
    for _ in range(2000):
        emitter.changed.emit(True)
    assert sys.getrefcount(True) >= before - 50, "PySide6 leaks references to True on emit"
