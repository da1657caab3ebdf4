"""Benchmark: loading the demo data (run by hand; pytest skips tests/bench).

Times, best of 5 in this one process, each into a new database file:

  a. REFERENCE  opening a new, empty Tracker database (the migrations)
  b. load_demo(...)                    the demo as one import batch (what "Try the demo data" runs)
  c. the import pipeline               the same two files through import_contacts + import_interactions with
                                       the activity's dates moved (how the demo was loaded before)
  d. build_dashboard(store, today)     what the Dashboard then works out from the demo (its numbers, no drawing)

and prints seconds, ratios to the reference and PASS/FAIL for (b) against 0.3 s (a fifth of the 1.5 s from the
button to a complete dashboard).

    .venv/bin/python tests/bench/bench_demo.py
"""

from __future__ import annotations

import csv
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from tracker.core.demo import load_demo, shifted_moments
from tracker.core.store import Store
from tracker.ui import resources

TODAY = date(2026, 12, 2)
TARGET_S = 0.3


def fresh(folder: Path, name: str) -> Store:
    path = folder / f"{name}-{time.perf_counter_ns()}.db"
    return Store.open(path)


def old_pipeline(store: Store, folder: Path) -> None:
    from tracker.core.importing import import_contacts, import_interactions

    import_contacts(store, resources.DEMO_CONTACTS)
    with resources.DEMO_INTERACTIONS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    moved = folder / "demo-interactions.csv"
    with moved.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row, moment in zip(rows, shifted_moments([r["date"] for r in rows], TODAY), strict=True):
            writer.writerow({**row, "date": moment.replace("T", " ")})
    import_interactions(store, moved)


def best_of(make: Callable[[], Store], fn: Callable[[Store], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs + 1):  # the first is a warm-up (imports, page cache)
        store = make()
        began = time.perf_counter()
        fn(store)
        times.append(time.perf_counter() - began)
        store.close()
    return min(times[1:])


def main() -> None:
    from tracker.core.dashboard import build_dashboard

    with tempfile.TemporaryDirectory(prefix="bench-demo-") as name:
        folder = Path(name)
        began = time.perf_counter()
        fresh(folder, "warm").close()
        demo = (resources.DEMO_CONTACTS, resources.DEMO_INTERACTIONS, TODAY)
        cases = [
            ("a. reference: open a new db", None),
            ("b. load_demo", lambda s: load_demo(s, *demo)),
            ("c. import pipeline (before)", lambda s: old_pipeline(s, folder)),
        ]
        print(f"demo data loaded as of {TODAY}, best of 5 after a warm-up:")
        times = []
        for _ in range(6):
            start = time.perf_counter()
            fresh(folder, "open").close()
            times.append(time.perf_counter() - start)
        reference = min(times[1:])
        print(f"  {cases[0][0]:<34} {reference:7.3f} s    1.00x reference")
        for label, fn in cases[1:]:
            assert fn is not None
            seconds = best_of(lambda: fresh(folder, "demo"), fn)
            verdict = f"  {'PASS' if seconds <= TARGET_S else 'FAIL'} (target ≤ {TARGET_S} s)" if "b." in label else ""
            print(f"  {label:<34} {seconds:7.3f} s  {seconds / reference:6.2f}x reference{verdict}")
        store = fresh(folder, "dashboard")
        load_demo(store, *demo)
        times = []
        for _ in range(6):
            start = time.perf_counter()
            build_dashboard(store, TODAY)
            times.append(time.perf_counter() - start)
        seconds = min(times[1:])
        print(f"  {'d. build_dashboard on the demo':<34} {seconds:7.3f} s  {seconds / reference:6.2f}x reference")
        store.close()
        print(f"(whole run {time.perf_counter() - began:.1f} s)")


if __name__ == "__main__":
    main()
