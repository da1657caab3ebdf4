"""The follow-up list and contacts' important dates as an iCalendar (.ics) file, so the owner's phone shows who to
call today and reminds them in the morning.

Each follow-up is an all-day event on its due day with a reminder at 9:00 that day; each birthday or anniversary a
yearly all-day event. Events keep the same UID from one export to the next (by contact, and by date name), so a
calendar that imports the file again updates its events instead of doubling them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.core.details import DATE_LABELS
from tracker.core.models import Contact
from tracker.core.safe_write import write_whole

if TYPE_CHECKING:
    from icalendar import Calendar, Event

    from tracker.core.followups import Suggestion

PRODID = "-//Tracker//Follow-ups//EN"
UID_DOMAIN = "tracker.invalid"  # no one's domain: the UIDs are Tracker's own (RFC 6761 reserves .invalid)
REMINDER = time(9, 0)  # on the day itself
_LEAP_YEAR = 2000  # the year a year-less date (--02-29 too) is given as its first occurrence


def follow_up_uid(contact: Contact) -> str:
    """One event per contact: a re-export moves the event to the new due day and changes its reason."""
    return f"follow-up-{contact.id}@{UID_DOMAIN}"


def date_uid(contact: Contact, name: str) -> str:
    return f"{name.replace(' ', '-')}-{contact.id}@{UID_DOMAIN}"


def calendar_bytes(
    suggestions: Iterable[Suggestion],
    dated: Iterable[Contact],
    *,
    stamp: datetime,
    reminder: time = REMINDER,
) -> tuple[bytes, int]:
    """The .ics file's bytes and how many events it holds: one per follow-up (a contact's first, the list's
    order being most urgent first) and one per important date of the `dated` contacts. `stamp` is when it was
    made (DTSTAMP; the caller's clock)."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Tracker follow-ups")
    stamp = stamp.astimezone(UTC) if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)
    alarm_at = timedelta(hours=reminder.hour, minutes=reminder.minute)
    seen: set[int | None] = set()
    count = 0
    for suggestion in suggestions:
        contact = suggestion.contact
        if contact.id in seen:
            continue
        seen.add(contact.id)
        verb = "Call" if contact.phone else "Write to"
        event = _all_day(calendar, follow_up_uid(contact), f"{verb} {contact.name}", suggestion.due, stamp)
        lines = [suggestion.reason, suggestion.action]
        lines += [f"Phone: {contact.phone}"] if contact.phone else []
        lines += [f"E-mail: {contact.email}"] if contact.email else []
        event.add("description", "\n".join(line for line in lines if line))
        _remind(event, alarm_at, f"{verb} {contact.name}")
        count += 1
    for contact in dated:
        for name, value in sorted(contact.dates.items()):
            day = _first_day(value)
            if day is None:
                continue
            label = DATE_LABELS.get(name, name.replace("_", " ").capitalize())
            title = f"{label}: {contact.name}"
            event = _all_day(calendar, date_uid(contact, name), title, day, stamp)
            rule = {"freq": "yearly"}
            if (day.month, day.day) == (2, 29):
                rule.update(bymonth="2", bymonthday="-1")  # the last day of February in other years
            event.add("rrule", rule)
            _remind(event, alarm_at, title)
            count += 1
    return calendar.to_ical(), count


def write_calendar(
    path: Path | str,
    suggestions: Iterable[Suggestion],
    dated: Iterable[Contact],
    *,
    stamp: datetime,
    database: Path | str | None,
) -> int:
    """Write the .ics (see `calendar_bytes`) whole or not at all, never over the live `database`, its backups or
    anything not a regular file; returns how many events it holds."""
    data, count = calendar_bytes(suggestions, dated, stamp=stamp)
    write_whole(path, lambda handle: handle.write(data), database=database)
    return count


def _all_day(calendar: Calendar, uid: str, summary: str, day: date, stamp: datetime) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")  # a reminder, not time the owner is busy
    calendar.add_component(event)
    return event


def _remind(event: Event, after_start: timedelta, text: str) -> None:
    """A reminder `after_start` into the event's day (all-day events start at midnight, local time)."""
    from icalendar import Alarm

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", after_start)
    event.add_component(alarm)


def _first_day(value: str) -> date | None:
    """A stored important date as the day its yearly event starts: 1980-01-01 as it is, a year-less --12-25 in
    2000 (a leap year); None for anything else."""
    try:
        if value.startswith("--"):
            return date(_LEAP_YEAR, int(value[2:4]), int(value[5:7]))
        return date.fromisoformat(value)
    except ValueError:
        return None
