"""Benchmark: importing a Google Contacts export and an activity log (run by hand; pytest skips tests/bench).

Generates once in --workdir (reused afterwards; the same seed gives the same files):
  * contacts_wide_N.csv  a Google Contacts export in its full 36-column layout (--layout narrow: contacts_N.csv,
    10 columns) (UTF-8, names from PL/DE/FR/RU/CN/JP/ES/US, ~3% duplicate e-mails differing only in case, ~1%
    invalid e-mails, ~0.5% rows with no name, e-mail or phone; wide: birthdays, addresses, second e-mails and
    phones, photos and websites on some rows),
  * interactions_M.csv  an activity log `email,date,type,amount,note` over two years (~2% unknown e-mails).
Then times, in this one process, best of --runs (each run into a fresh empty database file):
  a. REFERENCE  `sqlite-utils insert DB contacts FILE --csv` (in-process via click's CliRunner),
     and a bare csv.reader + executemany insert for scale,
  b. Tracker    `import_contacts(store, FILE)` (Store.open included, as sqlite-utils creates its table too),
and prints both ratios with PASS/FAIL for issue 15's targets: "at least 3x faster than sqlite-utils insert --csv"
and "within 3x of a bare csv + executemany load" (measured in the same run, so a loaded machine slows all alike). Unless
--skip-interactions it then times `import_interactions(store, FILE)` into a copy of a database already
holding the imported contacts (target: "1M interaction rows in under 15 s"), and finally profiles one
Tracker contacts import with cProfile (top 15 functions by cumulative time).

    .venv/bin/python tests/bench/bench_import.py [--contacts 100000] [--interactions 1000000]
                                                 [--workdir /tmp/bench_import] [--skip-interactions] [--runs 3]
                                                 [--layout wide|narrow]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import pstats
import random
import shutil
import sqlite3
import time
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import sqlite_utils.cli
from click.testing import CliRunner

from tracker.core.importing import import_contacts, import_interactions
from tracker.core.normalize import is_valid_email
from tracker.core.store import Store

HEADER = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Organization Name",
    "Labels",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Notes",
]
# country -> (first names, last names, e-mail domains, phone format)
PEOPLE = {
    "pl": ("Marta Piotr Anna Zoë Łukasz", "Nowak Kowalska Wiśniewski Wójcik", "wp.pl onet.pl", "+48 6## ### ###"),
    "de": ("Jürgen Lukas Sophie Zoë Max", "Müller Schmidt Schäfer Weiß", "gmx.de web.de", "+49 15# #######"),
    "fr": ("Zoë Élodie Hugo François", "Dubois Lefèvre Martin Moreau", "orange.fr free.fr", "+33 6 ## ## ## ##"),
    "ru": ("Дмитрий Анна Сергей Ольга", "Иванов Смирнова Кузнецов", "yandex.ru mail.ru", "+7 9## ###-##-##"),
    "cn": ("王伟 李娜 张敏 刘洋 陈静", "", "qq.com 163.com", "+86 13# #### ####"),
    "jp": ("花子 太郎 陽菜 翔", "佐藤 鈴木 高橋 田中", "docomo.ne.jp yahoo.co.jp", "+81 90-####-####"),
    "es": ("José María Lucía Ángel", "García Núñez Fernández López", "gmail.com hotmail.es", "+34 6## ### ###"),
    "us": ("John Emily Zoë Sarah", "Smith O'Brien Johnson Williams", "gmail.com outlook.com", "+1 (415) 555-0###"),
}
COMPANIES = [
    "Acme Sp. z o.o.",
    "Müller & Söhne GmbH",
    "Boulangerie Lefèvre",
    "ООО «Ромашка»",
    "深圳科技有限公司",
    "株式会社サトウ",
    "Núñez y Asociados, S.L.",
    "Initech, Inc.",
]
LABELS = [
    "* myContacts",
    "* myContacts ::: Customers",
    "* myContacts ::: Leads",
    "Customers ::: * myContacts",
    "* myContacts ::: Customers ::: Newsletter",
    "* myContacts ::: VIP",
    "Suppliers",
]
NOTES = [
    "Met at the trade fair, Berlin",
    'Prefers "phone" over e-mail',
    "Wants a quote\nCall back in March",
    "Клиент с 2019 года",
    "VIP — 10% discount",
]
BAD_EMAILS = ["{u}@", "{u} at gmail.com", "{u}@@example.com", "{u}@example", "{u}@gmail,com", "{u}.example.com"]
#: The full Google Contacts export (36 columns): the issue's speed target is stated on this layout.
WIDE_HEADER = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name", "Phonetic Last Name",
    "Name Prefix", "Name Suffix", "Nickname", "File As", "Organization Name", "Organization Title",
    "Organization Department", "Birthday", "Notes", "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value",
    "E-mail 2 - Label", "E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value",
    "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City", "Address 1 - PO Box",
    "Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country", "Address 1 - Extended Address",
    "Website 1 - Label", "Website 1 - Value",
]  # fmt: skip
CITIES = [("Kraków", "30-001", "Poland"), ("München", "80331", "Germany"), ("Lyon", "69001", "France"),
          ("Madrid", "28001", "Spain"), ("Boston", "02108", "United States")]  # fmt: skip
KINDS = {"email_open": 44, "website_visit": 30, "purchase": 9, "call": 6, "nps": 5, "email_click": 4, "meeting": 2}


def ascii_of(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace("'", "")


def write_rows(path: Path, header: list[str], rows) -> None:
    part = path.with_suffix(".part")
    with part.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    part.replace(path)


def contact_rows(n: int, rng: random.Random):
    countries = [(f.split(), (s or "").split() or [""], d.split(), p) for f, s, d, p in PEOPLE.values()]
    emails: list[str] = []
    for i in range(n):
        first_names, last_names, domains, phone_format = rng.choice(countries)
        roll = rng.random()
        if roll < 0.005:  # nothing to identify a person: only a label (and sometimes a note)
            yield ["", "", "", "", rng.choice(LABELS), "", "", "", "", rng.choice(["", "", NOTES[0]])]
            continue
        first, last = rng.choice(first_names), rng.choice(last_names)
        user = ".".join(p for p in (ascii_of(first), ascii_of(last)) if p) or "user"
        if roll < 0.035 and emails:  # the same person again, the address typed in another case
            email = rng.choice(emails)
            email = rng.choice([email.upper(), email.title(), email.capitalize(), email.swapcase()])
        elif roll < 0.045:
            email = rng.choice(BAD_EMAILS).format(u=user)
        else:
            email = "" if rng.random() < 0.12 else f"{user}{i}@{rng.choice(domains)}"
            if email:
                emails.append(email)
        phone = "".join(str(rng.randrange(10)) if c == "#" else c for c in phone_format) if rng.random() < 0.7 else ""
        yield [
            first,
            rng.choice(["", "", "", "J."]) if first.isascii() else "",
            last,
            rng.choice(COMPANIES) if rng.random() < 0.35 else "",
            rng.choice(LABELS),
            rng.choice(["* Work", "* Home", "Other"]) if email else "",
            email,
            rng.choice(["Mobile", "Work", "Home"]) if phone else "",
            phone,
            rng.choice(NOTES) if rng.random() < 0.1 else "",
        ]


def wide_rows(n: int, rng: random.Random):
    """Google's 36-column layout around the same people: most extra columns empty, as in real exports."""
    for first, middle, last, company, labels, email_label, email, phone_label, phone, notes in contact_rows(n, rng):
        roll = rng.random()
        birthday = rng.choice(["1980-05-17", "--12-25", "1975-11-02"]) if roll < 0.2 else ""
        title = rng.choice(["Owner", "Manager", ""]) if company else ""
        second = f"{first.lower() or 'x'}{rng.randrange(10**6)}@example.org" if roll > 0.95 else ""
        other_phone = f"+44 7700 9{rng.randrange(10**5):05d}" if 0.2 <= roll < 0.3 else ""
        street, city = "", ("", "", "")
        if rng.random() < 0.3:
            street, city = f"{rng.randrange(1, 200)} Main Street", rng.choice(CITIES)
        formatted = f"{street}\n{city[1]} {city[0]}\n{city[2]}" if street else ""
        photo = f"https://lh3.googleusercontent.com/contacts/{rng.randrange(10**9)}" if rng.random() < 0.3 else ""
        website = f"https://{(last or 'shop').lower()}.example.com" if rng.random() < 0.05 else ""
        yield [
            first, middle, last, "", "", "", "Dr." if roll > 0.98 else "", "", "", "", company, title, "", birthday,
            notes, photo, labels, email_label, email, "* Work" if second else "", second, phone_label, phone,
            "Mobile" if other_phone else "", other_phone, "Home" if street else "", formatted, street, city[0], "",
            "", city[1], city[2], "", "Homepage" if website else "", website,
        ]  # fmt: skip


def interaction_rows(m: int, emails: list[str], rng: random.Random):
    start = datetime(2024, 11, 23)
    kinds, weights = list(KINDS), list(KINDS.values())
    for kind, roll in zip(rng.choices(kinds, weights=weights, k=m), (rng.random() for _ in range(m)), strict=True):
        email = f"visitor{rng.randrange(5000)}@unknown-shop.test" if roll < 0.02 else rng.choice(emails)
        moment = start + timedelta(seconds=rng.randrange(730 * 86400))
        amount = f"{rng.uniform(5, 400):.2f}" if kind == "purchase" else ""
        note = {"purchase": f"Order #{rng.randrange(10**6)}", "nps": f"NPS {rng.randrange(11)}"}.get(kind, "")
        yield [email, moment.isoformat(timespec="seconds"), kind, amount, note]


def fresh(db: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return db


def best_of(label: str, prepare: Callable[[], object], run: Callable[[], object], runs: int):
    times, result = [], None
    for _ in range(runs):
        prepare()
        gc.collect()
        began = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - began)
    print(f"  {label:<40} {min(times):8.2f} s   (runs: {', '.join(f'{t:.2f}' for t in times)})", flush=True)
    return min(times), result


def bare_insert(db: Path, csv_path: Path) -> None:
    conn = sqlite3.connect(db)
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        conn.execute(f"CREATE TABLE contacts ({', '.join(f'[{h}] TEXT' for h in header)})")
        with conn:
            conn.executemany(f"INSERT INTO contacts VALUES ({', '.join('?' * len(header))})", reader)
    conn.close()


def sqlite_utils_insert(db: Path, csv_path: Path) -> None:
    result = CliRunner().invoke(sqlite_utils.cli.cli, ["insert", str(db), "contacts", str(csv_path), "--csv"])
    assert result.exit_code == 0, f"sqlite-utils failed ({result.exit_code}): {result.output}"


def tracker_import(db: Path, path: Path, importer=import_contacts):
    with Store.open(db) as store:
        report = importer(store, path)
    assert report.rows == report.created + report.updated + report.rejected, report.counts()
    return report


def show(report) -> None:
    print(
        f"  tracker report: rows {report.rows:,} = created {report.created:,} + updated {report.updated:,} + "
        f"rejected {report.rejected:,}; warnings {len(report.warnings):,}; new contacts {report.contacts_created:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench_import"))
    parser.add_argument("--skip-interactions", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument(
        "--layout", choices=("wide", "narrow"), default="wide", help="wide: Google's 36 columns; narrow: 10"
    )
    args = parser.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)

    wide = args.layout == "wide"
    header = WIDE_HEADER if wide else HEADER
    contacts_csv = work / (f"contacts_wide_{args.contacts}.csv" if wide else f"contacts_{args.contacts}.csv")
    if not contacts_csv.exists():
        began = time.perf_counter()
        make = wide_rows if wide else contact_rows
        write_rows(contacts_csv, header, make(args.contacts, random.Random(args.seed)))
        print(f"generated {contacts_csv} in {time.perf_counter() - began:.1f} s")
    print(
        f"contacts file: {contacts_csv} ({contacts_csv.stat().st_size / 2**20:.1f} MiB, {args.contacts:,} rows, "
        f"{len(header)} columns)"
    )

    print(f"\ncontacts import, best of {args.runs} (fresh empty database each run):", flush=True)
    ref_db, bare_db, db = work / "ref_sqlite_utils.db", work / "ref_bare.db", work / "tracker_contacts.db"
    ref_s, _ = best_of(
        "a. REFERENCE sqlite-utils insert --csv",
        lambda: fresh(ref_db),
        lambda: sqlite_utils_insert(ref_db, contacts_csv),
        args.runs,
    )
    bare_s, _ = best_of(
        "   (scale) csv.reader + executemany",
        lambda: fresh(bare_db),
        lambda: bare_insert(bare_db, contacts_csv),
        args.runs,
    )
    tracker_s, report = best_of(
        "b. Tracker import_contacts", lambda: fresh(db), lambda: tracker_import(db, contacts_csv), args.runs
    )
    show(report)
    faster, slower = ref_s / tracker_s, tracker_s / bare_s
    print(
        f"  sqlite-utils / tracker = {faster:.2f}x  {'PASS' if faster >= 3 else 'FAIL'} "
        "(target: at least 3x faster than sqlite-utils insert --csv)\n"
        f"  tracker / bare load    = {slower:.2f}x  {'PASS' if slower <= 3 else 'FAIL'} "
        "(target: within 3x of a bare csv + executemany load)"
    )

    if not args.skip_interactions:
        log_csv = work / f"interactions_{args.interactions}_for_{args.contacts}.csv"
        if not log_csv.exists():
            began = time.perf_counter()
            with contacts_csv.open(encoding="utf-8", newline="") as handle:
                at = header.index("E-mail 1 - Value")
                emails = [row[at] for row in csv.reader(handle) if is_valid_email(row[at])]
            write_rows(
                log_csv,
                ["email", "date", "type", "amount", "note"],
                interaction_rows(args.interactions, emails, random.Random(args.seed + 1)),
            )
            print(f"\ngenerated {log_csv} in {time.perf_counter() - began:.1f} s")
        print(
            f"\ninteractions import from {log_csv.name} ({log_csv.stat().st_size / 2**20:.1f} MiB), "
            f"best of {args.runs} (each into a copy of the contacts database):",
            flush=True,
        )
        template, target = work / "contacts_template.db", work / "tracker_interactions.db"
        shutil.copyfile(db, fresh(template))  # the last Tracker run, closed, so its WAL is checkpointed
        seconds, log_report = best_of(
            "c. Tracker import_interactions",
            lambda: shutil.copyfile(template, fresh(target)),
            lambda: tracker_import(target, log_csv, import_interactions),
            args.runs,
        )
        show(log_report)
        limit = 15 * log_report.rows / 1_000_000  # the target, scaled when --interactions is not 1M
        print(
            f"  {log_report.rows / seconds:,.0f} rows/s  {'PASS' if seconds < limit else 'FAIL'} (target: 1M "
            f"interaction rows in under 15 s{f'; {limit:.2f} s for this size' if limit != 15 else ''})"
        )

    print("\nprofile of one Tracker contacts import (top 15 by cumulative time):", flush=True)
    fresh(db)
    profiler = cProfile.Profile()
    profiler.runcall(tracker_import, db, contacts_csv)
    pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(15)
    for path in (ref_db, bare_db, db, work / "contacts_template.db", work / "tracker_interactions.db"):
        fresh(path)  # the CSV files stay for the next run


if __name__ == "__main__":
    main()
