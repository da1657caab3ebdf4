""" "How good are these predictions for my shop?": fit on the orders up to a cut-off, forecast the period after
it, and compare with what the same customers really bought."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from tracker.core.dates import check_day, day_number
from tracker.core.errors import InvalidInput, NotEnoughPurchases
from tracker.core.outlook.forecast import HORIZON_DAYS, MIN_MODEL_BUYERS, ModelKind, check_horizon, figures
from tracker.core.outlook.history import histories
from tracker.core.store.purchases import OrderDays

if TYPE_CHECKING:
    from tracker.core.store import Store

#: Rows of the table by orders before the cut-off: 1, 2, … and the last one for this many or more.
PAST_ORDER_ROWS = 7
CALIBRATION_EDGES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


@dataclass(frozen=True, slots=True)
class PastOrdersRow:
    """Customers with this many orders before the cut-off, and their orders after it: actual vs predicted."""

    label: str
    customers: int
    actual_mean: float
    predicted_mean: float


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """Customers given a chance of ordering within [low, high), and the share of them who did."""

    low: float
    high: float
    customers: int
    predicted: float
    actual: float

    @property
    def label(self) -> str:
        return f"{100 * self.low:.0f}–{100 * self.high:.0f} %"


@dataclass(frozen=True)
class Backtest:
    cutoff: date
    end: date
    kind: ModelKind
    customers: int
    repeat_customers: int
    predicted_orders: float
    actual_orders: int
    correlation: float | None
    by_past_orders: list[PastOrdersRow]
    calibration: list[CalibrationBin]
    lapsed_given: int  # repeat customers given under 10 % chance of still being customers
    lapsed_returned: int  # of them, how many ordered after the cut-off
    predicted_repeat_total: float  # cumulative repeat orders by the end, forecast from the first orders alone
    actual_repeat_total: int

    @property
    def days(self) -> int:
        return (self.end - self.cutoff).days

    def sentences(self) -> list[str]:
        """The backtest in words, for the CLI and the app."""
        diff = self.predicted_orders - self.actual_orders
        direction = "high" if diff > 0 else "low"
        lines = [
            f"Fitted on the {self.customers:,} customers who had ordered by {self.cutoff.isoformat()} ({self.kind}), "
            f"then compared with their orders in the {self.days} days to {self.end.isoformat()}.",
            f"Predicted {self.predicted_orders:,.0f} orders; they placed {self.actual_orders:,}"
            + (
                f" (the forecast was {100 * abs(diff) / self.actual_orders:.0f} % {direction})."
                if self.actual_orders
                else "."
            ),
        ]
        if self.correlation is not None:
            lines.append(f"Customer by customer, predicted and actual orders correlate at {self.correlation:.2f}.")
        for b in self.calibration:
            if b.customers:
                lines.append(f"Of {b.customers:,} customers given {b.label}, {100 * b.actual:.0f} % ordered.")
        if self.lapsed_given:
            lines.append(
                f"Of {self.lapsed_given:,} repeat customers given under 10 % chance of still being "
                f"customers, {self.lapsed_returned:,} came back — hence 'may have lapsed', never 'lost'."
            )
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "cutoff": self.cutoff.isoformat(),
            "end": self.end.isoformat(),
            "model": {"kind": str(self.kind), "customers": self.customers, "repeat_customers": self.repeat_customers},
            "predicted_orders": round(self.predicted_orders, 2),
            "actual_orders": self.actual_orders,
            "correlation": None if self.correlation is None else round(self.correlation, 4),
            "by_past_orders": [
                {
                    "past_orders": r.label,
                    "customers": r.customers,
                    "actual_mean": round(r.actual_mean, 4),
                    "predicted_mean": round(r.predicted_mean, 4),
                }
                for r in self.by_past_orders
            ],
            "calibration": [
                {
                    "chance": b.label,
                    "customers": b.customers,
                    "predicted": round(b.predicted, 4),
                    "actual": round(b.actual, 4),
                }
                for b in self.calibration
            ],
            "lapsed": {"given_under_10_percent": self.lapsed_given, "came_back": self.lapsed_returned},
            "tracking": {
                "predicted_repeat_orders": round(self.predicted_repeat_total, 2),
                "actual_repeat_orders": self.actual_repeat_total,
            },
        }


def backtest(store: Store, cutoff: date | None = None, horizon: int = HORIZON_DAYS, *, today: date) -> Backtest:
    """Fit on the orders up to `cutoff` (default `horizon` days before today) and compare the forecast for the
    `horizon` days after it (up to today) with what happened."""
    today = check_day(today)
    check_horizon(horizon)
    cutoff = check_day(cutoff or today - timedelta(days=horizon))
    end = min(today, cutoff + timedelta(days=horizon))
    if end <= cutoff:
        raise InvalidInput(f"The cut-off {cutoff.isoformat()} must be before today to compare with what happened.")
    return backtest_orders(store.purchases.order_days(end), cutoff, end)


def backtest_orders(orders: OrderDays, cutoff: date, end: date) -> Backtest:
    cut = day_number(cutoff)
    before = orders.day <= cut
    h = histories(OrderDays(orders.contact_id[before], orders.day[before], orders.value[before]), cut)
    if len(h) < MIN_MODEL_BUYERS:
        raise NotEnoughPurchases(
            f"Too few customers for a backtest: {len(h)} had ordered by {cutoff.isoformat()}, "
            f"and chances need at least {MIN_MODEL_BUYERS}."
        )
    horizon = (end - cutoff).days
    f = figures(h, horizon)
    if f.kind is ModelKind.RHYTHM:
        raise NotEnoughPurchases(f"The orders before {cutoff.isoformat()} span too few days for chances.")
    assert f.model is not None  # fitted for every kind but the rhythm rule
    predicted, chance, alive = np.nan_to_num(f.expected), np.nan_to_num(f.p_purchase), f.p_active

    known = np.isin(orders.contact_id, h.contact_id)
    after_ids = orders.contact_id[known & ~before]
    position = np.searchsorted(h.contact_id, after_ids)
    actual = np.bincount(position, minlength=len(h)).astype(float)
    correlation = float(np.corrcoef(predicted, actual)[0, 1]) if actual.std() and predicted.std() else None

    rows = []
    for n in range(1, PAST_ORDER_ROWS + 1):
        chosen = h.purchases >= n if n == PAST_ORDER_ROWS else h.purchases == n
        if np.any(chosen):
            rows.append(
                PastOrdersRow(
                    f"{n}+" if n == PAST_ORDER_ROWS else str(n),
                    int(chosen.sum()),
                    float(actual[chosen].mean()),
                    float(predicted[chosen].mean()),
                )
            )
    bins = []
    for low, high in pairwise(CALIBRATION_EDGES):
        chosen = (chance >= low) & ((chance < high) if high < 1 else (chance <= high))
        count = int(chosen.sum())
        bins.append(
            CalibrationBin(
                low,
                high,
                count,
                float(chance[chosen].mean()) if count else 0.0,
                float((actual[chosen] > 0).mean()) if count else 0.0,
            )
        )
    lapsed = np.nan_to_num(alive, nan=1.0) < 0.10
    unit_days = 7 if f.time_unit == "week" else 1
    tracking = float(np.sum(f.model.expected_repeat_by((day_number(end) - h.first) / unit_days)))
    return Backtest(
        cutoff=cutoff,
        end=end,
        kind=f.kind,
        customers=len(h),
        repeat_customers=f.repeat_customers,
        predicted_orders=float(predicted.sum()),
        actual_orders=int(actual.sum()),
        correlation=correlation,
        by_past_orders=rows,
        calibration=bins,
        lapsed_given=int(lapsed.sum()),
        lapsed_returned=int((actual[lapsed] > 0).sum()),
        predicted_repeat_total=tracking,
        actual_repeat_total=int(h.x.sum() + actual.sum()),
    )
