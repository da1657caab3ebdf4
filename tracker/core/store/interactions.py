"""SQL for the interactions table: log one, list them newest first, delete."""

from __future__ import annotations

import builtins
import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

from tracker.core.dates import day_number, iso_moment, now_iso
from tracker.core.errors import InvalidInput
from tracker.core.models import Changes, Contact, Interaction, Kind, display_name
from tracker.core.store import dialect, rows
from tracker.core.store.contact_fields import COLUMNS, contact_from_row
from tracker.core.store.table import StoreTable

if TYPE_CHECKING:
    pass

MAX_AMOUNT = 1e12
_REBUILD_AT = 100_000  # rows in one insert from which dropping and rebuilding secondary indexes pays off
_REBUILT_INDEXES = ("interactions_day", "interactions_kind")
_SELECT = """
    SELECT i.id, i.contact_id, k.name, i.occurred_at, i.amount, i.score, i.channel, i.note, i.import_id,
           c.email, c.first_name, c.last_name, i.created_by
    FROM interactions i JOIN kinds k ON k.id = i.kind_id JOIN contacts c ON c.id = i.contact_id
"""


def check_amount(amount: float | None) -> float | None:
    if amount is None:
        return None
    value = float(amount)
    if not math.isfinite(value) or value < 0 or value > MAX_AMOUNT:
        raise InvalidInput(f"An amount must be a number from 0 to {MAX_AMOUNT:,.0f}, not {amount}.")
    return round(value, 2)


def check_score(score: int | float | None) -> int | None:
    if score is None:
        return None
    if isinstance(score, float) and not score.is_integer():
        raise InvalidInput(f"A score must be a whole number from 0 to 10, not {score}.")
    value = int(score)
    if not 0 <= value <= 10:
        raise InvalidInput(f"A score must be a whole number from 0 to 10, not {score}.")
    return value


def check_moment(moment: datetime) -> str:
    if not 1900 <= moment.year <= 2200:
        raise InvalidInput(f"{moment.date()} is not a plausible date for an interaction.")
    return iso_moment(moment)


def _from_row(row: tuple[Any, ...]) -> Interaction:
    return Interaction(
        id=row[0],
        contact_id=row[1],
        kind=row[2],
        occurred_at=row[3],
        amount=row[4],
        score=row[5],
        channel=row[6],
        note=row[7],
        import_id=row[8],
        contact_email=row[9],
        contact_name=display_name(row[10], row[11]),
        by=row[12],
    )


class InteractionsTable(StoreTable):
    def count(self) -> int:
        count: int = self.conn.execute("SELECT count(*) FROM interactions").fetchone()[0]
        return count

    def log(
        self,
        contact_id: int,
        kind: str,
        occurred_at: datetime,
        *,
        amount: float | None = None,
        score: int | None = None,
        channel: str = "",
        note: str = "",
        import_id: int | None = None,
    ) -> Interaction:
        """Record one interaction; unknown kinds, bad amounts or scores raise before anything is written."""
        kind_row = self.kind_to_write(kind)
        interaction, _, _ = self.write(
            contact_id,
            kind_row,
            occurred_at,
            amount=amount,
            score=score,
            channel=channel,
            note=note,
            import_id=import_id,
        )
        return interaction

    def kind_to_write(self, name: str) -> Kind:
        """The kind called `name` (any case) as the store last read the kinds, without asking whether anyone
        changed them since: on a team database that question is a round trip, and every commit of anybody's (a
        colleague's logged call) made the kinds be read again — two of a logged call's round trips. A name not
        among them is asked of the store (read afresh if anything changed; UnknownKind if there is none). For
        `write` only, whose INSERT checks, under the write lock, that the kind is still there."""
        known = self.store._kinds
        found = known.get(name.strip().lower()) if known is not None else None
        return found if found is not None else self.store.kind(name)

    def write(
        self,
        contact: Contact | int,
        kind: Kind,
        occurred_at: datetime,
        *,
        amount: float | None = None,
        score: int | None = None,
        channel: str = "",
        note: str = "",
        import_id: int | None = None,
    ) -> tuple[Interaction, rows.Image, Contact]:
        """Record one interaction with a contact (as read before, or its id) and a kind read before: one INSERT …
        SELECT that writes it only while both are still there (under the write lock, with the write), else
        ContactNotFound or UnknownKind and nothing written; bad values raise before. Returns the interaction, its
        stored row as rows.read_keys reads it (RETURNING: what undo takes back, without reading it again) and the
        contact (given by id: read in the same transaction).

        Inside a transaction it adds no SAVEPOINT: the one statement lands whole or not at all (and cannot fail
        once the two are found). Outside one, it is a write transaction of its own; on a team database BEGIN, the
        lock, the INSERT, the contact's read and COMMIT are one round trip (PgConnection.write_alone), so the lock
        is never held while a client is woken."""
        contact_id = contact if isinstance(contact, int) else contact.id
        assert contact_id is not None  # a stored contact has its id
        try:
            values = (
                check_moment(occurred_at),
                check_amount(amount),
                check_score(score),
                channel.strip(),
                note,
                import_id,
                now_iso(),
                contact_id,
                kind.id,
            )
        except InvalidInput:
            if isinstance(contact, int):  # an unknown contact is said first, as when it was read first
                self.store.contacts.get(contact)
            raise
        names = dialect.writable_columns(self.conn, "interactions")
        sql = (
            "INSERT INTO interactions (occurred_at, amount, score, channel, note, import_id, created_at, contact_id, "
            "kind_id) SELECT ?, ?, ?, ?, ?, ?, ?, c.id, k.id FROM contacts c, kinds k WHERE c.id = ? AND k.id = ? "
            f"RETURNING {', '.join(names)}"
        )
        if dialect.is_team(self.conn) and not self.conn.in_transaction:
            reads = [(f"SELECT {COLUMNS} FROM contacts WHERE id = ?", (contact,))] if isinstance(contact, int) else []
            written, *read = self.conn.write_alone((sql, values), *reads)  # type: ignore[attr-defined]
            row = written.fetchone()
            if read:
                found = read[0].fetchone()
                contact = contact_from_row(found) if found is not None else self.store.contacts.get(contact_id)
        else:
            with self._writing():
                if isinstance(contact, int):
                    contact = self.store.contacts.get(contact)  # ContactNotFound
                row = self.conn.execute(sql, values).fetchone()
        assert not isinstance(contact, int)
        if row is None:  # the contact or the kind went meanwhile (another client's delete, an undone kind)
            self.store.contacts.get(contact_id)  # ContactNotFound
            self.store.forget_kinds()
            again = self.store.kind(kind.name)  # UnknownKind, unless it was made again (with another id)
            return self.write(
                contact, again, occurred_at, amount=amount, score=score, channel=channel, note=note, import_id=import_id
            )
        image = tuple(zip(names, row, strict=True))
        stored = dict(image)
        interaction = Interaction(
            id=stored["id"],
            contact_id=stored["contact_id"],
            kind=kind.name,
            occurred_at=stored["occurred_at"],
            amount=stored["amount"],
            score=stored["score"],
            channel=stored["channel"],
            note=stored["note"],
            import_id=stored["import_id"],
            contact_email=contact.email,
            contact_name=display_name(contact.first_name, contact.last_name),
            by=stored["created_by"],
        )
        return interaction, image, contact

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A write transaction, or, inside one already, nothing more than the writable check (no SAVEPOINT)."""
        if self.conn.in_transaction:
            self.store.require_writable()
            yield
        else:
            with self.store.transaction():
                yield

    def get(self, interaction_id: int) -> Interaction:
        row = self.conn.execute(_SELECT + " WHERE i.id = ?", (interaction_id,)).fetchone()
        if row is None:
            raise InvalidInput(f"There is no interaction with id {interaction_id}.")
        return _from_row(row)

    def list(
        self,
        *,
        contact_id: int | None = None,
        kinds: Iterable[str] = (),
        since: date | None = None,
        until: date | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Interaction]:
        """Interactions newest first, filtered by contact, kinds and an inclusive date range; paged by limit/offset."""
        where, params = [], []
        if contact_id is not None:
            where.append("i.contact_id = ?")
            params.append(contact_id)
        kind_ids = [self.store.kind(k).id for k in kinds]
        if kind_ids:
            where.append(f"i.kind_id IN ({', '.join('?' for _ in kind_ids)})")
            params.extend(kind_ids)
        if since is not None:
            where.append("i.day >= ?")
            params.append(day_number(since))
        if until is not None:
            where.append("i.day <= ?")
            params.append(day_number(until))
        sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY i.day DESC, i.occurred_at DESC, i.id DESC"  # the day index does most of the sorting
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return [_from_row(row) for row in self.conn.execute(sql, params)]

    def update(
        self,
        interaction_id: int,
        *,
        kind: str | None = None,
        occurred_at: datetime | None = None,
        amount: float | None = None,
        score: int | None = None,
        note: str | None = None,
        channel: str | None = None,
        clear: Iterable[str] = (),
    ) -> Changes:
        """Change one interaction; values are checked like when logging it. None keeps a value; `clear` names the
        ones to empty ("amount", "score")."""
        current = self.get(interaction_id)
        emptied = set(clear)
        if not emptied <= {"amount", "score"}:
            raise InvalidInput(f"Only an amount or a score can be cleared, not {', '.join(sorted(emptied))}.")
        values = {
            "kind_id": self.store.kind(kind).id if kind is not None else self.store.kind(current.kind).id,
            "occurred_at": check_moment(occurred_at) if occurred_at is not None else current.occurred_at,
            "amount": check_amount(amount) if amount is not None else current.amount,
            "score": check_score(score) if score is not None else current.score,
            "note": note if note is not None else current.note,
            "channel": channel.strip() if channel is not None else current.channel,
        }
        values.update(dict.fromkeys(emptied))
        with self.store.transaction():
            self.conn.execute(
                "UPDATE interactions SET kind_id = ?, occurred_at = ?, amount = ?, score = ?, note = ?, channel = ? "
                "WHERE id = ?",
                (*values.values(), interaction_id),
            )
        return Changes(interactions=True)

    def snapshot(self, interaction_ids: Iterable[int]) -> builtins.list[dict[str, Any]]:
        """The stored rows of these interactions, for undoing a delete."""
        ids = [int(i) for i in interaction_ids]
        cursor = self.conn.execute(f"SELECT * FROM interactions WHERE id IN ({', '.join('?' for _ in ids)})", ids)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor]
        for row in rows:
            row.pop("day")
        return rows

    def restore(self, rows: builtins.list[dict[str, Any]]) -> Changes:
        with self.store.transaction():
            for row in rows:
                self.conn.execute(
                    f"INSERT INTO interactions ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                    tuple(row.values()),
                )
        return Changes(interactions=True)

    def delete(self, interaction_ids: Iterable[int]) -> Changes:
        with self.store.transaction():
            self.conn.executemany("DELETE FROM interactions WHERE id = ?", [(int(i),) for i in interaction_ids])
        return Changes(interactions=True)

    def import_writer(self, import_id: int, *, within_file: bool, order_numbers: bool) -> ImportWriter:
        """A writer for one import's interactions, chunk by chunk, inside the import's transaction."""
        return ImportWriter(self, import_id, within_file=within_file, order_numbers=order_numbers)

    def _drop_secondary_indexes(self) -> builtins.list[str]:
        """Drop the day and kind indexes for a huge insert, to build them again after (sorting beats ~1M random
        B-tree inserts); returns the SQL that makes them. It is read back from the schema, so the migration stays
        the one definition; inside the import's transaction, a failure restores them with everything else."""
        definitions = dialect.index_definitions(self.conn, _REBUILT_INDEXES)
        for name, _ in definitions:
            self.conn.execute(f"DROP INDEX {name}")
        return [sql for _, sql in definitions]


_INSERT = (
    "INSERT INTO interactions (id, contact_id, kind_id, occurred_at, amount, score, channel, note, import_id, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# An imported row goes again when an earlier row has the same contact, kind, moment and amount: a row stored
# before the import (it is already there), or, within the file, one with the same note (and order number).
_REPEATS = """
    DELETE FROM interactions WHERE id BETWEEN :low AND :high AND EXISTS (
        SELECT 1 FROM interactions AS o {indexed}
        WHERE o.contact_id = interactions.contact_id AND o.day = interactions.day
          AND o.kind_id = interactions.kind_id AND o.id < interactions.id
          AND o.occurred_at = interactions.occurred_at AND o.amount IS NOT DISTINCT FROM interactions.amount
          AND (o.id <= :before OR (:within AND o.note = interactions.note {same_order})))
"""
_SAME_ORDER = """AND coalesce((SELECT number FROM temp.import_order_numbers WHERE id = o.id), '')
                = coalesce((SELECT number FROM temp.import_order_numbers WHERE id = interactions.id), '')"""


class ImportWriter:
    """One import's interactions, written a chunk at a time inside the import's one transaction.

    Each chunk is written in contact order (index pages are written once, not revisited) with ids that follow it;
    a contact's rows keep the file's order, so "an earlier row" of a contact is one with a smaller id, and repeats
    are found by SQL through the (contact, day, kind) index, not by holding the file's rows. For a big
    import the day and kind indexes are dropped once the rows written outnumber those stored, and built again by
    `finish` (a failure rolls their dropping back with everything else).
    """

    def __init__(self, table: InteractionsTable, import_id: int, *, within_file: bool, order_numbers: bool):
        self.conn = table.conn
        self.import_id = import_id
        self.within_file = within_file
        self.order_numbers = order_numbers
        self.before = self.conn.execute("SELECT coalesce(max(id), 0) FROM interactions").fetchone()[0]
        self.stored = table.count()
        self.kinds = {name.lower(): kind.id for name, kind in table.store.kinds().items()}
        self.stamp = now_iso()
        self.written = 0
        self._next_id = self.before + 1
        self._rebuild: list[str] | None = None
        self._table = table
        self._repeats = _REPEATS.format(
            same_order=_SAME_ORDER if order_numbers else "",
            indexed=dialect.indexed_by(self.conn, "interactions_contact_day"),
        )
        self.orders_remembered = False
        if order_numbers:
            self.conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS import_order_numbers (id INTEGER PRIMARY KEY, number TEXT NOT NULL)"
            )
            self.conn.execute("DELETE FROM temp.import_order_numbers")

    def write(self, rows: list[list[Any]]) -> int:
        """Insert [_, contact_id, kind, occurred_at ISO text, amount, score, channel, note, order number] rows, in
        file order; each row's first item is set to the id it gets. Returns how many stay, the others repeating an
        earlier row (see _REPEATS)."""
        if not rows:
            return 0
        rows = sorted(rows, key=itemgetter(1))  # stable: a contact's rows stay in file order
        low = self._next_id
        for row_id, row in enumerate(rows, low):
            row[0] = row_id
        self._next_id = high = low + len(rows) - 1
        self._next_id += 1
        kinds, import_id, stamp = self.kinds, self.import_id, self.stamp
        values = [
            (row_id, contact_id, kinds[kind.lower()], occurred, amount, score, channel, note, import_id, stamp)
            for row_id, contact_id, kind, occurred, amount, score, channel, note, _ in rows
        ]
        if self.order_numbers:
            self.conn.executemany(
                "INSERT INTO temp.import_order_numbers (id, number) VALUES (?, ?)",
                [(row[0], row[8]) for row in rows if row[8]],
            )
        if self._rebuild is None and self.written + len(values) >= max(_REBUILD_AT, self.stored):
            self._rebuild = self._table._drop_secondary_indexes()
        self.conn.executemany(_INSERT, values)
        kept = len(values)
        if self.before or self.within_file:
            kept -= self.conn.execute(
                self._repeats, {"low": low, "high": high, "before": self.before, "within": self.within_file}
            ).rowcount
        self.written += kept
        return kept

    def append_note(self, row_id: int, note: str) -> None:
        """Add an order's later line item to the note of its purchase, written with an earlier chunk."""
        self.conn.execute(
            "UPDATE interactions SET note = CASE WHEN note = '' THEN :note ELSE note || '; ' || :note END "
            "WHERE id = :id",
            {"note": note, "id": row_id},
        )

    def add_amount(self, row_id: int, amount: float) -> None:
        """Add a later line item's value (quantity × price) to its order's purchase, written with an earlier chunk."""
        self.conn.execute(
            "UPDATE interactions SET amount = round(coalesce(amount, 0) + :amount, 2) WHERE id = :id",
            {"amount": amount, "id": row_id},
        )

    def remember_orders(self, orders: Mapping[str, Any]) -> None:
        """Keep a shop's order numbers → purchase ids (or, for an order not taken as a purchase, why: text) in a
        temporary table instead of memory (see `order_id`)."""
        if not self.orders_remembered:
            self.conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS import_orders (number TEXT PRIMARY KEY, id INTEGER, reason TEXT)"
            )
            self.conn.execute("DELETE FROM temp.import_orders")
            self.orders_remembered = True
        self.conn.executemany(
            "INSERT INTO temp.import_orders (number, id, reason) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [
                (number, None, found) if isinstance(found, str) else (number, found, None)
                for number, found in orders.items()
            ],
        )

    def order_id(self, number: str) -> int | str | None:
        """The purchase an order number became (or why it was skipped), of those passed to `remember_orders`."""
        found = self.conn.execute("SELECT id, reason FROM temp.import_orders WHERE number = ?", (number,)).fetchone()
        if found is None:
            return None
        return cast("int | str", found[1] if found[1] is not None else found[0])

    def finish(self) -> None:
        """Build the dropped indexes again; forget the order numbers."""
        for sql in self._rebuild or ():
            self.conn.execute(sql)
        self._rebuild = None
        dialect.ids_follow_max(self.conn, "interactions")  # the rows were written with ids of their own
        if self.order_numbers:
            self.conn.execute("DELETE FROM temp.import_order_numbers")
        if self.orders_remembered:
            self.conn.execute("DELETE FROM temp.import_orders")
