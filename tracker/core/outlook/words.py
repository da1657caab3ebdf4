"""The outlook said in words a shop owner reads: rhythm, chance of an order, the likely date, and which way of
working it out produced the figures."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tracker.core.errors import NotEnoughPurchases
from tracker.core.outlook.forecast import HORIZON_DAYS, OVERDUE_RATIO, ContactOutlook, ModelKind, Outlook, forecast

if TYPE_CHECKING:
    from tracker.core.store import Store

#: A repeat customer under this chance of still being a customer "may have lapsed" (never "lost": on CDNOW
#: 39-45 % of the customers the model put under 10 % came back).
LAPSED_BELOW = 0.10


def percent(p: float) -> str:
    """'34 %'; the ends said as bounds so nobody reads 'certain' or 'never'."""
    if p < 0.01:
        return "under 1 %"
    if p > 0.99:
        return "over 99 %"
    return f"{100 * p:.0f} %"


def day_text(day: date, as_of: date) -> str:
    """'12 March', with the year when it is not the as-of year."""
    text = f"{day.day} {day:%B}"
    return text if day.year == as_of.year else f"{text} {day.year}"


def days(n: float) -> str:
    n = round(n)
    return "1 day" if n == 1 else f"{n} days"


def money(value: float) -> str:
    return f"{value:,.2f}"


def rhythm(c: ContactOutlook) -> str:
    """'Usually orders every 41 days; last order 97 days ago (2.4×)' or the one-time buyer's version."""
    if c.one_time:
        text = f"Bought once, {days(c.days_since)} ago"
        if c.shop_gap:
            text += f"; customers here usually order again within {days(c.shop_gap)}"
        return text
    text = f"Usually orders every {days(c.usual_gap or 0)}; last order {days(c.days_since)} ago"
    return text + (f" ({c.ratio:.1f}×)" if c.ratio is not None else "")


def lapsed(c: ContactOutlook) -> bool:
    """Whether to say 'may have lapsed': a small chance they are still a customer, or (one-time buyers, rhythm
    rule) four times their rhythm since the last order. Never 'lost': many come back."""
    if c.p_active is None:  # one-time buyers (their P(alive) is 1 by construction) and the rhythm rule
        return (c.ratio or 0) >= 2 * OVERDUE_RATIO
    return c.p_active < LAPSED_BELOW


def shown_next(c: ContactOutlook, as_of: date, horizon: int) -> bool:
    """Whether the likely next date is worth saying: within the horizon (a median wait of years is noise)."""
    return c.expected_next_purchase is not None and (c.expected_next_purchase - as_of).days <= horizon


def sentence(c: ContactOutlook, as_of: date, horizon: int) -> str:
    """The whole outlook of one customer in two or three sentences."""
    parts = [rhythm(c) + "."]
    if c.kind is ModelKind.RHYTHM:
        if c.expected_next_purchase:
            late = c.expected_next_purchase < as_of
            verb = "was due around" if late else "is expected around"
            parts.append(
                f"By their rhythm the next order {verb} {day_text(c.expected_next_purchase, as_of)}"
                + (" — overdue." if c.overdue else ".")
            )
        if lapsed(c):
            parts.append("May have lapsed.")
        parts.append("(Rhythm rule: too few customers yet for chances.)")
    else:
        what = "a second order" if c.one_time else "an order"
        text = f"{percent(c.p_purchase or 0)} chance of {what} in the next {days(horizon)}"
        if shown_next(c, as_of, horizon):
            assert c.expected_next_purchase is not None  # shown_next says so
            text += f"; if they order, probably around {day_text(c.expected_next_purchase, as_of)}"
        parts.append(text + ".")
        if lapsed(c):
            if c.p_active is not None:
                parts.append(f"May have lapsed: {percent(c.p_active)} chance they are still a customer.")
            else:
                parts.append("May have lapsed.")
        if c.kind is ModelKind.EARLY:
            parts.append("(Early estimate: few customers yet.)")
    if c.order_value:
        parts.append(f"Orders are worth about {money(c.order_value)}.")
    return " ".join(parts)


def model_sentence(outlook: Outlook) -> str:
    """What produced the figures, in a sentence that names the model and the customers it saw."""
    n, repeat = f"{outlook.customers:,}", f"{outlook.repeat_customers:,}"
    if outlook.kind is ModelKind.BGNBD:
        return f"Fitted on this shop's {n} customers (BG/NBD); {repeat} of them bought more than once."
    if outlook.kind is ModelKind.EARLY:
        return (
            f"An early estimate from {n} customers ({repeat} bought more than once): with few customers yet, "
            "the fit leans on a cautious default."
        )
    return (
        f"The rhythm rule: {n} customers ({repeat} bought more than once) are too few for chances, so each "
        "one's own rhythm is shown."
    )


def contact_sentence(store: Store, contact_id: int, as_of: date, horizon: int = HORIZON_DAYS) -> str | None:
    """One contact's outlook in words, or None when they have not bought (or nobody has)."""
    try:
        outlook = forecast(store, as_of, horizon)
    except NotEnoughPurchases:
        return None
    figures = outlook.get(contact_id)
    return None if figures is None else sentence(figures, as_of, horizon)
