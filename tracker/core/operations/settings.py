"""Set-up actions, validated, written in one transaction and undoable: the engagement thresholds, the
interaction kinds and the phone region."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tracker.core.errors import InvalidInput
from tracker.core.levels import Level
from tracker.core.models import Changes
from tracker.core.normalize import check_region, is_valid_email, phone_key
from tracker.core.operations.result import OpResult, Recording
from tracker.core.store import Store

__all__ = ["save_engagement", "save_kind", "set_mail_blocklist", "set_phone_region", "update_settings"]


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


def set_phone_region(store: Store, region: str) -> OpResult:
    """Read phone numbers without a country code as `region`'s (GB, DE, US…) and re-key every stored phone with it;
    undo puts the old region and keys back. An unknown code: InvalidInput, nothing written."""
    code = check_region(region)
    if code == store.phone_region():
        return OpResult(Changes(), (), f"Phone numbers without a country code are already read as in {code}.")
    with store.transaction():
        recording = Recording(store)
        changes = _phone_region(store, recording, code)
        undo = recording.undo(f"Phone region {code}", changes, ())
    rekeyed = sum(1 for row in undo.rows if row.table == "contacts") if undo else 0
    summary = f"Phone numbers without a country code are now read as in {code} ({rekeyed} phone(s) re-keyed)."
    return OpResult(changes, (), summary, undo)


def _phone_region(store: Store, recording: Recording, code: str) -> Changes:
    """Set the region inside the caller's transaction, watching the setting and the contacts whose key it changes
    (only those, so the undo record stays as small as the change)."""
    if code == store.phone_region():
        return Changes()
    recording.watch("settings", "key", ["phone_region"])
    recording.made("settings", "phone_region")  # a file that never stored one: undo removes it again
    phones = store.conn.execute("SELECT id, phone, phone_key FROM contacts WHERE phone <> ''")
    recording.watch("contacts", "id", [cid for cid, phone, key in phones if phone_key(phone, code) != key])
    return store.set_phone_region(code)


def save_engagement(
    store: Store, settings: Mapping[str, int], kinds: Mapping[str, Level], *, phone_region: str | None = None
) -> OpResult:
    """The settings dialog's Save as one action: thresholds, kinds' levels (new kinds added) and the phone region
    in one transaction and one undo; a bad value or name refuses the lot. ids: the kinds' ids."""
    code = check_region(phone_region) if phone_region is not None else None
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
        if code is not None:
            changes |= _phone_region(store, recording, code)
        undo = recording.undo("Change engagement settings", changes, ids)
    return OpResult(changes, tuple(ids), "Engagement settings saved.", undo)


def set_mail_blocklist(store: Store, entries: Iterable[str]) -> OpResult:
    """Addresses ('someone@example.com') and domains ('example.com', with its subdomains) whose mail is never
    imported; replaces the list, undoably. An entry that is neither: InvalidInput, nothing written."""
    from tracker.core.store.text_settings import MAIL_BLOCKLIST, write_list

    cleaned = list(dict.fromkeys(entry.strip().lower().lstrip("@") for entry in entries if entry.strip()))
    for entry in cleaned:
        if " " in entry or "." not in entry.rpartition("@")[2] or ("@" in entry and not is_valid_email(entry)):
            raise InvalidInput(f"'{entry}' is neither an e-mail address nor a domain.")
    with store.transaction():
        recording = Recording(store)
        recording.watch("settings", "key", [MAIL_BLOCKLIST])
        recording.made("settings", MAIL_BLOCKLIST)
        write_list(store.conn, MAIL_BLOCKLIST, cleaned)
        undo = recording.undo("Change the mail blocklist", Changes(settings=True), ())
    return OpResult(Changes(settings=True), (), f"Mail blocklist: {', '.join(cleaned) or 'empty'}.", undo)
