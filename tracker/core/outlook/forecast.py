"""The outlook of every customer: which model the shop's data supports, fitted once and cached until the
purchases change, and per contact the chance of an order, the expected orders and value, and the next date."""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from threading import Lock
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from tracker.core.dates import check_day, day_number, from_day_number
from tracker.core.errors import InvalidInput, NotEnoughPurchases
from tracker.core.outlook import bgnbd, gamma_gamma
from tracker.core.outlook.history import Histories, histories

if TYPE_CHECKING:
    from tracker.core.store import Store
    from tracker.core.store.purchases import Buyer

#: Below this many buyers there are no probabilities, only each customer's rhythm.
MIN_MODEL_BUYERS = 30
#: Below this many buyers or repeat buyers the fit leans on a weak default and is called an early estimate.
MIN_FIT_BUYERS = 200
MIN_FIT_REPEATERS = 80
#: A shop whose first customer bought less than this many days ago has no rhythm to fit yet.
MIN_WATCHED_DAYS = 28
#: Strength of the pull toward the default (per squared log-parameter) in an early estimate.
EARLY_PENALTY = 1.0
#: The default an early estimate leans on (r, a, b; alpha follows from the shop's own repeat rate):
#: moderately different customers who drop out after about one order in four (CDNOW-like, Fader et al. 2005).
EARLY_PRIOR = (0.5, 0.8, 2.5)
#: Repeat customers with order values needed to fit the spend model; fewer: each customer's own mean order.
MIN_SPEND_CUSTOMERS = 20
#: Customers watched for longer than this are fitted in weeks, others in days.
WEEKS_FROM_DAYS = 84
HORIZON_DAYS = 90
#: A likely next order further off than this is not given as a date.
MAX_WAIT_DAYS = 36500
#: Days since the last order, in units of their rhythm, from which a customer is overdue.
OVERDUE_RATIO = 2.0
MAX_HORIZON_DAYS = 3650


class ModelKind(StrEnum):
    """Which of the three ways produced an outlook; said next to every figure."""

    BGNBD = "bg/nbd"
    EARLY = "early estimate"
    RHYTHM = "rhythm rule"


@dataclass(frozen=True, slots=True)
class ContactOutlook:
    """One customer's outlook over the horizon; a figure that does not apply is None."""

    contact_id: int
    email: str | None
    name: str
    purchases: int
    first_purchase: date
    last_purchase: date
    days_since: int
    usual_gap: float | None  # their own mean days between orders (None: bought once)
    shop_gap: float | None  # the shop's usual gap, for one-time buyers
    p_active: float | None  # None for one-time buyers (1 by construction) and the rhythm rule
    p_purchase: float | None
    expected_purchases: float | None
    expected_next_purchase: date | None
    order_value: float | None
    expected_value: float | None
    at_stake: float | None  # the value expected over the horizon were they still active
    kind: ModelKind

    @property
    def one_time(self) -> bool:
        return self.purchases == 1

    @property
    def gap(self) -> float | None:
        """Their rhythm: their own usual gap, or the shop's for one-time buyers."""
        return self.usual_gap if self.usual_gap else self.shop_gap

    @property
    def ratio(self) -> float | None:
        """Days since the last order in units of their rhythm (2.0: twice as long as usual)."""
        gap = self.gap
        return self.days_since / gap if gap else None

    @property
    def overdue(self) -> bool:
        return self.ratio is not None and self.ratio >= OVERDUE_RATIO

    @property
    def stake(self) -> float:
        """What they would bring over the horizon were they still buying (the order value under the rhythm rule)."""
        return self.at_stake if self.at_stake is not None else (self.order_value or 0.0)

    def at_risk(self, chance_below: float) -> bool:
        """A repeat customer unlikely (under `chance_below`) to order within the horizon; under the rhythm rule,
        one overdue for their own rhythm."""
        if self.one_time or self.gap is None:
            return False
        return self.p_purchase < chance_below if self.p_purchase is not None else self.overdue

    def needs_win_back(self, chance_below: float) -> bool:
        """At risk, or overdue for their own rhythm even if the model still expects them back: worth a nudge."""
        return self.at_risk(chance_below) or (not self.one_time and self.overdue)

    def to_dict(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "name": self.name,
            "purchases": self.purchases,
            "last_purchase": self.last_purchase.isoformat(),
            "p_active": _rounded(self.p_active, 4),
            "p_purchase": _rounded(self.p_purchase, 4),
            "expected_purchases": _rounded(self.expected_purchases, 4),
            "expected_next_purchase": self.expected_next_purchase.isoformat() if self.expected_next_purchase else None,
            "expected_value": _rounded(self.expected_value, 2),
        }


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True)
class Outlook:
    """Every customer's outlook as of a day, over a horizon in days, and the model behind it."""

    as_of: date
    horizon: int
    kind: ModelKind
    customers: int
    repeat_customers: int
    params: dict[str, Any]
    time_unit: str
    shop_gap: float | None
    contacts: list[ContactOutlook]
    by_id: dict[int, ContactOutlook] = field(repr=False)
    model: bgnbd.BgNbd | None = field(default=None, repr=False)

    def get(self, contact_id: int) -> ContactOutlook | None:
        return self.by_id.get(contact_id)

    @property
    def probabilities(self) -> bool:
        return self.kind is not ModelKind.RHYTHM

    @property
    def expected_orders(self) -> float | None:
        if not self.probabilities:
            return None
        return float(sum(c.expected_purchases or 0.0 for c in self.contacts))

    @property
    def expected_revenue(self) -> float | None:
        values = [c.expected_value for c in self.contacts if c.expected_value is not None]
        return float(sum(values)) if values and self.probabilities else None

    def at_risk(self, chance_below: float) -> list[ContactOutlook]:
        """Repeat customers at risk (see ContactOutlook.at_risk), the most valuable first."""
        return sorted((c for c in self.contacts if c.at_risk(chance_below)), key=lambda c: (-c.stake, c.name.lower()))

    def model_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "customers": self.customers,
            "repeat_customers": self.repeat_customers,
            "params": self.params,
            "time_unit": self.time_unit,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "horizon_days": self.horizon,
            "model": self.model_dict(),
            "contacts": [c.to_dict() for c in self.contacts],
        }


def time_unit(h: Histories) -> str:
    """Weeks for customers watched over months, days for a shop that has only just started."""
    return "week" if len(h) and float(np.max(h.T)) >= WEEKS_FROM_DAYS else "day"


def choose_kind(customers: int, repeat_customers: int, watched_days: float = MIN_WATCHED_DAYS) -> ModelKind:
    """The model the data supports; `watched_days` is how long the longest-known customer has been watched."""
    if customers < MIN_MODEL_BUYERS or watched_days < MIN_WATCHED_DAYS:
        return ModelKind.RHYTHM
    if customers < MIN_FIT_BUYERS or repeat_customers < MIN_FIT_REPEATERS:
        return ModelKind.EARLY
    return ModelKind.BGNBD


def fit_purchases(h: Histories, kind: ModelKind, unit_days: int) -> bgnbd.BgNbd:
    """BG/NBD on the histories in the given time unit; an early estimate leans on the default."""
    x, t_x, T = h.x, h.t_x / unit_days, h.T / unit_days
    if kind is ModelKind.EARLY:
        watched = max(float(np.sum(T)), len(h) * MIN_WATCHED_DAYS / unit_days)  # floored: new shops have ~0
        rate = max(float(np.sum(x)), 1.0) / watched  # repeat orders per customer per time unit
        r0, a0, b0 = EARLY_PRIOR
        return bgnbd.fit(x, t_x, T, penalty=EARLY_PENALTY, prior=(r0, r0 / rate, a0, b0))
    return bgnbd.fit(x, t_x, T)


def fit_spend(h: Histories) -> gamma_gamma.GammaGamma | None:
    """Gamma-Gamma on repeat customers whose repeat orders have positive values, if there are enough of them."""
    usable = (h.x > 0) & (h.repeat_value > 0)
    if int(np.count_nonzero(usable)) < MIN_SPEND_CUSTOMERS:
        return None
    model = gamma_gamma.fit(h.x[usable], h.repeat_value[usable])
    return model if model.q > 1 and math.isfinite(model.mean_order_value) else None


def check_horizon(horizon: int) -> int:
    if not 1 <= horizon <= MAX_HORIZON_DAYS:
        raise InvalidInput(f"The horizon must be from 1 to {MAX_HORIZON_DAYS} days, not {horizon}.")
    return horizon


def forecast(store: Store, as_of: date, horizon: int = HORIZON_DAYS) -> Outlook:
    """The outlook of every customer as of a day (the caller's today); cached until the purchases change."""
    as_of = check_day(as_of)
    check_horizon(horizon)
    key = (_identity(store), store.purchases.signature(), as_of, horizon)
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        with _LOCK:
            _CACHE.move_to_end(key)
        return cached
    h = histories(store.purchases.order_days(as_of), day_number(as_of))
    if not len(h):
        raise NotEnoughPurchases(
            f"No purchases on or before {as_of.isoformat()} to work from: import the shop's orders "
            "(as interactions) or log purchases first."
        )
    result = outlook_from(h, as_of, horizon, store.purchases.buyers(h.contact_id))
    with _LOCK:
        _CACHE[key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


@dataclass(frozen=True)
class Figures:
    """Every customer's figures as arrays in the order of their histories (nan: does not apply)."""

    kind: ModelKind
    time_unit: str
    repeat_customers: int
    params: dict[str, Any]
    model: bgnbd.BgNbd | None
    own_gap: npt.NDArray[np.float64]
    p_active: npt.NDArray[np.float64]
    p_purchase: npt.NDArray[np.float64]
    expected: npt.NDArray[np.float64]
    next_day: npt.NDArray[np.float64]  # day numbers
    order_value: npt.NDArray[np.float64]
    expected_value: npt.NDArray[np.float64]
    at_stake: npt.NDArray[np.float64]


def figures(h: Histories, horizon: int) -> Figures:
    """Fit what the data supports and work out every customer's figures (no database involved)."""
    customers, repeaters = len(h), int(np.count_nonzero(h.x > 0))
    kind = choose_kind(customers, repeaters, float(np.max(h.T)))
    unit = time_unit(h) if kind is not ModelKind.RHYTHM else "day"
    unit_days = 7 if unit == "week" else 1
    shop_gap = h.shop_gap
    own_gap = h.usual_gap()
    spend = fit_spend(h)
    if spend is not None:
        order_value = spend.order_value(np.where(h.repeat_value > 0, h.x, 0), h.repeat_value)
    else:
        fallback = float(np.nanmean(h.order_value)) if np.any(~np.isnan(h.order_value)) else np.nan
        order_value = np.where(np.isnan(h.order_value), fallback, h.order_value)

    params: dict[str, Any] = {}
    model = None
    if kind is ModelKind.RHYTHM:
        p_active = p_purchase = expected = at_stake = np.full(customers, np.nan)
        gap = np.where(np.isnan(own_gap), shop_gap if shop_gap else np.nan, own_gap)
        next_day = np.where(np.isnan(gap), np.nan, h.last + np.round(np.nan_to_num(gap)))
        params["shop_gap_days"] = None if shop_gap is None else round(shop_gap, 1)
    else:
        model = fit_purchases(h, kind, unit_days)
        x, t_x, T, t = h.x, h.t_x / unit_days, h.T / unit_days, horizon / unit_days
        with np.errstate(all="ignore"):
            alive = model.p_alive(x, t_x, T)
            p_active = np.where(x > 0, alive, np.nan)
            p_purchase = model.p_purchase(t, x, t_x, T)
            if_active = model.expected_if_active(t, x, T)
            expected = alive * if_active
            wait = model.median_wait(x, T) * unit_days
            sensible = np.isfinite(wait) & (wait <= MAX_WAIT_DAYS)  # a median wait of centuries is no date
            next_day = np.where(sensible, h.end + np.round(np.where(sensible, wait, 0)), np.nan)
            at_stake = if_active * order_value
        params.update(r=model.r, alpha=model.alpha, a=model.a, b=model.b, log_likelihood=model.log_likelihood)
        params = {k: round(v, 6) for k, v in params.items()}
    if spend is not None:
        params.update(spend_p=round(spend.p, 6), spend_q=round(spend.q, 6), spend_v=round(spend.v, 6))
    return Figures(
        kind,
        unit,
        repeaters,
        params,
        model,
        own_gap,
        p_active,
        p_purchase,
        expected,
        next_day,
        order_value,
        expected * order_value,
        at_stake,
    )


def outlook_from(h: Histories, as_of: date, horizon: int, buyers: dict[int, Buyer]) -> Outlook:
    """Every customer's figures as one ContactOutlook each, named from `buyers`."""
    f = figures(h, horizon)
    kind, shop_gap = f.kind, h.shop_gap
    contacts = []
    dates: dict[int, date] = {}  # few distinct days: one date object each

    def known_day(number: int) -> date:
        found = dates.get(number)
        if found is None:
            found = dates[number] = from_day_number(number)
        return found

    def day(number: float) -> date | None:
        if number != number:  # nan
            return None
        return known_day(int(number))

    columns = zip(
        h.contact_id.tolist(),
        h.purchases.tolist(),
        h.first.tolist(),
        h.last.tolist(),
        h.days_since.tolist(),
        f.own_gap.tolist(),
        f.p_active.tolist(),
        f.p_purchase.tolist(),
        f.expected.tolist(),
        f.next_day.tolist(),
        f.order_value.tolist(),
        f.expected_value.tolist(),
        f.at_stake.tolist(),
        strict=True,
    )
    for cid, purchases, first, last, since, gap, alive, chance, exp, nxt, value, exp_value, stake in columns:
        buyer = buyers.get(cid)
        contacts.append(
            ContactOutlook(
                contact_id=cid,
                email=buyer.email if buyer else None,
                name=buyer.name if buyer else "",
                purchases=purchases,
                first_purchase=known_day(first),
                last_purchase=known_day(last),
                days_since=since,
                usual_gap=_number(gap),
                shop_gap=shop_gap,
                p_active=_number(alive),
                p_purchase=_number(chance),
                expected_purchases=_number(exp),
                expected_next_purchase=day(nxt),
                order_value=_number(value),
                expected_value=_number(exp_value),
                at_stake=_number(stake),
                kind=kind,
            )
        )
    if kind is ModelKind.RHYTHM:
        contacts.sort(key=lambda c: (-(c.ratio or 0.0), c.name.lower()))
    else:
        contacts.sort(key=lambda c: (-(c.expected_value or 0.0), -(c.p_purchase or 0.0), c.name.lower()))
    return Outlook(
        as_of,
        horizon,
        kind,
        len(h),
        f.repeat_customers,
        f.params,
        f.time_unit,
        shop_gap,
        contacts,
        {c.contact_id: c for c in contacts},
        f.model,
    )


def _number(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _identity(store: Store) -> object:
    return str(store.path) if store.path is not None else id(store.conn)


_CACHE: OrderedDict[tuple[object, tuple[Any, ...], date, int], Outlook] = OrderedDict()
_CACHE_SIZE = 8
_LOCK = Lock()
