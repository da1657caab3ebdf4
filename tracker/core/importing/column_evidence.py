"""Checking a guess against the values: what a column's cells evidently are (e-mail addresses, phone numbers,
names; dates, IP addresses, amounts, ids and null-words, which are not phones), which of several e-mail columns is an
owner's rather than the customer's, which unnamed column holds the dates, and what a "name" column of order numbers,
customer numbers or addresses really holds. Values only, apart from the headers that overrule them (a "Birthday" of
digits is no phone, an "Owner" column no customer)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise

import phonenumbers

from tracker.core.importing.column_names import normalise_header
from tracker.core.normalize import default_region

_EMAIL_VALUE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAME_VALUE = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+){0,3}\.?$")
_PHONE_VALUE = re.compile(r"^'?\+?[\d\s().\-/]{6,20}$")
#: What joins several values in one cell, as Google Contacts' exports write them ("a@x.org ::: b@y.org").
MULTI_VALUE = " ::: "
#: Words that stand for "no value" in exports (HubSpot writes `null`); never a phone, an e-mail or a name.
NULL_WORDS = frozenset({"null", "none", "n/a", "na", "nil", "nan", "undefined", "-", "--", "—", "#n/a"})
_DATE_VALUE = re.compile(
    r"^(?:\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2}))"
    r"(?:,?[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[ap]\.?m\.?)?\s*(?:z|[+-]\d{2}:?\d{2})?)?$",
    re.IGNORECASE,
)
_IP_VALUE = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})$", re.IGNORECASE)
_MONEY_VALUE = re.compile(
    r"^[-+]?(?:[$€£¥₹]|[A-Z]{3}\s)?\s*\d{1,3}(?:[,.\s' ]?\d{3})*(?:[.,]\d{1,2})?\s*(?:[$€£¥₹]|\s[A-Z]{3})?$"
)
_CURRENCY = re.compile(r"[$€£¥₹]|(?:^|\s)[A-Z]{3}(?:\s|$)")
_DECIMALS = re.compile(r"\d[.,]\d{1,2}\s*\D*$")
#: Headers that name something else than a phone even when its values could be dialled (a birthday as 19800223,
#: a customer number with a leading zero).
_NOT_PHONE_HEADER = re.compile(
    r"\b(?:date|datum|time|day|birthday|birth|birthdate|geburtstag|geburtsdatum|naissance|anniversary|jahrestag|"
    r"created|updated|changed|ip|ip address|price|prix|preis|total|subtotal|balance|spent|amount|betrag|montant|"
    r"cost|revenue|tax|discount|id|ids|number of|orders|count|zip|postal|postcode|plz|code postal|quantity|rating|"
    r"score|points)\b"
)


def header_rules_out_phone(title: str) -> bool:
    """Whether a column's title names something else than a phone (see `_NOT_PHONE_HEADER`) whatever its values."""
    return bool(_NOT_PHONE_HEADER.search(normalise_header(title)))


def value_kind(value: str) -> str | None:
    """What a value that is not a phone number evidently is: 'null', 'date', 'ip', 'money' or 'id'; else None.

    A bare run of digits without a leading 0 or + is an id (a record number, a customer number): a phone written
    that way cannot be told from one, so it is not taken for a phone from its values alone."""
    text = value.strip().lstrip("'")
    if text.lower() in NULL_WORDS:
        return "null"
    if _DATE_VALUE.match(text):
        return "date"
    if ("." in text or ":" in text) and _IP_VALUE.match(text):
        return "ip"
    if _MONEY_VALUE.match(text) and (_CURRENCY.search(text) or _DECIMALS.search(text)):
        return "money"
    if text.isdigit() and not text.startswith("0"):
        return "id"
    return None


def not_a_phone(value: str) -> bool:
    """Cheap, for every cell of a phone column: a null-word, a date or an IP address cannot be a phone number."""
    text = value.strip()
    return (
        text.lower() in NULL_WORDS
        or bool(_DATE_VALUE.match(text))
        or (("." in text or ":" in text) and bool(_IP_VALUE.match(text)))
    )


#: Where a number without + that is not possible in the default region is tried next (first success wins), so
#: that a German file on an American system is still recognised.
_OTHER_REGIONS = ("GB", "DE", "FR", "US", "IT", "ES", "NL", "PL", "AU", "IN", "BR", "JP", "CN")


def _possible_phone(value: str, region: str) -> bool:
    text = value.strip().lstrip("'").strip()
    regions = (None,) if text.startswith("+") else (region, *(r for r in _OTHER_REGIONS if r != region))
    for where in regions:
        try:
            if phonenumbers.is_possible_number(phonenumbers.parse(text, where)):
                return True
        except phonenumbers.NumberParseException:
            return False
    return False


def _sequential(values: list[str]) -> bool:
    """Digit runs that count up in small steps (0001, 0002, …): record numbers, not phones."""
    numbers = [int(v) for v in values if v.isdigit()]
    if len(numbers) < 3 or len(numbers) < 0.8 * len(values):
        return False
    steps = [b - a for a, b in pairwise(numbers)]
    return sum(0 < step <= 1000 for step in steps) >= 0.8 * len(steps)


def infer_from_values(values: list[str], region: str | None = None) -> str | None:
    """'email', 'phone' or 'name' when most non-empty values evidently are one; None otherwise.

    A column is a phone only if most values parse as possible numbers (Google's phonenumbers, in `region` unless
    they start with +) and are not dates, IP addresses, money, ids or null-words. Call it on a sample (≤ 200)."""
    filled = [v.strip() for v in values if v and v.strip() and v.strip().lower() not in NULL_WORDS]
    if len(filled) < 1:
        return None
    first = [v.split(MULTI_VALUE)[0].strip() for v in filled]
    need = 0.8 * len(first)
    if sum(bool(_EMAIL_VALUE.match(v)) for v in first) >= need:
        return "email"
    shaped = [v for v in first if _PHONE_VALUE.match(v) and sum(c.isdigit() for c in v) >= 6 and not value_kind(v)]
    if len(shaped) >= need and not _sequential([v.lstrip("'").replace(" ", "") for v in first]):
        region = region or default_region()
        allowed = len(first) - need  # values that may fail before the column cannot be a phone any more
        failed = len(first) - len(shaped)
        for value in shaped:
            if not _possible_phone(value, region):
                failed += 1
                if failed > allowed:
                    break
        else:
            return "phone"
    if sum(bool(_NAME_VALUE.match(v)) and " " in v for v in first) >= need:
        return "name"
    return None


#: A column header that names who handled an activity (a salesperson, the account's user), not the customer.
_OWNER_HEADER = re.compile(
    r"\b(?:owner|owners|agent|sales ?rep|rep|salesperson|sales person|seller|user|assigned|assignee|created by|"
    r"creator|sender|from|author|logged by|employee|staff|host|organi[sz]er|manager|hubspot team)\b"
)
_ORDER_VALUE = re.compile(r"^#\s*\d+$")  # "#1001": a shop's order name
_ID_VALUE = re.compile(r"^[A-Za-z]{0,3}-?\d{3,}$")  # "12346", "C-1042": a customer number in a "Customer" column


def name_column_holds(values: list[str]) -> str | None:
    """What an activity log's "name" column holds instead of names when most of its (filled) values say so: 'phone'
    (a "Customer" column of 07700 900004), 'order' (#1001), 'customer_no' (12346, C-1042) or 'email'; else None."""
    if not values:
        return None
    need = 0.8 * len(values)
    if sum(bool(_PHONE_VALUE.match(v)) for v in values) >= need and infer_from_values(values) == "phone":
        return "phone"
    for pattern, instead in ((_ORDER_VALUE, "order"), (_ID_VALUE, "customer_no"), (_EMAIL_VALUE, "email")):
        if sum(bool(pattern.match(v)) for v in values) >= need:
            return instead
    return None


def filled_values(rows: list[list[str]], position: int) -> list[str]:
    """A column's non-empty cells, stripped, in row order."""
    return [row[position].strip() for row in rows if position < len(row) and row[position].strip()]


def owner_columns(header: list[str], rows: list[list[str]], candidates: list[int]) -> set[int]:
    """Of several e-mail columns, those that hold an owner's address (a salesperson's) rather than the customer's:
    the header says so ("Activity Owner", "Assigned To", "Sales Rep"), or a few addresses repeat down the column
    while another e-mail column varies. At least one column is always left."""
    owners = {p for p in candidates if _OWNER_HEADER.search(normalise_header(header[p]))}
    if len(owners) == len(candidates):
        owners = set()
    left = [p for p in candidates if p not in owners]
    if len(left) > 1:
        distinct = {p: len({v.lower() for v in filled_values(rows, p)}) for p in left}
        filled = {p: len(filled_values(rows, p)) for p in left}
        most = max(distinct.values())
        for p in left:
            if filled[p] >= 6 and distinct[p] <= max(2, filled[p] // 4) and most >= 2 * distinct[p] + 2:
                owners.add(p)
    return owners


def date_column(header: list[str], rows: list[list[str]], taken: Iterable[int]) -> int | None:
    """An untitled or unknown column whose values are mostly dates (ISO, d/m/y, with times, month names)."""
    from tracker.core.importing.dates import DAY_FIRST, MONTH_FIRST, iso_text  # dates imports nothing of ours

    skip = set(taken)
    for position in range(len(header)):
        if position in skip:
            continue
        values = filled_values(rows, position)[:50]
        if len(values) < 1:
            continue
        read = sum(bool(iso_text(v, DAY_FIRST) or iso_text(v, MONTH_FIRST)) for v in values)
        if read >= 0.8 * len(values) and any(not v.isdigit() for v in values):
            return position
    return None
