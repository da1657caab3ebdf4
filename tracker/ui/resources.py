"""Finding the files in resources/ (icon, demo data) next to the package."""

from __future__ import annotations

from pathlib import Path

import tracker

RESOURCES = Path(tracker.__file__).resolve().parent.parent / "resources"
ICON = RESOURCES / "icons" / "tracker-256.png"
DEMO_CONTACTS = RESOURCES / "demo" / "contacts.csv"
DEMO_INTERACTIONS = RESOURCES / "demo" / "interactions.csv"


def demo_available() -> bool:
    return DEMO_CONTACTS.is_file() and DEMO_INTERACTIONS.is_file()
