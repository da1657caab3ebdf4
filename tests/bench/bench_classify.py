"""Benchmark: engagement levels for a large Tracker database (run by hand; pytest skips tests/bench).

Builds (or reuses) a database of N contacts and M interactions spread over the two years before
2026-11-23, with a realistic mix of kinds (mostly e-mail opens and website visits, some purchases,
calls and replies, a few referrals and reviews, NPS answers scored 0-10) and a few open follow-ups.
It then times, best of 3 after one warm-up, in this one process:

  a. REFERENCE  a raw grouped scan: SELECT contact_id, count(*), max(day) FROM interactions GROUP BY contact_id
  b. classify(store, as_of)                     every contact's level, score and recency
  c. level_counts(store, as_of)                 contacts per level
  d. store.engagement.contact_rows(as_of, ...)  contacts joined with their engagement
  e. suggest_follow_ups(store, as_of)           the prioritised follow-up list

and prints each time, its ratio to the reference scan, and PASS/FAIL for (b) and (c) against the
target "levels for 100k contacts over 1M interactions in under 2 s".

    .venv/bin/python tests/bench/bench_classify.py [--contacts 100000] [--interactions 1000000]
                                                   [--db PATH] [--keep] [--rebuild]

The Tracker database at --db is reused when it already holds the requested counts (otherwise, or with
--rebuild, it is replaced); a file this run builds is deleted afterwards unless --keep is given.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from tracker.core.engagement import classify, level_counts
from tracker.core.followups import suggest_follow_ups
from tracker.core.store import Store

AS_OF = date(2026, 11, 23)
SPAN_DAYS = 730
TARGET_S = 2.0
CHUNK = 100_000

# kind -> (share of interactions, channel)
MIX = {
    "email_open": (42.0, "email"),
    "website_visit": (28.0, "web"),
    "content_view": (4.0, "web"),
    "inquiry": (1.0, "web"),
    "email_click": (4.0, "email"),
    "email_reply": (3.0, "email"),
    "call": (2.0, "phone"),
    "meeting": (1.0, "in person"),
    "message": (1.0, "chat"),
    "social_like": (2.0, "social"),
    "nps": (3.0, "survey"),
    "note": (1.1, ""),
    "purchase": (6.0, "shop"),
    "subscription": (0.5, "web"),
    "signup": (0.5, "web"),
    "referral": (0.4, ""),
    "review": (0.4, "web"),
    "testimonial": (0.1, ""),
}
NPS_WEIGHTS = [2, 1, 1, 2, 2, 4, 5, 10, 15, 14, 10]  # scores 0..10, skewed to passives and promoters
FIRST = ["Ana", "Ben", "Chloe", "Dev", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kira", "Liam"]
LAST = ["Smith", "Garcia", "Okafor", "Nguyen", "Müller", "Rossi", "Kowalski", "Silva", "Tanaka", "Brown"]
TAGS = ["", "", "newsletter", "vip", "wholesale", "newsletter, vip", "event"]


def counts(store: Store) -> tuple[int, int]:
    conn = store.conn
    return (
        conn.execute("SELECT count(*) FROM contacts").fetchone()[0],
        conn.execute("SELECT count(*) FROM interactions").fetchone()[0],
    )


def build(store: Store, n_contacts: int, n_interactions: int, rng: random.Random) -> None:
    """Fill an empty store with raw bulk SQL, everything in one transaction."""
    start = datetime.combine(AS_OF, datetime.min.time()) - timedelta(days=SPAN_DAYS)
    span_s = SPAN_DAYS * 86400
    stamp = start.isoformat(timespec="seconds")
    contacts, weights, periods = [], [], []
    for cid in range(1, n_contacts + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        phone = f"+44 7{rng.randrange(10**9):09d}" if rng.random() < 0.6 else ""
        contacts.append(
            (
                cid,
                first,
                last,
                f"{first}.{last}.{cid}@example.com".lower(),
                phone,
                phone.replace(" ", "") or None,
                f"Company {cid % 5000}",
                rng.choice(TAGS),
                "bench",
                "",
                None,
                stamp,
                stamp,
            )
        )
        # Activity is skewed (a few heavy users, 12% never engaged); each contact is active for a period.
        weights.append(0.0 if rng.random() < 0.12 else rng.lognormvariate(0.0, 1.2))
        begin = rng.randrange(span_s)
        periods.append((begin, min(span_s - 1, begin + int(rng.expovariate(1 / (300 * 86400))))))
    kinds = store.kinds()
    names = list(MIX)
    kind_ids = [kinds[name].id for name in names]
    shares = [MIX[name][0] for name in names]
    channels = [MIX[name][1] for name in names]
    cum, total = [], 0.0
    for weight in weights:
        total += weight
        cum.append(total)
    ids = range(1, n_contacts + 1)
    sql = (
        "INSERT INTO interactions (contact_id, kind_id, occurred_at, amount, score, channel, note, "
        "import_id, created_at) VALUES (?, ?, ?, ?, ?, ?, '', NULL, ?)"
    )
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO contacts (id, first_name, last_name, email, phone, phone_key, company, tags, "
            f"source, notes, import_id, created_at, updated_at) VALUES ({', '.join('?' * 13)})",
            contacts,
        )
        done = 0
        while done < n_interactions:
            k = min(CHUNK, n_interactions - done)
            rows = []
            for cid, kind in zip(
                rng.choices(ids, cum_weights=cum, k=k), rng.choices(range(len(names)), weights=shares, k=k), strict=True
            ):
                begin, end = periods[cid - 1]
                at = (start + timedelta(seconds=rng.randint(begin, end))).isoformat(timespec="seconds")
                name = names[kind]
                amount = round(rng.uniform(5, 400), 2) if kinds[name].stage == 4 else None
                score = rng.choices(range(11), weights=NPS_WEIGHTS)[0] if name == "nps" else None
                rows.append((cid, kind_ids[kind], at, amount, score, channels[kind], at))
            conn.executemany(sql, rows)
            done += k
        follow_ups = [
            (
                rng.randint(1, n_contacts),
                (AS_OF + timedelta(days=rng.randint(-30, 30))).isoformat(),
                "Bench follow-up",
                stamp,
            )
            for _ in range(max(1, n_contacts // 100))
        ]
        conn.executemany("INSERT INTO follow_ups (contact_id, due, reason, created_at) VALUES (?, ?, ?, ?)", follow_ups)


def best_of(fn: Callable[[], object], runs: int = 3) -> tuple[float, object]:
    result = fn()  # warm-up: page cache, statement cache, imports
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "bench_classify.db")
    parser.add_argument("--keep", action="store_true", help="keep a database this run builds")
    parser.add_argument("--rebuild", action="store_true", help="build afresh even if --db has the right counts")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()

    built = False
    store = Store.open(args.db)  # refuses a file that is not a Tracker database
    if args.rebuild or counts(store) != (args.contacts, args.interactions):
        if counts(store) != (0, 0):
            store.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{args.db}{suffix}").unlink(missing_ok=True)
            store = Store.open(args.db)
        began = time.perf_counter()
        build(store, args.contacts, args.interactions, random.Random(args.seed))
        built = True
        print(
            f"built {args.db}: {args.contacts:,} contacts, {args.interactions:,} interactions "
            f"in {time.perf_counter() - began:.1f} s ({args.db.stat().st_size / 2**20:.0f} MiB)"
        )
    else:
        print(f"reusing {args.db}: {args.contacts:,} contacts, {args.interactions:,} interactions")

    try:
        settings = store.settings()
        cases = [
            (
                "a. reference grouped scan",
                lambda: store.conn.execute(
                    "SELECT contact_id, count(*), max(day) FROM interactions GROUP BY contact_id"
                ).fetchall(),
            ),
            ("b. classify", lambda: classify(store, AS_OF)),
            ("c. level_counts", lambda: level_counts(store, AS_OF)),
            ("d. contact_rows", lambda: store.engagement.contact_rows(AS_OF, settings)),
            ("e. suggest_follow_ups", lambda: suggest_follow_ups(store, AS_OF)),
        ]
        print(f"\nas of {AS_OF}, best of 3 after one warm-up:")
        results = {}
        reference = None
        for label, fn in cases:
            seconds, results[label[0]] = best_of(fn)
            reference = reference or seconds
            verdict = ""
            if label[0] in "bc":
                verdict = f"  {'PASS' if seconds < TARGET_S else 'FAIL'} (target < {TARGET_S:.0f} s)"
            print(f"  {label:<28} {seconds:8.3f} s  {seconds / reference:6.2f}x reference{verdict}")

        levels = results["c"]
        total = sum(levels.values())
        print("\nlevel distribution:")
        for level, count in levels.items():
            print(f"  {level.label:<12} {count:>9,}  {100 * count / total:5.1f}%")
        assert Counter(e.level for e in results["b"]) == +Counter(levels), "classify disagrees with level_counts"
        by_priority = Counter(s.priority.name.lower() for s in results["e"])
        print("\nfollow-up suggestions: " + ", ".join(f"{k} {v:,}" for k, v in sorted(by_priority.items())))
    finally:
        store.close()
        if built and not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{args.db}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
