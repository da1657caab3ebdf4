"""The `tracker` command line: a thin adapter that opens the store, calls the core once and prints the result."""

from tracker.cli import (  # noqa: F401  (registers the commands on the group)
    commands,
    duplicates,
    import_calendar,
    import_imap,
    import_mail,
    outlook,
    safety,
    team,
)
from tracker.cli.base import cli, main
from tracker.cli.commands import CONTACT_EXPORT_COLUMNS, FOLLOW_UP_EXPORT_COLUMNS, INTERACTION_EXPORT_COLUMNS

__all__ = ["CONTACT_EXPORT_COLUMNS", "FOLLOW_UP_EXPORT_COLUMNS", "INTERACTION_EXPORT_COLUMNS", "cli", "main"]
