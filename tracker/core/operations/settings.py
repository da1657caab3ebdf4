"""Set-up actions, validated, written in one transaction and undoable: the engagement thresholds and the
interaction kinds."""

from __future__ import annotations

from collections.abc import Mapping

from tracker.core.levels import Level
from tracker.core.models import Changes
from tracker.core.operations.result import OpResult, Recording
from tracker.core.store import Store

__all__ = ["save_engagement", "save_kind", "update_settings"]


def update_settings(store: Store, **values: int) -> OpResult:
    """Change thresholds (window_days=180…); unknown names or values out of range are refused, nothing written."""
    with store.transaction():
        recording = Recording(store)
        recording.watch("settings", "key", values)
        changes = store.update_settings(**values)
        recording.made("settings", *((name,) for name in values))
        undo = recording.undo(f"Change {', '.join(values)}", changes, ())
    summary = "; ".join(f"{name} is now {value}" for name, value in values.items()) + "."
    return OpResult(changes, (), summary, undo)


def save_kind(
    store: Store, name: str, stage: Level, weight: float | None = None, *, survey: bool | None = None
) -> OpResult:
    """Add an interaction kind, or move an existing one to another level or weight; ids: (the kind's id,)."""
    clean = name.strip().lower().replace(" ", "_")
    with store.transaction():
        recording = Recording(store)
        recording.watch("kinds", "name", [clean])
        changes = store.save_kind(name, stage, weight, survey=survey)
        kind = store.kind(clean)
        recording.made("kinds", kind.id)
        undo = recording.undo(f"Kind {kind.name}", changes, (kind.id,))
    summary = f"Kind {kind.name} counts toward {kind.stage.label} (weight {kind.weight:g})."
    return OpResult(changes, (kind.id,), summary, undo)


def save_engagement(store: Store, settings: Mapping[str, int], kinds: Mapping[str, Level]) -> OpResult:
    """The engagement settings as one action (the window's settings dialog): thresholds and kinds' levels (new kinds
    added) in one transaction and one undo; a bad value or name refuses the lot. ids: the kinds' ids."""
    with store.transaction():
        recording = Recording(store)
        recording.watch("settings", "key", settings)
        recording.made("settings", *((name,) for name in settings))
        recording.watch("kinds", "name", [name.strip().lower().replace(" ", "_") for name in kinds])
        changes = store.update_settings(**settings) if settings else Changes()
        ids = []
        for name, stage in kinds.items():
            changes |= store.save_kind(name, stage)
            ids.append(store.kind(name).id)
        recording.made("kinds", *ids)
        undo = recording.undo("Change engagement settings", changes, ids)
    return OpResult(changes, tuple(ids), "Engagement settings saved.", undo)
