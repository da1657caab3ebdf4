"""Reading the dates found in exports: ISO, dd.mm.yyyy, dd/mm/yyyy or mm/dd/yyyy, times and offsets."""

from __future__ import annotations

import re
from datetime import datetime

from tracker.core.errors import InvalidInput

_ISO = re.compile(
    r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:,?[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_TIME = r"(?:,?\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?$"
# Month names in English: "Feb 23, 2025 9:12 AM", "23 Feb 2025", "23-Feb-2025", "February 23 2025".
_MONTH_FIRST_NAME = re.compile(r"^([A-Za-z]{3,9})\.?[ -](\d{1,2})(?:st|nd|rd|th)?,?[ -](\d{4})" + _TIME)
_DAY_FIRST_NAME = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[ -]([A-Za-z]{3,9})\.?,?[ -](\d{4})" + _TIME)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        1,
    )
    for name in names
}
_NUMERIC = re.compile(
    r"^(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?"
    r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?$"
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


def order_evidence(value: str) -> str | None:
    """What one value says about a column's order: DAY_FIRST (13/01/2026, or dots: 01.02.2026), MONTH_FIRST
    (01/13/2026), or None (ambiguous like 01/02/2026, or not a d/m/y date at all)."""
    match = _NUMERIC.match(value.strip())
    if not match:
        return None
    first, separator, second = int(match.group(1)), match.group(2), int(match.group(3))
    if first > 12:
        return DAY_FIRST
    if second > 12:
        return MONTH_FIRST
    if separator == ".":
        return DAY_FIRST
    return None


def find_order(values: list[str]) -> str | None:
    """Day-first or month-first for a whole column from the first value that decides; None when none does (every
    value ambiguous, like 12/1/2010, or ISO): the caller may read on for evidence."""
    for value in values:
        evidence = order_evidence(value)
        if evidence:
            return evidence
    return None


def decide_order(values: list[str]) -> str:
    """Day-first or month-first for a whole column: a first number above 12 decides; dots mean day-first; with no
    evidence, day-first."""
    return find_order(values) or DAY_FIRST


def order_by_span(values: list[str]) -> str | None:
    """For a column whose every value reads either way (12/1/2010 … 12/9/2010): the order under which its days lie
    closest together, when one is clearly closer (a log's rows cluster in time; swapping day and month spreads them
    over months); None when neither is (or fewer than 3 different days)."""
    days = {v.strip().split()[0].rstrip(",") for v in values}
    if len(days) < 3:
        return None
    spans: dict[str, int] = {}
    for order in (DAY_FIRST, MONTH_FIRST):
        read = sorted(moment.date() for moment in (parse_datetime(d, order) for d in days) if moment is not None)
        if len(read) < len(days):
            return None
        spans[order] = (read[-1] - read[0]).days
    if spans[MONTH_FIRST] * 4 <= spans[DAY_FIRST]:
        return MONTH_FIRST
    if spans[DAY_FIRST] * 4 <= spans[MONTH_FIRST]:
        return DAY_FIRST
    return None


def is_ambiguous(value: str) -> bool:
    """A d/m/y date whose first two numbers are both 12 or under (read either way, it is a date)."""
    match = _NUMERIC.match(value.strip())
    if match is None:
        return False
    return match.group(2) != "." and int(match.group(1)) <= 12 and int(match.group(3)) <= 12


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
            year, month, day, hour, minute, second = (int(g) if g else 0 for i, g in enumerate(iso.groups()) if i != 1)
            return datetime(year, month, day, hour, minute, second)
        named = _MONTH_FIRST_NAME.match(value) or _DAY_FIRST_NAME.match(value)
        if named:
            return _named_month(named, month_first=named.re is _MONTH_FIRST_NAME)
        numeric = _NUMERIC.match(value)
        if numeric:
            a, _, b, year_text, hour_text, minute_text, second_text, meridiem = numeric.groups()
            day, month = (int(a), int(b)) if order == DAY_FIRST else (int(b), int(a))
            year = int(year_text)
            if len(year_text) == 2:
                year += 2000 if year < 70 else 1900
            hours = int(hour_text or 0)
            if meridiem:
                hours = hours % 12 + (12 if meridiem.lower().startswith("p") else 0)
            return datetime(year, month, day, hours, int(minute_text or 0), int(second_text or 0))
    except ValueError:
        return None
    return None


def _named_month(match: re.Match[str], *, month_first: bool) -> datetime | None:
    first, second, year_text, hour_text, minute_text, second_text, meridiem = match.groups()
    month_name, day_text = (first, second) if month_first else (second, first)
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    hours = int(hour_text or 0)
    if meridiem:
        hours = hours % 12 + (12 if meridiem.lower().startswith("p") else 0)
    return datetime(int(year_text), month, int(day_text), hours, int(minute_text or 0), int(second_text or 0))


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
