"""Benchmark: time and peak memory of importing a big calendar export (run by hand; pytest skips tests/bench).

Generates an .ics of --events events (default 5,000) over ten years in --workdir: each with the owner as organizer
and one to four of --people people (--contacts of them contacts), one in --recurring (default 20) a weekly series
without an end; then imports it into a fresh database twice, each in its own subprocess (the second time everything
is already imported), and prints the wall time, peak RSS (VmHWM) and the counts.

    .venv/bin/python tests/bench/bench_import_calendar.py [--events 5000] [--workdir /tmp/bench_calendar]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

ME = "owner@shop.example"

_CHILD = """
import json, sys, time
from datetime import date
from zoneinfo import ZoneInfo
from tracker.core.importing.calendar import import_calendar
from tracker.core.store import Store

db, ics, contacts, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with Store.open(db) as store:
    if rounds == 1:
        with store.transaction():
            for number in range(contacts):
                store.contacts.add(email=f"p{number}@example.com")
    started = time.perf_counter()
    report = import_calendar(store, ics, until=date(2026, 12, 1), zone=ZoneInfo("Europe/London"), me=["OWNER"])
    seconds = time.perf_counter() - started
peak = next(int(l.split()[1]) / 1024 for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"seconds": round(seconds, 1), "peak_mb": round(peak), "events": report.rows,
                  "interactions": report.created, "meetings": report.interactions_created,
                  "skipped": report.skipped}))
""".replace("OWNER", ME)


def make_calendar(path: Path, events: int, people: int, recurring: int) -> None:
    rng = random.Random(17)
    start = datetime(2016, 12, 1, 9)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Tracker bench//EN"]
    for number in range(events):
        when = start + timedelta(hours=rng.randrange(10 * 365 * 24))
        lines += [
            "BEGIN:VEVENT",
            f"UID:bench-{number}@tracker.invalid",
            f"DTSTART:{when:%Y%m%dT%H%M%S}Z",
            f"DTEND:{when + timedelta(hours=1):%Y%m%dT%H%M%S}Z",
            f"SUMMARY:Meeting {number}",
            f"ORGANIZER;CN=Owner:mailto:{ME}",
        ]
        for guest in rng.sample(range(people), rng.randint(1, 4)):
            lines.append(f"ATTENDEE;CN=Person {guest};PARTSTAT=ACCEPTED:mailto:p{guest}@example.com")
        if number % recurring == 0:
            lines.append("RRULE:FREQ=WEEKLY")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--contacts", type=int, default=1_000)
    parser.add_argument("--recurring", type=int, default=20, help="one event in this many repeats weekly")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench_calendar"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    ics, db = args.workdir / f"calendar-{args.events}.ics", args.workdir / "bench.db"
    make_calendar(ics, args.events, args.people, args.recurring)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    print(f"{ics.name}: {ics.stat().st_size / 1e6:.1f} MB")
    for rounds in (1, 2):
        found = subprocess.run(
            [sys.executable, "-c", _CHILD, str(db), str(ics), str(args.contacts), str(rounds)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(found.stdout.strip().splitlines()[-1])
        print(("first import: " if rounds == 1 else "again:        ") + json.dumps(figures))


if __name__ == "__main__":
    main()
