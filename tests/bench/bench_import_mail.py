"""Benchmark: time and peak memory of importing a big mailbox (run by hand; pytest skips tests/bench).

Generates an mbox of --messages messages (default 100,000) with bodies padded to about --body-kb KB each (default
10: about 1 GB) in --workdir (reused afterwards; the same seed gives the same file): 40% the owner writing to one or
two of 5,000 contacts, 40% contacts writing back, 8% newsletters, 6% people who are not contacts, 3% internal mail,
3% mail to a crowd of 25; a quarter of the messages multipart. Then runs each of these in its own subprocess and
prints its wall time and peak RSS (VmHWM from /proc/self/status in the child):

  * reference: a plain line scan of the file (`for line in file: line.startswith(b"From ")`), the floor of any
    streamed reading,
  * reference: Python's `mailbox.mbox(FILE).keys()` (the standard library's index of the same file),
  * Tracker: `import_mail(store, [FILE])` into a database holding the 5,000 contacts (the owner found on its own).

Targets (issue 17): under 60 s, peak RSS flat and under 300 MB.

    .venv/bin/python tests/bench/bench_import_mail.py [--messages 100000] [--body-kb 10] [--workdir /tmp/bench_mail]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ME = "owner@shop.example"
MULTIPART = 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\n--b1\nContent-Type: text/plain\n\n'
CONTACTS = 5_000

_PEAK = """
def _peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""

SCAN_CHILD = (
    _PEAK
    + """
import json, sys
count = 0
with open(sys.argv[1], "rb") as handle:
    for line in handle:
        if line.startswith(b"From "):
            count += 1
print(json.dumps({"peak_mb": _peak_mb(), "messages": count}))
"""
)

MAILBOX_CHILD = (
    _PEAK
    + """
import json, mailbox, sys
box = mailbox.mbox(sys.argv[1], create=False)
count = len(box.keys())
print(json.dumps({"peak_mb": _peak_mb(), "messages": count}))
"""
)

IMPORT_CHILD = (
    _PEAK
    + """
import json, sys
from tracker.core.importing.mail import import_mail
from tracker.core.store import Store
with Store.open(sys.argv[1]) as store:
    report = import_mail(store, [sys.argv[2]])
print(json.dumps({"peak_mb": _peak_mb(), **report.to_dict()}))
"""
)

SEED_CHILD = """
import sys
from tracker.core.store import Store
with Store.open(sys.argv[1]) as store, store.transaction():
    store.conn.executemany(
        "INSERT INTO contacts (first_name, email, created_at, updated_at) VALUES (?, ?, '2026-01-01', '2026-01-01')",
        [(f"Person {i}", f"person{i}@example.com") for i in range(int(sys.argv[2]))],
    )
"""


def generate(path: Path, messages: int, body_kb: int, seed: int = 17) -> None:
    rng = random.Random(seed)
    line = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n"
    body = line * max(1, body_kb * 1024 // len(line))
    start = datetime(2024, 1, 1, 9, 0)
    with path.open("wb") as out:
        for number in range(messages):
            when = start + timedelta(minutes=7 * number)
            roll = rng.random()
            person = f"Person {rng.randrange(CONTACTS)} <person{rng.randrange(CONTACTS)}@example.com>"
            extra = ""
            if roll < 0.40:
                sender, to = f"Owner <{ME}>", person + (f", person{rng.randrange(CONTACTS)}@example.com" * (roll < 0.1))
            elif roll < 0.80:
                sender, to = person, ME
            elif roll < 0.88:
                sender, to = "Shop News <news@brand.example>", ME
                extra = "List-Unsubscribe: <mailto:unsubscribe@brand.example>\n"
            elif roll < 0.94:
                sender, to = f"Stranger {number} <stranger{number}@elsewhere.example>", ME
            elif roll < 0.97:
                sender, to = f"Owner <{ME}>", "colleague@shop.example"
            else:
                sender, to = f"Owner <{ME}>", ", ".join(f"p{i}@example.com" for i in range(25))
            stamp = format_datetime(when.replace(tzinfo=None))
            head = (
                f"From MAILER-DAEMON {when:%a %b %d %H:%M:%S %Y}\n"
                f"From: {sender}\nTo: {to}\nSubject: =?utf-8?q?Order_{number}_=E2=80=93_caf=C3=A9?=\n"
                f"Date: {stamp}\nMessage-ID: <bench-{number}@shop.example>\n{extra}"
            )
            if number % 4 == 0:
                head += MULTIPART
                out.write(head.encode() + body + b"--b1--\n\n")
            else:
                out.write(head.encode() + b"\n" + body + b"\n")


def run_child(code: str, *args: str) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"child failed: {done.stderr[-2000:]}")
    return elapsed, json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--body-kb", type=int, default=10)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench_mail"))
    options = parser.parse_args()
    options.workdir.mkdir(parents=True, exist_ok=True)
    box = options.workdir / f"mail_{options.messages}_{options.body_kb}kb.mbox"
    if not box.exists():
        started = time.perf_counter()
        generate(box, options.messages, options.body_kb)
        print(f"generated {box} in {time.perf_counter() - started:.1f} s")
    size_mb = box.stat().st_size / 1e6
    print(f"mbox: {options.messages:,} messages, {size_mb:,.0f} MB")

    scan_s, scan = run_child(SCAN_CHILD, str(box))
    print(
        f"reference line scan:      {scan_s:6.1f} s  peak {scan['peak_mb']:6.0f} MB  ({scan['messages']:,} separators)"
    )
    mailbox_s, indexed = run_child(MAILBOX_CHILD, str(box))
    print(
        f"reference mailbox.mbox:   {mailbox_s:6.1f} s  peak {indexed['peak_mb']:6.0f} MB  "
        f"({indexed['messages']:,} messages)"
    )

    db = options.workdir / "bench.db"
    for stale in options.workdir.glob("bench.db*"):
        stale.unlink()
    subprocess.run([sys.executable, "-c", SEED_CHILD, str(db), str(CONTACTS)], check=True)
    import_s, report = run_child(IMPORT_CHILD, str(db), str(box))
    print(
        f"Tracker import_mail:      {import_s:6.1f} s  peak {report['peak_mb']:6.0f} MB  "
        f"({report['messages']:,} messages, {report['interactions']:,} interactions, "
        f"{report['interactions_created']:,} rows, skipped {report['skipped']}, me {report['me']})"
    )
    print(
        f"ratios: {import_s / scan_s:.1f}x the line scan, {import_s / mailbox_s:.1f}x mailbox.mbox; "
        f"{size_mb / import_s:,.0f} MB/s; targets: < 60 s ({'met' if import_s < 60 else 'MISSED'}), "
        f"< 300 MB ({'met' if report['peak_mb'] < 300 else 'MISSED'})"
    )
    assert report["messages"] == report["interactions"] + sum(report["skipped"].values())


if __name__ == "__main__":
    main()
