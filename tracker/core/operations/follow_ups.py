"""Follow-up actions, each one validated, written in one transaction and undoable: schedule, done, snooze and
reschedule. Each takes scheduled follow-ups by id and, for the list's suggestions (no row yet), (contact id,
reason) pairs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

from tracker.core.dates import check_day
from tracker.core.errors import InvalidInput
from tracker.core.followups import scheduled_entry
from tracker.core.models import Changes, FollowUp
from tracker.core.operations.result import OpResult, Recording
from tracker.core.store import Store

__all__ = ["DONE_KIND", "done", "reschedule", "schedule", "snooze"]

#: What doing a follow-up logs.
DONE_KIND = "call"
Suggested = Iterable[tuple[int, str]]


def schedule(store: Store, contact_id: int, due: date, reason: str = "") -> OpResult:
    """Schedule a follow-up with a contact on `due`; ids: (the follow-up's id,)."""
    check_day(due)
    with store.transaction():
        contact = store.contacts.get(contact_id)
        recording = Recording(store)
        follow_up = store.follow_ups.schedule(contact_id, due, reason)
        recording.made("follow_ups", follow_up.id)
        undo = recording.undo(f"Follow up with {contact.name}", Changes(follow_ups=True), (follow_up.id,))
    summary = f"Follow up with {contact.name} by {follow_up.due} (id {follow_up.id})."
    return OpResult(Changes(follow_ups=True), (follow_up.id,), summary, undo)


def done(store: Store, moment: datetime, *, follow_up_ids: Iterable[int] = (), suggested: Suggested = ()) -> OpResult:
    """Do follow-ups at `moment`: log a call with each contact (note "Follow-up: <reason>", the reason as the list
    shows it that day), close each scheduled follow-up as done that day, and note each suggestion (contact id,
    reason) as done that day (it stays off the list for a while).
    ids: the follow-ups closed and noted; `result.created("interactions")`: the calls."""
    check_day(moment)
    scheduled = _open(store, follow_up_ids)
    wanted = list(suggested)
    count = len(scheduled) + len(wanted)
    if not count:
        return OpResult(Changes(), (), "Nothing was marked done.")
    day = moment.date()
    with store.transaction():
        recording = Recording(store)
        recording.watch("follow_ups", "id", [f.id for f in scheduled])
        for follow_up in scheduled:
            note = f"Follow-up: {scheduled_entry(follow_up, day)[1]}"  # the reason as the list shows it that day
            call = store.interactions.log(follow_up.contact_id, DONE_KIND, moment, note=note)
            recording.made("interactions", call.id)
        store.follow_ups.mark_done([f.id for f in scheduled], day)
        noted = []
        for contact_id, reason in wanted:
            call = store.interactions.log(contact_id, DONE_KIND, moment, note=f"Follow-up: {reason}")
            noted.append(store.follow_ups.record_done(contact_id, reason, day).id)
            recording.made("interactions", call.id)
            recording.made("follow_ups", noted[-1])
        ids = (*(f.id for f in scheduled), *noted)
        changes = Changes(interactions=True, follow_ups=True)
        undo = recording.undo(f"Done: {count} follow-up(s)", changes, ids)
    return OpResult(changes, ids, f"Marked {count} follow-up(s) done and logged a {DONE_KIND} with each.", undo)


def snooze(store: Store, until: date, *, follow_up_ids: Iterable[int] = (), suggested: Suggested = ()) -> OpResult:
    """Hide scheduled follow-ups until `until` (their due date stays); a suggestion becomes a follow-up due then."""
    check_day(until)
    scheduled = _open(store, follow_up_ids)
    return _move(
        store,
        scheduled,
        list(suggested),
        until,
        lambda: store.follow_ups.snooze([f.id for f in scheduled], until),
        "Snooze",
        f"Snoozed {{count}} follow-up(s) until {until.isoformat()}.",
    )


def reschedule(store: Store, due: date, *, follow_up_ids: Iterable[int] = (), suggested: Suggested = ()) -> OpResult:
    """Move scheduled follow-ups to `due` (a snooze is dropped); a suggestion becomes a follow-up due then."""
    check_day(due)
    scheduled = _open(store, follow_up_ids)

    def move() -> None:
        for follow_up in scheduled:
            store.follow_ups.reschedule(follow_up.id, due)

    return _move(
        store,
        scheduled,
        list(suggested),
        due,
        move,
        "Reschedule",
        f"Rescheduled {{count}} follow-up(s) to {due.isoformat()}.",
    )


def _move(
    store: Store,
    scheduled: list[FollowUp],
    wanted: list[tuple[int, str]],
    day: date,
    write: Callable[[], object],
    label: str,
    sentence: str,
) -> OpResult:
    count = len(scheduled) + len(wanted)
    if not count:
        return OpResult(Changes(), (), "No follow-up was moved.")
    with store.transaction():
        recording = Recording(store)
        recording.watch("follow_ups", "id", [f.id for f in scheduled])
        write()
        made = [store.follow_ups.schedule(contact_id, day, reason).id for contact_id, reason in wanted]
        recording.made("follow_ups", *made)
        ids = (*(f.id for f in scheduled), *made)
        undo = recording.undo(f"{label}: {count} follow-up(s)", Changes(follow_ups=True), ids)
    return OpResult(Changes(follow_ups=True), ids, sentence.format(count=count), undo)


def _open(store: Store, follow_up_ids: Iterable[int]) -> list[FollowUp]:
    """The follow-ups with these ids, refusing an unknown one or one already done."""
    found = [store.follow_ups.get(int(i)) for i in dict.fromkeys(follow_up_ids)]
    for follow_up in found:
        if follow_up.status != "open":
            raise InvalidInput(f"Follow-up {follow_up.id} is already done.")
    return found
