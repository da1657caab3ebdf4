"""Benchmark: peak memory of the follow-up list at 100k and 1M contacts (run by hand; pytest skips tests/bench).

Builds (or reuses, cached in the temp folder) databases with bench_classify.py's bulk generator, then runs each
case in a fresh process and reads its peak resident memory (ru_maxrss), so one case's garbage never counts
toward the next:

  a. REFERENCE  `SELECT id FROM contacts` fetched whole (Python, sqlite3 and one int per contact)
  b. rows       what the list used to hold: every contact as a ContactRow plus every buyer's outlook
  c. suggest    suggest_follow_ups(store, as_of)
  d. cli        `tracker followups --as-of …` written to /dev/null (what a user runs)
  e. cli json   `tracker followups --as-of … --json` written to /dev/null

and prints MB, each case's ratio to the reference, the seconds it took and PASS/FAIL for (d) and (e) against the
target of 500 MB at 1M contacts. To measure another tree (the code before a change, say `git archive` of a
commit unpacked in /tmp), put it first on PYTHONPATH.

    .venv/bin/python tests/bench/bench_followups.py [--sizes 100000:1000000,1000000:3000000] [--cases acde]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
TARGET_MB = 500
AS_OF = "2026-11-23"

# Each case runs as `python -c CASE db` and prints one JSON line {"rss_mb", "seconds", "count"}.
_PRELUDE = """
import json, resource, sys, time
from datetime import date
db = sys.argv[1]
began = time.perf_counter()
"""
_REPORT = """
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rss_mb": peak, "seconds": time.perf_counter() - began, "count": count}))
"""
CASES = {
    "a": (
        "reference: SELECT id FROM contacts",
        "import sqlite3\ncount = len(sqlite3.connect(db).execute('SELECT id FROM contacts').fetchall())",
    ),
    "b": (
        "rows: contact_rows + outlook",
        "from tracker.core.store import Store\nfrom tracker.core.followups import purchase_outlook\n"
        "store = Store.open(db)\nas_of = date.fromisoformat('AS_OF')\n"
        "rows = store.engagement.contact_rows(as_of, store.settings())\noutlook = purchase_outlook(store, as_of)\n"
        "count = len(rows)",
    ),
    "c": (
        "suggest_follow_ups",
        "from tracker.core.store import Store\nfrom tracker.core.followups import suggest_follow_ups\n"
        "store = Store.open(db)\ncount = len(suggest_follow_ups(store, date.fromisoformat('AS_OF')))",
    ),
    "d": (
        "cli: tracker followups",
        "import contextlib, os\nfrom tracker.cli import cli\n"
        "with open(os.devnull, 'w') as sink, contextlib.redirect_stdout(sink):\n"
        "    cli.main(['--db', db, 'followups', '--as-of', 'AS_OF'], standalone_mode=False)\n"
        "count = -1",
    ),
    "e": (
        "cli: tracker followups --json",
        "import contextlib, os\nfrom tracker.cli import cli\n"
        "with open(os.devnull, 'w') as sink, contextlib.redirect_stdout(sink):\n"
        "    cli.main(['--db', db, 'followups', '--as-of', 'AS_OF', '--json'], standalone_mode=False)\n"
        "count = -1",
    ),
}


def _classify_bench():
    spec = importlib.util.spec_from_file_location("bench_classify", HERE / "bench_classify.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def database(contacts: int, interactions: int) -> Path:
    """The cached database of this size, built once with bench_classify.py's generator."""
    import random

    from tracker.core.store import Store

    bench = _classify_bench()
    path = Path(tempfile.gettempdir()) / f"bench_followups_{contacts}_{interactions}.db"
    store = Store.open(path)
    try:
        if bench.counts(store) != (contacts, interactions):
            if bench.counts(store) != (0, 0):
                raise SystemExit(f"{path} holds other counts; delete it")
            print(f"building {path} ({contacts:,} contacts, {interactions:,} interactions)…", flush=True)
            bench.build(store, contacts, interactions, random.Random(20261123))
    finally:
        store.close()
    return path


def run_case(code: str, db: Path) -> dict[str, float]:
    script = _PRELUDE + code.replace("AS_OF", AS_OF) + _REPORT
    # run from the temp folder: `python -c` puts the working folder first on sys.path, before PYTHONPATH
    done = subprocess.run(
        [sys.executable, "-c", script, str(db)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000:1000000,1000000:3000000", help="contacts:interactions,…")
    parser.add_argument("--cases", default="acde", help="which cases to run (letters above)")
    args = parser.parse_args()
    for size in args.sizes.split(","):
        contacts, interactions = (int(n) for n in size.split(":"))
        db = database(contacts, interactions)
        print(f"\n{contacts:,} contacts, {interactions:,} interactions, as of {AS_OF}; peak RSS per fresh process:")
        reference = None
        for letter in args.cases:
            label, code = CASES[letter]
            result = run_case(code, db)
            reference = reference or result["rss_mb"]
            verdict = ""
            if letter in "de" and contacts >= 1_000_000:
                verdict = f"  {'PASS' if result['rss_mb'] <= TARGET_MB else 'FAIL'} (target ≤ {TARGET_MB} MB)"
            count = f"{int(result['count']):>9,} rows" if result["count"] >= 0 else " " * 14
            print(
                f"  {letter}. {label:<34} {result['rss_mb']:8.0f} MB  {result['rss_mb'] / reference:6.2f}x reference"
                f"  {result['seconds']:6.1f} s  {count}{verdict}"
            )


if __name__ == "__main__":
    main()
