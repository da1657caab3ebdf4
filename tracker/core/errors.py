"""Named exceptions the core raises, so the CLI and the app can turn each into one clear sentence."""


class TrackerError(Exception):
    """Base class: the message is a complete sentence meant for the user."""


class InvalidInput(TrackerError):
    """A value given by the user (a date, a kind, an amount, a file) cannot be used."""


class ContactNotFound(TrackerError):
    """No contact matches the e-mail address or id asked for."""


class UnknownKind(InvalidInput):
    """An interaction kind that is not in the kinds table."""


class StoreError(TrackerError):
    """The database file cannot be opened or written as asked."""


class StoreTooNew(StoreError):
    """The database was written by a newer Tracker whose schema this version does not know."""


class NotATrackerFile(StoreError):
    """The file exists but is not a Tracker database (or not SQLite at all)."""


class StoreBusy(StoreError):
    """Another program holds the database lock for longer than the busy timeout."""


class ImportRejected(TrackerError):
    """A whole file cannot be imported (not text, no header, nothing usable); nothing was written."""


class ImportCancelled(TrackerError):
    """The user cancelled an import; the transaction was rolled back."""


class NotEnoughPurchases(TrackerError):
    """The purchase outlook or its backtest has too few purchases to work from."""


class DamagedDatabase(StoreError):
    """The file fails SQLite's integrity check: it is only read (to look and export), never written."""


class UndoWouldRemoveLaterWork(InvalidInput):
    """Undoing an import would also remove or overwrite work done since it; refused unless the user agreed."""
