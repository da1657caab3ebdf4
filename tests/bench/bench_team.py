"""Benchmark: a team database on PostgreSQL beside a Tracker file on SQLite, in the same run (run by hand; pytest
skips tests/bench).

Starts a throwaway PostgreSQL cluster (tests/pg_server.py's Cluster: loopback, fsync off as in the tests), builds
(or reuses, cached in the temp folder) a Tracker file of N contacts / M interactions with bench_classify.py's bulk
generator, and measures each case on both engines:

  1. import       a generated CSV of --contacts contacts through operations.imports.import_file (what
                  `tracker import contacts` runs), into a new, empty database of each engine; one run each
  2. bulk load    the whole N/M file copied by tracker.core.store.copy.copy_database (what `tracker share` and
                  `tracker backup --to` run): into a new team database through COPY, and into a new file; one run
                  each. VACUUM ANALYZE of the team database afterwards is timed apart: what autovacuum does a
                  minute or so later (the planner's statistics, and the visibility map, without which the levels'
                  index-only scan reads every one of the 1M rows from the table too: 5.8 s instead of 3.2 s)
  3. levels       level_counts(store, as_of) (`tracker levels`), best of 3 after a warm-up
  4. classify     classify(store, as_of): every contact's engagement level, best of 3 after a warm-up
  5. follow-ups   suggest_follow_ups(store, as_of) (`tracker followups`), best of 3 after a warm-up
  6. outlook      forecast(store, as_of, 90) (`tracker outlook`), cold: its cache cleared before each run (as in a
                  new process), best of 3 after a warm-up
  7. 5 clients    --clients processes each logging --logs interactions (operations.interactions.log, what
                  `tracker log` runs) into the N/M database at once, released together once all are connected:
                  interactions per second over all of them, and a check that every one was written once

and prints a table: seconds (or interactions per second) on each engine, the PostgreSQL/SQLite ratio of the times
and PASS/FAIL against the target "within 2x of SQLite". Both engines run in this one run on the same machine, so
the ratios hold on a busy one; the seconds do not.

    .venv/bin/python tests/bench/bench_team.py [--contacts 100000] [--interactions 1000000] [--clients 5]
                                               [--logs 200] [--db PATH] [--rebuild] [--only 1234567]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tracker.core.engagement import classify, level_counts
from tracker.core.followups import suggest_follow_ups
from tracker.core.operations import imports as import_ops
from tracker.core.outlook import forecast as forecast_module
from tracker.core.outlook.forecast import forecast
from tracker.core.store import Store
from tracker.core.store.copy import copy_database, counts

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
TARGET_RATIO = 2.0
HORIZON = 90


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench_classify = _module("bench_classify", HERE / "bench_classify.py")
AS_OF = bench_classify.AS_OF


def prepare_file(db: Path, n_contacts: int, n_interactions: int, rebuild: bool, seed: int) -> None:
    """The N/M Tracker file, built with bench_classify's generator unless it is there already."""
    store = Store.open(db)
    try:
        if not rebuild and bench_classify.counts(store) == (n_contacts, n_interactions):
            print(f"reusing {db}: {n_contacts:,} contacts, {n_interactions:,} interactions")
            return
        if bench_classify.counts(store) != (0, 0):
            store.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            store = Store.open(db)
        began = time.perf_counter()
        bench_classify.build(store, n_contacts, n_interactions, random.Random(seed))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print(
            f"built {db}: {n_contacts:,} contacts, {n_interactions:,} interactions in "
            f"{time.perf_counter() - began:.1f} s"
        )
    finally:
        store.close()


def write_contacts_csv(path: Path, n: int, rng: random.Random) -> None:
    """A contacts export as a shop's would be: names, a unique e-mail, a phone for most, company, tags."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["First Name", "Last Name", "Email", "Phone", "Company", "Tags"])
        for i in range(n):
            first, last = rng.choice(bench_classify.FIRST), rng.choice(bench_classify.LAST)
            phone = f"+44 7{rng.randrange(10**9):09d}" if rng.random() < 0.6 else ""
            writer.writerow(
                [
                    first,
                    last,
                    f"{first}.{last}.{i}@example.com".lower(),
                    phone,
                    f"Company {i % 5000}",
                    rng.choice(bench_classify.TAGS),
                ]
            )


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


def best_of(
    fn: Callable[[], object], runs: int = 3, setup: Callable[[], object] = lambda: None
) -> tuple[float, object]:
    setup()
    result = fn()  # warm-up: caches of both engines, imports
    times = []
    for _ in range(runs):
        setup()  # untimed
        seconds, result = timed(fn)
        times.append(seconds)
    return min(times), result


# Five clients at once --------------------------------------------------------------------------------------------

#: One client: opens the database, says "ready", waits for "go" on stdin, logs its interactions (each with a note
#: of its own) on contacts of its own range, and prints when it began and ended.
CLIENT = """
import json, sys, time
from datetime import datetime, timedelta
from tracker.core.operations import interactions
from tracker.core.store import Store
target, client, count, contacts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
store = Store.open(target)
store.kind("call")
print("ready", flush=True)
sys.stdin.readline()
began = time.time()
at = datetime(2026, 11, 1, 9, 0)
for i in range(count):
    contact = 1 + (client * 7919 + i * 13) % contacts
    interactions.log(store, contact, "call", at + timedelta(minutes=i), note=f"bench client {client} call {i}")
ended = time.time()
store.close()
print(json.dumps({"began": began, "ended": ended}), flush=True)
"""


def clients_at_once(target: str, clients: int, logs: int, contacts: int) -> tuple[float, int, int]:
    """(interactions per second over all clients, interactions written by them, interactions expected)."""
    with Store.open(target) as store:
        before = store.conn.execute("SELECT count(*) FROM interactions").fetchone()[0]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLIENT, target, str(n), str(logs), str(contacts)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(clients)
    ]
    for proc in procs:  # every client connected and waiting
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready", "a client failed to start"
    for proc in procs:  # released together
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    spans = []
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise SystemExit(f"a client failed (exit {proc.returncode})")
        spans.append(json.loads(out.strip().splitlines()[-1]))
    seconds = max(s["ended"] for s in spans) - min(s["began"] for s in spans)
    with Store.open(target) as store:
        after = store.conn.execute("SELECT count(*) FROM interactions").fetchone()[0]
        notes = store.conn.execute("SELECT count(DISTINCT note) FROM interactions WHERE note LIKE 'bench client %'")
        distinct = notes.fetchone()[0]
        store.conn.execute("BEGIN IMMEDIATE")  # leave the database as it was for the next run
        store.conn.execute("DELETE FROM interactions WHERE note LIKE 'bench client %'")
        store.conn.execute("COMMIT")
    written = after - before if distinct == after - before else -1  # -1: a row written twice
    return clients * logs / seconds, written, clients * logs


# The table -------------------------------------------------------------------------------------------------------


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, float, str]] = []

    def times(self, case: str, sqlite_s: float, pg_s: float) -> None:
        self.add(case, f"{sqlite_s:9.3f} s", f"{pg_s:9.3f} s", pg_s / sqlite_s)

    def rates(self, case: str, sqlite_rate: float, pg_rate: float, note: str = "") -> None:
        self.add(case, f"{sqlite_rate:7.0f} /s", f"{pg_rate:7.0f} /s", sqlite_rate / pg_rate, note)

    def add(self, case: str, sqlite: str, pg: str, ratio: float, note: str = "") -> None:
        verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
        self.rows.append((case, sqlite, pg, ratio, f"{verdict}{'  ' + note if note else ''}"))
        print(f"  {case:<34} SQLite {sqlite}   PostgreSQL {pg}   {ratio:5.2f}x  {self.rows[-1][4]}", flush=True)

    def print(self) -> None:
        print(f"\n{'case':<34} {'SQLite':>12} {'PostgreSQL':>12} {'PG/SQLite':>10}  target <= {TARGET_RATIO:.0f}x")
        for case, sqlite, pg, ratio, verdict in self.rows:
            print(f"{case:<34} {sqlite:>12} {pg:>12} {ratio:9.2f}x  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=5)
    parser.add_argument("--logs", type=int, default=200, help="interactions each client logs")
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "bench_team.db")
    parser.add_argument("--rebuild", action="store_true", help="build afresh even if --db has the right counts")
    parser.add_argument("--only", default="1234567", help="which cases to run (digits, see above)")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()

    sys.path.insert(0, str(HERE.parent))
    pg_server = _module("pg_server", HERE.parent / "pg_server.py")
    prepare_file(args.db, args.contacts, args.interactions, args.rebuild, args.seed)
    began = time.perf_counter()
    cluster = pg_server.Cluster()
    print(f"started a throwaway PostgreSQL cluster on port {cluster.port} in {time.perf_counter() - began:.1f} s")
    work = Path(tempfile.mkdtemp(prefix="bench_team-"))
    table = Table()
    try:
        print()
        if "1" in args.only:
            source = work / "contacts.csv"
            write_contacts_csv(source, args.contacts, random.Random(args.seed))
            results = {}
            for engine, target in (("sqlite", str(work / "import.db")), ("postgresql", cluster.new_database())):
                with Store.open(target) as store:
                    seconds, _ = timed(lambda store=store: import_ops.import_file(store, source, "contacts"))
                    created = store.contacts.count()
                assert created == args.contacts, f"{engine}: {created:,} contacts imported of {args.contacts:,}"
                results[engine] = seconds
            table.times(f"1. import {args.contacts:,} contacts", results["sqlite"], results["postgresql"])

        team_url = cluster.new_database()
        copy_file = work / "copy.db"
        with Store.open(args.db) as source:
            with Store.open(copy_file) as target:
                file_s, expected = timed(lambda: copy_database(source, target))
            with Store.open(team_url) as team:
                pg_s, copied = timed(lambda: copy_database(source, team))
                assert copied == expected == counts(team), "the copy lost rows"
                analyze_s, _ = timed(lambda: team.conn.execute("VACUUM ANALYZE"))
        if "2" in args.only:
            table.times(f"2. bulk load {args.interactions:,} interactions", file_s, pg_s)
            print(f"     (VACUUM ANALYZE of the team database afterwards, timed apart: {analyze_s:.2f} s)")

        settings_cases: list[tuple[str, str, Callable[[Store], object]]] = [
            ("3", "3. levels (level_counts)", lambda s: level_counts(s, AS_OF)),
            ("4", "4. classify every contact", lambda s: classify(s, AS_OF)),
            ("5", "5. follow-ups (suggest_follow_ups)", lambda s: suggest_follow_ups(s, AS_OF)),
            ("6", f"6. outlook (forecast, {HORIZON} d, cold)", lambda s: forecast(s, AS_OF, HORIZON)),
        ]
        with Store.open(copy_file) as file, Store.open(team_url) as team:
            for digit, label, fn in settings_cases:
                if digit not in args.only:
                    continue
                file_s, file_result = best_of(lambda fn=fn: fn(file), setup=forecast_module._CACHE.clear)
                pg_s, pg_result = best_of(lambda fn=fn: fn(team), setup=forecast_module._CACHE.clear)
                same = _same(file_result, pg_result)
                table.times(label, file_s, pg_s)
                if not same:
                    print(f"     NOTE: the two engines' answers differ for {label}")

        if "7" in args.only:
            rates = {}
            for engine, target in (("sqlite", str(copy_file)), ("postgresql", team_url)):
                rate, written, expected_n = clients_at_once(target, args.clients, args.logs, args.contacts)
                lost = "no write lost" if written == expected_n else f"LOST: {written} of {expected_n}"
                print(f"     {engine}: {written:,} of {expected_n:,} interactions written ({lost})")
                rates[engine] = rate
                if written != expected_n:
                    raise SystemExit(f"{engine}: writes were lost or doubled")
            table.rates(
                f"7. {args.clients} clients logging at once", rates["sqlite"], rates["postgresql"], "no write lost"
            )
        table.print()
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


def _same(a: object, b: object) -> bool:
    """Whether two engines' answers agree where they can be compared cheaply (counts, lengths)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b)
    return True


if __name__ == "__main__":
    main()
