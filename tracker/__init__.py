"""Tracker: a desktop engagement CRM that keeps a small business's contacts in one local SQLite file."""

__version__ = "0.1.0"
