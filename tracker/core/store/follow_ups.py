"""SQL for scheduled follow-ups: schedule, list what is due, done, snooze, reschedule."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from tracker.core.dates import now_iso
from tracker.core.errors import InvalidInput
from tracker.core.models import Changes, Contact, FollowUp
from tracker.core.store import dialect
from tracker.core.store.contact_fields import COLUMNS as CONTACT_COLUMNS
from tracker.core.store.contact_fields import contact_from_row
from tracker.core.store.engagement import _AGGREGATE, _LEVEL, _SCORE, _params
from tracker.core.store.table import StoreTable

if TYPE_CHECKING:
    from tracker.core.levels import Settings

#: Positions in the contacts' columns of values many contacts share (first and family names, company, source,
#: created_at, updated_at).
_REPEATED = tuple(
    i
    for i, name in enumerate(CONTACT_COLUMNS.split(", "))
    if name in ("first_name", "last_name", "company", "source", "created_at", "updated_at")
)

_COLUMNS = "id, contact_id, due, reason, status, snoozed_until, created_at, done_at, created_by"


def _from_row(row: tuple[Any, ...]) -> FollowUp:
    return FollowUp(*row)


class FollowUpsTable(StoreTable):
    def schedule(self, contact_id: int, due: date, reason: str = "") -> FollowUp:
        self.store.contacts.get(contact_id)
        with self.store.transaction():
            cursor = self.conn.execute(
                "INSERT INTO follow_ups (contact_id, due, reason, created_at) VALUES (?, ?, ?, ?)",
                (contact_id, due.isoformat(), reason.strip(), now_iso()),
            )
        assert cursor.lastrowid is not None  # an INSERT sets it
        return self.get(cursor.lastrowid)

    def get(self, follow_up_id: int) -> FollowUp:
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM follow_ups WHERE id = ?", (follow_up_id,)).fetchone()
        if row is None:
            raise InvalidInput(f"There is no follow-up with id {follow_up_id}.")
        return _from_row(row)

    def contacts_in_hand(self, as_of: date, handled_days: int) -> set[int]:
        """Contacts with an open follow-up (due or not), or one done in the last `handled_days` days."""
        since = (as_of - timedelta(days=handled_days)).isoformat()
        sql = "SELECT DISTINCT contact_id FROM follow_ups WHERE status = 'open' OR (status = 'done' AND done_at >= ?)"
        return {cid for (cid,) in self.conn.execute(sql, (since,))}

    def contacted_days(self, as_of: date, handled_days: int) -> dict[int, int]:
        """{contact id: day number of the last time the owner wrote to or called them (a `contacted` interaction)}
        in the `handled_days` days up to `as_of`."""
        end = (as_of - date(1970, 1, 1)).days
        sql = (
            "SELECT i.contact_id, max(i.day) FROM interactions i JOIN kinds k ON k.id = i.kind_id "
            "WHERE k.name = 'contacted' AND i.day BETWEEN ? AND ? GROUP BY i.contact_id"
        )
        return dict(self.conn.execute(sql, (end - handled_days, end)).fetchall())

    def engagement_columns(
        self, as_of: date, settings: Settings
    ) -> Iterator[tuple[int, int, int, int | None, int, int | None]]:
        """Every contact's (id, level number, score, days since last engaged or None, conversion days, consent
        1/0/None), streamed a tuple at a time: what the suggestion rules read, without building a contact per row
        (the levels are store.engagement.classify's, from the same SQL)."""
        params = _params(as_of, settings)
        sql = (
            f"WITH a AS ({_AGGREGATE.format(contact_filter='')}) "
            f"SELECT c.id, {_LEVEL}, {_SCORE}, :end - a.last_day, coalesce(a.conversion_days, 0), c.consent "
            "FROM contacts c LEFT JOIN a ON a.cid = c.id"
        )
        yield from self.conn.execute(sql, params)

    def contacts_by_name(self, contact_ids: Collection[int]) -> Iterator[tuple[int, Contact]]:
        """The given contacts (id, contact) in the contacts list's order (family name, first name, id), streamed."""
        sql = (
            f"SELECT {CONTACT_COLUMNS} FROM contacts WHERE id IN ({dialect.json_values(self.conn, 'bigint')}) "
            "ORDER BY lower(last_name), lower(first_name), id"
        )
        shared: dict[str, str] = {}  # one string for a value many contacts repeat (names, source, stamps, company)
        tag_lists: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple for each list of tags (immutable)
        for row in self.conn.execute(sql, (json.dumps(sorted(contact_ids)),)):
            values = list(row)
            for column in _REPEATED:
                text = values[column]
                if text is not None:
                    values[column] = shared.setdefault(text, text)
            contact = contact_from_row(tuple(values))
            contact.tags = tag_lists.setdefault(contact.tags, contact.tags)
            yield row[0], contact

    def record_done(self, contact_id: int, reason: str, day: date) -> FollowUp:
        """Note that a suggested follow-up was carried out on `day` (keeps it off the list for a while)."""
        with self.store.transaction():
            cursor = self.conn.execute(
                "INSERT INTO follow_ups (contact_id, due, reason, status, created_at, done_at) "
                "VALUES (?, ?, ?, 'done', ?, ?)",
                (contact_id, day.isoformat(), reason, now_iso(), day.isoformat()),
            )
        assert cursor.lastrowid is not None  # an INSERT sets it
        return self.get(cursor.lastrowid)

    def open_until(self, as_of: date | None = None) -> list[FollowUp]:
        """Open follow-ups due on or before `as_of` (all open ones if None), not snoozed past it."""
        if as_of is None:
            sql = f"SELECT {_COLUMNS} FROM follow_ups WHERE status = 'open' ORDER BY due, id"
            return [_from_row(r) for r in self.conn.execute(sql)]
        day = as_of.isoformat()
        sql = (
            f"SELECT {_COLUMNS} FROM follow_ups WHERE status = 'open' AND due <= ? "
            "AND (snoozed_until IS NULL OR snoozed_until <= ?) ORDER BY due, id"
        )
        return [_from_row(r) for r in self.conn.execute(sql, (day, day))]

    def for_contact(self, contact_id: int) -> list[FollowUp]:
        sql = f"SELECT {_COLUMNS} FROM follow_ups WHERE contact_id = ? ORDER BY status DESC, due"
        return [_from_row(r) for r in self.conn.execute(sql, (contact_id,))]

    def next_due_by_contact(self) -> dict[int, str]:
        """For each contact with an open follow-up, the earliest date it is due (or snoozed to)."""
        sql = (
            "SELECT contact_id, min(max(due, coalesce(snoozed_until, due))) FROM follow_ups "
            "WHERE status = 'open' GROUP BY contact_id"
        )
        return dict(self.conn.execute(sql).fetchall())

    def delete(self, ids: Iterable[int]) -> Changes:
        with self.store.transaction():
            self.conn.executemany("DELETE FROM follow_ups WHERE id = ?", [(int(i),) for i in ids])
        return Changes(follow_ups=True)

    def mark_done(self, ids: Iterable[int], day: date) -> Changes:
        """Close follow-ups as done on `day` (the day the user did them, not the machine's clock)."""
        with self.store.transaction():
            self.conn.executemany(
                "UPDATE follow_ups SET status = 'done', done_at = ? WHERE id = ?",
                [(day.isoformat(), int(i)) for i in ids],
            )
        return Changes(follow_ups=True)

    def reopen(self, ids: Iterable[int]) -> Changes:
        """Undo mark_done."""
        with self.store.transaction():
            self.conn.executemany(
                "UPDATE follow_ups SET status = 'open', done_at = NULL WHERE id = ?", [(int(i),) for i in ids]
            )
        return Changes(follow_ups=True)

    def restore_dates(self, follow_up: FollowUp) -> Changes:
        """Put back the due date and snooze a follow-up had (undo of reschedule or snooze)."""
        with self.store.transaction():
            self.conn.execute(
                "UPDATE follow_ups SET due = ?, snoozed_until = ? WHERE id = ?",
                (follow_up.due, follow_up.snoozed_until, follow_up.id),
            )
        return Changes(follow_ups=True)

    def snooze(self, ids: Iterable[int], until: date) -> Changes:
        with self.store.transaction():
            self.conn.executemany(
                "UPDATE follow_ups SET snoozed_until = ? WHERE id = ? AND status = 'open'",
                [(until.isoformat(), int(i)) for i in ids],
            )
        return Changes(follow_ups=True)

    def reschedule(self, follow_up_id: int, due: date) -> Changes:
        self.get(follow_up_id)
        with self.store.transaction():
            self.conn.execute(
                "UPDATE follow_ups SET due = ?, snoozed_until = NULL WHERE id = ?", (due.isoformat(), follow_up_id)
            )
        return Changes(follow_ups=True)
