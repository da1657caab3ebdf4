"""Importing the owner's calendar (.ics exports of Google Calendar, Outlook, Apple Calendar): the meetings they had
with their contacts, as `meeting` interactions, one undoable batch per file.

An event is a meeting with each person on it besides the owner (its ORGANIZER and ATTENDEEs; rooms and resources
are not people): one interaction per contact, the SUMMARY as its note, its start as when it happened (an all-day
event on its day). Repeating events are expanded from their start up to `until` (the caller's today; the core never
reads the clock), the latest `max_occurrences` of each series kept. Each interaction remembers the event's UID and
which occurrence it was (`source_key`), so reading the same calendar again adds nothing.

What the report counts, as the mail import does: `rows` (the command line's "events") are the occurrences read
(a repeating event counts once per occurrence up to `until`); `created` ("interactions") the occurrences that became
at least one meeting; `skipped` the others by reason, so events = interactions + sum(skipped) always holds.
`interactions_created` counts the meetings written (one occurrence with three contacts makes three).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from email.header import decode_header, make_header
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.core.dates import iso_moment
from tracker.core.errors import ImportCancelled, InvalidInput
from tracker.core.importing.bulk import write_batch
from tracker.core.importing.names import split_full_name
from tracker.core.importing.report import Cancelled, ImportReport, Progress
from tracker.core.normalize import ascii_lower, clean_email, is_valid_email
from tracker.core.store import Store
from tracker.core.store.messages import ids_for_addresses, owner_addresses, remember_owner_addresses, write_sourced

if TYPE_CHECKING:
    from icalendar import Calendar
    from icalendar.cal import Component

KIND = "meeting"
CHANNEL = "calendar"
MAX_ATTENDEES = 20
MAX_OCCURRENCES = 1000  # of one repeating series: a weekly meeting for 19 years, a daily one for 3
_READ_LIMIT = 50_000  # occurrences generated of one series at most, whatever its rule says
_FIRST = datetime(1900, 1, 1)
_SUB_DAILY = {"SECONDLY", "MINUTELY", "HOURLY"}
_NOT_PEOPLE = {"ROOM", "RESOURCE"}

# Why an occurrence was left out: the keys of the report's `skipped`.
CANCELLED = "cancelled"
DECLINED = "declined"
OWNER_DECLINED = "declined by the owner"
NO_ATTENDEES = "no attendees"
FUTURE = "future"
TOO_MANY = f"more than {MAX_ATTENDEES} attendees"
NOT_A_CONTACT = "not a contact"
ALREADY_IMPORTED = "already imported"
TOO_OFTEN = "repeats more often than daily"
PAST_CAP = "older repeats past the cap"
OUT_OF_RANGE = "date out of range"
UNREADABLE = "unreadable event"


@dataclass(slots=True)
class _Person:
    address: str  # as written
    name: str
    declined: bool


@dataclass(slots=True)
class _Standing:
    """What an event says whenever it happens (see _Reader._stand)."""

    coming: list[_Person]  # the people besides the owner who did not decline
    declined: bool  # someone did
    note: str
    uid: str
    all_day: bool


@dataclass(slots=True)
class _Meeting:
    """One occurrence with other people, waiting for them to be matched to contacts."""

    people: list[_Person]  # those who did not decline
    declined: bool  # someone did
    occurred_at: str
    note: str
    source_key: str


@dataclass(slots=True)
class CalendarReport(ImportReport):
    """An ImportReport whose rows are the occurrences read, `created` the ones that became at least one meeting, and
    `interactions_created` the meetings (one per contact at it); rows = created + the skipped, by reason."""

    interactions_created: int = 0

    def counts(self) -> dict[str, int]:
        return {**ImportReport.counts(self), "interactions_created": self.interactions_created}

    def summary(self) -> str:
        """'Imported 3 of 5 events from work.ics as 4 meetings with contacts (1 cancelled, 1 not a contact).'"""
        verb = "Would import" if self.dry_run else "Imported"
        meetings = "1 meeting" if self.interactions_created == 1 else f"{self.interactions_created:,} meetings"
        text = f"{verb} {self.created:,} of {self.rows:,} events from {self.source} as {meetings} with contacts"
        if self.skipped:
            text += " (" + ", ".join(f"{count:,} {reason}" for reason, count in sorted(self.skipped.items())) + ")"
        if self.contacts_created:
            text += f"; {self.contacts_created:,} new contacts"
        return text + "."


def read_calendars(data: bytes, name: str) -> list[Calendar]:
    """The VCALENDARs in an .ics file's bytes; InvalidInput in one sentence when it holds none (or is damaged)."""
    import icalendar

    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text[:15].upper().startswith(b"BEGIN:VCALENDAR"):
        raise InvalidInput(f"{name} is not an iCalendar (.ics) file: it does not begin with BEGIN:VCALENDAR.")
    try:
        found = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise InvalidInput(f"{name} is a damaged iCalendar (.ics) file ({_first_line(exc)}).") from None
    calendars = [c for c in found if isinstance(c, icalendar.Calendar)]
    if not calendars:
        raise InvalidInput(f"{name} holds no calendar (no VCALENDAR inside).")
    return calendars


def owner_for(store: Store, path: Path | str) -> list[str]:
    """The owner's addresses an import of `path` would go by when not told (`me`): the ones kept before, else the
    ones found in the file; for a front end to show, and let the user correct, before importing."""
    calendars = read_calendars(_read(Path(path)), Path(path).name)
    kept = owner_addresses(store)
    return list(dict.fromkeys([*kept, *_named_after(calendars)])) if kept else _found_owner(calendars)


def _read(source: Path) -> bytes:
    try:
        return source.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"Cannot read {source}: {exc.strerror or exc}.") from None


def import_calendar(
    store: Store,
    path: Path | str,
    *,
    until: date,
    me: Iterable[str] = (),
    add_unknown: bool = False,
    zone: tzinfo | None = None,
    max_occurrences: int = MAX_OCCURRENCES,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> CalendarReport:
    """Import an .ics file's meetings with contacts as one batch (see the module's docstring).

    `until`: occurrences after this day are not read (an event that starts later is skipped as future). `me`: the
    owner's addresses; without it the ones confirmed before (the setting mail_me), else the address on the most
    events; either is kept as the setting. `add_unknown`: people who are not contacts yet become contacts (else
    skipped). `zone`: the owner's time zone, into which times with a zone (TZID, UTC) are turned (None: this
    computer's); floating times are kept as written, all-day events are their day."""
    source = Path(path)
    data = _read(source)
    calendars = read_calendars(data, source.name)
    given = []
    for text in me:
        address = clean_email(text)
        if not address or not is_valid_email(address):
            shown = text if len(text) <= 60 else text[:59] + "…"
            raise InvalidInput(f"'{shown}' is not an e-mail address; the owner's addresses must be.")
        given.append(ascii_lower(address))
    kept = owner_addresses(store)
    owner = given or kept or _found_owner(calendars)
    keep_owner = bool(given) or (bool(owner) and not kept)
    if not given:  # a Google calendar named after an address is that address's, whatever was kept before
        owner = list(dict.fromkeys([*owner, *_named_after(calendars)]))
    report = CalendarReport(kind="calendar", source=source.name, encoding="utf-8", dry_run=dry_run)
    reader = _Reader(set(owner), until, zone, max(1, max_occurrences), report)

    def write(batch_id: int) -> None:
        if keep_owner:
            remember_owner_addresses(store, owner)
        meetings = list(reader.meetings(calendars, progress, cancelled, len(data)))
        _write_meetings(store, batch_id, meetings, report, add_unknown=add_unknown, source=source.name)

    write_batch(store, report, source, write, dry_run=dry_run, progress=progress, cancelled=cancelled, size=len(data))
    return report


def _write_meetings(
    store: Store, batch_id: int, meetings: list[_Meeting], report: CalendarReport, *, add_unknown: bool, source: str
) -> None:
    """Match the people to contacts (adding the unknown ones when asked), write a meeting with each; an occurrence
    that made none is skipped as already imported, else declined by the contacts at it, else not a contact."""
    ids = ids_for_addresses(store, {ascii_lower(p.address) for m in meetings for p in m.people})
    unknown = {key: p for m in meetings for p in m.people if (key := ascii_lower(p.address)) not in ids}
    if unknown and add_unknown:
        records = []
        for person in unknown.values():
            first, last = split_full_name(person.name) if person.name and "@" not in person.name else ("", "")
            records.append(({"email": person.address, "first_name": first, "last_name": last}, ()))
        made, _ = store.contacts.write_batch(records, batch_id, default_source=source)
        report.contacts_created += made
        ids.update(ids_for_addresses(store, unknown))
    for meeting in meetings:
        contacts = dict.fromkeys(ids[k] for p in meeting.people if (k := ascii_lower(p.address)) in ids)
        rows = [(contact_id, KIND, meeting.occurred_at, meeting.note, meeting.source_key) for contact_id in contacts]
        written = sum(write_sourced(store, batch_id, rows, channel=CHANNEL))
        report.interactions_created += written
        if written:
            report.created += 1
        else:
            report.skip(ALREADY_IMPORTED if rows else DECLINED if meeting.declined else NOT_A_CONTACT)


class _Reader:
    """Walks a calendar's events, occurrence by occurrence, counting what it leaves out in the report."""

    def __init__(self, owner: set[str], until: date, zone: tzinfo | None, cap: int, report: CalendarReport):
        self.owner, self.until, self.zone, self.cap, self.report = owner, until, zone, cap, report
        # what does not depend on an occurrence's start, once per event of the series (see _events)
        self._stood: dict[int, tuple[Component, _Standing | str]] = {}

    def _standing(self, event: Component) -> _Standing | str:
        found = self._stood.get(id(event))
        if found is not None and found[0] is event:
            return found[1]
        standing = self._stand(event)
        self._stood[id(event)] = (event, standing)  # the event kept with it: its id stays its own
        return standing

    def _stand(self, event: Component) -> _Standing | str:
        """What an event says whenever it happens: who is at it, or why it is left out."""
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            return CANCELLED
        people = _people(event)
        others = [p for key, p in people.items() if key not in self.owner]
        if len(people) > MAX_ATTENDEES:
            return TOO_MANY
        if not others:
            return NO_ATTENDEES
        if any(people[key].declined for key in self.owner if key in people):
            return OWNER_DECLINED
        coming = [person for person in others if not person.declined]
        note = " ".join(str(event.get("SUMMARY", "")).split())
        return _Standing(coming, len(coming) < len(others), note, str(event.get("UID")), _all_day(event))

    def meetings(
        self, calendars: list[Calendar], progress: Progress | None, cancelled: Cancelled | None, size: int
    ) -> Iterator[_Meeting]:
        events: dict[str, list[Component]] = {}  # by UID: a series' events (the first, and moved occurrences)
        for calendar in calendars:
            _give_uids(calendar)
            for event in calendar.walk("VEVENT"):
                events.setdefault(str(event.get("UID")), []).append(event)
        stop = datetime.combine(self.until + timedelta(days=1), datetime.min.time())
        for number, series in enumerate(events.values()):
            if number % 50 == 0:
                if cancelled and cancelled():
                    raise ImportCancelled("Import cancelled; nothing was imported.")
                if progress:
                    progress(size * number // max(1, len(events)), size)
            for event, start, planned in self._occurrences(series, stop):
                self.report.rows += 1
                try:
                    judged = self._judge(event, start, planned)
                except Exception:  # a damaged date or address the library let through: one occurrence left out
                    judged = UNREADABLE
                if isinstance(judged, str):
                    self.report.skip(judged)
                else:
                    yield judged
            self._stood.clear()

    def _occurrences(self, components: list[Component], stop: datetime) -> list[tuple[Component, date, date]]:
        """A series' occurrences up to `stop`, oldest first, the latest `cap` of them, each as (the event it repeats,
        its start, the start it was planned at); what is left out, counted."""
        import recurring_ical_events
        from icalendar import Calendar

        report = self.report
        try:
            if any(str(rule.get("FREQ", [""])[0]).upper() in _SUB_DAILY for c in components for rule in _rules(c)):
                report.rows += 1
                report.skip(TOO_OFTEN)
                return []
            alone = Calendar()  # time zones were resolved while parsing: the series needs only its own events
            for component in components:
                alone.add_component(component)
            occurrences = []
            for series in recurring_ical_events.of(alone).series:
                for occurrence in series.between(_FIRST, stop):
                    occurrences.append(occurrence)
                    if len(occurrences) >= _READ_LIMIT:
                        break
            future = not occurrences and any(
                self._day(c.decoded("DTSTART"), _all_day(c)) > self.until for c in components if "DTSTART" in c
            )
            occurrences.sort(key=lambda o: _sortable(o.start))
            read = self._events(occurrences[-self.cap :])
        except Exception:  # whatever the library makes of a damaged event, it is one event left out
            report.rows += 1
            report.skip(UNREADABLE)
            return []
        if future:
            report.rows += 1
            report.skip(FUTURE)
        if len(occurrences) > self.cap:
            dropped = len(occurrences) - self.cap
            report.rows += dropped
            report.skip(PAST_CAP, dropped)
        return read

    @staticmethod
    def _events(occurrences: list[Any]) -> list[tuple[Component, date, date]]:
        """(event, start, planned start) of each occurrence. The library copies the whole event for each; an
        occurrence of the series' rule (no RECURRENCE-ID of its own) shares the first copy, with its own start."""
        found: list[tuple[Component, date, date]] = []
        ruled: Component | None = None
        for occurrence in occurrences:
            if occurrence.id.recurrence_id is None:
                ruled = ruled if ruled is not None else occurrence.as_component(False)
                found.append((ruled, occurrence.start, occurrence.start))
            else:  # moved or changed: its own event, known by the start it was planned at
                event = occurrence.as_component(False)
                found.append((event, occurrence.start, event.decoded("RECURRENCE-ID")))
        return found

    def _judge(self, event: Component, start: date, planned: date) -> _Meeting | str:
        """The occurrence of `event` at `start` as a meeting with the people at it, or why it is left out."""
        standing = self._standing(event)
        if isinstance(standing, str):
            return standing
        if self._day(start, standing.all_day) > self.until:
            return FUTURE
        occurred_at = self._moment(start, standing.all_day)
        if occurred_at is None:
            return OUT_OF_RANGE
        if not standing.coming:
            return DECLINED
        source_key = f"ics:{standing.uid}#{_occurrence_id(planned)}"
        return _Meeting(standing.coming, standing.declined, occurred_at, standing.note, source_key)

    def _local(self, moment: datetime) -> datetime:
        """A time with a zone as the owner's wall clock; a floating time as written."""
        if moment.tzinfo is None:
            return moment
        return moment.astimezone(self.zone) if self.zone is not None else moment.astimezone()

    def _day(self, start: date, all_day: bool) -> date:
        if not isinstance(start, datetime):
            return start
        return start.date() if all_day else self._local(start).date()

    def _moment(self, start: date, all_day: bool) -> str | None:
        if not isinstance(start, datetime):
            moment = datetime.combine(start, datetime.min.time())
        elif all_day:  # Outlook's all-day events: midnight in their own zone
            moment = datetime.combine(start.date(), datetime.min.time())
        else:
            moment = self._local(start)
        if not 1900 <= moment.year <= 2200:
            return None
        return iso_moment(moment)


def _people(event: Component) -> dict[str, _Person]:
    """The people on an event by lower-case address (the organizer first), rooms and resources left out."""
    entries = []
    organizer = event.get("ORGANIZER")
    if organizer is not None:
        entries.append(organizer)
    attendees = event.get("ATTENDEE", [])
    entries.extend(attendees if isinstance(attendees, list) else [attendees])
    people: dict[str, _Person] = {}
    for entry in entries:
        params = getattr(entry, "params", {})
        if str(params.get("CUTYPE", "")).upper() in _NOT_PEOPLE:
            continue
        address = clean_email(str(entry))
        if not address or not is_valid_email(address) or address.lower().endswith("resource.calendar.google.com"):
            continue
        declined = str(params.get("PARTSTAT", "")).upper() == "DECLINED"
        key = ascii_lower(address)
        if key in people:
            people[key].declined = people[key].declined or declined
            continue
        people[key] = _Person(address, _name(str(params.get("CN", ""))), declined)
    return people


def _found_owner(calendars: list[Calendar]) -> list[str]:
    """The owner's address when none was given: the calendar's name when it is an address (Google names the main
    calendar after its owner), else the address on the most events (the owner is on every meeting in their own
    calendar; being the organizer more often breaks a tie)."""
    named = _named_after(calendars)
    if named:
        return named
    on_events: Counter[str] = Counter()
    organizing: Counter[str] = Counter()
    for calendar in calendars:
        for event in calendar.walk("VEVENT"):
            people = _people(event)
            on_events.update(people.keys())
            organizer = clean_email(str(event.get("ORGANIZER", "")))
            if organizer:
                organizing[ascii_lower(organizer)] += 1
    if not on_events:
        return []
    best = max(on_events, key=lambda key: (on_events[key], organizing[key]))
    return [best]


def _named_after(calendars: list[Calendar]) -> list[str]:
    """The addresses the calendars are named after (X-WR-CALNAME), when they are addresses."""
    found = []
    for calendar in calendars:
        name = clean_email(str(calendar.get("X-WR-CALNAME", "")))
        if name and is_valid_email(name):
            found.append(ascii_lower(name))
    return found


def _give_uids(calendar: Calendar) -> None:
    """An event without a UID (against the standard) gets one from its start and summary, the same on every
    reading, so that reading the file again still finds it imported."""
    for event in calendar.walk("VEVENT"):
        if not str(event.get("UID", "")).strip():
            start = event.get("DTSTART")
            when = start.to_ical() if hasattr(start, "to_ical") else b""
            digest = hashlib.sha1(f"{when!r}|{event.get('SUMMARY', '')}".encode(), usedforsecurity=False)
            event["UID"] = f"tracker-{digest.hexdigest()}"


def _occurrence_id(moment: date) -> str:
    """Which occurrence of its series an event is, from the start it was planned at (its RECURRENCE-ID, so a moved
    occurrence keeps its identity): UTC for times with a zone."""
    if not isinstance(moment, datetime):
        return str(moment.strftime("%Y%m%d"))
    if moment.tzinfo is not None:
        return str(moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
    return str(moment.strftime("%Y%m%dT%H%M%S"))


def _all_day(event: Component) -> bool:
    return str(event.get("X-MICROSOFT-CDO-ALLDAYEVENT", "")).upper() == "TRUE"


def _rules(component: Component) -> list[Any]:
    rules = component.get("RRULE", [])
    return rules if isinstance(rules, list) else [rules]


def _sortable(moment: date) -> datetime:
    if not isinstance(moment, datetime):
        return datetime.combine(moment, datetime.min.time())
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


def _name(text: str) -> str:
    """A CN as a name: MIME encoded words (=?UTF-8?Q?M=C3=BCller?=) decoded, spaces tidied."""
    name = text.strip().strip('"')
    if "=?" in name:
        with contextlib.suppress(ValueError, LookupError):
            name = str(make_header(decode_header(name)))
    return " ".join(name.split())


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
