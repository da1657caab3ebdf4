"""Where the database lives when the user does not say: TRACKER_DB, else the user's data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "tracker"
DB_FILENAME = "tracker.db"


def default_db_path() -> Path:
    """TRACKER_DB if set, otherwise <user data dir>/tracker/tracker.db."""
    override = os.environ.get("TRACKER_DB")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / DB_FILENAME
