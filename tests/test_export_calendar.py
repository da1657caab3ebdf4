"""The follow-ups as a phone calendar (`tracker followups --export FILE.ics`): read back by icalendar and by vobject
(a second parser written independently), checked line by line against RFC 5545's CRLF and 75-octet folding, with
stable UIDs so a re-export updates the phone's events."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import vobject

from tracker.cli import main
from tracker.core.errors import InvalidInput
from tracker.core.export_calendar import calendar_bytes, write_calendar
from tracker.core.followups import Priority, Suggestion
from tracker.core.models import Contact
from tracker.core.store import Store
from tracker.core.store.messages import contacts_with_dates

STAMP = datetime(2026, 5, 4, 7, 30, tzinfo=UTC)
ANNA = Contact(id=1, first_name="Anna", last_name="Nowak", email="anna@example.com", phone="+44 7700 900001")
JOERG = Contact(
    id=2,
    first_name="Jörg",
    last_name="Müller-Lüdenscheidt von Großhennersdorf",
    email="joerg@example.de",
    dates={"birthday": "1980-01-31", "anniversary": "--02-29", "first_order": "--12-25"},
)


def suggestion(contact: Contact, due: date, reason: str = "No purchase for 90 days") -> Suggestion:
    return Suggestion(contact, Priority.WIN_BACK, reason, "Win back: a personal note or an offer", due)


FOLLOW_UPS = [
    suggestion(ANNA, date(2026, 5, 4), "Scheduled: ask about the wedding order; due today"),
    suggestion(JOERG, date(2026, 5, 6), "Bought 3 times, nothing for 120 days — and a very long reason " * 3),
    suggestion(ANNA, date(2026, 5, 9)),  # the same contact again: their first (most urgent) line only
]


def exported() -> bytes:
    data, count = calendar_bytes(FOLLOW_UPS, [JOERG], stamp=STAMP)
    assert count == 2 + 3
    return data


def test_every_line_ends_in_crlf_and_is_folded_at_75_octets():
    data = exported()
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the long reason was folded
    for line in lines:
        line.decode("utf-8")  # never folded inside a character
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"END:VCALENDAR"


def test_icalendar_reads_follow_ups_as_all_day_events_with_a_reminder_at_nine():
    calendar = icalendar.Calendar.from_ical(exported())
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    anna = events["follow-up-1@tracker.invalid"]
    assert str(anna["SUMMARY"]) == "Call Anna Nowak"
    assert anna.decoded("DTSTART") == date(2026, 5, 4) and anna.decoded("DTEND") == date(2026, 5, 5)
    assert str(anna["DESCRIPTION"]).splitlines()[0] == "Scheduled: ask about the wedding order; due today"
    assert "Phone: +44 7700 900001" in str(anna["DESCRIPTION"])
    (alarm,) = anna.walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(hours=9) and str(alarm["ACTION"]) == "DISPLAY"
    joerg = events["follow-up-2@tracker.invalid"]
    assert str(joerg["SUMMARY"]).startswith("Write to Jörg")  # no phone: write
    assert joerg.decoded("DTSTART") == date(2026, 5, 6)


def test_important_dates_are_yearly_events_year_less_ones_too():
    calendar = icalendar.Calendar.from_ical(exported())
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    birthday = events["birthday-2@tracker.invalid"]
    assert str(birthday["SUMMARY"]).startswith("Birthday: Jörg")
    assert birthday.decoded("DTSTART") == date(1980, 1, 31)
    assert birthday["RRULE"]["FREQ"] == ["YEARLY"]
    leap = events["anniversary-2@tracker.invalid"]
    assert leap.decoded("DTSTART") == date(2000, 2, 29)
    assert leap["RRULE"]["BYMONTHDAY"] == [-1]  # the last day of February in other years
    assert str(events["first_order-2@tracker.invalid"]["SUMMARY"]).startswith("First order: Jörg")


def test_vobject_reads_the_same_events():
    parsed = vobject.readOne(exported().decode("utf-8"))
    events = {e.uid.value: e for e in parsed.vevent_list}
    assert set(events) == {
        "follow-up-1@tracker.invalid",
        "follow-up-2@tracker.invalid",
        "birthday-2@tracker.invalid",
        "anniversary-2@tracker.invalid",
        "first_order-2@tracker.invalid",
    }
    anna = events["follow-up-1@tracker.invalid"]
    assert anna.dtstart.value == date(2026, 5, 4) and anna.summary.value == "Call Anna Nowak"
    assert anna.valarm.trigger.value == timedelta(hours=9)
    assert events["follow-up-2@tracker.invalid"].description.value.startswith("Bought 3 times")  # unfolded
    birthdays = events["birthday-2@tracker.invalid"].getrruleset()
    assert birthdays.between(datetime(2030, 1, 1), datetime(2030, 12, 31)) == [datetime(2030, 1, 31)]
    leap = events["anniversary-2@tracker.invalid"].getrruleset()
    assert leap.between(datetime(2027, 1, 1), datetime(2028, 12, 31)) == [datetime(2027, 2, 28), datetime(2028, 2, 29)]


def test_a_re_export_keeps_every_uid_so_the_phone_updates_its_events():
    first = icalendar.Calendar.from_ical(exported())
    moved = [suggestion(ANNA, date(2026, 5, 11), "Moved"), FOLLOW_UPS[1]]
    data, _ = calendar_bytes(moved, [JOERG], stamp=STAMP + timedelta(days=7))
    second = icalendar.Calendar.from_ical(data)
    assert {str(e["UID"]) for e in first.walk("VEVENT")} == {str(e["UID"]) for e in second.walk("VEVENT")}
    anna = next(e for e in second.walk("VEVENT") if e["UID"] == "follow-up-1@tracker.invalid")
    assert anna.decoded("DTSTART") == date(2026, 5, 11) and anna.decoded("DTSTAMP") == STAMP + timedelta(days=7)


def test_the_file_is_written_safely_never_over_the_database(tmp_path):
    database = tmp_path / "t.db"
    with Store.open(database) as store:
        store.contacts.add(email="anna@example.com", first_name="Anna", dates={"birthday": "--06-12"})
        store.contacts.add(email="ben@example.com", first_name="Ben")
        assert [c.email for c in contacts_with_dates(store)] == ["anna@example.com"]
        with pytest.raises(InvalidInput):
            write_calendar(database, [], contacts_with_dates(store), stamp=STAMP, database=database)
        target = tmp_path / "phone.ics"
        assert write_calendar(target, [], contacts_with_dates(store), stamp=STAMP, database=database) == 1
    assert (target.stat().st_mode & 0o777) == 0o600  # personal data: the owner's only


def run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_cli_chooses_the_format_by_the_extension(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    run(["--db", db, "add", "--email", "anna@example.com", "--first-name", "Anna", "--phone", "+447700900001"], capsys)
    code, out, _ = run(["--db", db, "followup", "anna@example.com", "--due", "2026-05-04", "--reason", "Ask"], capsys)
    assert code == 0, out
    as_of = ["--as-of", "2026-05-04"]
    code, out, err = run(["--db", db, "followups", *as_of, "--export", str(tmp_path / "today.ics")], capsys)
    assert code == 0 and err == "" and out.strip() == f"Wrote 1 events to {tmp_path / 'today.ics'}."
    events = icalendar.Calendar.from_ical((tmp_path / "today.ics").read_bytes()).walk("VEVENT")
    assert [(str(e["SUMMARY"]), e.decoded("DTSTART")) for e in events] == [("Call Anna", date(2026, 5, 4))]
    code, out, _ = run(["--db", db, "followups", *as_of, "--export", str(tmp_path / "calls.VCF")], capsys)
    assert code == 0 and "BEGIN:VCARD" in (tmp_path / "calls.VCF").read_text(encoding="utf-8")
    code, out, _ = run(["--db", db, "followups", *as_of, "--json", "--export", str(tmp_path / "calls.csv")], capsys)
    assert code == 0 and json.loads(out)["followups"][0]["email"] == "anna@example.com"
    assert (tmp_path / "calls.csv").read_bytes().startswith(b"\xef\xbb\xbfname,email")
    code, out, err = run(["--db", db, "followups", "--export", str(tmp_path)], capsys)  # a folder
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, out, err = run(["--db", db, "followups", "--export", db[:-3] + ".db"], capsys)
    assert code == 2


def test_contacts_go_to_a_phone_as_vcards_when_the_file_ends_in_vcf(tmp_path, capsys):
    db = str(tmp_path / "t.db")
    run(["--db", db, "add", "--email", "anna@example.com", "--first-name", "Anna", "--phone", "+447700900001"], capsys)
    code, out, _ = run(["--db", db, "contacts", "--export", str(tmp_path / "all.vcf")], capsys)
    assert code == 0 and "Wrote 1 contacts" in out
    card = vobject.readOne((tmp_path / "all.vcf").read_text(encoding="utf-8"))
    assert (card.fn.value, card.email.value, card.tel.value) == ("Anna", "anna@example.com", "+447700900001")
    code, out, _ = run(["--db", db, "contacts", "--export", str(tmp_path / "all.csv")], capsys)
    assert code == 0 and (tmp_path / "all.csv").read_bytes().startswith(b"\xef\xbb\xbf")
