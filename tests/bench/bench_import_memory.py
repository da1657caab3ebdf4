"""Benchmark: peak memory (and time) of importing big activity logs (run by hand; pytest skips tests/bench).

Generates interactions CSVs `email,date,type,amount` of 1M and 10M rows in --workdir (reused afterwards; the same
seed gives the same files; 100,000 distinct addresses, ~0.5% bad rows), then runs each of these in its own
subprocess and prints its peak RSS (VmHWM from /proc/self/status in the child) and wall time:

  * reference: a bare `python -c "import tracker.core.importing"` (the floor every import starts from),
  * reference: `sqlite-utils insert DB log FILE --csv` (a streaming CSV-to-SQLite loader),
  * Tracker: `import_interactions(store, FILE)` into a fresh empty database (every address becomes a contact).

Target: Tracker's peak RSS flat whatever the file size, under 300 MB for 10M rows.

    .venv/bin/python tests/bench/bench_import_memory.py [--rows 1000000 10000000] [--workdir /tmp/bench_memory]
                                                        [--skip-sqlite-utils]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

KINDS = {"email_open": 44, "website_visit": 30, "purchase": 9, "call": 6, "email_click": 4, "meeting": 2}
VENV_BIN = Path(sys.executable).parent

_PEAK = """
def _peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""

IMPORT_CHILD = (
    _PEAK
    + """
import json, sys
from tracker.core.importing import import_interactions
from tracker.core.store import Store
with Store.open(sys.argv[1]) as store:
    report = import_interactions(store, sys.argv[2])
print(json.dumps({"peak_mb": _peak_mb(), **report.counts()}))
"""
)

BARE_CHILD = (
    _PEAK
    + """
import json
import tracker.core.importing
print(json.dumps({"peak_mb": _peak_mb()}))
"""
)

SQLITE_UTILS_CHILD = (
    _PEAK
    + """
import json, sys
import sqlite_utils.cli
try:
    sqlite_utils.cli.cli.main(["insert", sys.argv[1], "log", sys.argv[2], "--csv"], standalone_mode=False)
finally:
    print(json.dumps({"peak_mb": _peak_mb()}))
"""
)


def rows(count: int, rng: random.Random):
    start = datetime(2024, 11, 23)
    kinds, weights = list(KINDS), list(KINDS.values())
    emails = [f"person{i}@example.com" for i in range(100_000)]
    for kind, roll in zip(
        rng.choices(kinds, weights=weights, k=count), (rng.random() for _ in range(count)), strict=True
    ):
        moment = (start + timedelta(seconds=rng.randrange(730 * 86400))).isoformat(sep=" ")
        if roll < 0.002:
            yield ["not-an-address", moment, kind, ""]
        elif roll < 0.004:
            yield [rng.choice(emails), "someday", kind, ""]
        elif roll < 0.005:
            yield [rng.choice(emails), moment, "teleport", ""]
        else:
            yield [rng.choice(emails), moment, kind, f"{rng.uniform(5, 400):.2f}" if kind == "purchase" else ""]


def generate(path: Path, count: int, seed: int) -> None:
    if path.exists():
        return
    began = time.perf_counter()
    part = path.with_suffix(".part")
    with part.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "date", "type", "amount"])
        writer.writerows(rows(count, random.Random(seed)))
    part.replace(path)
    print(
        f"generated {path} ({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - began:.1f} s", flush=True
    )


def run_child(label: str, code: str, *args: str) -> dict:
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        print(f"  {label:<44} FAILED ({done.returncode}): {done.stderr.strip()[-300:]}", flush=True)
        return {}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    counts = ""
    if "rows" in result:
        counts = (
            f"   rows {result['rows']:,} = {result['created']:,} created + {result['updated']:,} updated + "
            f"{result['rejected']:,} rejected; {result['contacts_created']:,} new contacts"
        )
    print(f"  {label:<44} peak RSS {result['peak_mb']:7.1f} MB   {seconds:7.1f} s{counts}", flush=True)
    return result | {"seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench_memory"))
    parser.add_argument("--skip-sqlite-utils", action="store_true")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    run_child("reference: python -c 'import tracker.core.importing'", BARE_CHILD)
    for count in args.rows:
        source = args.workdir / f"interactions_{count}.csv"
        generate(source, count, args.seed)
        print(f"\n{count:,} rows, {source.stat().st_size / 2**20:.0f} MiB:", flush=True)
        scratch = Path(tempfile.mkdtemp(dir=args.workdir))
        try:
            if not args.skip_sqlite_utils:
                run_child(
                    "reference: sqlite-utils insert --csv", SQLITE_UTILS_CHILD, str(scratch / "ref.db"), str(source)
                )
            result = run_child("tracker: import_interactions", IMPORT_CHILD, str(scratch / "tracker.db"), str(source))
            if result:
                verdict = "PASS" if result["peak_mb"] < 300 else "FAIL"
                print(f"  {verdict} (target: peak RSS under 300 MB)", flush=True)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
