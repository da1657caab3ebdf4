"""Where the database lives when the user does not say: TRACKER_DB, else the user's data folder; a team
database is named by its address (postgresql://USER@HOST/DATABASE) instead of a path."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "tracker"
DB_FILENAME = "tracker.db"


#: A Tracker file's path, or a team database's address.
Target = Path | str
URL_SCHEMES = ("postgresql://", "postgres://")


def as_target(text: str | Path) -> Target:
    """A --db value or TRACKER_DB as what Store.open takes: an address stays text, anything else is a path."""
    if isinstance(text, str) and text.startswith(URL_SCHEMES):
        return text
    return Path(text).expanduser()


def default_target() -> Target:
    """TRACKER_DB if set (a file or a team database's address), otherwise the file in the user's data folder."""
    override = os.environ.get("TRACKER_DB")
    if override:
        return as_target(override)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / DB_FILENAME


def default_db_path() -> Path:
    """TRACKER_DB if set, otherwise <user data dir>/tracker/tracker.db."""
    override = os.environ.get("TRACKER_DB")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / DB_FILENAME
