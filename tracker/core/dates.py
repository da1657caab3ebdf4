"""Dates as the user types them and as the store keeps them (ISO text and day numbers)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from tracker.core.errors import InvalidInput

EPOCH = date(1970, 1, 1)
_RELATIVE = re.compile(r"^([+-])(\d{1,4})([dwm])$")
_NAMED = {"today": 0, "yesterday": -1, "tomorrow": 1}


def day_number(day: date) -> int:
    """Days since 1970-01-01, the integer the store indexes interactions by."""
    return (day - EPOCH).days


def from_day_number(number: int) -> date:
    return EPOCH + timedelta(days=number)


def parse_day(text: str | date | None, *, today: date | None = None) -> date:
    """Read a date typed by the user: ISO (2026-05-01, or with a time), today/yesterday/tomorrow, +3d, -2w."""
    base = today or date.today()
    if text is None:
        return base
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    raw = text.strip().lower()
    if raw in _NAMED:
        return base + timedelta(days=_NAMED[raw])
    relative = _RELATIVE.match(raw)
    if relative:
        sign, amount, unit = relative.groups()
        days = int(amount) * {"d": 1, "w": 7, "m": 30}[unit]
        return base + timedelta(days=days if sign == "+" else -days)
    try:
        return datetime.fromisoformat(text.strip()).date()
    except ValueError:
        raise InvalidInput(
            f"'{text}' is not a date; write it as YYYY-MM-DD (or today, yesterday, +7d)"
        ) from None


def parse_moment(text: str | None, *, now: datetime | None = None) -> datetime:
    """Read a date with an optional time; a bare date means midnight, nothing means now."""
    if text is None:
        return (now or datetime.now()).replace(microsecond=0)
    raw = text.strip()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = datetime.combine(parse_day(raw, today=(now.date() if now else None)), datetime.min.time())
    if moment.tzinfo is not None:
        # Keep the wall-clock time where it happened: a shop thinks in its own local days.
        moment = moment.replace(tzinfo=None)
    return moment.replace(microsecond=0)


def iso_moment(moment: datetime) -> str:
    """The text form interactions are stored in: 2026-05-01T14:30:00."""
    return moment.replace(microsecond=0, tzinfo=None).isoformat(timespec="seconds")


def now_iso() -> str:
    return iso_moment(datetime.now())
