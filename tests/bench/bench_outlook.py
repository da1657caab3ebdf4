"""Benchmark: fitting BG/NBD for 100k customers, and the outlook of every contact (run by hand; pytest skips
tests/bench).

Part one (target: fit under 1 s). Simulates customers from the BG/NBD process with the CDNOW parameters (so the fit
has a known answer), then times, best of 3 in this process: a. REFERENCE one evaluation of the log-likelihood over
every customer (no compression), b. fit() (compression + L-BFGS-B), c. expected purchases, P(alive) and
P(purchase) for every customer.

Part two (target: every contact's outlook under 2 s at 100k contacts / 1M interactions). Builds (or reuses) a
Tracker database at --db: contacts with the names of tests/bench/bench_classify.py, interactions over the two
years before its fixed date (bench_classify.AS_OF) of its other kinds, and purchases (about a third of the rows,
nearly all with amounts) from buyers who each buy at their own rhythm and may stop (a BG/NBD process in days,
each with their own usual order value). Then times, best of 3 in this process:

  a. REFERENCE  SELECT contact_id, day, amount FROM interactions WHERE kind_id = <purchase> fetched into Python
  b. store.purchases.order_days(as_of)                       the purchase days the outlook reads
  c. forecast(store, as_of, horizon=90), cold                 the module cache cleared before each run
  d. forecast(store, as_of, horizon=90), warm                 cached: the signature query, and the buyers' names
                                                             re-read (a renamed contact shows under the new name)

and prints the model kind, customers, repeat customers, seconds, ratios to (a) and PASS/FAIL for (c).

    .venv/bin/python tests/bench/bench_outlook.py [--customers 100000] [--contacts 100000]
                                                  [--interactions 1000000] [--db /tmp/bench_outlook.db] [--rebuild]

The database at --db is kept and reused when it already holds the requested counts (otherwise, or with --rebuild,
it is replaced); building 100k contacts / 1M interactions takes ~15 s.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np

from tracker.core.dates import day_number
from tracker.core.outlook import forecast as forecast_module
from tracker.core.outlook.bgnbd import fit, log_likelihood
from tracker.core.store import Store
from tracker.core.store.purchases import PURCHASE_KIND

TRUE = {"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4257}  # weeks
HERE = Path(__file__).parent
OUTLOOK_TARGET_S = 2.0
SPAN_DAYS = 730
BUYERS = 0.7  # share of contacts who ever buy
PURCHASE_SHARE = 1 / 3  # of the interactions, at most
DAILY = {"r": 1.0, "alpha": 48.0, "a": 1.0, "b": 5.0}  # the buyers' BG/NBD process, in days
SPEND = {"p": 6.0, "q": 4.0, "v": 30.0}  # their order values (Gamma-Gamma): a mean order of 60
NO_AMOUNT = 0.03  # purchases logged without an amount


def simulate(n: int, rng: np.random.Generator, weeks: float = 39.0):
    """Each customer buys at Poisson rate lambda ~ Gamma(r, alpha) and may drop out after each purchase
    with probability p ~ Beta(a, b); observed from a first purchase somewhere in the first 12 weeks."""
    lam = rng.gamma(TRUE["r"], 1 / TRUE["alpha"], n)
    p = rng.beta(TRUE["a"], TRUE["b"], n)
    T = weeks - rng.uniform(0, 12, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i]) if lam[i] > 0 else np.inf
            if t > T[i]:
                break
            x[i] += 1
            t_x[i] = t
            if rng.random() < p[i]:
                break
    return x, np.round(t_x, 1), np.round(T, 1)


def best_of(fn, runs: int = 3, setup: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()  # untimed
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def part_one(args: argparse.Namespace) -> None:
    x, t_x, T = simulate(args.customers, np.random.default_rng(7))
    ones = np.ones(len(x))
    reference = best_of(lambda: log_likelihood((0.24, 4.4, 0.79, 2.4), x, t_x, T, ones))
    fit_time = best_of(lambda: fit(x, t_x, T))
    model = fit(x, t_x, T)
    predict = best_of(
        lambda: (model.expected_purchases(13, x, t_x, T), model.p_alive(x, t_x, T), model.p_purchase(13, x, t_x, T))
    )
    print(
        f"{len(x):,} customers, {int(np.sum(x > 0)):,} repeat buyers, "
        f"{len(np.unique(np.column_stack([x, t_x, T]), axis=0)):,} distinct (x, t_x, T)"
    )
    print(f"fitted r={model.r:.4f} alpha={model.alpha:.4f} a={model.a:.4f} b={model.b:.4f} (simulated from {TRUE})")
    for label, seconds in (
        ("a. reference log-likelihood", reference),
        ("b. fit", fit_time),
        ("c. predictions for all", predict),
    ):
        verdict = f"  {'PASS' if seconds < 1 else 'FAIL'} (target < 1 s)" if label.startswith("b.") else ""
        print(f"  {label:30} {seconds:7.3f} s  {seconds / reference:7.1f}x reference{verdict}")


def _classify_bench():
    spec = importlib.util.spec_from_file_location("bench_classify", HERE / "bench_classify.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def simulate_purchases(ids: np.ndarray, rng: np.random.Generator, limit: int):
    """Purchase times (days into the span) of buyers who each buy at Poisson rate lambda ~ Gamma(r, alpha) per day
    and stop after each repeat purchase with probability p ~ Beta(a, b) (as BG/NBD has it: none stop after the first),
    from a first purchase anywhere in the span; at
    most `limit` purchases (repeat purchases dropped at random); returns contact ids, days and amounts."""
    n = len(ids)
    lam = rng.gamma(DAILY["r"], 1 / DAILY["alpha"], n)
    p = rng.beta(DAILY["a"], DAILY["b"], n)
    t = rng.uniform(0, SPAN_DAYS, n)
    who, when = [np.arange(n)], [t.copy()]
    going = np.arange(n)
    while len(going):
        t[going] += rng.exponential(1 / lam[going])
        going = going[t[going] < SPAN_DAYS]
        who.append(going)
        when.append(t[going].copy())
        going = going[rng.random(len(going)) >= p[going]]
    who_all, when_all = np.concatenate(who), np.concatenate(when)
    if len(who_all) > limit:  # keep every first purchase
        repeats = rng.permutation(np.arange(n, len(who_all)))[: max(0, limit - n)]
        keep = np.concatenate([np.arange(min(n, limit)), np.sort(repeats)])
        who_all, when_all = who_all[keep], when_all[keep]
    # Gamma-Gamma spend: each buyer's nu ~ Gamma(q, rate v), each order value ~ Gamma(p, rate nu) (mean 60)
    nu = rng.gamma(SPEND["q"], 1 / SPEND["v"], n)
    amount = np.round(rng.gamma(SPEND["p"], 1 / nu[who_all]), 2)
    return ids[who_all], when_all, np.where(rng.random(len(who_all)) < NO_AMOUNT, np.nan, amount)


def build_outlook_db(bench, store: Store, n_contacts: int, n_interactions: int, rng: np.random.Generator) -> None:
    """Fill an empty store with raw bulk SQL in one transaction, the rows in time order (as logged)."""
    start = np.datetime64(datetime.combine(bench.AS_OF, datetime.min.time()), "s") - np.timedelta64(SPAN_DAYS, "D")
    stamp = str(start)
    ids = np.arange(1, n_contacts + 1)
    buyer_ids = ids[rng.random(n_contacts) < BUYERS]
    p_cid, p_day, p_amount = simulate_purchases(buyer_ids, rng, int(n_interactions * PURCHASE_SHARE))
    kinds = store.kinds()
    names = [name for name in bench.MIX if name != PURCHASE_KIND]
    shares = np.array([bench.MIX[name][0] for name in names])
    k = n_interactions - len(p_cid)
    weights = np.where(rng.random(n_contacts) < 0.12, 0.0, rng.lognormal(0.0, 1.2, n_contacts))
    o_cid = rng.choice(ids, size=k, p=weights / weights.sum())
    o_kind = rng.choice(len(names), size=k, p=shares / shares.sum())
    o_day = rng.uniform(0, SPAN_DAYS, k)
    kind_id = np.array([kinds[name].id for name in names] + [kinds[PURCHASE_KIND].id])
    channel = [bench.MIX[name][1] for name in [*names, PURCHASE_KIND]]
    nps = names.index("nps")
    cid = np.concatenate([p_cid, o_cid])
    kind = np.concatenate([np.full(len(p_cid), len(names)), o_kind])
    amount = np.concatenate([p_amount, np.full(k, np.nan)])
    score = np.where(kind == nps, rng.integers(0, 11, len(kind)), -1)
    at = start + (np.concatenate([p_day, o_day]) * 86400).astype("timedelta64[s]")
    order = np.argsort(at, kind="stable")
    columns = (
        cid[order].tolist(),
        kind[order].tolist(),
        at[order].astype(str).tolist(),
        amount[order].tolist(),
        score[order].tolist(),
    )
    kind_ids = kind_id.tolist()
    rows = [
        (c, kind_ids[t], a, None if m != m else m, None if s < 0 else s, channel[t], a)  # m != m: NaN
        for c, t, a, m, s in zip(*columns, strict=True)
    ]
    contacts = []
    for c in ids.tolist():
        first, last = bench.FIRST[c % len(bench.FIRST)], bench.LAST[(c // 7) % len(bench.LAST)]
        contacts.append((c, first, last, f"{first}.{last}.{c}@example.com".lower(), "bench", stamp, stamp))
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO contacts (id, first_name, last_name, email, source, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            contacts,
        )
        conn.executemany(
            "INSERT INTO interactions (contact_id, kind_id, occurred_at, amount, score, channel, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def open_outlook_db(bench, args: argparse.Namespace) -> Store:
    store = Store.open(args.db)
    if args.rebuild or bench.counts(store) != (args.contacts, args.interactions):
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
        store = Store.open(args.db)
        began = time.perf_counter()
        build_outlook_db(bench, store, args.contacts, args.interactions, np.random.default_rng(20261123))
        print(f"built {args.db} in {time.perf_counter() - began:.1f} s ({args.db.stat().st_size / 2**20:.0f} MiB)")
    else:
        print(f"reusing {args.db}")
    return store


def part_two(args: argparse.Namespace) -> None:
    bench = _classify_bench()
    as_of = bench.AS_OF
    with open_outlook_db(bench, args) as store:
        kind_id = store.kinds()[PURCHASE_KIND].id
        purchases, buyers = store.conn.execute(
            "SELECT count(*), count(DISTINCT contact_id) FROM interactions WHERE kind_id = ? AND day <= ?",
            (kind_id, day_number(as_of)),
        ).fetchone()
        print(
            f"{args.contacts:,} contacts, {args.interactions:,} interactions, {purchases:,} purchases "
            f"by {buyers:,} buyers, as of {as_of}"
        )
        sql = "SELECT contact_id, day, amount FROM interactions WHERE kind_id = ?"
        reference = best_of(lambda: store.conn.execute(sql, (kind_id,)).fetchall())
        order_days = best_of(lambda: store.purchases.order_days(as_of))
        cold = best_of(lambda: forecast_module.forecast(store, as_of, horizon=90), setup=forecast_module._CACHE.clear)
        outlook = forecast_module.forecast(store, as_of, horizon=90)
        warm = best_of(lambda: forecast_module.forecast(store, as_of, horizon=90))
        assert forecast_module.forecast(store, as_of, horizon=90) is outlook, "the warm call did not hit the cache"
        print(
            f"model {outlook.kind} ({outlook.time_unit}s): {outlook.customers:,} customers, "
            f"{outlook.repeat_customers:,} repeat customers, {len(outlook.contacts):,} outlooks"
        )
        weekly = {**DAILY, "alpha": round(DAILY["alpha"] / 7, 4)} if outlook.time_unit == "week" else DAILY
        print(f"params {outlook.params} (simulated from {weekly}, spend {SPEND})")
        print(
            f"expected orders in 90 days {outlook.expected_orders:,.0f}, "
            f"expected revenue {outlook.expected_revenue or 0:,.0f}"
        )
        for label, seconds in (
            ("a. reference purchase rows", reference),
            ("b. order_days", order_days),
            ("c. forecast cold", cold),
            ("d. forecast warm (cached)", warm),
        ):
            verdict = ""
            if label.startswith("c."):
                verdict = f"  {'PASS' if seconds < OUTLOOK_TARGET_S else 'FAIL'} (target < {OUTLOOK_TARGET_S:.0f} s)"
            print(f"  {label:30} {seconds:7.3f} s  {seconds / reference:7.2f}x reference{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000, help="part one: simulated customers")
    parser.add_argument("--contacts", type=int, default=100_000, help="part two: contacts in the database")
    parser.add_argument("--interactions", type=int, default=1_000_000, help="part two: interactions")
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench_outlook.db"), help="part two: database")
    parser.add_argument("--rebuild", action="store_true", help="part two: build afresh even if --db fits")
    args = parser.parse_args()
    print("part one: BG/NBD fit")
    part_one(args)
    print("\npart two: every contact's outlook")
    part_two(args)


if __name__ == "__main__":
    main()
