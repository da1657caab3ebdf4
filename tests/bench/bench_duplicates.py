"""Benchmark: the duplicate finder on a large database (run by hand; pytest skips tests/bench).

Builds a database of N contacts (names drawn from 300 first and 600 last names, so common names repeat as they do;
a company for a third; phones for two thirds, one in ten of them shared with a colleague of another name), with a
planted 1 % of duplicates: the same person again under a second e-mail on the same domain, or the same number in
its other spelling (07700 900004 / +44 7700 900004), or a second address noted as an other e-mail. Then times, best
of 3 after one warm-up, in this one process:

  a. REFERENCE  a plain scan of the contacts table: SELECT id, names, company, e-mails, phones FROM contacts
  b. find_duplicates(store)

and prints both times, the ratio, how many pairs were found, how many planted pairs were among them, and
PASS/FAIL against the target "100k contacts in a few (5) seconds".

    .venv/bin/python tests/bench/bench_duplicates.py [--contacts 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tracker.core.duplicates import find_duplicates
from tracker.core.normalize import phone_key
from tracker.core.store import Store

TARGET_S = 5.0


def _names(rng: random.Random, count: int, length: int) -> list[str]:
    letters = "aeioubcdfghklmnprstvz"
    return sorted({"".join(rng.choice(letters) for _ in range(length)).capitalize() for _ in range(count * 2)})[:count]


def build(store: Store, contacts: int, rng: random.Random) -> set[tuple[int, int]]:
    """Insert the contacts; the planted duplicate pairs (lower id first)."""
    firsts, lasts = _names(rng, 300, 5), _names(rng, 600, 7)
    companies = _names(rng, 2000, 8)
    columns = set(r[1] for r in store.conn.execute("PRAGMA table_info(contacts)"))
    more = "more_emails" in columns
    rows: list[tuple[object, ...]] = []
    planted: set[tuple[int, int]] = set()
    for n in range(1, contacts + 1):
        first, last = rng.choice(firsts), rng.choice(lasts)
        company = rng.choice(companies) if rng.random() < 0.33 else ""
        email = f"{first.lower()}.{last.lower()}{n}@{rng.choice(('mail', 'post', 'web'))}{n % 500}.example"
        phone = f"07{rng.randrange(100_000_000, 999_999_999)}" if rng.random() < 0.66 else ""
        if phone and rng.random() < 0.1 and rows:  # a colleague with another name on the same office line
            phone = str(rows[-1][3]) or phone
        others = ""
        if n > 1 and n % 100 == 0:  # a duplicate of the contact before it
            prev = rows[-1]
            first, last, company = str(prev[0]), str(prev[1]), str(prev[4])
            kind = (n // 100) % 3
            domain = str(prev[2]).partition("@")[2]
            if kind == 0:
                email = f"{first.lower()}{n}@{domain}"
                phone = ""
            elif kind == 1:
                phone = "+44 " + str(prev[3])[1:] if prev[3] else f"+44 7{n:09d}"
                if not prev[3]:
                    rows[-1] = (*prev[:3], "0" + phone[4:], *prev[4:])
                email = f"other{n}@elsewhere{n}.example"
            else:
                email = f"new{n}@elsewhere{n}.example"
                others = str(prev[2])
                phone = ""
            planted.add((n - 1, n))
        rows.append((first, last, email, phone, company, others))
    if more:
        store.conn.executemany(
            "INSERT INTO contacts (first_name, last_name, email, phone, phone_key, company, more_emails, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2026-01-01', '2026-01-01')",
            [(f, la, e, p, phone_key(p), c, o) for f, la, e, p, c, o in rows],
        )
    else:
        store.conn.executemany(
            "INSERT INTO contacts (first_name, last_name, email, phone, phone_key, company, notes, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2026-01-01', '2026-01-01')",
            [(f, la, e, p, phone_key(p), c, o) for f, la, e, p, c, o in rows],
        )
        planted = {pair for pair in planted if (pair[1] // 100) % 3 != 2}  # other e-mails need schema 5
    store.conn.commit()
    return planted


def best_of(runs: int, fn: Callable[[], object]) -> tuple[float, object]:
    fn()  # warm-up
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "bench.db") as store:
        started = time.perf_counter()
        planted = build(store, args.contacts, random.Random(args.seed))
        took = time.perf_counter() - started
        print(f"built {args.contacts:,} contacts ({len(planted):,} planted pairs) in {took:.1f} s")
        columns = set(r[1] for r in store.conn.execute("PRAGMA table_info(contacts)"))
        extra = ", more_emails, more_phones" if "more_emails" in columns else ""
        scan_sql = f"SELECT id, first_name, last_name, company, email, phone_key, phone{extra} FROM contacts"
        scan, _ = best_of(3, lambda: store.conn.execute(scan_sql).fetchall())
        found_s, pairs = best_of(3, lambda: find_duplicates(store))
        assert isinstance(pairs, list)
        ids = {pair.ids for pair in pairs}
        print(f"a. reference: plain scan of the contacts table   {scan:8.3f} s")
        print(f"b. find_duplicates                               {found_s:8.3f} s   {found_s / scan:6.1f}x the scan")
        print(f"   pairs found: {len(pairs):,}; planted pairs found: {len(planted & ids):,} of {len(planted):,}")
        verdict = "PASS" if found_s < TARGET_S else "FAIL"
        print(f"{verdict}: {args.contacts:,} contacts in {found_s:.2f} s (target under {TARGET_S:.0f} s)")


if __name__ == "__main__":
    main()
