"""Every user action as one core function that validates, writes in one transaction and returns an OpResult
(what changed, the ids, a sentence, and an UndoRecord whose `apply(store)` takes it back): the command line and the
window call the same functions, so they behave alike (Anki's collection operations and OpChanges are the model).
`imports` (import a file, undo an import, restore a backup) returns no UndoRecord: each is taken back by another
operation, as its docstring says.

The submodules load when first named (`operations.contacts`, `from tracker.core.operations import imports`): the
window's first paint does not wait for the import stack (and phonenumbers) it needs only when a file is imported."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tracker.core.contacts_lookup import find_contact
from tracker.core.operations.result import OpResult, RowChange, UndoRecord

if TYPE_CHECKING:
    from tracker.core.operations import contacts, follow_ups, imports, interactions, merge, settings

_SUBMODULES = frozenset({"contacts", "follow_ups", "imports", "interactions", "merge", "settings"})


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
