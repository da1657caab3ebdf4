"""Each customer's purchase history in the shape the models read: purchase days (same-day orders count once),
x repeat purchases, t_x from the first purchase to the last, T from the first purchase to the "as of" day, and
order values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tracker.core.store.purchases import OrderDays


@dataclass(frozen=True)
class Histories:
    """One entry per customer (a contact with at least one purchase), in days; arrays of equal length."""

    contact_id: npt.NDArray[np.int64]
    first: npt.NDArray[np.int64]  # day numbers
    last: npt.NDArray[np.int64]
    purchases: npt.NDArray[np.intp]  # distinct purchase days
    end: int  # the "as of" day number
    order_value: npt.NDArray[np.float64]  # mean value of their orders with an amount (nan: none had one)
    repeat_value: npt.NDArray[np.float64]  # mean value of their repeat orders (nan: none)
    gaps: npt.NDArray[np.float64]  # every gap in days between a customer's consecutive purchase days, all customers

    @property
    def x(self) -> npt.NDArray[np.intp]:
        return self.purchases - 1

    @property
    def t_x(self) -> npt.NDArray[np.float64]:
        return (self.last - self.first).astype(float)

    @property
    def T(self) -> npt.NDArray[np.float64]:
        return (self.end - self.first).astype(float)

    @property
    def days_since(self) -> npt.NDArray[np.int64]:
        return self.end - self.last

    def __len__(self) -> int:
        return len(self.contact_id)

    @property
    def shop_gap(self) -> float | None:
        """The shop's usual gap between a customer's orders (median over all repeat gaps), in days."""
        return float(np.median(self.gaps)) if len(self.gaps) else None

    def usual_gap(self) -> npt.NDArray[np.float64]:
        """Each customer's own mean gap between orders in days (nan for one-time buyers)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.x > 0, self.t_x / np.maximum(self.x, 1), np.nan)


def histories(orders: OrderDays, end: int) -> Histories:
    """Summarise order days (sorted by contact, then day, all on or before `end`) per customer."""
    ids, starts, counts = np.unique(orders.contact_id, return_index=True, return_counts=True)
    stops = starts + counts - 1
    values = orders.value
    known = ~np.isnan(values)
    filled = np.where(known, values, 0.0)
    if len(ids):
        total = np.add.reduceat(filled, starts)
        priced = np.add.reduceat(known.astype(float), starts)
    else:
        total = priced = np.zeros(0)
    first_value, first_known = filled[starts], known[starts].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        order_value = np.where(priced > 0, total / priced, np.nan)
        repeat_priced = priced - first_known
        repeat_value = np.where(repeat_priced > 0, (total - first_value) / repeat_priced, np.nan)
    same = orders.contact_id[1:] == orders.contact_id[:-1]
    gaps = np.diff(orders.day)[same].astype(float)
    return Histories(ids, orders.day[starts], orders.day[stops], counts, end, order_value, repeat_value, gaps)
