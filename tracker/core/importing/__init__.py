"""Importing the CSV files people have: contacts, and interactions (activity logs and shop orders)."""

from tracker.core.importing.contacts import import_contacts
from tracker.core.importing.interactions import import_interactions
from tracker.core.importing.report import ImportReport, Problem

__all__ = ["ImportReport", "Problem", "import_contacts", "import_interactions"]
