"""Contact actions, each one validated, written in one transaction and undoable: add, edit, delete, tag."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tracker.core.contacts_lookup import find_contact
from tracker.core.errors import EditConflict
from tracker.core.models import Changes, Contact
from tracker.core.operations.result import OpResult, Recording
from tracker.core.store import Store

__all__ = ["add", "delete", "edit", "find_contact", "tag"]

_EVERYTHING = Changes(contacts=True, interactions=True, follow_ups=True)


def add(store: Store, **fields: object) -> OpResult:
    """Add one contact from its fields (first_name, email, phone, tags…; consent True/False/None, dates a dict,
    more_emails and more_phones a list or one per line); ids: (the new contact's id,)."""
    with store.transaction():
        recording = Recording(store)
        values: dict[str, Any] = fields  # ContactsTable.add's **values: a field's name, never contact or import_id
        contact = store.contacts.add(**values)
        contact_id = contact.id
        assert contact_id is not None  # a stored contact has its id
        recording.made("contacts", contact_id)
        undo = recording.undo(f"Add {contact.name}", Changes(contacts=True), (contact_id,))
    return OpResult(Changes(contacts=True), (contact_id,), f"Added {contact.name} (id {contact_id}).", undo)


def edit(
    store: Store, contact_id: int, *, seen: Contact | None = None, overwrite: bool = False, **fields: object
) -> OpResult:
    """Change some fields of one contact (its e-mail may not be another contact's), taken as `add` takes them.

    `seen` is the contact as the editor read it: if someone else has since changed a field this edit changes too,
    nothing is saved and EditConflict says what they changed and who (unless `overwrite`); their changes to
    other fields are kept either way, since only the fields given are written."""
    with store.transaction():
        before = store.contacts.get(contact_id)
        if seen is not None and not overwrite:
            _refuse_conflicts(store, seen, before, fields)
        recording = Recording(store)
        recording.watch("contacts", "id", [contact_id])
        changes = store.contacts.update(contact_id, **fields)
        after = store.contacts.get(contact_id)
        undo = recording.undo(f"Edit {before.name}", changes, (contact_id,))
    return OpResult(changes, (contact_id,), f"Updated {after.name}.", undo)


#: How a conflict names a contact's fields.
_FIELD_NAMES = {
    "first_name": "first name",
    "last_name": "family name",
    "email": "e-mail",
    "more_emails": "other e-mails",
    "more_phones": "other phones",
    "customer_no": "customer number",
    "consent": "marketing consent",
}


def _refuse_conflicts(store: Store, seen: Contact, now: Contact, fields: dict[str, object]) -> None:
    changed = {name: getattr(now, name) for name in fields if getattr(now, name, None) != getattr(seen, name, None)}
    if not changed:
        return
    by = store.contacts.updated_by(now.id) if now.id is not None else ""
    what = ", ".join(
        f"the {_FIELD_NAMES.get(name, name.replace('_', ' '))} (now {_shown(value)})" for name, value in changed.items()
    )
    who = by or "Someone else"
    raise EditConflict(f"{who} changed {what} of {now.name} after you opened it; nothing was saved.", changed, by)


def _shown(value: object) -> str:
    if value in (None, "", (), {}):
        return "empty"
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def delete(store: Store, contact_ids: Iterable[int]) -> OpResult:
    """Delete contacts with their interactions and follow-ups (several: after a safety backup); undo puts every
    row back with the same ids."""
    ids = list(dict.fromkeys(int(i) for i in contact_ids))
    contacts = [store.contacts.get(i) for i in ids]  # an unknown id is refused before anything is written
    if not ids:
        return OpResult(Changes(), (), "Nothing deleted.")
    if len(ids) > 1:
        store.safety_backup("before delete")
    with store.transaction():
        recording = Recording(store)
        recording.watch("contacts", "id", ids)
        for table in ("interactions", "follow_ups", "import_changes"):
            recording.watch(table, "contact_id", ids)
        store.contacts.delete(ids, backup=False)
        label = f"Delete {contacts[0].name}" if len(ids) == 1 else f"Delete {len(ids)} contacts"
        undo = recording.undo(label, _EVERYTHING, ids)
    return OpResult(_EVERYTHING, tuple(ids), f"Deleted {len(ids)} contact(s).", undo)


def tag(store: Store, contact_ids: Iterable[int], tags: Iterable[str] | str) -> OpResult:
    """Add tags to contacts, keeping the tags they have."""
    ids = list(dict.fromkeys(int(i) for i in contact_ids))
    words = [tags] if isinstance(tags, str) else list(tags)
    with store.transaction():
        recording = Recording(store)
        recording.watch("contacts", "id", ids)
        store.contacts.add_tags(ids, words)
        undo = recording.undo(f"Tag {len(ids)} contact(s)", Changes(contacts=True), ids)
    return OpResult(Changes(contacts=True), tuple(ids), f"Tagged {len(ids)} contact(s).", undo)
