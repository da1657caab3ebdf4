"""Render resources/icons/tracker.svg (the source of truth) to PNGs at 16, 32, 48, 64, 128 and 256 px.

Writes resources/icons/tracker-<size>.png. Re-run from the project root after editing the SVG:

    QT_QPA_PLATFORM=offscreen python resources/make_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent / "icons"
SIZES = (16, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # QPainter needs an application object
    renderer = QSvgRenderer(str(ICONS / "tracker.svg"))
    if not renderer.isValid():
        print("tracker.svg could not be read", file=sys.stderr)
        return 1
    for size in SIZES:
        target = ICONS / f"tracker-{size}.png"
        if not render(renderer, size).save(str(target), "PNG"):
            print(f"could not write {target}", file=sys.stderr)
            return 1
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
