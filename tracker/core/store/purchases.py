"""The SQL behind the purchase outlook: every contact's purchase days (same-day orders summed) up to a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from tracker.core.dates import day_number
from tracker.core.models import display_name
from tracker.core.store.table import StoreTable

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: The interaction kind that counts as an order; shop exports and the "order"/"sale" synonyms import as this.
PURCHASE_KIND = "purchase"


@dataclass(frozen=True)
class OrderDays:
    """One row per contact and day with a purchase, sorted by contact then day.

    `value` is the day's summed amount (NaN when no purchase that day had an amount)."""

    contact_id: npt.NDArray[np.int64]
    day: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]

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
        """Purchase days up to and including `until`, for every contact (or one).

        The rows are fetched unsorted and grouped with numpy: SQLite's GROUP BY sorts through a temporary
        B-tree, twice as slow at a million interactions."""
        import numpy as np  # loaded on first use: the window starts without numpy

        kind_id = self._kind_id()
        sql = "SELECT contact_id, day, amount FROM interactions WHERE kind_id = ? AND day <= ?"
        params: list[Any] = [kind_id, day_number(until)]
        if contact_id is not None:
            sql += " AND contact_id = ?"
            params.append(contact_id)
        rows = self.conn.execute(sql, params).fetchall() if kind_id is not None else []
        if not rows:
            empty = np.zeros(0, dtype=np.int64)
            return OrderDays(empty, empty, np.zeros(0))
        table = np.array(rows, dtype=float)  # None amounts become nan
        ids, days, amounts = table[:, 0].astype(np.int64), table[:, 1].astype(np.int64), table[:, 2]
        order = np.lexsort((days, ids))
        ids, days, amounts = ids[order], days[order], amounts[order]
        starts = np.flatnonzero(np.r_[True, (ids[1:] != ids[:-1]) | (days[1:] != days[:-1])])
        known = ~np.isnan(amounts)
        totals = np.add.reduceat(np.where(known, amounts, 0.0), starts)
        priced = np.add.reduceat(known.astype(np.int64), starts)
        return OrderDays(ids[starts], days[starts], np.where(priced > 0, totals, np.nan))

    def signature(self) -> tuple[Any, ...]:
        """Changes whenever a purchase is added, removed or edited, or a contact is added, removed or renamed
        (names are shown with the figures): the outlook's cache key."""
        kind_id = self._kind_id()
        purchases = self.conn.execute(
            "SELECT count(*), max(id), total(day), total(amount) FROM interactions WHERE kind_id = ?", (kind_id,)
        ).fetchone()
        contacts = self.conn.execute(
            "SELECT count(*), max(updated_at), total(id * length(first_name || '|' || last_name || '|' || "
            "coalesce(email, '') || '|' || company || '|' || phone)) FROM contacts"
        ).fetchone()
        return (*purchases, *contacts)

    def buyers(self, contact_ids: npt.NDArray[np.int64]) -> dict[int, Buyer]:
        """E-mail and display name of the given contacts."""
        wanted = {int(i) for i in contact_ids}
        out: dict[int, Buyer] = {}
        for cid, email, first, last, company, phone in self.conn.execute(
            "SELECT id, email, first_name, last_name, company, phone FROM contacts"
        ):
            if cid in wanted:
                out[cid] = Buyer(email, display_name(first, last, company, email, phone))
        return out
