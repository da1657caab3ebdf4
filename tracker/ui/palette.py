"""The app's colours in Qt form; the values live in the core so charts and the PDF report match the window."""

from __future__ import annotations

from PySide6.QtGui import QColor

from tracker.core.levels import LEVEL_COLOURS, OVERDUE_COLOUR, Level

__all__ = ["LEVEL_COLOURS", "OVERDUE_COLOUR", "Level", "level_colour"]


def level_colour(level: Level) -> QColor:
    return QColor(LEVEL_COLOURS[level])
