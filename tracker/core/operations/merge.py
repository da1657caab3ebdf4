"""Merging two contacts that are one person, in one transaction and undoable: the other's interactions and
follow-ups move to the kept contact, its values fill the kept contact's empty fields (or the user's choices win),
the addresses and numbers it does not keep are kept as its other ones, and the other contact goes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tracker.core.errors import InvalidInput
from tracker.core.models import Changes
from tracker.core.normalize import ascii_lower, join_tags, phone_key, same_phone, split_tags
from tracker.core.operations.result import OpResult, Recording
from tracker.core.store import Store
from tracker.core.store.contact_fields import EDITABLE
from tracker.core.store.rows import columns

__all__ = ["CHOOSABLE", "merge_contacts", "merged_values"]

#: The fields that hold one value each: a merge keeps one of the two (the user's choice, else the kept contact's
#: unless it is empty). Tags and notes are joined; other e-mails and phones collected.
CHOOSABLE = ("first_name", "last_name", "email", "phone", "company", "address", "customer_no", "source")
#: Which contact's value a choice names.
SIDES = ("keep", "other")
_EVERYTHING = Changes(contacts=True, interactions=True, follow_ups=True)
Fields = dict[str, Any]


def merge_contacts(store: Store, keep_id: int, other_id: int, *, fields: Mapping[str, str] | None = None) -> OpResult:
    """Merge contact `other_id` into `keep_id`: its interactions and follow-ups move to the kept contact, each
    of `fields` ({"phone": "other", …}; CHOOSABLE names, "keep" or "other") takes that contact's value, any other
    empty field of the kept contact is filled from the other, tags are joined, and the e-mail and phone it does not
    keep are kept as other ones (a line "Also: …" in the notes where the database has no place for them). Then the
    other contact is deleted. ids: (keep_id, other_id); undo puts both back exactly, with the same ids."""
    if keep_id == other_id:
        raise InvalidInput("A contact cannot be merged with itself; choose two different contacts.")
    choices = _checked(fields or {})
    store.contacts.get(keep_id)  # ContactNotFound for an unknown id, before anything is written
    other = store.contacts.get(other_id)
    with store.transaction() as conn:
        recording = Recording(store)
        recording.watch("contacts", "id", [keep_id])  # the kept row first: undo gives its e-mail back first
        recording.watch("contacts", "id", [other_id])
        for table in ("interactions", "follow_ups", "import_changes"):
            recording.watch(table, "contact_id", [other_id])
        names = columns(conn, "contacts")
        sql = f"SELECT {', '.join(names)} FROM contacts WHERE id = ?"
        kept_row = dict(zip(names, conn.execute(sql, (keep_id,)).fetchone(), strict=True))
        other_row = dict(zip(names, conn.execute(sql, (other_id,)).fetchone(), strict=True))
        values = merged_values(kept_row, other_row, choices, store.phone_region())
        interactions = conn.execute(
            "UPDATE interactions SET contact_id = ? WHERE contact_id = ?", (keep_id, other_id)
        ).rowcount
        follow_ups = conn.execute(
            "UPDATE follow_ups SET contact_id = ? WHERE contact_id = ?", (keep_id, other_id)
        ).rowcount
        store.contacts.delete([other_id], backup=False)  # before the update: the kept one may take its e-mail
        editable = {name: value for name, value in values.items() if name in EDITABLE}
        if editable:
            store.contacts.update(keep_id, **editable)
        rest = {name: value for name, value in values.items() if name not in EDITABLE}
        if rest:
            conn.execute(
                f"UPDATE contacts SET {', '.join(f'{name} = ?' for name in rest)} WHERE id = ?",
                (*rest.values(), keep_id),
            )
        after = store.contacts.get(keep_id)
        label = f"Merge {other.name} into {after.name}"
        undo = recording.undo(label, _EVERYTHING, (keep_id, other_id))
    moved = f"{_count(interactions, 'interaction')} and {_count(follow_ups, 'follow-up')} moved"
    summary = f"Merged {other.name} (id {other_id}) into {after.name} (id {keep_id}); {moved}."
    return OpResult(_EVERYTHING, (keep_id, other_id), summary, undo)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _checked(fields: Mapping[str, str]) -> dict[str, str]:
    for name, side in fields.items():
        if name not in CHOOSABLE:
            raise InvalidInput(f"'{name}' is not a field a merge chooses; fields: {', '.join(CHOOSABLE)}.")
        if side not in SIDES:
            raise InvalidInput(f"Choose 'keep' or 'other' for {name}, not '{side}'.")
    return dict(fields)


def merged_values(
    keep: Mapping[str, Any], other: Mapping[str, Any], choices: Mapping[str, str], region: str | None = None
) -> Fields:
    """The kept contact's columns that change when `other` merges into it (rows as column → value; `choices`
    as merge_contacts takes them; `region`: the phone region numbers are compared in)."""
    out: Fields = {}
    for name in CHOOSABLE:
        if name not in keep:  # a column of a later schema
            continue
        mine, theirs = keep.get(name), other.get(name)
        side = choices.get(name) or ("keep" if mine else "other")
        chosen = mine if side == "keep" else theirs
        if (chosen or "") != (mine or ""):
            out[name] = chosen or ("" if name != "email" else None)
    email = out.get("email", keep.get("email"))
    phone = out.get("phone", keep.get("phone"))
    emails = _other_emails(keep, other, email)
    phones = _other_phones(keep, other, phone, region)
    tags = join_tags(split_tags([*split_tags(keep.get("tags")), *split_tags(other.get("tags"))]))
    if tags != (keep.get("tags") or ""):
        out["tags"] = tags
    notes = keep.get("notes") or ""
    theirs = (other.get("notes") or "").strip()
    if theirs and theirs not in notes:
        notes = f"{notes.rstrip()}\n{theirs}" if notes.strip() else theirs
    if "more_emails" in keep:
        joined = "\n".join(emails)
        if joined != (keep.get("more_emails") or ""):
            out["more_emails"] = joined
        emails = []
    if "more_phones" in keep:
        joined = "\n".join(phones)
        if joined != (keep.get("more_phones") or ""):
            out["more_phones"] = joined
        phones = []
    also = [*(f"e-mail {e}" for e in emails), *(f"phone {p}" for p in phones)]
    also = [item for item in also if item not in notes]
    if also:
        line = "Also: " + ", ".join(also)
        notes = f"{notes.rstrip()}\n{line}" if notes.strip() else line
    if notes != (keep.get("notes") or ""):
        out["notes"] = notes
    out.update(_joined_details(keep, other))
    return out


def _joined_details(keep: Mapping[str, Any], other: Mapping[str, Any]) -> Fields:
    """Schema 5's details: dates and custom fields joined (the kept contact's value wins a key both have),
    consent withdrawn by either stays withdrawn, the larger of reported orders and spending."""
    out: Fields = {}
    for name in ("dates", "fields"):
        if name in keep:
            mine, theirs = _json(keep.get(name)), _json(other.get(name))
            joined = theirs | mine
            if joined != mine:
                out[name] = joined
    if "consent" in keep:
        given = [value for value in (keep.get("consent"), other.get("consent")) if value is not None]
        consent = None if not given else all(given)
        if consent != (None if keep.get("consent") is None else bool(keep.get("consent"))):
            out["consent"] = consent
    for name in ("orders_reported", "spent_reported"):
        if name in keep:
            reported = [value for value in (keep.get(name), other.get(name)) if value is not None]
            if reported and max(reported) != keep.get(name):
                out[name] = max(reported)
    return out


def _json(text: object) -> dict[str, Any]:
    if isinstance(text, dict):
        return dict(text)
    value = json.loads(str(text)) if text else {}
    return value if isinstance(value, dict) else {}


def _lines(text: object) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _other_emails(keep: Mapping[str, Any], other: Mapping[str, Any], email: str | None) -> list[str]:
    """Every address of the two but the one kept as the e-mail, once each (A–Z case ignored), in order."""
    seen = {ascii_lower(email)} if email else set()
    out: list[str] = []
    candidates = [
        *_lines(keep.get("more_emails")),
        keep.get("email") or "",
        other.get("email") or "",
        *_lines(other.get("more_emails")),
    ]
    for address in candidates:
        if address and ascii_lower(address) not in seen:
            seen.add(ascii_lower(address))
            out.append(address)
    return out


def _other_phones(
    keep: Mapping[str, Any], other: Mapping[str, Any], phone: str | None, region: str | None
) -> list[str]:
    """Every number of the two but the one kept as the phone, once each (one number in any spelling), in order."""
    keys: list[str] = []
    mine = phone_key(phone, region)
    if mine:
        keys.append(mine)
    out: list[str] = []
    candidates = [
        *_lines(keep.get("more_phones")),
        keep.get("phone") or "",
        other.get("phone") or "",
        *_lines(other.get("more_phones")),
    ]
    for number in candidates:
        key = phone_key(number, region)
        if key is None or any(same_phone(key, k) for k in keys):
            continue
        keys.append(key)
        out.append(number)
    return out
