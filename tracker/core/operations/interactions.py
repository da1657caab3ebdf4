"""Interaction actions, each one validated, written in one transaction and undoable: log, edit, delete."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tracker.core.contacts_lookup import find_contact
from tracker.core.errors import ContactNotFound, InvalidInput
from tracker.core.models import Changes, Contact
from tracker.core.operations.result import OpResult, Recording, RowChange, UndoRecord
from tracker.core.store import Store, rows

__all__ = ["EDITABLE", "delete", "edit", "log"]

#: What `edit` can change; None for amount or score empties it.
EDITABLE = ("kind", "occurred_at", "amount", "score", "channel", "note")


def log(
    store: Store,
    contact: int | str,
    kind: str,
    occurred_at: datetime,
    *,
    amount: float | None = None,
    score: int | None = None,
    channel: str = "",
    note: str = "",
    new_contact_source: str | None = None,
) -> OpResult:
    """Record one interaction with a contact given by id or as find_contact reads it (e-mail, phone, #id).

    With `new_contact_source`, an e-mail address nobody has becomes a new contact with that source, in the same
    transaction (`result.created("contacts")` says so). ids: (the interaction's id,).

    Few statements inside the write lock (on a team database each is a round trip while every other writer
    waits): with a contact given by id, the write transaction is the INSERT, which checks that the contact and the
    kind are still there, and the contact's read (on a team database BEGIN, lock, both and COMMIT go as one round
    trip); the new row comes back from the INSERT (RETURNING) for the undo record, not read again."""
    kind_row = store.interactions.kind_to_write(kind)  # an unknown kind fails before a contact is made
    if isinstance(contact, int):  # the write alone is the transaction: the contact is read with it
        interaction, image, who = store.interactions.write(
            contact, kind_row, occurred_at, amount=amount, score=score, channel=channel, note=note
        )
        created = False
        made = [RowChange("interactions", (interaction.id,), None, image)]
    else:
        with store.transaction():
            who, created = _contact(store, contact, new_contact_source)
            assert who.id is not None  # a stored contact has its id
            interaction, image, _ = store.interactions.write(
                who, kind_row, occurred_at, amount=amount, score=score, channel=channel, note=note
            )
            made = [RowChange("interactions", (interaction.id,), None, image)]
            if created:  # the contact as it stands now (read inside the transaction)
                key = (who.id,)
                made.insert(0, RowChange("contacts", key, None, rows.read_keys(store.conn, "contacts", [key])[key]))
    interaction_id = interaction.id
    assert interaction_id is not None  # a stored interaction has its id
    changes = Changes(contacts=created, interactions=True)
    undo = UndoRecord(f"Log {interaction.kind} for {who.name}", changes, (interaction_id,), tuple(made))
    made_contact = " (new contact)" if created else ""
    summary = f"Logged {interaction.kind} for {who.name}{made_contact} at {interaction.occurred_at}."
    return OpResult(changes, (interaction_id,), summary, undo)


def _contact(store: Store, contact: int | str, source: str | None) -> tuple[Contact, bool]:
    if isinstance(contact, int):
        return store.contacts.get(contact), False
    try:
        return find_contact(store, contact), False
    except ContactNotFound:
        if source is None or "@" not in contact:
            raise
    return store.contacts.add(email=contact, source=source), True


def edit(store: Store, interaction_id: int, **fields: object) -> OpResult:
    """Change an interaction's kind, moment (occurred_at), amount, score, channel or note; values are checked as
    when logging it. Undo puts back every field it changed."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"'{sorted(unknown)[0]}' is not an interaction field; fields: {', '.join(EDITABLE)}.")
    clear = [name for name in ("amount", "score") if name in fields and fields[name] is None]
    values = {name: value for name, value in fields.items() if value is not None}
    with store.transaction():
        current = store.interactions.get(interaction_id)
        recording = Recording(store)
        recording.watch("interactions", "id", [interaction_id])
        store.interactions.update(interaction_id, clear=clear, **values)  # type: ignore[arg-type]
        label = f"Edit {current.kind} of {store.contacts.get(current.contact_id).name}"
        undo = recording.undo(label, Changes(interactions=True), (interaction_id,))
    return OpResult(Changes(interactions=True), (interaction_id,), "Updated the interaction.", undo)


def delete(store: Store, interaction_ids: Iterable[int]) -> OpResult:
    """Delete interactions; undo puts them back with the same ids."""
    ids = list(dict.fromkeys(int(i) for i in interaction_ids))
    for interaction_id in ids:
        store.interactions.get(interaction_id)  # an unknown id is refused before anything is written
    with store.transaction():
        recording = Recording(store)
        recording.watch("interactions", "id", ids)
        store.interactions.delete(ids)
        undo = recording.undo(f"Delete {len(ids)} interaction(s)", Changes(interactions=True), ids)
    return OpResult(Changes(interactions=True), tuple(ids), f"Deleted {len(ids)} interaction(s).", undo)
