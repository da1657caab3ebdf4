"""Reading the dates found in exports: ISO, dd.mm.yyyy, dd/mm/yyyy or mm/dd/yyyy, times and offsets."""

from __future__ import annotations

import re
from datetime import datetime

from tracker.core.errors import InvalidInput

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?$"
)
_NUMERIC = re.compile(
    r"^(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?"
    r"\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?$"
)
# Exactly YYYY-MM-DD or YYYY-MM-DD HH:MM:SS in ASCII digits: text in this shape is stored as it is. (Python's
# fromisoformat alone also takes week dates like 2026-W20-1, which SQLite's date functions do not.)
_PLAIN_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}:[0-9]{2})?")
DAY_FIRST = "day-first"
MONTH_FIRST = "month-first"


def check_format(fmt: str) -> str:
    """Return `fmt` if strptime can use it (a sample date written with it reads back), else raise InvalidInput.

    strptime compiles a format only when it first parses with it: '%Y%Y' would fail on every row with re.error."""
    sample = datetime(2001, 2, 3, 4, 5, 6)
    try:
        datetime.strptime(sample.strftime(fmt), fmt)
    except (ValueError, re.error, TypeError, OverflowError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InvalidInput(
            f"{fmt!r} is not a date format strptime can read ({reason}); write one such as %d/%m/%Y or %Y-%m-%d %H:%M."
        ) from None
    return fmt


def decide_order(values: list[str]) -> str:
    """Day-first or month-first for a whole column: a first number above 12 decides; dots mean day-first."""
    for value in values:
        match = _NUMERIC.match(value.strip())
        if not match:
            continue
        first, separator, second = int(match.group(1)), match.group(2), int(match.group(3))
        if first > 12:
            return DAY_FIRST
        if second > 12:
            return MONTH_FIRST
        if separator == ".":
            return DAY_FIRST
    return DAY_FIRST


def parse_datetime(text: str, order: str = DAY_FIRST, fmt: str | None = None) -> datetime | None:
    """The moment in `text` as local wall-clock time, or None if it is not a date this reader knows."""
    value = text.strip()
    if not value:
        return None
    if not fmt and len(value) >= 10 and value[4] == "-" and value[:4].isdigit():
        try:  # the C parser takes ISO dates, times and ±HH:MM offsets far faster than the patterns below
            parsed = datetime.fromisoformat(value)
            return parsed.replace(tzinfo=None) if parsed.tzinfo else parsed
        except ValueError:
            pass
    if fmt:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            return None
    iso = _ISO.match(value)
    try:
        if iso:
            year, month, day, hour, minute, second = (int(g) if g else 0 for g in iso.groups())
            return datetime(year, month, day, hour, minute, second)
        numeric = _NUMERIC.match(value)
        if numeric:
            a, _, b, year_text, hour_text, minute_text, second_text, meridiem = numeric.groups()
            day, month = (int(a), int(b)) if order == DAY_FIRST else (int(b), int(a))
            year = int(year_text)
            if len(year_text) == 2:
                year += 2000 if year < 70 else 1900
            hours = int(hour_text or 0)
            if meridiem:
                hours = hours % 12 + (12 if meridiem.lower() == "pm" else 0)
            return datetime(year, month, day, hours, int(minute_text or 0), int(second_text or 0))
    except ValueError:
        return None
    return None


def iso_text(text: str, order: str = DAY_FIRST, fmt: str | None = None) -> str | None:
    """The moment as the store writes it (2026-05-14T11:23:45), or None if unreadable or implausible.

    ISO input that is already in that shape is checked by the C parser and reused as text, which keeps the
    million-row imports from round-tripping every date through datetime objects.
    """
    value = text.strip()
    if not fmt and _PLAIN_ISO.fullmatch(value):
        try:
            datetime.fromisoformat(value)  # the shape is right; this checks the calendar (no 31 February)
        except ValueError:
            pass
        else:
            if not 1900 <= int(value[:4]) <= 2200:
                return None
            return value + "T00:00:00" if len(value) == 10 else value[:10] + "T" + value[11:]
    moment = parse_datetime(value, order, fmt)
    if moment is None or not 1900 <= moment.year <= 2200:
        return None
    return moment.isoformat(timespec="seconds")
