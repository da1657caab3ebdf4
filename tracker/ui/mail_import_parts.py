"""What the mail and calendar import dialog runs and says: its dry runs and its import as a job's work (core
operations only), and the core's reasons for leaving a message or event out, in the words the dialog shows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tracker.core.errors import InvalidInput
from tracker.core.importing import ImportReport
from tracker.core.importing import calendar as cal
from tracker.core.importing import mail_rules as rules
from tracker.core.importing.report import Cancelled, Progress
from tracker.core.operations.imports import ImportResult, import_calendar, import_mail
from tracker.core.store import Store
from tracker.core.store.messages import owner_addresses
from tracker.ui.import_parts import plural

CALENDAR = ".ics"
#: How the dialog words each reason the core gives for leaving a message or an event out (others as the core says).
REASON_WORDS = {
    rules.BULK: "newsletters and notifications",
    rules.MASS: f"sent to more than {rules.MAX_RECIPIENTS} people",
    rules.INTERNAL: "your own internal mail",
    rules.BLOCKED: "with blocklisted addresses",
    rules.NOT_A_CONTACT: "with people who are not contacts",
    rules.ALREADY: "imported before",
    rules.NO_DATE: "with a date that cannot be read",
    rules.NO_SENDER: "without a sender",
    rules.UNREADABLE: "that could not be read",
    cal.CANCELLED: "cancelled",
    cal.DECLINED: "declined by the person invited",
    cal.OWNER_DECLINED: "declined by you",
    cal.NO_ATTENDEES: "without anyone else",
    cal.FUTURE: "still to come",
    cal.TOO_MANY: f"with more than {cal.MAX_ATTENDEES} people",
    cal.ALREADY_IMPORTED: "imported before",
    cal.TOO_OFTEN: "repeating more often than daily",
    cal.PAST_CAP: f"older repeats beyond the {cal.MAX_OCCURRENCES:,} kept",
    cal.OUT_OF_RANGE: "with a date out of range",
    cal.UNREADABLE: "that could not be read",
}
#: The same for one message or event, where it differs.
ONE_REASON_WORDS = {rules.BULK: "newsletter or notification"}


@dataclass(frozen=True, slots=True)
class Source:
    """What the dialog imports: mailbox files, e-mails and folders of them, or one calendar."""

    paths: tuple[Path, ...]

    @property
    def calendar(self) -> bool:
        return len(self.paths) == 1 and self.paths[0].suffix.lower() == CALENDAR

    def problem(self) -> str | None:
        """Why these files cannot be imported together, in a sentence (None: they can)."""
        calendars = [path for path in self.paths if path.suffix.lower() == CALENDAR]
        if calendars and len(self.paths) > 1:
            return "Import a calendar (.ics) on its own: one calendar at a time, without mail files."
        return None

    def names(self) -> str:
        return ", ".join(path.name or str(path) for path in self.paths)

    def run(self, store: Store, *, today: date, me: list[str] | None, **options: Any) -> ImportResult:
        """The core's import of these files (`me` None: the owner's addresses as the core finds them)."""
        if me:
            options["me"] = me
        if self.calendar:
            return import_calendar(store, self.paths[0], until=today, **options)
        return import_mail(store, list(self.paths), **options)


@dataclass(frozen=True, slots=True)
class Check:
    """A dry run's answer: the report as the import would be, and (when some correspondents are not contacts) the
    report with them added, whose contacts_created is how many people that is; the owner's addresses it went by,
    and where they come from: "typed" in the dialog, "remembered" from an earlier import, "found" in the files."""

    report: ImportReport
    with_people: ImportReport | None
    me: list[str]
    origin: str

    @property
    def people(self) -> int:
        return self.with_people.contacts_created if self.with_people is not None else 0


Work = Callable[..., Any]  # work(store, progress=…, cancelled=…), as a Job runs it


def check_work(source: Source, today: date, me: Sequence[str] | None) -> Work:
    """The dry run, adding the people who are not contacts (to count them); when there are any, once more without
    them (what the import does unless the user adds them)."""

    def run(store: Store, progress: Progress | None = None, cancelled: Cancelled | None = None) -> Check:
        stored = owner_addresses(store)
        given = list(me) if me else None
        # a calendar's owner is known before reading its events (kept, else found in the file); mail's after
        kept_or_found = cal.owner_for(store, source.paths[0]) if source.calendar and not given else []

        def dry_run(step: int, add_unknown: bool) -> ImportReport:
            return source.run(
                store,
                today=today,
                me=given,
                add_unknown=add_unknown,
                dry_run=True,
                progress=_scaled(progress, step),
                cancelled=cancelled,
            ).report

        try:
            adding: ImportReport | None = dry_run(0, True)
        except InvalidInput:
            if source.calendar:
                raise
            adding = None  # mail whose owner cannot be told adds nobody: the plain dry run says so, or why not
        # nobody to add: the import without adding does the same; else it is read once more
        report = adding if adding is not None and not adding.contacts_created else dry_run(1, False)
        found = list(given or kept_or_found or getattr(report, "me", None) or [])
        origin = "typed" if given else "remembered" if stored and found == stored else "found"
        with_people = adding if adding is not None and adding.contacts_created else None
        return Check(report, with_people, found, origin)

    return run


def import_work(source: Source, today: date, me: Sequence[str], add_unknown: bool) -> Work:
    def run(store: Store, progress: Progress | None = None, cancelled: Cancelled | None = None) -> ImportResult:
        return source.run(
            store,
            today=today,
            me=list(me) or None,
            add_unknown=add_unknown,
            progress=_scaled(progress, 0),
            cancelled=cancelled,
        )

    return run


def _scaled(progress: Progress | None, step: int) -> Progress | None:
    """Bytes read of the files' size as thousandths (a Qt signal carries 32-bit ints), after `step` whole runs."""
    if progress is None:
        return None
    return lambda done, total: progress(step * 1000 + done * 1000 // max(total, 1), (step + 1) * 1000)


def read_words(check: Check, add_people: bool) -> str:
    """'1,234 messages read: 310 would be imported as interactions with your contacts.'"""
    report = check.with_people if add_people and check.with_people is not None else check.report
    if report.kind == "calendar":
        meetings = plural(getattr(report, "interactions_created", report.created), "meeting")
        text = f"{plural(report.rows, 'event')} read: {report.created:,} would be imported as {meetings}"
    else:
        made = "an interaction" if report.created == 1 else "interactions"
        text = f"{plural(report.rows, 'message')} read: {report.created:,} would be imported as {made}"
    if add_people and check.people:
        return text + f", and {_people(check.people)} would become contacts."
    return text + " with your contacts."


def left_out_words(report: ImportReport) -> str:
    """What would be left out, a line per reason, most first."""
    if not report.skipped:
        return "Nothing is left out."
    lines = [f"• {count:,} {_reason(reason, count)}" for reason, count in _most_first(report.skipped)]
    return "Left out:\n" + "\n".join(lines)


def people_words(count: int) -> str:
    """The offer to add the people the owner corresponds with who are not contacts, with their count first."""
    if count == 1:
        return "1 person you wrote with is not a contact yet — add them"
    return f"{count:,} people you wrote with are not contacts yet — add them"


def done_words(result: ImportResult) -> str:
    """What the import did, in one sentence."""
    report = result.report
    if report.kind == "calendar":
        meetings = plural(getattr(report, "interactions_created", report.created), "meeting")
        what = f"Imported {meetings} from {report.created:,} of {plural(report.rows, 'event')} read"
    else:
        what = f"Imported {report.created:,} of {plural(report.rows, 'message')} as interactions"
    if report.contacts_created:
        what += f", with {plural(report.contacts_created, 'new contact')}"
    return what + " (Edit → Import history… takes the import back)."


def _reason(reason: str, count: int) -> str:
    if count == 1 and reason in ONE_REASON_WORDS:
        return ONE_REASON_WORDS[reason]
    return REASON_WORDS.get(reason, reason)


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count:,} people"


def _most_first(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
