"""Dates as the user types them and as the store keeps them (ISO text and day numbers)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TypeVar

from tracker.core.errors import InvalidInput

EPOCH = date(1970, 1, 1)
#: The days Tracker works with (as for interactions): anything earlier or later is a typing mistake, and the
#: engagement, follow-up and outlook maths, which step days and horizons back and forth, stay far inside what
#: `datetime.date` can hold (years 1 to 9999).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)
_RELATIVE = re.compile(r"^([+-])(\d{1,4})([dwm])$")
_NAMED = {"today": 0, "yesterday": -1, "tomorrow": 1}


def day_number(day: date) -> int:
    """Days since 1970-01-01, the integer the store indexes interactions by."""
    return (day - EPOCH).days


def from_day_number(number: int) -> date:
    return EPOCH + timedelta(days=number)


_Day = TypeVar("_Day", bound=date)  # a date or a datetime: check_day hands back what it was given


def check_day(day: _Day) -> _Day:
    """The day itself if Tracker works with it (FIRST_DAY to LAST_DAY); otherwise InvalidInput saying so."""
    plain = day.date() if isinstance(day, datetime) else day
    if not FIRST_DAY <= plain <= LAST_DAY:
        raise InvalidInput(
            f"{plain.isoformat()} is out of range; give a date from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}."
        )
    return day


def parse_day(text: str | date | None, *, today: date) -> date:
    """Read a date typed by the user: ISO (2026-05-01, or with a time), today/yesterday/tomorrow, +3d, -2w, relative
    to `today` (the caller's: only the outermost layer reads the clock); a day outside FIRST_DAY to LAST_DAY is an
    input error. None is `today`."""
    base = today
    if text is None:
        return check_day(base)
    if isinstance(text, datetime):
        return check_day(text.date())
    if isinstance(text, date):
        return check_day(text)
    raw = text.strip().lower()
    if raw in _NAMED:
        return check_day(base + timedelta(days=_NAMED[raw]))
    relative = _RELATIVE.match(raw)
    if relative:
        sign, amount, unit = relative.groups()
        days = int(amount) * {"d": 1, "w": 7, "m": 30}[unit]
        return check_day(base + timedelta(days=days if sign == "+" else -days))
    try:
        return check_day(datetime.fromisoformat(text.strip()).date())
    except ValueError:
        raise InvalidInput(f"'{text}' is not a date; write it as YYYY-MM-DD (or today, yesterday, +7d)") from None


def parse_moment(text: str | None, *, now: datetime) -> datetime:
    """Read a date with an optional time, relative to `now` (the caller's); a bare date means midnight, nothing
    means now."""
    if text is None:
        return now.replace(microsecond=0)
    raw = text.strip()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = datetime.combine(parse_day(raw, today=now.date()), datetime.min.time())
    if moment.tzinfo is not None:
        # Keep the wall-clock time where it happened: a shop thinks in its own local days.
        moment = moment.replace(tzinfo=None)
    return check_day(moment.replace(microsecond=0))


def iso_moment(moment: datetime) -> str:
    """The text form interactions are stored in: 2026-05-01T14:30:00."""
    return moment.replace(microsecond=0, tzinfo=None).isoformat(timespec="seconds")


def wall_clock() -> datetime:
    """The core's one reading of the wall clock, for stamps of when something was written (a row's created_at, a
    backup file's name and age). The days the domain reasons about (levels, follow-ups, outlook) are always given."""
    return datetime.now()


def now_iso() -> str:
    return iso_moment(wall_clock())
