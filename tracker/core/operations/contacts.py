"""Contact actions, each one validated, written in one transaction and undoable: add, edit, delete, tag."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tracker.core.contacts_lookup import find_contact
from tracker.core.models import Changes
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


def edit(store: Store, contact_id: int, **fields: object) -> OpResult:
    """Change some fields of one contact (its e-mail may not be another contact's), taken as `add` takes them."""
    with store.transaction():
        before = store.contacts.get(contact_id)
        recording = Recording(store)
        recording.watch("contacts", "id", [contact_id])
        changes = store.contacts.update(contact_id, **fields)
        after = store.contacts.get(contact_id)
        undo = recording.undo(f"Edit {before.name}", changes, (contact_id,))
    return OpResult(changes, (contact_id,), f"Updated {after.name}.", undo)


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
