"""Every user action as one core function that validates, writes in one transaction and returns an OpResult
(what changed, the ids, a sentence, and an UndoRecord whose `apply(store)` takes it back): the command line and the
window call the same functions, so they behave alike (Anki's collection operations and OpChanges are the model).
`imports` (import a file, undo an import, restore a backup) returns no UndoRecord: each is taken back by another
operation, as its docstring says."""

from tracker.core.contacts_lookup import find_contact
from tracker.core.operations import contacts, follow_ups, imports, interactions, merge, settings
from tracker.core.operations.result import OpResult, RowChange, UndoRecord

__all__ = [
    "OpResult",
    "RowChange",
    "UndoRecord",
    "contacts",
    "find_contact",
    "follow_ups",
    "imports",
    "interactions",
    "merge",
    "settings",
]
