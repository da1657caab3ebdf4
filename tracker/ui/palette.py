"""The app's colours: one per engagement level (cold to warm), shared by badges, charts and filters."""

from __future__ import annotations

from PySide6.QtGui import QColor

from tracker.core.levels import Level

LEVEL_COLOURS = {
    Level.AWARENESS: "#9aa5b1",
    Level.INTEREST: "#5fa8d3",
    Level.INTERACTION: "#3d7ebf",
    Level.CONVERSION: "#2a9d8f",
    Level.RETENTION: "#e9a23b",
    Level.ADVOCACY: "#d1495b",
}
OVERDUE = "#c0392b"


def level_colour(level: Level) -> QColor:
    return QColor(LEVEL_COLOURS[level])
