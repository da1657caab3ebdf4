"""The SQL behind the purchase outlook: every contact's purchase days (same-day orders summed) up to a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from tracker.core.dates import day_number
from tracker.core.models import display_name
from tracker.core.store.table import StoreTable

if TYPE_CHECKING:
    import numpy as np

#: The interaction kind that counts as an order; shop exports and the "order"/"sale" synonyms import as this.
PURCHASE_KIND = "purchase"


@dataclass(frozen=True)
class OrderDays:
    """One row per contact and day with a purchase, sorted by contact then day.

    `value` is the day's summed amount (NaN when no purchase that day had an amount)."""

    contact_id: np.ndarray
    day: np.ndarray
    value: np.ndarray

    def __len__(self) -> int:
        return len(self.day)


@dataclass(frozen=True, slots=True)
class Buyer:
    """How a customer is named in the outlook."""

    email: str | None
    name: str


class PurchaseQueries(StoreTable):

    def _kind_id(self) -> int | None:
        row = self.conn.execute("SELECT id FROM kinds WHERE name = ?", (PURCHASE_KIND,)).fetchone()
        return row[0] if row else None

    def order_days(self, until: date, contact_id: int | None = None) -> OrderDays:
        """Purchase days up to and including `until`, for every contact (or one)."""
        import numpy as np  # loaded on first use: the window starts without numpy

        kind_id = self._kind_id()
        sql = ("SELECT contact_id, day, CASE WHEN count(amount) THEN total(amount) END FROM interactions "
               "WHERE kind_id = ? AND day <= ? {} GROUP BY contact_id, day ORDER BY contact_id, day")
        params: list = [kind_id, day_number(until)]
        if contact_id is not None:
            sql = sql.format("AND contact_id = ?")
            params.append(contact_id)
        else:
            sql = sql.format("")
        rows = self.conn.execute(sql, params).fetchall() if kind_id is not None else []
        if not rows:
            empty = np.zeros(0, dtype=np.int64)
            return OrderDays(empty, empty, np.zeros(0))
        ids, days, values = zip(*rows, strict=True)
        return OrderDays(np.array(ids, dtype=np.int64), np.array(days, dtype=np.int64),
                         np.array(values, dtype=float))  # None → nan

    def signature(self) -> tuple:
        """Changes whenever a purchase is added, removed or edited: the outlook's cache key."""
        kind_id = self._kind_id()
        return tuple(self.conn.execute(
            "SELECT count(*), max(id), total(day), total(amount) FROM interactions WHERE kind_id = ?", (kind_id,)
        ).fetchone())

    def buyers(self, contact_ids: np.ndarray) -> dict[int, Buyer]:
        """E-mail and display name of the given contacts."""
        wanted = {int(i) for i in contact_ids}
        out = {}
        for cid, email, first, last, company, phone in self.conn.execute(
            "SELECT id, email, first_name, last_name, company, phone FROM contacts"
        ):
            if cid in wanted:
                out[cid] = Buyer(email, display_name(first, last, company, email, phone))
        return out
