"""The purchase outlook for the Dashboard: orders and revenue expected over the horizon, and the valuable
customers at risk (overdue for their rhythm or unlikely to order), most valuable first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from tracker.core.errors import NotEnoughPurchases
from tracker.core.outlook.forecast import HORIZON_DAYS, ContactOutlook, ModelKind, forecast
from tracker.core.outlook.words import days, model_sentence, money, percent

if TYPE_CHECKING:
    from tracker.core.store import Store

#: At-risk customers named on the Dashboard (the Follow-ups tab lists them all as win-backs).
SHOWN_AT_RISK = 5


@dataclass(frozen=True)
class OutlookSummary:
    as_of: date
    horizon: int
    kind: ModelKind
    model: str  # which model produced the figures, in a sentence
    expected_orders: float | None  # None under the rhythm rule
    expected_revenue: float | None  # None without amounts or under the rhythm rule
    at_risk: list[ContactOutlook]  # every customer at risk, most valuable first
    at_risk_value: float

    def sentence(self) -> str:
        """'Purchase outlook, next 90 days: 135 orders worth about 8,110; 4 customers at risk (early estimate).'"""
        text = f"Purchase outlook, next {days(self.horizon)}: "
        if self.expected_orders is None:
            text += "too few customers for chances yet"
        else:
            text += f"{self.expected_orders:,.0f} orders"
            if self.expected_revenue is not None:
                text += f" worth about {self.expected_revenue:,.0f}"
        return text + f"; {len(self.at_risk):,} customers at risk ({self.kind})."

    def at_risk_lines(self, top: int = SHOWN_AT_RISK) -> list[str]:
        """'Arthur Green: every 26 days, last 97 days ago, 12 % chance · 360.55 at stake'."""
        lines = []
        for c in self.at_risk[:top]:
            text = f"{c.name}: every {days(c.gap or 0)}, last {days(c.days_since)} ago"
            if c.p_purchase is not None:
                text += f", {percent(c.p_purchase)} chance"
            lines.append(text + (f" · {money(c.stake)} at stake" if c.stake else ""))
        return lines


def outlook_summary(store: Store, as_of: date, horizon: int = HORIZON_DAYS) -> OutlookSummary | None:
    """The Dashboard's outlook as of a day, or None when nobody has bought yet."""
    try:
        outlook = forecast(store, as_of, horizon)
    except NotEnoughPurchases:
        return None
    at_risk = outlook.at_risk(store.settings().winback_percent / 100)
    return OutlookSummary(
        as_of,
        horizon,
        outlook.kind,
        model_sentence(outlook),
        outlook.expected_orders,
        outlook.expected_revenue,
        at_risk,
        float(sum(c.stake for c in at_risk)),
    )
