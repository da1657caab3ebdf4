"""Benchmark: the dashboard at 100k contacts / 1M interactions (run by hand; pytest skips tests/bench).

Reuses (or builds, with the same generator as bench_classify.py) the database at --db, then times, best of 3
after one warm-up, in this process:

  a. REFERENCE  a raw grouped scan of the interactions table (as in bench_classify.py)
  b. build_dashboard(store, as_of)     every number the dashboard shows (headline, funnel, 12 month-ends of
                                       level history, 26 weeks of activity, sources, follow-up workload)
  c. figures                           the five charts drawn on an Agg canvas, and the one-page report figure
  d. b + c                             what a refresh costs (it runs off the GUI thread in the app)

and prints seconds, ratios to the reference and PASS/FAIL against "figures build in under 1 s".

    .venv/bin/python tests/bench/bench_dashboard.py [--db /tmp/bench_classify.db]
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import time
from collections.abc import Callable
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg

from tracker.core.charts import (
    chart_style,
    dashboard_figure,
    draw_activity,
    draw_funnel,
    draw_history,
    draw_sources,
    draw_workload,
    styled_figure,
)
from tracker.core.dashboard import build_dashboard
from tracker.core.store import Store

HERE = Path(__file__).parent
TARGET_S = 1.0


def _classify_bench():
    spec = importlib.util.spec_from_file_location("bench_classify", HERE / "bench_classify.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best_of(fn: Callable[[], object], runs: int = 3) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def draw_all(data) -> None:
    for draw in (draw_funnel, draw_history, draw_activity, draw_sources, draw_workload):
        figure = styled_figure(5, 3)
        with chart_style():
            draw(figure.add_subplot(), data)
        FigureCanvasAgg(figure).draw()
    FigureCanvasAgg(dashboard_figure(data)).draw()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench_classify.db"))
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    args = parser.parse_args()
    bench = _classify_bench()
    with Store.open(args.db) as store:
        if bench.counts(store) != (args.contacts, args.interactions):
            print(f"building {args.db} …")
            store.close()
            args.db.unlink(missing_ok=True)
            with Store.open(args.db) as fresh:
                bench.build(fresh, args.contacts, args.interactions, random.Random(7))
    with Store.open(args.db) as store:
        contacts, interactions = bench.counts(store)
        print(f"{contacts:,} contacts, {interactions:,} interactions, as of {bench.AS_OF}")
        scan = "SELECT contact_id, count(*), max(day) FROM interactions GROUP BY contact_id"
        reference = best_of(lambda: store.conn.execute(scan).fetchall())
        data_time = best_of(lambda: build_dashboard(store, bench.AS_OF))
        data = build_dashboard(store, bench.AS_OF)
        figure_time = best_of(lambda: draw_all(data))
        rows = [
            ("a. reference grouped scan", reference),
            ("b. dashboard numbers", data_time),
            ("c. figures (5 charts + report)", figure_time),
            ("d. refresh (b + c)", data_time + figure_time),
        ]
        for label, seconds in rows:
            verdict = ""
            if label.startswith(("c.", "d.")):
                verdict = "PASS" if seconds < TARGET_S else "FAIL"
                verdict = f"  {verdict} (target < {TARGET_S:.0f} s)"
            print(f"  {label:32} {seconds:6.3f} s  {seconds / reference:6.1f}x reference{verdict}")


if __name__ == "__main__":
    main()
