"""Benchmark: the contacts export (File → Export contacts…, `tracker contacts --export`) of a large database, time
and peak memory against a bare csv.writer (run by hand; pytest skips tests/bench).

Each case runs in its own subprocess (so its peak RSS, VmHWM from /proc/self/status, is its own), twice; the best
time and the higher peak are printed with their ratio to the reference:

  * reference: one SELECT of the same rows (contacts joined with their engagement, in the list's order) written
    with a bare csv.writer,
  * export: core.contacts_export.export_contacts for every id in the list's order (a page at a time),
  * whole list: what the window did before (every ContactRow, to_dict, then write_csv), for comparison.

    .venv/bin/python tests/bench/bench_export_contacts.py [--db /tmp/bench_app.db] [--contacts 20000]

--db is read, never written; when it does not exist a database of --contacts contacts (ten interactions each) is
built with bench_classify's helpers in a temporary folder and deleted afterwards.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from tracker.core.contacts_export import export_contacts
from tracker.core.export import CONTACT_EXPORT_COLUMNS, write_csv
from tracker.core.store import Store
from tracker.core.store.engagement import _AGGREGATE, _ENGAGEMENT_COLUMNS, _params

AS_OF = date(2026, 11, 23)
CASES = ("reference", "export", "whole list")
LIST_ORDER = "ORDER BY lower(c.last_name), lower(c.first_name), c.id"


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reference(store: Store, target: Path) -> int:
    """The same rows from one SELECT, written by a bare csv.writer (no neutralising, no dataclasses)."""
    sql = (
        f"WITH a AS ({_AGGREGATE.format(contact_filter='')}) "
        "SELECT c.first_name, c.last_name, c.email, c.phone, c.company, c.tags, c.source, "
        f"{_ENGAGEMENT_COLUMNS}, c.consent FROM contacts c LEFT JOIN a ON a.cid = c.id {LIST_ORDER}"
    )
    count = 0
    with open(target, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(CONTACT_EXPORT_COLUMNS)
        for row in store.conn.execute(sql, _params(AS_OF, store.settings())):
            writer.writerow(row)
            count += 1
    return count


def run_case(case: str, db: Path, target: Path) -> None:
    """One case in this process: print {"seconds", "rows", "peak_mib"} as JSON."""
    with Store.open(db, verify=False) as store:
        ids = [i for (i,) in store.conn.execute(f"SELECT c.id FROM contacts c {LIST_ORDER}")]
        began = time.perf_counter()
        if case == "reference":
            rows = reference(store, target)
        elif case == "export":
            rows = export_contacts(store, target, ids, AS_OF)
        else:
            listed = store.engagement.contact_rows(AS_OF, store.settings(), contact_ids=None)
            region = store.phone_region()
            rows = write_csv(target, CONTACT_EXPORT_COLUMNS, [r.to_dict(region) for r in listed], database=db)
        seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_mib": peak_rss_mib()}))


def build_small(db: Path, contacts: int) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_classify import build  # a sibling script, not a package

    with Store.open(db) as store:
        build(store, contacts, contacts * 10, random.Random(20261123))


def measure(case: str, db: Path, folder: Path) -> tuple[float, float, int]:
    best, peak, rows = float("inf"), 0.0, 0
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, __file__, "--case", case, "--db", str(db), "--target", str(folder / "out.csv")],
            check=True,
            capture_output=True,
            text=True,
        )
        found = json.loads(out.stdout.strip().splitlines()[-1])
        best, peak, rows = min(best, found["seconds"]), max(peak, found["peak_mib"]), found["rows"]
    return best, peak, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench_app.db"))
    parser.add_argument("--contacts", type=int, default=20_000, help="contacts of a database built when --db is absent")
    parser.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--target", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_case(args.case, args.db, args.target)
        return
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        db = args.db
        if not db.exists():
            db = folder / "bench.db"
            build_small(db, args.contacts)
            print(f"built {db}: {args.contacts:,} contacts")
        results = {case: measure(case, db, folder) for case in CASES}
    ref_seconds, ref_peak, _ = results["reference"]
    print(f"\ncontacts export of {db} as of {AS_OF} (best time and peak RSS of 2 runs, each in its own process):")
    for case, (seconds, peak, rows) in results.items():
        print(
            f"  {case:<10} {rows:>8,} rows  {seconds:6.2f} s ({seconds / ref_seconds:4.1f}x)  "
            f"peak {peak:6.0f} MiB ({peak / ref_peak:4.1f}x)"
        )


if __name__ == "__main__":
    main()
