"""Named exceptions the core raises, so the CLI and the app can turn each into one clear sentence."""

from __future__ import annotations

from enum import Enum


class TrackerError(Exception):
    """Base class: the message is a complete sentence meant for the user."""


class InvalidInput(TrackerError):
    """A value given by the user (a date, a kind, an amount, a file) cannot be used."""


class ContactNotFound(TrackerError):
    """No contact matches the e-mail address or id asked for."""


class UnknownKind(InvalidInput):
    """An interaction kind that is not in the kinds table; each front end says how to add one
    (ImportHint.UNKNOWN_KIND)."""


class StoreError(TrackerError):
    """The database file cannot be opened or written as asked."""


class StoreTooNew(StoreError):
    """The database was written by a newer Tracker whose schema this version does not know."""


class NotATrackerFile(StoreError):
    """The file exists but is not a Tracker database (or not SQLite at all)."""


class PermissionRefused(StoreError):
    """The team database refused an action the user's role may not do (the sentence names the role it needs)."""


class StoreBusy(StoreError):
    """Another program holds the database lock for longer than the busy timeout."""


class EditConflict(TrackerError):
    """Someone else changed fields of a contact that this edit changes too, since the editor read it: nothing was
    saved; `changed` holds those fields as they are now, `by` who changed them ('' when not known)."""

    def __init__(self, message: str, changed: dict[str, object], by: str):
        super().__init__(message)
        self.changed = changed
        self.by = by


class ImportHint(Enum):
    """What the user can change so that a rejected file imports; each front end words it with its own controls."""

    ENCODING = "encoding"  # read the file with another encoding
    MAPPING = "mapping"  # say which column holds a field (ImportRejected.field names it)
    KIND = "kind"  # say which column holds the type, or give every row one
    COLUMN_CHOICE = "column choice"  # the column choices given name no such column or field
    UNKNOWN_KIND = "unknown kind"  # a row (or UnknownKind) names an interaction kind the database lacks: add it


def with_remedy(message: str, remedy: str | None) -> str:
    """`message` with a front end's `remedy` for it after a semicolon, as one sentence."""
    if not remedy:
        return message
    return f"{message.rstrip().rstrip('.')}; {remedy}."


class ImportRejected(TrackerError):
    """A whole file cannot be imported (not text, no header, nothing usable); nothing was written.

    The message says what is wrong and names no control of a front end: `hint` says what the user can change,
    `field` which field a MAPPING hint is about; `with_remedy` joins a front end's wording of it to the sentence."""

    def __init__(self, message: str, hint: ImportHint | None = None, field: str | None = None):
        super().__init__(message)
        self.hint = hint
        self.field = field

    def with_remedy(self, remedy: str | None) -> str:
        """The sentence with `remedy` (e.g. "pass --encoding, e.g. cp1252") after a semicolon, as one sentence."""
        return with_remedy(str(self), remedy)


class ImportCancelled(TrackerError):
    """The user cancelled an import; the transaction was rolled back."""


class NotEnoughPurchases(TrackerError):
    """The purchase outlook or its backtest has too few purchases to work from."""


class DamagedDatabase(StoreError):
    """The file fails SQLite's integrity check: it is only read (to look and export), never written."""


class UndoWouldRemoveLaterWork(InvalidInput):
    """Undoing an import would also remove or overwrite work done since it; refused unless the user agreed."""
