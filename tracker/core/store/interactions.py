"""SQL for the interactions table: log one, list them newest first, delete."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from operator import itemgetter
from typing import TYPE_CHECKING

from tracker.core.dates import day_number, iso_moment, now_iso
from tracker.core.errors import InvalidInput
from tracker.core.models import Changes, Interaction, display_name
from tracker.core.normalize import ascii_lower
from tracker.core.store.table import StoreTable

if TYPE_CHECKING:
    pass

MAX_AMOUNT = 1e12
_REBUILD_AT = 100_000  # rows in one insert from which dropping and rebuilding secondary indexes pays off
_REBUILT_INDEXES = ("interactions_day", "interactions_kind")
_SELECT = """
    SELECT i.id, i.contact_id, k.name, i.occurred_at, i.amount, i.score, i.channel, i.note, i.import_id,
           c.email, c.first_name, c.last_name
    FROM interactions i JOIN kinds k ON k.id = i.kind_id JOIN contacts c ON c.id = i.contact_id
"""


def check_amount(amount: float | None) -> float | None:
    if amount is None:
        return None
    value = float(amount)
    if not math.isfinite(value) or value < 0 or value > MAX_AMOUNT:
        raise InvalidInput(f"An amount must be a number from 0 to {MAX_AMOUNT:,.0f}, not {amount}.")
    return round(value, 2)


def check_score(score: int | None) -> int | None:
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


def _from_row(row: tuple) -> Interaction:
    return Interaction(
        id=row[0], contact_id=row[1], kind=row[2], occurred_at=row[3], amount=row[4], score=row[5],
        channel=row[6], note=row[7], import_id=row[8], contact_email=row[9],
        contact_name=display_name(row[10], row[11]),
    )


class InteractionsTable(StoreTable):

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM interactions").fetchone()[0]

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
        kind_row = self.store.kind(kind)
        self.store.contacts.get(contact_id)
        values = (
            contact_id, kind_row.id, check_moment(occurred_at), check_amount(amount), check_score(score),
            channel.strip(), note, import_id, now_iso(),
        )
        with self.store.transaction():
            cursor = self.conn.execute(
                "INSERT INTO interactions (contact_id, kind_id, occurred_at, amount, score, channel, note, "
                "import_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
        return self.get(cursor.lastrowid)

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

    def update(self, interaction_id: int, *, kind: str | None = None, occurred_at: datetime | None = None,
               amount: float | None = None, score: int | None = None, note: str | None = None) -> Changes:
        """Change one interaction; values are checked like when logging it."""
        current = self.get(interaction_id)
        values = {
            "kind_id": self.store.kind(kind).id if kind is not None else self.store.kind(current.kind).id,
            "occurred_at": check_moment(occurred_at) if occurred_at is not None else current.occurred_at,
            "amount": check_amount(amount) if amount is not None else current.amount,
            "score": check_score(score) if score is not None else current.score,
            "note": note if note is not None else current.note,
        }
        with self.store.transaction():
            self.conn.execute(
                "UPDATE interactions SET kind_id = ?, occurred_at = ?, amount = ?, score = ?, note = ? WHERE id = ?",
                (*values.values(), interaction_id),
            )
        return Changes(interactions=True)

    def snapshot(self, interaction_ids: Iterable[int]) -> list[dict]:
        """The stored rows of these interactions, for undoing a delete."""
        ids = [int(i) for i in interaction_ids]
        cursor = self.conn.execute(
            f"SELECT * FROM interactions WHERE id IN ({', '.join('?' for _ in ids)})", ids
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor]
        for row in rows:
            row.pop("day")
        return rows

    def restore(self, rows: list[dict]) -> Changes:
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

    def write_batch(self, rows: list[tuple], import_id: int) -> tuple[int, int]:
        """Insert (email, kind, occurred_at ISO text, amount, score, channel, note) rows; call in a transaction.

        A row identical to a stored interaction (same contact, kind, moment and amount) is not added again; the
        caller has already removed duplicates within the batch. Returns (inserted, skipped as already there).
        """
        ids = self.store.contacts.ids_by_email()
        kinds = {name: kind.id for name, kind in self.store.kinds().items()}
        stamp = now_iso()
        stored = self.count()
        existing = self._existing_keys({ids[ascii_lower(r[0])] for r in rows}) if stored else set()
        values = [
            (ids[ascii_lower(email)], kinds[kind.lower()], occurred, amount, score, channel, note, import_id, stamp)
            for email, kind, occurred, amount, score, channel, note in rows
        ]
        if existing:
            values = [v for v in values if (v[0], v[1], v[2], v[3]) not in existing]
        values.sort(key=itemgetter(0))  # contact order: index pages are written once, not revisited
        insert = (
            "INSERT INTO interactions (contact_id, kind_id, occurred_at, amount, score, channel, note, "
            "import_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        if len(values) >= _REBUILD_AT and len(values) >= stored:
            with self._secondary_indexes_rebuilt():
                self.conn.executemany(insert, values)
        else:
            self.conn.executemany(insert, values)
        return len(values), len(rows) - len(values)

    def _existing_keys(self, contact_ids: set[int]) -> set[tuple]:
        wanted = sorted(contact_ids)
        keys: set[tuple] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            keys.update(
                self.conn.execute(
                    "SELECT contact_id, kind_id, occurred_at, amount FROM interactions "
                    f"WHERE contact_id IN ({', '.join('?' for _ in chunk)})",
                    chunk,
                )
            )
        return keys

    @contextmanager
    def _secondary_indexes_rebuilt(self) -> Iterator[None]:
        """Drop the day and kind indexes for a huge insert and build them again after (sorting beats ~1M
        random B-tree inserts). Their SQL is read back from the schema, so the migration stays the one
        definition; inside the import's transaction, a failure restores them with everything else."""
        definitions = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (?, ?)", _REBUILT_INDEXES
        ).fetchall()
        for name, _ in definitions:
            self.conn.execute(f"DROP INDEX {name}")
        yield
        for _, sql in definitions:
            self.conn.execute(sql)
