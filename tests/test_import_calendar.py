"""Calendar import (`tracker import calendar`): .ics exports as Google Calendar, Outlook and Apple Calendar write
them, made here, and a test for each rule — who counts, what is skipped and why, time zones, repeats, identity."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.cli import main
from tracker.core.errors import ImportCancelled, InvalidInput
from tracker.core.importing.calendar import (
    ALREADY_IMPORTED,
    CANCELLED,
    DECLINED,
    FUTURE,
    NO_ATTENDEES,
    NOT_A_CONTACT,
    OWNER_DECLINED,
    PAST_CAP,
    TOO_MANY,
    TOO_OFTEN,
    import_calendar,
    owner_for,
)
from tracker.core.operations import imports as import_ops
from tracker.core.store import Store
from tracker.core.store.messages import owner_addresses

LONDON = ZoneInfo("Europe/London")
UNTIL = date(2026, 3, 31)
OWNER = "owner@shop.example"

BERLIN_TZ = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
X-LIC-LOCATION:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""

WINDOWS_TZ = """BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE"""


def calendar(*events: str, head: str = "", zones: str = "") -> bytes:
    """A VCALENDAR around the events, with CRLF line ends as every exporter writes them."""
    parts = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Calendar//EN", head, zones, *events, "END:VCALENDAR"]
    return ("\r\n".join(p.strip() for p in parts if p.strip()) + "\r\n").encode("utf-8")


def event(uid: str, start: str, summary: str, *people: str, extra: str = "", organizer: str = OWNER) -> str:
    """A VEVENT; `start` is the DTSTART line's value part (with its parameters), `people` the attendees' lines."""
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTART{start}", f"SUMMARY:{summary}"]
    if organizer:
        lines.append(f"ORGANIZER;CN=Shop Owner:mailto:{organizer}")
    lines += [f"ATTENDEE:{p}" if p.startswith(("mailto:", "urn:", "invalid:")) else f"ATTENDEE;{p}" for p in people]
    lines += [extra, "END:VEVENT"]
    return "\r\n".join(line for line in lines if line)


def attendee(address: str, status: str = "ACCEPTED", name: str = "") -> str:
    cn = f'CN="{name}";' if name else ""
    return f"{cn}PARTSTAT={status};ROLE=REQ-PARTICIPANT:mailto:{address}"


def write(tmp_path: Path, data: bytes, name: str = "calendar.ics") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture
def store():
    with Store.open(":memory:") as opened:
        for address, first in (("anna@example.com", "Anna"), ("ben@example.com", "Ben"), ("joerg@example.de", "")):
            opened.contacts.add(email=address, first_name=first)
        yield opened


def meetings(store: Store) -> list[tuple[str, str, str, str]]:
    return sorted((i.contact_email, i.occurred_at, i.kind, i.note) for i in store.interactions.list())


def read(store: Store, path: Path, **options) -> object:
    options.setdefault("zone", LONDON)
    options.setdefault("me", [OWNER])
    return import_calendar(store, path, until=options.pop("until", UNTIL), **options)


def adds_up(report) -> bool:
    return report.rows == report.created + sum(report.skipped.values())


# Time zones -----------------------------------------------------------------------------------------------------


def test_google_event_in_a_named_zone_becomes_a_meeting_at_the_owners_wall_clock(store, tmp_path):
    data = calendar(
        event("g1@google.com", ";TZID=Europe/Berlin:20260115T100000", "Tasting", attendee("anna@example.com")),
        event(
            "g2@google.com", ":20260116T170000Z", "Call about the order", attendee(OWNER), attendee("ben@example.com")
        ),
        head=f"X-WR-CALNAME:{OWNER}\r\nX-WR-TIMEZONE:Europe/Berlin",
        zones=BERLIN_TZ,
    )
    report = read(store, write(tmp_path, data))
    assert meetings(store) == [
        ("anna@example.com", "2026-01-15T09:00:00", "meeting", "Tasting"),  # 10:00 in Berlin is 9:00 in London
        ("ben@example.com", "2026-01-16T17:00:00", "meeting", "Call about the order"),  # UTC = London in winter
    ]
    assert (report.rows, report.created, report.skipped) == (2, 2, {})
    assert report.kind == "calendar" and report.batch_id is not None


def test_the_same_moment_lands_on_the_owners_day_in_their_zone(store, tmp_path):
    data = calendar(event("late", ":20260115T230000Z", "Late call", attendee("anna@example.com")))
    read(store, write(tmp_path, data), zone=ZoneInfo("Asia/Tokyo"))
    assert meetings(store)[0][1] == "2026-01-16T08:00:00"


def test_outlook_windows_zone_name_and_its_all_day_events(store, tmp_path):
    outlook = "X-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\nX-MICROSOFT-CDO-IMPORTANCE:1\r\nX-MICROSOFT-CDO-INSTTYPE:0"
    data = calendar(
        event(
            "040000008200E00074C5B7101A82E00800000000",
            ";TZID=W. Europe Standard Time:20260210T140000",
            "Quarterly review",
            attendee("joerg@example.de", name="Müller, Jörg"),
            extra=outlook + "\r\nDTEND;TZID=W. Europe Standard Time:20260210T150000",
        ),
        event(
            "outlook-all-day",
            ";TZID=W. Europe Standard Time:20260211T000000",
            "Trade fair",
            attendee("anna@example.com"),
            extra=outlook
            + "\r\nX-MICROSOFT-CDO-ALLDAYEVENT:TRUE\r\nDTEND;TZID=W. Europe Standard Time:20260212T000000",
        ),
        head="METHOD:PUBLISH\r\nX-WR-CALNAME:Calendar",
        zones=WINDOWS_TZ,
    )
    read(store, write(tmp_path, data))
    assert meetings(store) == [
        ("anna@example.com", "2026-02-11T00:00:00", "meeting", "Trade fair"),  # its day, not 23:00 the day before
        ("joerg@example.de", "2026-02-10T13:00:00", "meeting", "Quarterly review"),
    ]


def test_apple_floating_times_stay_as_written_and_all_day_events_are_their_date(store, tmp_path):
    data = calendar(
        event("apple-1", ":20260310T143000", "Coffee", attendee("anna@example.com")),
        event("apple-2", ";VALUE=DATE:20260312", "Market day", attendee("ben@example.com")),
        head="X-APPLE-CALENDAR-COLOR:#1BADF8",
    )
    read(store, write(tmp_path, data), zone=ZoneInfo("America/New_York"))
    assert meetings(store) == [
        ("anna@example.com", "2026-03-10T14:30:00", "meeting", "Coffee"),
        ("ben@example.com", "2026-03-12T00:00:00", "meeting", "Market day"),
    ]


# Repeats ---------------------------------------------------------------------------------------------------------


WEEKLY = [
    event(
        "weekly-1",
        ";TZID=Europe/Berlin:20260105T090000",
        "Weekly check-in",
        attendee("anna@example.com"),
        extra="RRULE:FREQ=WEEKLY;BYDAY=MO\r\nEXDATE;TZID=Europe/Berlin:20260112T090000",
    ),
    event(  # the 19 January meeting moved to Tuesday afternoon
        "weekly-1",
        ";TZID=Europe/Berlin:20260120T150000",
        "Weekly check-in (moved)",
        attendee("anna@example.com"),
        extra="RECURRENCE-ID;TZID=Europe/Berlin:20260119T090000",
    ),
]


def test_a_weekly_event_is_expanded_up_to_until_without_its_exdate_and_with_its_moved_occurrence(store, tmp_path):
    report = read(store, write(tmp_path, calendar(*WEEKLY, zones=BERLIN_TZ)), until=date(2026, 2, 2))
    assert meetings(store) == [
        ("anna@example.com", "2026-01-05T08:00:00", "meeting", "Weekly check-in"),
        ("anna@example.com", "2026-01-20T14:00:00", "meeting", "Weekly check-in (moved)"),
        ("anna@example.com", "2026-01-26T08:00:00", "meeting", "Weekly check-in"),
        ("anna@example.com", "2026-02-02T08:00:00", "meeting", "Weekly check-in"),
    ]
    assert report.rows == 4 and adds_up(report)
    keys = sorted(k for (k,) in store.conn.execute("SELECT source_key FROM interactions"))
    assert "ics:weekly-1#20260119T080000Z" in keys  # the moved one is known by the start it was planned at


def test_a_long_series_keeps_its_latest_occurrences_up_to_the_cap(store, tmp_path):
    report = read(store, write(tmp_path, calendar(*WEEKLY, zones=BERLIN_TZ)), until=date(2026, 2, 2), max_occurrences=2)
    assert [m[1] for m in meetings(store)] == ["2026-01-26T08:00:00", "2026-02-02T08:00:00"]
    assert report.skipped == {PAST_CAP: 2} and adds_up(report)


def test_a_rule_repeating_more_often_than_daily_is_skipped_whole(store, tmp_path):
    data = calendar(
        event("hourly", ":20200101T090000", "Ping", attendee("anna@example.com"), extra="RRULE:FREQ=MINUTELY")
    )
    report = read(store, write(tmp_path, data))
    assert report.skipped == {TOO_OFTEN: 1} and report.created == 0 and adds_up(report)


# What is skipped ---------------------------------------------------------------------------------------------------


def test_each_rule_skips_with_its_reason_and_the_counts_add_up(store, tmp_path):
    crowd = [attendee(f"guest{i}@example.org") for i in range(21)]
    data = calendar(
        event("ok", ":20260105T100000Z", "Meeting", attendee("anna@example.com"), attendee("ben@example.com")),
        event("cancelled", ":20260106T100000Z", "Off", attendee("anna@example.com"), extra="STATUS:CANCELLED"),
        event(
            "declined",
            ":20260107T100000Z",
            "Lunch",
            attendee("anna@example.com", "DECLINED"),
            attendee("ben@example.com"),
        ),
        event("alone", ":20260108T100000Z", "Focus time"),
        event("alone-2", ":20260108T120000Z", "Dentist", organizer=""),
        event("crowd", ":20260109T100000Z", "All hands", *crowd),
        event("future", ":20260601T100000Z", "Summer fair", attendee("anna@example.com")),
        event("stranger", ":20260110T100000Z", "Intro", attendee("carl@example.net")),
        event("all-declined", ":20260110T120000Z", "Brunch", attendee("anna@example.com", "DECLINED")),
        event(  # one contact declined, the other is not a contact: nothing happened with a contact
            "half",
            ":20260110T140000Z",
            "Drinks",
            attendee("ben@example.com", "DECLINED"),
            attendee("carl@example.net"),
        ),
        event("room", ":20260111T100000Z", "Room only", "CUTYPE=ROOM;CN=Room 1:mailto:room1@shop.example"),
        event(
            "owner-declined", ":20260112T100000Z", "Webinar", attendee(OWNER, "DECLINED"), attendee("anna@example.com")
        ),
    )
    report = read(store, write(tmp_path, data))
    assert report.skipped == {
        CANCELLED: 1,
        DECLINED: 2,  # all-declined, half
        NO_ATTENDEES: 3,  # alone, alone-2 and the one with just a room
        TOO_MANY: 1,
        FUTURE: 1,
        NOT_A_CONTACT: 1,
        OWNER_DECLINED: 1,
    }
    assert (report.created, report.interactions_created) == (2, 3)  # anna and ben at "Meeting", ben at "Lunch"
    assert report.rows == 12 and adds_up(report)
    assert {(m[0], m[3]) for m in meetings(store)} == {
        ("anna@example.com", "Meeting"),
        ("ben@example.com", "Meeting"),
        ("ben@example.com", "Lunch"),
    }


def test_twenty_people_are_a_meeting_twenty_one_are_not(store, tmp_path):
    nineteen = [attendee(f"guest{i}@example.org") for i in range(18)] + [attendee("anna@example.com")]
    data = calendar(event("twenty", ":20260105T100000Z", "Workshop", *nineteen))  # and the owner: 20
    report = read(store, write(tmp_path, data))
    assert (report.rows, report.created, report.interactions_created, report.skipped) == (1, 1, 1, {})


def test_people_who_are_not_contacts_are_added_on_request_with_their_names(store, tmp_path):
    data = calendar(
        event(
            "new",
            ":20260105T100000Z",
            "Intro",
            attendee("carl@example.net", name="Müller, Jörg"),
            "CN==?UTF-8?Q?Zo=C3=AB_Dupr=C3=A9?=;PARTSTAT=ACCEPTED:mailto:zoe@example.fr",
        )
    )
    report = read(store, write(tmp_path, data), add_unknown=True)
    assert (report.created, report.interactions_created, report.contacts_created) == (1, 2, 2)
    carl, zoe = store.contacts.by_email("carl@example.net"), store.contacts.by_email("zoe@example.fr")
    assert (carl.first_name, carl.last_name) == ("Jörg", "Müller")
    assert (zoe.first_name, zoe.last_name) == ("Zoë", "Dupré")
    import_ops.undo_import(store, report.batch_id)
    assert store.contacts.by_email("carl@example.net") is None and store.interactions.count() == 0


def test_a_contacts_other_address_finds_them(store, tmp_path):
    anna = store.contacts.by_email("anna@example.com")
    store.contacts.update(anna.id, more_emails=["anna.private@example.org"])
    data = calendar(event("other", ":20260105T100000Z", "Chat", attendee("Anna.Private@example.org")))
    assert read(store, write(tmp_path, data)).created == 1


# Identity, undo, dry run -------------------------------------------------------------------------------------------


def test_reading_the_same_calendar_again_adds_nothing_and_undo_removes_exactly_the_batch(store, tmp_path):
    path = write(tmp_path, calendar(*WEEKLY, zones=BERLIN_TZ))
    first = read(store, path, until=date(2026, 2, 2))
    store.interactions.log(store.contacts.by_email("ben@example.com").id, "call", first_day := _moment())
    again = read(store, path, until=date(2026, 2, 9))  # a week later: only the new occurrence
    assert (again.created, again.skipped) == (1, {ALREADY_IMPORTED: 4}) and adds_up(again)
    assert store.interactions.count() == 6
    import_ops.undo_import(store, again.batch_id)
    assert store.interactions.count() == 5
    import_ops.undo_import(store, first.batch_id)
    assert [(i.kind, i.occurred_at) for i in store.interactions.list()] == [("call", first_day.isoformat())]
    assert [b.kind for b in store.imports.list()] == ["calendar", "calendar"]


def _moment():
    from datetime import datetime

    return datetime(2026, 1, 7, 12, 0)


def test_a_dry_run_writes_nothing_not_even_the_owners_addresses(store, tmp_path):
    report = read(store, write(tmp_path, calendar(*WEEKLY, zones=BERLIN_TZ)), dry_run=True)
    assert report.batch_id is None and report.created > 0
    assert store.interactions.count() == 0 and store.imports.list() == [] and owner_addresses(store) == []


def test_an_event_without_a_uid_is_still_known_the_second_time(store, tmp_path):
    data = calendar(event("x", ":20260105T100000Z", "No UID", attendee("anna@example.com")).replace("UID:x\r\n", ""))
    path = write(tmp_path, data)
    assert read(store, path).created == 1
    assert read(store, path).skipped == {ALREADY_IMPORTED: 1}


# The owner ---------------------------------------------------------------------------------------------------------


def test_the_owner_is_found_and_remembered_as_the_mail_setting(store, tmp_path):
    # no --me and no calendar name: the address on the most events is the owner's
    data = calendar(
        event("a", ":20260105T100000Z", "A", attendee("anna@example.com"), organizer="me@shop.example"),
        event("b", ":20260106T100000Z", "B", attendee("me@shop.example"), organizer="ben@example.com"),
    )
    report = import_calendar(store, write(tmp_path, data), until=UNTIL, zone=LONDON)
    assert owner_addresses(store) == ["me@shop.example"]
    assert {m[0] for m in meetings(store)} == {"anna@example.com", "ben@example.com"} and report.created == 2


def test_googles_calendar_name_is_its_owner(store, tmp_path):
    data = calendar(
        event("a", ":20260105T100000Z", "A", attendee("anna@example.com"), organizer="ben@example.com"),
        head="X-WR-CALNAME:anna@example.com",
    )
    import_calendar(store, write(tmp_path, data), until=UNTIL, zone=LONDON)
    assert owner_addresses(store) == ["anna@example.com"]
    assert {m[0] for m in meetings(store)} == {"ben@example.com"}


def test_addresses_given_are_kept_and_used_next_time(store, tmp_path):
    data = calendar(event("a", ":20260105T100000Z", "A", attendee("anna@example.com"), organizer="Ben@Example.com"))
    path = write(tmp_path, data)
    import_calendar(store, path, until=UNTIL, zone=LONDON, me=["BEN@example.com"], dry_run=True)
    assert owner_addresses(store) == []
    import_calendar(store, path, until=UNTIL, zone=LONDON, me=["BEN@example.com"])
    assert owner_addresses(store) == ["ben@example.com"]
    assert {m[0] for m in meetings(store)} == {"anna@example.com"}


# Broken files ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"first,last,email\r\nAnna,Smith,anna@example.com\r\n",
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna\r\nEND:VCARD\r\n",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:notadate\r\nEND:VCALENDAR\r\n",
    ],
    ids=["empty", "csv", "vcard", "binary", "damaged"],
)
def test_a_file_that_is_not_a_calendar_is_refused_in_one_sentence(store, tmp_path, content):
    with pytest.raises(InvalidInput) as caught:
        read(store, write(tmp_path, content))
    message = str(caught.value)
    assert "calendar.ics" in message and message.endswith(".") and "\n" not in message
    assert store.imports.list() == []


# Command line ------------------------------------------------------------------------------------------------------


def run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_cli_json_counts_add_up_and_undo_takes_the_batch_back(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    code, _, _ = run(["--db", db, "add", "--email", "anna@example.com"], capsys)
    assert code == 0
    data = calendar(
        event("ok", ":20260105T100000Z", "Meeting", attendee("anna@example.com"), attendee("carl@example.net")),
        event("off", ":20260106T100000Z", "Off", attendee("anna@example.com"), extra="STATUS:CANCELLED"),
        event("new", ":20260107T100000Z", "Intro", attendee("carl@example.net")),
    )
    path = str(write(tmp_path, data))
    args = ["--db", db, "import", "calendar", path, "--me", OWNER, "--until", "2026-03-31", "--json"]
    code, out, err = run([*args, "--dry-run"], capsys)
    dry = json.loads(out)
    assert code == 0 and dry["batch"] is None and dry["interactions"] == 1
    code, out, err = run(args, capsys)
    document = json.loads(out)
    assert code == 0 and err == ""
    assert document["events"] == document["interactions"] + sum(document["skipped"].values()) == 3
    assert document["skipped"] == {"cancelled": 1, "not a contact": 1}
    assert document["interactions_created"] == 1
    code, out, _ = run(["--db", db, "interactions", "--json"], capsys)
    assert [(i["kind"], i["note"]) for i in json.loads(out)["interactions"]] == [("meeting", "Meeting")]
    code, out, _ = run(["--db", db, "imports", "--json"], capsys)
    assert json.loads(out)["imports"][0]["kind"] == "calendar"
    code, out, _ = run(["--db", db, "undo-import", str(document["batch"])], capsys)
    assert code == 0
    code, out, _ = run(["--db", db, "interactions", "--json"], capsys)
    assert json.loads(out)["interactions"] == []


def test_cli_refuses_a_broken_file_in_one_line_with_exit_code_2(tmp_path, capsys):
    path = write(tmp_path, b"not a calendar at all")
    code, out, err = run(["--db", str(tmp_path / "t.db"), "import", "calendar", str(path)], capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "not an iCalendar" in err


def test_a_damaged_event_among_good_ones_is_left_out_as_unreadable(store, tmp_path):
    data = calendar(
        "BEGIN:VEVENT\r\nUID:no-start\r\nSUMMARY:No start\r\nATTENDEE:mailto:anna@example.com\r\nEND:VEVENT",
        "BEGIN:VEVENT\r\nSUMMARY:No start, no UID\r\nATTENDEE:mailto:anna@example.com\r\nEND:VEVENT",
        event(
            "bad-rule", ":20260105T100000Z", "Bad rule", attendee("anna@example.com"), extra="RRULE:FREQ=FORTNIGHTLY"
        ),
        event("bad-date", ":2026-01-05", "Bad date", attendee("anna@example.com")),
        event("ok", ":20260105T100000Z", "Fine", attendee("anna@example.com"), "urn:uuid:1234", "invalid:nomail"),
    )
    report = read(store, write(tmp_path, data))
    assert (report.created, report.skipped) == (1, {"unreadable event": 4}) and adds_up(report)


def test_progress_is_reported_and_a_cancel_leaves_nothing(store, tmp_path):
    path = write(tmp_path, calendar(*WEEKLY, zones=BERLIN_TZ))
    seen: list[tuple[int, int]] = []
    read(store, path, progress=lambda done, size: seen.append((done, size)), dry_run=True)
    size = path.stat().st_size
    assert seen[-1] == (size, size) and all(0 <= done <= size for done, _ in seen)
    with pytest.raises(ImportCancelled):
        read(store, path, cancelled=lambda: True)
    assert store.interactions.count() == 0 and store.imports.list() == [] and owner_addresses(store) == []


#: Lines a damaged or unusual export may hold, good and bad, for the property test below.
ODD_LINES = [
    "DTSTART:20260105T100000Z",
    "DTSTART;VALUE=DATE:20260105",
    "DTSTART:garbage",
    "DTSTART;TZID=Nowhere/Zone:20260105T100000",
    "DTSTART:18000101T000000Z",
    "DTSTART;VALUE=DATE:00010101",
    "DTSTART:99991231T235959Z",
    "DTEND:20250101T000000Z",
    "DURATION:-P1D",
    "RRULE:FREQ=WEEKLY;COUNT=3",
    "RRULE:FREQ=DAILY;UNTIL=20200101",
    "RRULE:garbage",
    "RRULE:FREQ=YEARLY;BYMONTH=13",
    "EXDATE:garbage",
    "EXDATE:20260112T100000Z",
    "RDATE:20260107T100000Z",
    "RECURRENCE-ID:20260112T100000Z",
    "RECURRENCE-ID:garbage",
    "RECURRENCE-ID;RANGE=THISANDFUTURE:20260112T100000Z",
    "STATUS:CANCELLED",
    "SUMMARY;LANGUAGE=de:Grüße",
    "UID:a",
    "UID:",
    "ORGANIZER:mailto:owner@shop.example",
    "ORGANIZER:garbage",
    "ATTENDEE:mailto:anna@example.com",
    "ATTENDEE;PARTSTAT=DECLINED:mailto:anna@example.com",
    "ATTENDEE:mailto:",
    "ATTENDEE;CN==?UTF-8?B?garbage?=:mailto:ben@example.com",
    "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE",
    "SEQUENCE:abc",
]


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(ODD_LINES), min_size=1, max_size=8, unique=True), min_size=1, max_size=4))
def test_any_mix_of_odd_lines_is_a_report_that_adds_up_or_one_sentence(tmp_path_factory, events):
    path = tmp_path_factory.mktemp("odd") / "odd.ics"
    path.write_bytes(calendar(*("\r\n".join(["BEGIN:VEVENT", *lines, "END:VEVENT"]) for lines in events)))
    with Store.open(":memory:") as fresh:
        fresh.contacts.add(email="anna@example.com")
        try:
            report = read(fresh, path, dry_run=True)
        except InvalidInput as exc:
            assert "\n" not in str(exc)
            return
    assert adds_up(report)


def test_a_front_end_can_show_the_owner_before_importing(store, tmp_path):
    data = calendar(event("a", ":20260105T100000Z", "A", attendee("anna@example.com"), organizer="me@shop.example"))
    path = write(tmp_path, data)
    assert owner_for(store, path) == ["me@shop.example"]
    with pytest.raises(InvalidInput):
        owner_for(store, tmp_path / "missing.ics")
    import_calendar(store, path, until=UNTIL, zone=LONDON, me=["other@shop.example"])
    assert owner_for(store, path) == ["other@shop.example"]  # what was given last time wins over the file


def test_a_calendar_named_after_another_address_of_the_owner_is_theirs_too(store, tmp_path):
    remember = calendar(event("a", ":20260105T100000Z", "A", attendee("anna@example.com")))  # OWNER organizes
    read(store, write(tmp_path, remember, "first.ics"))
    assert owner_addresses(store) == [OWNER]
    work = calendar(
        event("w1", ":20260106T100000Z", "Desk time", organizer="owner@work.example"),
        event("w2", ":20260107T100000Z", "Visit", attendee("ben@example.com"), organizer="owner@work.example"),
        head="X-WR-CALNAME:owner@work.example",
    )
    report = import_calendar(store, write(tmp_path, work, "work.ics"), until=UNTIL, zone=LONDON)
    assert report.skipped == {NO_ATTENDEES: 1} and report.created == 1
    assert owner_addresses(store) == [OWNER]  # what the user confirmed stays as it was
