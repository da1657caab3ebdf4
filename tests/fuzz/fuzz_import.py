"""Fuzz the CSV importers by hand: N random files, each imported as contacts and then as interactions.

Run by hand (pytest does not collect it); the quick in-CI property test is tests/test_import_fuzz.py.

Every file is generated from `random.Random(f"{seed}/{index}")` alone (plain `random`, not hypothesis), so file
INDEX of a run can be made and checked again with `--seed S --only INDEX`, whatever --workers was. The files mix:
encodings (UTF-8 with and without BOM, UTF-16 LE/BE with and without BOM, cp1252, cp1251, gb18030, Shift_JIS,
Mac Roman, and several of them in one file), BOMs in the middle, truncated and cut multi-byte characters,
delimiters (, ; tab | and mixed), stray, unbalanced and doubled quotes, CR / LF / CRLF line ends (also inside
fields), NUL bytes, huge fields (up to 1 MB), 1,000-column rows, ragged rows, header-only, empty and binary files.
Headers come from Google, Outlook, Shopify (customers and orders), LinkedIn, Mailchimp and activity-log exports
in several languages, mixed with random ones; values are e-mails, phones, names, companies, tags, dates in many
formats, amounts, scores and kinds, with junk sprinkled in at a per-file rate.

Each file is imported into a fresh in-memory store that already holds three contacts, first as contacts and then
as interactions; every 200th file goes into a database file instead, followed by PRAGMA integrity_check and
foreign_key_check. A failure is one of:

    crash      any exception other than a tracker.core.errors.TrackerError
    counts     rows != created + updated + rejected + skipped, a negative count, or the tables growing by other than the
               report says (contacts by created or contacts_created, interactions by created, imports by one)
    state      a TrackerError (or a crash) after which contacts, interactions, imports or import_changes changed
    integrity  integrity_check or foreign_key_check not clean, or a transaction left open
    hang       one file taking longer than --timeout seconds

Failing inputs are saved in --out (up to three per distinct failure, with a .txt describing it) and, after the run,
each distinct failure is shrunk for up to --minimize seconds to a small reproducer, printed as a bytes literal.
Observations that are not failures (a TrackerError message with a line break in it, two contacts whose e-mails
differ only in case) are counted and shown with an example. Exit status: 1 if anything failed.

    .venv/bin/python tests/fuzz/fuzz_import.py [--files 10000] [--seed 1] [--workers 1] [--timeout 120]
                                               [--out /tmp/fuzz_failures] [--minimize 30] [--only INDEX]
"""

from __future__ import annotations

import argparse
import codecs
import heapq
import json
import multiprocessing
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from tracker.core.errors import TrackerError
from tracker.core.importing import import_contacts, import_interactions
from tracker.core.importing.report import KEPT_PROBLEMS
from tracker.core.store import Store

ON_DISK_EVERY = 200
PROGRESS_EVERY = 1000
SAVE_PER_FAILURE = 3

# ---------------------------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------------------------

LOCALES = ("west", "central", "cyrillic", "chinese", "japanese", "other")
NAMES = {
    "west": (
        ["Anna", "Marta", "José", "François", "Zoë", "Björn", "Siobhán", "Chloé", "Jürgen", "Mary-Jane"],
        ["Nowak", "Müller", "García", "O'Brien", "de Vries", "van der Berg", "Núñez", "Lefèvre", "Øster"],
    ),
    "central": (
        ["Łukasz", "Małgorzata", "Jiří", "Žofia", "Ödön", "Ştefan"],
        ["Dvořák", "Łukasiewicz", "Kowalska", "Szőke", "Černý", "Yılmaz"],
    ),
    "cyrillic": (["Иван", "Мария", "Ольга", "Юрій", "Сергей", "Ёлка"], ["Петров", "Смирнова", "Іваненко", "Кузнецов"]),
    "chinese": (["伟", "娜", "敏", "静", "丽", "强"], ["王", "李", "张", "刘", "陈", "欧阳"]),
    "japanese": (["花子", "一郎", "さくら", "ハルト", "ｱｷﾗ"], ["佐藤", "鈴木", "高橋", "田中"]),
    "other": (
        ["Αλέξανδρος", "محمد", "דוד", "Nguyễn", "😀", "Ana\u0301", "Ǆemal"],
        ["Παπαδόπουλος", "العلي", "כהן", "Văn", "🙂", "\u202eevil"],
    ),
}
DOMAINS = (
    "example.com",
    "example.co.uk",
    "exemple.fr",
    "beispiel.de",
    "mail.example.org",
    "x.io",
    "пример.рф",
    "例子.公司",
    "exämple.de",
    "EXAMPLE.COM",
    "localhost",
    "example",
    "ex_ample.com",
)
EXISTING_EMAILS = ("anna@example.com", "Élodie.Dupont@Exemple.fr")
EXISTING_PHONE = "+48 600 100 200"
COMPANIES = (
    "Acme",
    "Acme Inc.",
    "Müller GmbH",
    "Kowalski i Syn Sp. z o.o.",
    "ООО «Ромашка»",
    "株式会社テスト",
    "北京科技有限公司",
    "Smith, Jones & Co",
    '"Quoted" Ltd',
    '=HYPERLINK("http://x")',
    "Café ☕",
    "+SUM(A1)",
    "@risk",
    "-",
    "N/A",
)
TAGS = (
    "vip",
    "VIP",
    "newsletter",
    "* myContacts",
    "* starred",
    "a, b; c",
    "x ::: y ::: z",
    "Kunde|Premium",
    "клиент",
    "顾客",
    "  ",
    "tag\nwith newline",
    '"quoted"',
    "; ;",
    "a" * 300,
)
KINDS = (
    "purchase",
    "Purchase",
    "PURCHASE",
    "email_open",
    "email-open",
    "Email Open",
    "email_click",
    "email_reply",
    "website_visit",
    "page view",
    "call",
    "phone-call",
    "Phone Call",
    "meeting",
    "signup",
    "sign up",
    "register",
    "subscription",
    "subscribe",
    "feedback",
    "survey",
    "nps",
    "NPS",
    "event_attended",
    "event",
    "note",
    "review",
    "referral",
    "order",
    "Order",
    "sale",
    "opened",
    "clicked",
    "bought",
    "unknown_kind",
    "Kauf",
    "покупка",
    "购买",
    "",
    " ",
    "purchase ",
    "_",
    "email__open",
)
CHANNELS = ("email", "web", "shop", "phone", "in person", "", "SMS", "WhatsApp", "📧")
STATUSES = ("paid", "pending", "refunded", "partially_refunded", "voided", "fulfilled", "unfulfilled", "")
CURRENCIES = ("EUR", "USD", "PLN", "GBP", "JPY", "RUB", "CNY", "€", "")
LABELS = ("* myContacts", "Home", "Work", "Mobile", "Other", "* Starred ::: Work", "")
WORDS = (
    "call back",
    "met at the fair",
    "Kunde seit 2019",
    "prefers e-mail",
    "VIP",
    "ordered twice",
    "não ligar",
    "звонить после 18:00",
    "请回电",
    "折り返し電話",
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "a,b",
    "x;y",
    "tab\there",
    "pipe|pipe",
    'said "hi"',
    "it's",
    "100%",
    "50€",
    "½",
    "naïve",
    "Ελλάδα",
    "ok",
)
JUNK = (
    "",
    " ",
    "  ",
    '"',
    '""',
    '"""',
    "'",
    "''",
    "\x00",
    "a\x00b",
    "\ufeff",
    "\ufeffemail",
    "\u2028",
    "\u2029",
    "\x85",
    "\x1c",
    "\x1e",
    "\x0b",
    "\x0c",
    "\r",
    "\n",
    "\r\n",
    "\n\r",
    "\t",
    "\\",
    "\\n",
    "=cmd|' /C calc'!A0",
    "NULL",
    "null",
    "None",
    "N/A",
    "#N/A",
    "-",
    "—",
    "?",
    "???",
    "\ufffd",
    "\u200b",
    "\u00a0",
    "\u3000",
    "\U0001f600",
    "\u0301",
    "a\u0301",
    "\ud7ff",
    "\U0010fffd",
    "<script>",
    "' OR 1=1 --",
    "::: ",
    " ::: ",
    "sep=,",
    "x" * 5000,
    "1" * 400,
    "@",
    "@@",
    "mailto:",
    "<>",
    "Ä" * 50,
    "İ",
    "ß",
    "ﬃ",
    "Ω",
    "K",
)


def random_unicode(rng: random.Random, length: int) -> str:
    ranges = (
        (0x20, 0x7E),
        (0x00, 0x1F),
        (0xA0, 0xFF),
        (0x100, 0x24F),
        (0x370, 0x52F),
        (0x590, 0x6FF),
        (0x3040, 0x30FF),
        (0x4E00, 0x9FFF),
        (0xAC00, 0xD7A3),
        (0xE000, 0xF8FF),
        (0xFE00, 0xFFFD),
        (0x1F300, 0x1FAFF),
        (0x10000, 0x10FFFF),
    )
    out = []
    for _ in range(length):
        low, high = ranges[rng.randrange(len(ranges))]
        out.append(chr(rng.randint(low, high)))
    return "".join(out)


def _digits_to(text: str, zero: int) -> str:
    return "".join(chr(zero + int(ch)) if ch.isascii() and ch.isdigit() else ch for ch in text)


class Context:
    """What a file's columns share: its script, a pool of e-mails and phones (so rows merge), its date styles."""

    def __init__(self, rng: random.Random, locale: str):
        self.rng = rng
        self.locale = locale
        self.chaos = rng.choice((0.0, 0.0, 0.01, 0.05, 0.2, 0.6))
        self.empty = rng.choice((0.0, 0.05, 0.2, 0.5))
        self.date_styles = [rng.randrange(len(DATE_FORMATS)) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
        self.wild_dates = rng.choice((0.0, 0.02, 0.1, 0.5))
        self.emails = [self._address() for _ in range(rng.randint(1, 40))]
        if rng.random() < 0.3:
            self.emails.append(rng.choice(EXISTING_EMAILS))
        self.phones = [self._phone() for _ in range(rng.randint(1, 20))]
        self.order = 1000 + rng.randint(0, 9000)

    def name(self) -> tuple[str, str]:
        locale = self.locale if self.rng.random() < 0.9 else self.rng.choice(LOCALES)
        firsts, lasts = NAMES[locale]
        return self.rng.choice(firsts), self.rng.choice(lasts)

    def _address(self) -> str:
        rng = self.rng
        first, last = self.name()
        if rng.random() < 0.6:
            first = first.encode("ascii", "ignore").decode() or "user"
            last = last.encode("ascii", "ignore").decode().replace(" ", "").replace("'", "") or str(rng.randint(1, 99))
        local = rng.choice(
            (
                first,
                f"{first}.{last}",
                f"{first[:1]}{last}",
                "info",
                f"{first}+crm",
                "o'brien",
                f"user_{rng.randint(1, 999)}",
                f"{first}.{last}".upper(),
                '"quoted"',
                "a..b",
            )
        )
        return f"{local}@{rng.choice(DOMAINS)}"

    def email(self) -> str:
        rng = self.rng
        address = rng.choice(self.emails) if rng.random() < 0.8 else self._address()
        r = rng.random()
        if r < 0.6:
            return address
        if r < 0.7:
            return rng.choice((address.upper(), address.lower(), address.title(), address.swapcase()))
        if r < 0.75:
            return f"  {address}\t"
        if r < 0.8:
            first, last = self.name()
            return rng.choice((f"{first} {last} <{address}>", f'"{last}, {first}" <{address}>', f"<{address}>"))
        if r < 0.84:
            return rng.choice(("mailto:", "MAILTO:", "'")) + address
        if r < 0.9:
            return rng.choice((" ::: ", ", ", "; ", " ")).join(rng.choice(self.emails) for _ in range(2))
        return rng.choice(
            (
                "bad@",
                "@example.com",
                "a@b",
                "a b@example.com",
                "a@@example.com",
                "anna@example",
                "anna.example.com",
                "anna@example.c",
                "anna@.com",
                "@",
                "ÉLODIE.DUPONT@EXEMPLE.FR",
                "İlker@örnek.com.tr",
                "STRAßE@beispiel.de",
                "ZOË@EXAMPLE.COM",
                "王伟@例子.公司",
                "anna@example.com.",
                "anna@exa mple.com",
                "a@b.cd\x00",
                "<anna@example.com",
            )
        )

    def _phone(self) -> str:
        rng = self.rng
        number = "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(6, 12)))
        forms = (
            f"+48 {number[:3]} {number[3:6]} {number[6:]}",
            f"({number[:3]}) {number[3:6]}-{number[6:]}",
            f"'+1 {number}",
            f"00{number}",
            number,
            f"0{number}",
            f"+81-3-{number[:4]}-{number[4:]}",
            f"+49 (0)30 {number} ext. 5",
            _digits_to(f"0{number}", 0xFF10),
            EXISTING_PHONE,
            "0048600100200",
            "12",
            "abc",
            "+",
            "1234",
            f"{number}/{number}",
            f"tel:{number}",
        )
        return rng.choice(forms)

    def phone(self) -> str:
        return self.rng.choice(self.phones) if self.rng.random() < 0.85 else self._phone()

    def date(self) -> str:
        rng = self.rng
        if rng.random() < self.wild_dates:
            return rng.choice(BAD_DATES)
        r = rng.random()
        if r < 0.9:
            moment = datetime(2015, 1, 1) + timedelta(seconds=rng.randint(0, 13 * 365 * 86400))
        elif r < 0.95:
            moment = datetime(
                rng.choice((1850, 1899, 1900, 1901, 2199, 2200, 2201, 2400)),
                rng.randint(1, 12),
                rng.randint(1, 28),
                rng.randint(0, 23),
                rng.randint(0, 59),
            )
        else:
            moment = datetime(rng.randint(1, 9999), rng.randint(1, 12), rng.randint(1, 28))
        style = rng.choice(self.date_styles) if rng.random() < 0.95 else rng.randrange(len(DATE_FORMATS))
        text = DATE_FORMATS[style](moment)
        if rng.random() < 0.01:
            text = _digits_to(text, rng.choice((0xFF10, 0x660, 0x966)))
        return text

    def amount(self) -> str:
        rng = self.rng
        value = rng.choice((rng.uniform(0, 200), rng.uniform(0, 1e6), 0.0, float(rng.randint(1, 100))))
        us = f"{value:,.2f}"
        eu = us.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return rng.choice(
            (
                f"{value:.2f}",
                us,
                eu,
                f"€{value:.2f}",
                f"{value:.2f} €",
                f"$ {us}",
                f"{eu} zł",
                str(int(value)),
                f"{value:.2f}".replace(".", ","),
                eu.replace(".", "\u00a0"),
                f"{value:.2f}",
                f"{value:.2f}",
                f"-{value:.2f}",
                "1e309",
                "inf",
                "NaN",
                "",
                "free",
                "12.3.4",
                "1,2,3",
                "99999999999999",
                "—",
                f"({value:.2f})",
                "12,5%",
                "١٢٣",
                " 12.50 ",
                "1" * 40,
                "0.005",
                "1,000",
                "1.000",
                "1'234.50",
                "12.50 USD",
                "USD12.50",
            )
        )

    def score(self) -> str:
        rng = self.rng
        if rng.random() < 0.8:
            return str(rng.randint(0, 10))
        return rng.choice(
            (
                "7.0",
                "7,0",
                "7.5",
                "-1",
                "11",
                "10/10",
                "nine",
                "1e1",
                "",
                "NaN",
                "inf",
                " 8 ",
                "٨",
                "0x5",
                "１０",
                "1_0",
                "5 stars",
                "100",
                "-0",
                "1e400",
            )
        )

    def order_number(self) -> str:
        if self.rng.random() < 0.6:
            self.order += 1
        return self.rng.choice((f"#{self.order}", f"#{self.order}", str(self.order), f"SO-{self.order}"))


BAD_DATES = (
    "",
    " ",
    "2026-02-30",
    "31/02/2026",
    "00.00.0000",
    "2026-13-01",
    "9999-12-31",
    "0001-01-01",
    "2026-05-14T25:61:00",
    "yesterday",
    "—",
    "2026-05-14T11:23:45+99:99",
    "2026",
    "2026-05",
    "12:00",
    "14.05.2026 14:00:00 MESZ",
    "1e5",
    "2026-05-14T11:23:45.123456789Z",
    "2026-W20-4",
    "2026-134",
    "5/14/2026 13:00 PM",
    "14/14/14",
    "0/0/0",
    "2026-05-14 garbage",
    "２０２６-０５-１４",
    "2026‐05‐14",
    "14. Mai 2026",
    "14 мая 2026",
    "2026年5月14日",
    "-2026-05-14",
    "+2026-05-14",
    "2026-5-4",
    "2026-05-14T11:23:45 +0200",
    "1899-12-31T23:59:59+01:00",
    "2200-12-31T23:30:00-05:00",
    "99999-01-01",
    "1" * 30,
    "2026-05-14\x00",
)
EPOCH = datetime(1970, 1, 1)
DATE_FORMATS: tuple[Callable[[datetime], str], ...] = (
    lambda d: f"{d:%Y-%m-%d}",
    lambda d: f"{d:%Y-%m-%dT%H:%M:%S}",
    lambda d: f"{d:%Y-%m-%d %H:%M:%S}",
    lambda d: f"{d:%Y-%m-%dT%H:%M:%S}Z",
    lambda d: f"{d:%Y-%m-%dT%H:%M:%S.%f}+02:00",
    lambda d: f"{d:%Y-%m-%d %H:%M:%S} -0500",
    lambda d: f"{d:%Y-%m-%d %H:%M}",
    lambda d: f"{d:%d.%m.%Y}",
    lambda d: f"{d:%d.%m.%Y %H:%M}",
    lambda d: f"{d.day}.{d.month}.{d:%y}",
    lambda d: f"{d:%d/%m/%Y}",
    lambda d: f"{d:%m/%d/%Y}",
    lambda d: f"{d.month}/{d.day}/{d.year} {d:%I:%M %p}",
    lambda d: f"{d:%m/%d/%y}",
    lambda d: f"{d:%d-%m-%Y}",
    lambda d: f"{d:%Y/%m/%d}",
    lambda d: f"{d:%b %d, %Y}",
    lambda d: f"{d:%d %B %Y}",
    lambda d: f"{d:%A, %d %B %Y %H:%M}",
    lambda d: f"{d:%Y%m%d}",
    lambda d: str(int((d - EPOCH).total_seconds())),
    lambda d: str((d - datetime(1899, 12, 30)).days),
    lambda d: f"{d:%d.%m.%Y %H:%M:%S} UTC",
    lambda d: f"{d:%Y-%m-%dT%H:%M}",
)


def cell_value(ctx: Context, kind: str) -> str:
    rng = ctx.rng
    if rng.random() < ctx.chaos:
        return rng.choice(JUNK) if rng.random() < 0.7 else random_unicode(rng, rng.randint(1, 30))
    if rng.random() < ctx.empty:
        return ""
    if kind == "email":
        return ctx.email()
    if kind == "phone":
        return ctx.phone()
    if kind == "date":
        return ctx.date()
    if kind == "amount":
        return ctx.amount()
    if kind == "score":
        return ctx.score()
    if kind == "kind":
        return rng.choice(KINDS)
    if kind == "order":
        return ctx.order_number()
    if kind in ("first", "last", "name"):
        first, last = ctx.name()
        if kind == "first":
            return first
        if kind == "last":
            return last
        return rng.choice(
            (
                f"{first} {last}",
                f"{last}, {first}",
                f"{last} {first}",
                f"{last}{first}",
                f"Dr. {first} {last} Jr.",
                f"  {first}   {last} ",
                first,
                f"{first} de {last}",
            )
        )
    if kind == "company":
        return rng.choice(COMPANIES)
    if kind == "tags":
        return rng.choice(TAGS)
    if kind == "label":
        return rng.choice(LABELS)
    if kind == "channel":
        return rng.choice(CHANNELS)
    if kind == "status":
        return rng.choice(STATUSES)
    if kind == "currency":
        return rng.choice(CURRENCIES)
    if kind == "bool":
        return rng.choice(("yes", "no", "TRUE", "false", "1", "0", ""))
    if kind == "int":
        return str(rng.randint(0, 50))
    if kind == "url":
        return rng.choice(("https://www.linkedin.com/in/anna", "http://example.com/?a=1,b=2", "example.com"))
    if kind == "notes":
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 8))]
        joiners = (" ", " ", " ", "\n", "\r\n", "\r", ", ", "; ", '"', "\t")
        return "".join(w + rng.choice(joiners) for w in words).strip(" ")
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))  # text


CELL_KINDS = (
    "email",
    "phone",
    "date",
    "amount",
    "score",
    "kind",
    "order",
    "first",
    "last",
    "name",
    "company",
    "tags",
    "label",
    "channel",
    "status",
    "currency",
    "bool",
    "int",
    "url",
    "notes",
    "text",
)

# ---------------------------------------------------------------------------------------------------------------
# Headers
# ---------------------------------------------------------------------------------------------------------------

TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "google": [
        ("Name", "name"),
        ("Given Name", "first"),
        ("Additional Name", "first"),
        ("Family Name", "last"),
        ("Nickname", "text"),
        ("Birthday", "date"),
        ("Notes", "notes"),
        ("Group Membership", "label"),
        ("E-mail 1 - Type", "label"),
        ("E-mail 1 - Value", "email"),
        ("E-mail 2 - Type", "label"),
        ("E-mail 2 - Value", "email"),
        ("Phone 1 - Type", "label"),
        ("Phone 1 - Value", "phone"),
        ("Organization 1 - Name", "company"),
        ("Organization 1 - Title", "text"),
    ],
    "google_new": [
        ("First Name", "first"),
        ("Middle Name", "first"),
        ("Last Name", "last"),
        ("Phonetic First Name", "text"),
        ("Nickname", "text"),
        ("Organization Name", "company"),
        ("Birthday", "date"),
        ("Notes", "notes"),
        ("Labels", "label"),
        ("E-mail 1 - Label", "label"),
        ("E-mail 1 - Value", "email"),
        ("Phone 1 - Label", "label"),
        ("Phone 1 - Value", "phone"),
        ("Phone 2 - Label", "label"),
        ("Phone 2 - Value", "phone"),
    ],
    "outlook": [
        ("First Name", "first"),
        ("Middle Name", "first"),
        ("Last Name", "last"),
        ("Title", "text"),
        ("Suffix", "text"),
        ("Company", "company"),
        ("Department", "text"),
        ("Job Title", "text"),
        ("Business Street", "text"),
        ("Business City", "text"),
        ("Business Phone", "phone"),
        ("Home Phone", "phone"),
        ("Mobile Phone", "phone"),
        ("E-mail Address", "email"),
        ("E-mail Display Name", "name"),
        ("E-mail 2 Address", "email"),
        ("Categories", "tags"),
        ("Notes", "notes"),
        ("Birthday", "date"),
    ],
    "shopify_customers": [
        ("First Name", "first"),
        ("Last Name", "last"),
        ("Email", "email"),
        ("Accepts Email Marketing", "bool"),
        ("Default Address Company", "company"),
        ("Default Address Address1", "text"),
        ("Default Address City", "text"),
        ("Default Address Country Code", "currency"),
        ("Default Address Phone", "phone"),
        ("Phone", "phone"),
        ("Accepts SMS Marketing", "bool"),
        ("Total Spent", "amount"),
        ("Total Orders", "int"),
        ("Note", "notes"),
        ("Tax Exempt", "bool"),
        ("Tags", "tags"),
    ],
    "shopify_orders": [
        ("Name", "order"),
        ("Email", "email"),
        ("Financial Status", "status"),
        ("Paid at", "date"),
        ("Fulfillment Status", "status"),
        ("Currency", "currency"),
        ("Subtotal", "amount"),
        ("Shipping", "amount"),
        ("Taxes", "amount"),
        ("Total", "amount"),
        ("Discount Code", "text"),
        ("Created at", "date"),
        ("Lineitem quantity", "int"),
        ("Lineitem name", "text"),
        ("Lineitem price", "amount"),
        ("Billing Name", "name"),
        ("Billing Phone", "phone"),
        ("Notes", "notes"),
        ("Phone", "phone"),
    ],
    "activity": [
        ("email", "email"),
        ("date", "date"),
        ("type", "kind"),
        ("amount", "amount"),
        ("score", "score"),
        ("channel", "channel"),
        ("note", "notes"),
    ],
    "activity_alt": [
        ("Contact Email", "email"),
        ("Occurred At (UTC)", "date"),
        ("Event Type", "kind"),
        ("Value", "amount"),
        ("NPS Score", "score"),
        ("Medium", "channel"),
        ("Details", "notes"),
    ],
    "activity_min": [("E-mail", "email"), ("Timestamp", "date"), ("Activity", "kind")],
    "purchases": [
        ("customer email", "email"),
        ("order date", "date"),
        ("order total", "amount"),
        ("order id", "order"),
    ],
    "linkedin": [
        ("First Name", "first"),
        ("Last Name", "last"),
        ("URL", "url"),
        ("Email Address", "email"),
        ("Company", "company"),
        ("Position", "text"),
        ("Connected On", "date"),
    ],
    "mailchimp": [
        ("Email Address", "email"),
        ("First Name", "first"),
        ("Last Name", "last"),
        ("Address", "text"),
        ("Phone Number", "phone"),
        ("MEMBER_RATING", "int"),
        ("OPTIN_TIME", "date"),
        ("CONFIRM_TIME", "date"),
        ("LAST_CHANGED", "date"),
        ("TAGS", "tags"),
    ],
    "german": [
        ("Vorname", "first"),
        ("Nachname", "last"),
        ("E-Mail-Adresse", "email"),
        ("Telefon", "phone"),
        ("Firma", "company"),
        ("Notizen", "notes"),
        ("Datum", "date"),
        ("Betrag", "amount"),
    ],
    "french": [
        ("Prénom", "first"),
        ("Nom", "last"),
        ("Adresse e-mail", "email"),
        ("Téléphone mobile", "phone"),
        ("Société", "company"),
        ("Remarques", "notes"),
    ],
    "spanish": [
        ("Nombre", "first"),
        ("Apellidos", "last"),
        ("Correo electrónico", "email"),
        ("Teléfono", "phone"),
        ("Empresa", "company"),
        ("Fecha", "date"),
        ("Importe", "amount"),
    ],
    "russian": [
        ("Имя", "first"),
        ("Фамилия", "last"),
        ("Электронная почта", "email"),
        ("Телефон", "phone"),
        ("Компания", "company"),
        ("Дата", "date"),
        ("Сумма", "amount"),
        ("Тип", "kind"),
    ],
    "chinese": [
        ("姓名", "name"),
        ("电子邮件", "email"),
        ("电话", "phone"),
        ("公司", "company"),
        ("日期", "date"),
        ("金额", "amount"),
        ("备注", "notes"),
    ],
    "japanese": [
        ("氏名", "name"),
        ("メールアドレス", "email"),
        ("電話番号", "phone"),
        ("会社名", "company"),
        ("日付", "date"),
        ("メモ", "notes"),
    ],
}
RANDOM_TITLES = (
    "id",
    "ID",
    "col1",
    "Column 7",
    "x",
    "",
    "foo bar",
    "Kundennummer",
    "Unnamed: 0",
    "Дата рождения",
    "备注2",
    "#",
    "Σ",
    "NULL",
    "email_opt_in",
    "e-mail?",
    "mail",
    "Date of Birth",
    "Score (0-10)",
    "amount_cents",
    "when?",
    "Typ",
    "Kind of",
    "Phone 99 - Value",
    "E-mail 1",
    "Email 1 - Address",
    "created",
    "contact",
    "Total",
    "name",
    "Name",
    "Email",
    "Emails",
    "date",
    "type",
    "score",
)
TITLE_VARIANTS: tuple[Callable[[str], str], ...] = (
    str.upper,
    str.lower,
    lambda t: f"  {t} ",
    lambda t: f"{t}*",
    lambda t: f"{t}:",
    lambda t: t.replace(" ", "_"),
    lambda t: f"{t} (primary)",
    lambda t: f"\ufeff{t}",
    lambda t: f'"{t}"',
    lambda t: t.replace("-", ""),
)


def pick_header(rng: random.Random, wide: bool) -> list[tuple[str, str]]:
    if wide:
        columns = []
        for position in range(1000):
            if rng.random() < 0.01:
                columns.append(rng.choice(rng.choice(list(TEMPLATES.values()))))
            else:
                columns.append(
                    (
                        rng.choice((f"Field {position}", f"c{position}", "", random_unicode(rng, 3))),
                        rng.choice(CELL_KINDS),
                    )
                )
        return columns
    if rng.random() < 0.12:
        return [
            (
                rng.choice(RANDOM_TITLES) if rng.random() < 0.7 else random_unicode(rng, rng.randint(1, 12)),
                rng.choice(CELL_KINDS),
            )
            for _ in range(rng.randint(1, 12))
        ]
    columns = list(rng.choice(list(TEMPLATES.values())))
    if rng.random() < 0.35:
        for _ in range(rng.randint(1, 4)):
            action = rng.randrange(6)
            if action == 0:
                rng.shuffle(columns)
            elif action == 1 and len(columns) > 1:
                del columns[rng.randrange(len(columns))]
            elif action == 2:
                columns.insert(rng.randrange(len(columns) + 1), rng.choice(columns))
            elif action == 3:
                columns.insert(rng.randrange(len(columns) + 1), (rng.choice(RANDOM_TITLES), rng.choice(CELL_KINDS)))
            elif action == 4:
                position = rng.randrange(len(columns))
                title, kind = columns[position]
                columns[position] = (rng.choice(TITLE_VARIANTS)(title), kind)
            else:
                columns = columns[: rng.randint(1, len(columns))]
    return columns


# ---------------------------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------------------------

SHAPES = {"normal": 74, "no-header": 3, "header-only": 4, "empty": 4, "binary": 5, "wide": 2, "huge": 3, "preamble": 5}
ENCODINGS = {
    "utf-8": 24,
    "utf-8-sig": 8,
    "utf-16-le+bom": 5,
    "utf-16-be+bom": 3,
    "utf-16-le": 3,
    "utf-16-be": 2,
    "cp1252": 10,
    "cp1251": 6,
    "gb18030": 5,
    "shift_jis": 5,
    "mac_roman": 3,
    "mixed": 8,
}
LINE_ENCODINGS = {
    "utf-8": 40,
    "utf-8-sig": 4,
    "cp1252": 20,
    "cp1251": 10,
    "gb18030": 8,
    "shift_jis": 8,
    "mac_roman": 5,
    "utf-16-le": 3,
    "utf-16-be": 2,
}
LOCALE_FOR = {
    "cp1252": "west",
    "mac_roman": "west",
    "cp1251": "cyrillic",
    "gb18030": "chinese",
    "shift_jis": "japanese",
}
BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE)
MAGIC = (
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"%PDF-1.7\n",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    b"SQLite format 3\x00",
    b"\x1f\x8b\x08",
    b"GIF89a",
    b"\x7fELF",
    b'{"contacts": [',
    b"<?xml version=",
)
PREAMBLES = (
    "sep={delim}",
    "sep=;",
    "sep=,",
    "sep=",
    "Notes:",
    '"When exporting your connection data, you may notice that some of the email addresses are missing."',
    "Contacts export 2026-05-14",
    "# generated by CRM",
    "",
    "Report:{delim}All customers{delim}{delim}",
    "Total{delim}1234",
)


def weighted(rng: random.Random, table: dict[str, int]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def encode(text: str, spec: str) -> bytes:
    codec = spec.removesuffix("+bom")
    bom = b""
    if spec.endswith("+bom"):
        bom = codecs.BOM_UTF16_LE if codec == "utf-16-le" else codecs.BOM_UTF16_BE
    return bom + text.encode(codec, errors="replace")


def render(rng: random.Random, table: list[list[str]]) -> tuple[list[str], str, str]:
    """Table → physical records (each with its line end), a description of how, and the delimiter."""
    delimiter = rng.choice((",", ",", ";", "\t", "|", "mixed"))
    quoting = rng.choices(("minimal", "all", "none", "broken"), weights=(55, 15, 15, 15))[0]
    eol = rng.choices(("\r\n", "\n", "\r", "mixed"), weights=(40, 35, 10, 15))[0]
    records = []
    for row in table:
        row_delimiter = rng.choice((",", ";", "\t", "|")) if delimiter == "mixed" else delimiter
        cells = []
        for cell in row:
            special = any(ch in cell for ch in (row_delimiter, '"', "\n", "\r"))
            if quoting == "all" or (quoting in ("minimal", "broken") and special):
                cell = '"' + cell.replace('"', '""') + '"'
            if quoting == "broken" and rng.random() < 0.1:
                cell = broken_quote(rng, cell)
            cells.append(cell)
        if delimiter == "mixed" and rng.random() < 0.3:
            text = "".join(c + rng.choice((",", ";", "\t", "|")) for c in cells)[:-1] if cells else ""
        else:
            text = row_delimiter.join(cells)
        if rng.random() < 0.03:
            text += row_delimiter * rng.randint(1, 5)  # Excel's trailing empty cells
        line_end = rng.choice(("\r\n", "\n", "\r")) if eol == "mixed" else eol
        records.append(text + line_end)
        if rng.random() < 0.02:
            records.append(rng.choice(("", " ", row_delimiter * 3, "\t")) + line_end)  # blank-ish lines
    if records and rng.random() < 0.3:
        records[-1] = records[-1].rstrip("\r\n")  # no line end after the last record
    return records, f"delimiter={delimiter!r} quoting={quoting} eol={eol!r}", delimiter


def broken_quote(rng: random.Random, cell: str) -> str:
    bare = cell.strip('"')
    k = rng.randint(0, len(bare))
    return rng.choice(
        (
            '"' + bare,  # opened, never closed: the rest of the file becomes one field
            bare + '"',  # closed, never opened
            bare[:k] + '"' + bare[k:],  # stray quote in the middle
            '"' + bare[:k] + '"' + bare[k:] + '"',  # inner quote not doubled
            '"' + bare + '"' + " trailing",  # text after the closing quote
            ' "' + bare + '"',  # space before the opening quote
            "'" + bare + "'",  # single-quote quoting
            '"""' + bare + '"""',  # tripled quotes
            '""' + bare,  # doubled quote at the start of an unquoted cell
        )
    )


def mangle(rng: random.Random, data: bytes, spec: str) -> tuple[bytes, list[str]]:
    """Damage the bytes the ways files get damaged; returns the new bytes and what was done."""
    done = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        if not data:
            break
        op = rng.choice(
            (
                "truncate",
                "cut-char",
                "drop-in-char",
                "bom-middle",
                "nul",
                "garbage",
                "flip",
                "wrong-bom",
                "cut-start",
                "concat",
                "line-ends",
            )
        )
        position = rng.randrange(len(data))
        if op == "truncate" and len(data) > 1:
            data = data[: rng.randint(1, len(data) - 1)]
        elif op in ("cut-char", "drop-in-char"):
            if spec.startswith("utf-16"):
                leads = [position | 1]
            else:
                window = range(max(0, position - 4096), min(len(data), position + 65536))
                leads = [i for i in window if data[i] >= 0x81]
            if leads:
                lead = rng.choice(leads)
                data = data[: lead + 1] if op == "cut-char" else data[: lead + 1] + data[lead + 2 :]
        elif op == "bom-middle":
            line_start = data.find(b"\n", position)
            where = line_start + 1 if line_start >= 0 and rng.random() < 0.7 else position
            data = data[:where] + rng.choice(BOMS) + data[where:]
        elif op == "nul":
            for _ in range(rng.randint(1, 5)):
                where = rng.randrange(len(data) + 1)
                data = data[:where] + b"\x00" * rng.choice((1, 1, 2, 7)) + data[where:]
        elif op == "garbage":
            data = data[:position] + rng.randbytes(rng.randint(1, 64)) + data[position:]
        elif op == "flip":
            buffer = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                buffer[rng.randrange(len(buffer))] ^= 1 << rng.randrange(8)
            data = bytes(buffer)
        elif op == "wrong-bom":
            data = rng.choice(BOMS) + data
        elif op == "cut-start":
            data = data[rng.randint(1, min(5, len(data))) :]
        elif op == "concat":
            data = data + data[: rng.randint(1, len(data))]
        elif op == "line-ends":
            data = data.replace(b"\r\n", rng.choice((b"\r", b"\n\r", b"\r\r\n", b"\n\n")))
        done.append(op)
    return data, done


def make_empty(rng: random.Random) -> bytes:
    return rng.choice(
        (
            b"",
            b" ",
            b"\n",
            b"\r\n\r\n",
            b"\xef\xbb\xbf",
            b"\xff\xfe",
            b"\xfe\xff",
            b"\xef\xbb\xbf\r\n",
            b"\x00",
            b"\x00" * rng.randint(2, 50),
            b",,,\n,,,\n",
            b";;;",
            b"\t\t\n",
            b'""',
            b'"',
            b"sep=,",
            b"sep=;\r\n",
            b"\xff\xfe\x00\x00",
            b"\x1a",
            b"\xff\xfe\r\x00\n\x00",
            b" \t \r\n \t",
            "\u3000\u3000".encode(),
            b"\xef\xbb\xbf\xef\xbb\xbf",
            b"\n" * 1000,
            b'""\n""\n',
        )
    )


def make_binary(rng: random.Random) -> tuple[bytes, str]:
    size = min(200_000, int(rng.expovariate(1 / 3000)) + 1)
    style = rng.choice(("random", "magic", "high", "controls", "sparse", "utf16-garbage"))
    if style == "random":
        return rng.randbytes(size), style
    if style == "magic":
        return rng.choice(MAGIC) + rng.randbytes(size), style
    if style == "high":
        return bytes(
            rng.choice((rng.randint(0x80, 0xFF), rng.randint(0x80, 0xFF), 0x2C, 0x0A, 0x3B, 0x40)) for _ in range(size)
        ), style
    if style == "controls":
        return bytes(rng.randint(0, 31) for _ in range(size)), style
    if style == "sparse":
        text = bytearray(b"email,date,type\n" + b"anna@example.com,2026-05-14,purchase\n" * (size // 36 + 1))
        for _ in range(rng.randint(1, max(1, len(text) // 20))):
            text[rng.randrange(len(text))] = rng.randint(0, 31)
        return bytes(text), style
    return bytes(rng.randint(0, 255) if i % 2 else 0 for i in range(size * 2)), style


def make_file(seed: int, index: int) -> tuple[bytes, str]:
    """The bytes of file `index` of a run, and a one-line description of how they were made."""
    rng = random.Random(f"{seed}/{index}")
    shape = weighted(rng, SHAPES)
    if shape == "empty":
        return make_empty(rng), "empty"
    if shape == "binary":
        data, style = make_binary(rng)
        return data, f"binary {style}"
    spec = weighted(rng, ENCODINGS)
    locale = LOCALE_FOR.get(spec, rng.choice(LOCALES)) if rng.random() < 0.85 else rng.choice(LOCALES)
    ctx = Context(rng, locale)
    columns = pick_header(rng, wide=shape == "wide")
    if shape == "wide":
        count = rng.randint(1, 15)
    elif shape == "header-only":
        count = 0
    else:
        r = rng.random()
        count = (
            rng.randint(1, 8)
            if r < 0.45
            else rng.randint(9, 60)
            if r < 0.8
            else rng.randint(61, 400)
            if r < 0.96
            else rng.randint(401, 3000)
        )
    ragged = rng.choice((0.0, 0.0, 0.05, 0.3))
    rows = []
    for _ in range(count):
        row = [cell_value(ctx, kind) for _, kind in columns]
        if rng.random() < ragged:
            if rng.random() < 0.5:
                row = row[: rng.randint(0, len(row))]
            else:
                row += [cell_value(ctx, rng.choice(CELL_KINDS)) for _ in range(rng.randint(1, 5))]
        rows.append(row)
    table = [[title for title, _ in columns], *rows] if shape != "no-header" else rows
    if shape == "huge" and table:
        target = table[rng.randrange(len(table))] if rng.random() < 0.9 else table[0]
        if not target:
            target.append("")
        size = rng.randint(10_000, 100_000) if rng.random() < 0.6 else rng.randint(100_000, 1_000_000)
        filler = rng.choice(("x", "word, ", "line\n", "1", "é", '"', "王", "a@b.co ", "\r\n"))
        cell = (filler * (size // len(filler) + 1))[:size]
        target[rng.randrange(len(target))] = rng.choice((cell, cell + "@example.com", "2026-05-14" + cell))
    records, how, delimiter = render(rng, table)
    if shape == "preamble":
        delimiter = "," if delimiter == "mixed" else delimiter
        lead = [rng.choice(PREAMBLES).replace("{delim}", delimiter) + "\r\n" for _ in range(rng.randint(1, 4))]
        records = lead + records
    if spec == "mixed":
        data = b"".join(encode(record, weighted(rng, LINE_ENCODINGS)) for record in records)
    else:
        data = encode("".join(records), spec)
    damage: list[str] = []
    if rng.random() < 0.3:
        data, damage = mangle(rng, data, spec)
    description = f"{shape} {spec} {locale} columns={len(columns)} rows={count} {how} chaos={ctx.chaos}" + (
        f" damage={'+'.join(damage)}" if damage else ""
    )
    return data, description


# ---------------------------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------------------------

TABLES = ("contacts", "interactions", "imports", "import_changes")
IMPORTERS = (("contacts", import_contacts), ("interactions", import_interactions))


class Hang(BaseException):
    """Raised by SIGALRM when one file takes longer than --timeout (a BaseException, so nothing swallows it)."""


def _on_alarm(signum, frame):
    raise Hang


def table_counts(store: Store) -> tuple[int, ...]:
    return tuple(store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES)


def seed_store(store: Store) -> None:
    store.contacts.add(first_name="Existing", email=EXISTING_EMAILS[0])
    store.contacts.add(first_name="Marta", last_name="Nowak", phone=EXISTING_PHONE)
    store.contacts.add(first_name="Élodie", last_name="Dupont", email=EXISTING_EMAILS[1], tags="vip")


def message_type(exc: BaseException, source: str) -> str:
    """An exception's message with the file name, quoted values, column lists and numbers taken out."""
    text = str(exc).replace(source, "<file>")
    text = re.sub(r"\(columns: .*\); say", "(columns: …); say", text, flags=re.S)
    text = re.sub(r"'[^']*'", "'…'", text, flags=re.S)
    text = re.sub(r"\d+", "N", text)
    text = " ".join(text.split())
    return f"{type(exc).__name__}: {text[:110]}"


def _frames(exc: BaseException) -> tuple[str, str]:
    """(innermost frame, innermost frame in tracker/) as 'path:line function'."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?", "?"

    def show(frame: traceback.FrameSummary) -> str:
        path = frame.filename
        cut = path.rfind("/tracker/")
        return f"{path[cut + 1 :] if cut >= 0 else Path(path).name}:{frame.lineno} {frame.name}"

    ours = [f for f in frames if "/tracker/" in f.filename and "/tests/" not in f.filename]
    return show(frames[-1]), show(ours[-1]) if ours else "?"


def _failure(category: str, kind: str, detail: str, exc: BaseException | None = None) -> dict:
    where = inner = ""
    exc_type = ""
    if exc is not None:
        where, inner = _frames(exc)
        exc_type = type(exc).__name__
        detail = detail or str(exc)
    signature = f"{category} {kind} {exc_type} {inner}" if exc is not None else f"{category} {kind} {detail[:60]}"
    return {
        "category": category,
        "kind": kind,
        "exc_type": exc_type,
        "message": detail[:400],
        "where": where,
        "tracker_frame": inner,
        "signature": signature.strip(),
    }


def _import_one(store: Store, kind: str, importer, path: Path, result: dict) -> None:
    failures = result["failures"]
    before = table_counts(store)
    try:
        report = importer(store, path)
    except TrackerError as exc:
        result["rejected_whole"].append((kind, message_type(exc, path.name)))
        if not str(exc).strip() or "\n" in str(exc):
            result["observations"].append(
                ("TrackerError message empty or with a line break", f"{kind}: {type(exc).__name__}: {str(exc)[:200]!r}")
            )
        after = table_counts(store)
        if after != before:
            failures.append(
                _failure(
                    "state",
                    kind,
                    f"{type(exc).__name__} left the store changed: tables {TABLES} went {before} -> {after}",
                    exc,
                )
            )
    except Exception as exc:
        failures.append(_failure("crash", kind, "", exc))
        failures[-1]["traceback"] = "".join(traceback.format_exception(exc))[-3000:]
        after = table_counts(store)
        if after != before:
            failures.append(_failure("state", kind, f"the crash left the store changed: {before} -> {after}", exc))
    else:
        after = table_counts(store)
        grown = [a - b for a, b in zip(after, before, strict=True)]
        r = report
        problems = []
        if r.rows != r.created + r.updated + r.rejected + r.skipped_rows:
            problems.append("rows != created + updated + rejected + skipped")
        if min(r.rows, r.created, r.updated, r.rejected, r.contacts_created) < 0:
            problems.append("a negative count")
        if r.rejected != len(r.rejects) and len(r.problems) < KEPT_PROBLEMS:  # past those, rejects are on disk
            problems.append("rejected != number of rejected problems listed")
        expected = (r.created, 0) if kind == "contacts" else (r.contacts_created, r.created)
        if tuple(grown[:2]) != expected:
            problems.append(f"contacts/interactions grew by {tuple(grown[:2])}, the report says {expected}")
        if grown[2] != 1:
            problems.append(f"imports grew by {grown[2]}, not 1")
        elif r.batch_id is not None:
            stored = store.conn.execute("SELECT counts FROM imports WHERE id = ?", (r.batch_id,)).fetchone()
            if stored is None or json.loads(stored[0]) != r.counts():
                problems.append("the batch's stored counts differ from the report's")
        for problem in problems:
            failures.append(
                _failure("counts", kind, f"{problem} (report {r.counts()}, tables {TABLES} went {before} -> {after})")
            )
        totals = result["counts"].setdefault(kind, Counter())
        totals.update(
            rows=r.rows, created=r.created, updated=r.updated, rejected=r.rejected, contacts_created=r.contacts_created
        )
    if store.conn.in_transaction:
        failures.append(_failure("integrity", kind, "a transaction was left open after the import"))
        store.conn.execute("ROLLBACK")


def check_bytes(data: bytes, workdir: Path, on_disk: bool) -> dict:
    """Import `data` as contacts then interactions into a fresh store; the counts, rejections and failures."""
    result: dict = {"counts": {}, "rejected_whole": [], "failures": [], "observations": []}
    path = workdir / "input.csv"
    path.write_bytes(data)
    db_dir = Path(tempfile.mkdtemp(dir=workdir)) if on_disk else None
    store = Store.open(db_dir / "fuzz.db") if db_dir else Store.open(":memory:")
    try:
        seed_store(store)
        for kind, importer in IMPORTERS:
            _import_one(store, kind, importer, path, result)
        if on_disk:
            verdict = [row[0] for row in store.conn.execute("PRAGMA integrity_check")]
            if verdict != ["ok"]:
                result["failures"].append(_failure("integrity", "both", f"integrity_check: {verdict[:5]}"))
            orphans = store.conn.execute("PRAGMA foreign_key_check").fetchall()
            if orphans:
                result["failures"].append(_failure("integrity", "both", f"foreign_key_check: {orphans[:5]}"))
        seen: dict[str, str] = {}
        for (email,) in store.conn.execute("SELECT email FROM contacts WHERE email IS NOT NULL"):
            key = email.casefold()
            if key in seen:
                result["observations"].append(
                    ("two contacts whose e-mails differ only in case", f"{seen[key]!r} and {email!r}")
                )
                break
            seen[key] = email
    finally:
        if store.conn.in_transaction:
            store.conn.execute("ROLLBACK")
        store.close()
        if db_dir:
            shutil.rmtree(db_dir, ignore_errors=True)
    return result


# ---------------------------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------------------------

_WORKER: dict = {}


def init_worker(parent: str, seed: int, timeout: int) -> None:
    _WORKER.update(workdir=Path(tempfile.mkdtemp(dir=parent)), seed=seed, timeout=timeout)
    signal.signal(signal.SIGALRM, _on_alarm)


def run_one(index: int) -> dict:
    data, description = make_file(_WORKER["seed"], index)
    on_disk = index % ON_DISK_EVERY == 0
    started = time.perf_counter()
    signal.alarm(_WORKER["timeout"])
    try:
        result = check_bytes(data, _WORKER["workdir"], on_disk)
    except Hang:
        result = {
            "counts": {},
            "rejected_whole": [],
            "observations": [],
            "failures": [_failure("hang", "both", f"no result after {_WORKER['timeout']} s")],
        }
    finally:
        signal.alarm(0)
    result.update(
        index=index, seconds=time.perf_counter() - started, size=len(data), description=description, on_disk=on_disk
    )
    if result["failures"]:
        result["data"] = data
    return result


class Totals:
    def __init__(self):
        self.files = 0
        self.on_disk = 0
        self.counts = {kind: Counter() for kind, _ in IMPORTERS}
        self.rejected_whole: Counter = Counter()
        self.files_rejected = Counter()
        self.slowest: list[tuple[float, int, int, str]] = []  # the five slowest: (seconds, index, size, how)
        self.failures: dict[str, dict] = {}  # signature → first failure, count, indices, saved files
        self.failed_files = 0
        self.observations: dict[str, dict] = {}

    def add(self, result: dict, out: Path, seed: int) -> None:
        self.files += 1
        self.on_disk += result["on_disk"]
        for kind, counts in result["counts"].items():
            self.counts[kind].update(counts)
        for kind, message in result["rejected_whole"]:
            self.rejected_whole[(kind, message)] += 1
            self.files_rejected[kind] += 1
        entry = (result["seconds"], result["index"], result["size"], result["description"])
        if len(self.slowest) < 5:
            heapq.heappush(self.slowest, entry)
        elif entry > self.slowest[0]:
            heapq.heapreplace(self.slowest, entry)
        for what, example in result["observations"]:
            entry = self.observations.setdefault(what, {"count": 0, "example": example, "index": result["index"]})
            entry["count"] += 1
        if result["failures"]:
            self.failed_files += 1
            self._record_failures(result, out, seed)

    def _record_failures(self, result: dict, out: Path, seed: int) -> None:
        saved = None
        for failure in result["failures"]:
            entry = self.failures.setdefault(
                failure["signature"], {**failure, "count": 0, "indices": [], "saved": [], "on_disk": result["on_disk"]}
            )
            entry["count"] += 1
            if len(entry["indices"]) < 10:
                entry["indices"].append(result["index"])
            if len(entry["saved"]) < SAVE_PER_FAILURE:
                if saved is None:
                    saved = out / f"seed{seed}-file{result['index']:06d}.csv"
                    out.mkdir(parents=True, exist_ok=True)
                    saved.write_bytes(result["data"])
                    notes = [
                        f"seed {seed} file {result['index']}: {result['description']}",
                        f"re-run: .venv/bin/python tests/fuzz/fuzz_import.py --seed {seed} --only {result['index']}",
                        "",
                    ]
                    for item in result["failures"]:
                        notes += [
                            f"{item['category']} ({item['kind']}) {item['exc_type']}: {item['message']}",
                            f"  at {item['where']} / {item['tracker_frame']}",
                            item.get("traceback", ""),
                            "",
                        ]
                    saved.with_suffix(".txt").write_text("\n".join(notes), encoding="utf-8")
                entry["saved"].append(str(saved))


def minimize(data: bytes, signature: str, on_disk: bool, workdir: Path, seconds: float) -> bytes:
    """Shrink `data` while importing it still fails with the same signature (chunk removal, halving sizes)."""
    deadline = time.monotonic() + seconds

    def fails(candidate: bytes) -> bool:
        signal.alarm(30)
        try:
            result = check_bytes(candidate, workdir, on_disk)
        except Hang:
            return False
        finally:
            signal.alarm(0)
        return any(f["signature"] == signature for f in result["failures"])

    lines = data.splitlines(keepends=True)  # whole lines first: cheap, and keeps the rest readable
    position = 0
    while position < len(lines) and len(lines) > 1 and time.monotonic() < deadline:
        candidate = b"".join(lines[:position] + lines[position + 1 :])
        if fails(candidate):
            del lines[position]
        else:
            position += 1
    data = b"".join(lines)
    chunk = max(1, len(data) // 2)
    while chunk >= 1 and time.monotonic() < deadline:
        position, changed = 0, False
        while position < len(data) and time.monotonic() < deadline:
            candidate = data[:position] + data[position + chunk :]
            if candidate and fails(candidate):
                data, changed = candidate, True
            else:
                position += chunk
        if not changed:
            chunk //= 2
    return data


def print_report(totals: Totals, elapsed: float, args: argparse.Namespace) -> None:
    print()
    print(
        f"Files: {totals.files:,} (seed {args.seed}, {args.workers} worker{'s' * (args.workers > 1)}) in "
        f"{elapsed:.1f} s: {totals.files / elapsed:.1f} files/s; {totals.on_disk} into a database file "
        f"with integrity_check and foreign_key_check"
    )
    grand = Counter()
    for kind, counts in totals.counts.items():
        grand.update({k: v for k, v in counts.items() if k != "contacts_created"})
        print(
            f"  as {kind:<12} rows {counts['rows']:>10,}  created {counts['created']:>9,}  updated "
            f"{counts['updated']:>9,}  rejected {counts['rejected']:>9,}"
            + (f"  (new contacts {counts['contacts_created']:,})" if kind == "interactions" else "")
        )
    print(
        f"  total           rows {grand['rows']:>10,}  created {grand['created']:>9,}  updated "
        f"{grand['updated']:>9,}  rejected {grand['rejected']:>9,}"
    )
    print(
        f"Files rejected whole: as contacts {totals.files_rejected['contacts']:,}, as interactions "
        f"{totals.files_rejected['interactions']:,}; by message:"
    )
    for (kind, message), count in sorted(totals.rejected_whole.items(), key=lambda item: (item[0][0], -item[1])):
        print(f"  {count:>6,}  {kind:<12} {message}")
    for rank, (seconds, index, size, description) in enumerate(sorted(totals.slowest, reverse=True)):
        print(
            f"{'Slowest file:' if rank == 0 else '      next:  '} #{index} {seconds:.3f} s ({size:,} bytes; "
            f"{description})"
        )
    for what, entry in totals.observations.items():
        print(
            f"Observation (not a failure): {what}: {entry['count']:,} files, e.g. file #{entry['index']}: "
            f"{entry['example']}"
        )
    print(
        f"Failures: {sum(e['count'] for e in totals.failures.values())} in {totals.failed_files} files, "
        f"{len(totals.failures)} distinct"
    )
    for number, (signature, entry) in enumerate(totals.failures.items(), 1):
        print(f"\n[{number}] {signature}  x{entry['count']}  files {sorted(entry['indices'])}")
        print(f"    {entry['exc_type']}: {entry['message']}")
        if entry["where"]:
            print(f"    at {entry['where']}  (tracker frame: {entry['tracker_frame']})")
        print(f"    saved: {', '.join(entry['saved'])}")
        if entry.get("minimal") is not None:
            minimal = entry["minimal"]
            shown = repr(minimal) if len(minimal) <= 400 else f"({len(minimal):,} bytes)"
            print(f"    minimal ({len(minimal)} bytes, {entry['minimal_path']}): {shown}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10000, help="how many files to generate (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="the run's seed; file i uses Random(f'{seed}/{i}')")
    parser.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    parser.add_argument("--timeout", type=int, default=120, help="seconds one file may take (default 120)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/fuzz_failures"), help="where failing inputs go")
    parser.add_argument("--minimize", type=float, default=30, help="seconds to shrink each distinct failure")
    parser.add_argument("--only", type=int, help="make and check this one file (saved to --out), verbosely")
    args = parser.parse_args(argv)

    parent = Path(tempfile.mkdtemp(prefix="fuzz_import_"))
    try:
        if args.only is not None:
            init_worker(str(parent), args.seed, args.timeout)
            result = run_one(args.only)
            args.out.mkdir(parents=True, exist_ok=True)
            target = args.out / f"seed{args.seed}-file{args.only:06d}.csv"
            data, _ = make_file(args.seed, args.only)
            target.write_bytes(data)
            print(f"file #{args.only}: {result['size']:,} bytes, {result['seconds']:.3f} s, saved to {target}")
            print(f"  {result['description']}")
            print(f"  counts: { {k: dict(v) for k, v in result['counts'].items()} }")
            print(f"  rejected whole: {result['rejected_whole']}")
            for failure in result["failures"]:
                print(
                    f"  FAILURE {failure['category']} ({failure['kind']}) {failure['exc_type']}: "
                    f"{failure['message']}\n    at {failure['where']}"
                )
                if failure.get("traceback"):
                    print(failure["traceback"])
            return 1 if result["failures"] else 0

        totals = Totals()
        started = time.perf_counter()
        indices = range(args.files)
        if args.workers > 1:
            pool = multiprocessing.Pool(args.workers, init_worker, (str(parent), args.seed, args.timeout))
            results = pool.imap_unordered(run_one, indices, chunksize=8)
        else:
            pool = None
            init_worker(str(parent), args.seed, args.timeout)
            results = map(run_one, indices)
        try:
            for result in results:
                totals.add(result, args.out, args.seed)
                if totals.files % PROGRESS_EVERY == 0:
                    elapsed = time.perf_counter() - started
                    rows = sum(c["rows"] for c in totals.counts.values())
                    failures = sum(e["count"] for e in totals.failures.values())
                    print(
                        f"{totals.files:>7,} files  {elapsed:7.1f} s  {totals.files / elapsed:6.1f} files/s  "
                        f"rows {rows:>10,}  failures {failures}",
                        flush=True,
                    )
        finally:
            if pool is not None:
                pool.close()
                pool.join()
        elapsed = time.perf_counter() - started

        if totals.failures and args.minimize > 0:
            signal.signal(signal.SIGALRM, _on_alarm)
            workdir = Path(tempfile.mkdtemp(dir=parent))
            for number, (signature, entry) in enumerate(totals.failures.items(), 1):
                if not entry["saved"]:
                    continue
                original = min((Path(saved).read_bytes() for saved in entry["saved"]), key=len)
                minimal = minimize(original, signature, entry["on_disk"], workdir, args.minimize)
                entry["minimal"] = minimal
                entry["minimal_path"] = str(args.out / f"seed{args.seed}-minimal-{number:02d}.csv")
                Path(entry["minimal_path"]).write_bytes(minimal)
        print_report(totals, elapsed, args)
        return 1 if totals.failures else 0
    finally:
        shutil.rmtree(parent, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
