"""A contact's columns and their values: the column lists, a row as a Contact, how each editable value is checked
and cleaned, and how a record from an import merges into a stored contact (what it may fill, add to or replace)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from tracker.core.errors import InvalidInput
from tracker.core.models import Contact
from tracker.core.normalize import (
    ascii_lower,
    clean_email,
    clean_phone,
    is_valid_email,
    join_tags,
    phone_key,
    split_tags,
)

if TYPE_CHECKING:
    pass

COLUMNS = (
    "id, first_name, last_name, email, phone, company, tags, source, notes, created_at, updated_at, address, consent, "
    "customer_no, dates, fields, more_emails, more_phones, orders_reported, spent_reported, phone_key"
)
EDITABLE = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "tags",
    "source",
    "notes",
    "address",
    "consent",
    "customer_no",
    "dates",
    "fields",
    "more_emails",
    "more_phones",
    "orders_reported",
    "spent_reported",
)
#: Every column an import may fill (EDITABLE and the phone's key), in the order write_batch inserts them.
STORED = (*EDITABLE[:4], "phone_key", *EDITABLE[4:])
#: A contact's fields by column name, values as SQLite takes and gives them.
Fields = dict[str, Any]
#: Names of important dates a contact may have (the keys of its `dates`).
DATE_NAMES = ("birthday", "anniversary")
_YEARLESS = re.compile(r"^--(\d{2})-(\d{2})$")


def stored_tags(text: str) -> tuple[str, ...]:
    """Tags as the store keeps them (already clean, joined with ', '): a plain split, no re-normalising."""
    return tuple(text.split(", ")) if text else ()


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(text.split("\n")) if text else ()


def contact_from_row(row: tuple[Any, ...]) -> Contact:
    return Contact(
        id=row[0],
        first_name=row[1],
        last_name=row[2],
        email=row[3],
        phone=row[4],
        company=row[5],
        tags=stored_tags(row[6]),
        source=row[7],
        notes=row[8],
        created_at=row[9],
        updated_at=row[10],
        address=row[11],
        consent=None if row[12] is None else bool(row[12]),
        customer_no=row[13],
        dates=json.loads(row[14]) if row[14] else {},
        fields=json.loads(row[15]) if row[15] else {},
        more_emails=_lines(row[16]),
        more_phones=_lines(row[17]),
        orders_reported=row[18],
        spent_reported=row[19],
        phone_key=row[20],
    )


_CONSENT_WORDS = {
    "yes": 1, "y": 1, "true": 1, "1": 1, "x": 1, "subscribed": 1, "opted in": 1, "opt-in": 1, "granted": 1,
    "ja": 1, "oui": 1, "si": 1, "sí": 1, "no": 0, "n": 0, "false": 0, "0": 0, "unsubscribed": 0, "cleaned": 0,
    "opted out": 0, "opt-out": 0, "withdrawn": 0, "nein": 0, "non": 0, "not_subscribed": 0, "not subscribed": 0,
    "declined": 0, "revoked": 0,
}  # fmt: skip


def consent_value(value: object) -> int | None:
    """1 (given), 0 (withdrawn) or None (not known) from True/False/None or what exports write ("yes",
    "subscribed", "unsubscribed", "cleaned"…)."""
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    text = str(value).strip().lower().replace("_", " ")
    if not text:
        return None
    return _CONSENT_WORDS.get(text, _CONSENT_WORDS.get(text.replace(" ", "_")))


def check_date_value(name: str, value: str) -> str:
    """An important date as stored: ISO 1980-01-01, or --12-25 without a year; InvalidInput otherwise."""
    text = str(value).strip()
    yearless = _YEARLESS.match(text)
    try:
        if yearless:
            date(2000, int(yearless.group(1)), int(yearless.group(2)))  # a leap year: --02-29 is a day
        else:
            text = date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidInput(
            f"'{value}' is not a date for {name}; write it as 1980-01-31, or --01-31 without a year."
        ) from None
    return text


def _joined(values: object, clean: Callable[[str], str | None]) -> str:
    items = values.split("\n") if isinstance(values, str) else list(values or ())  # type: ignore[call-overload]
    out: list[str] = []
    for item in items:
        cleaned = clean(str(item))
        if cleaned and cleaned not in out:
            out.append(cleaned)
    return "\n".join(out)


def _valid_email(text: str) -> str | None:
    email = clean_email(text)
    if email is not None and not is_valid_email(email):
        raise InvalidInput(f"'{text}' is not a valid e-mail address.")
    return email


def _validated(values: Mapping[str, Any], region: str | None = None) -> Fields:
    """Clean editable fields; raise InvalidInput for an e-mail that cannot be one, a bad date or number."""
    out: Fields = {}
    for key, value in values.items():
        if key not in EDITABLE:
            raise InvalidInput(f"'{key}' is not a contact field; fields: {', '.join(EDITABLE)}.")
        if key == "email":
            out["email"] = _valid_email(value or "") if value else None
        elif key == "phone":
            out["phone"] = clean_phone(value)
            out["phone_key"] = phone_key(value, region)
        elif key == "tags":
            out["tags"] = join_tags(split_tags(value))
        elif key == "consent":
            consent = consent_value(value)
            if consent is None and value not in (None, ""):
                raise InvalidInput(f"'{value}' is not a consent; use yes, no or unknown.")
            out["consent"] = consent
        elif key == "customer_no":
            out["customer_no"] = str(value).strip() or None if value is not None else None
        elif key == "dates":
            dates = json.loads(value) if isinstance(value, str) and value else dict(value or {})
            out["dates"] = json.dumps({k: check_date_value(k, v) for k, v in dates.items() if v}, sort_keys=True)
        elif key == "fields":
            extra = json.loads(value) if isinstance(value, str) and value else dict(value or {})
            kept = {str(k).strip(): str(v) for k, v in extra.items() if str(k).strip() and v not in (None, "")}
            out["fields"] = json.dumps(kept, ensure_ascii=False) if kept else ""
        elif key == "more_emails":
            out["more_emails"] = _joined(value, _valid_email)
        elif key == "more_phones":
            out["more_phones"] = _joined(value, lambda text: clean_phone(text) or None)
        elif key == "orders_reported":
            out[key] = _number(value, int, key)
        elif key == "spent_reported":
            out[key] = _number(value, float, key)
        elif key == "address":
            out[key] = "\n".join(line.strip() for line in str(value or "").strip().splitlines())
        else:
            out[key] = (value or "").strip() if key != "notes" else (value or "")
    return out


def _number(value: object, kind: Callable[[Any], Any], name: str) -> Any:
    if value is None or value == "":
        return None
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"'{value}' is not a number for {name.replace('_', ' ')}.") from None
    if number < 0:
        raise InvalidInput(f"{name.replace('_', ' ').capitalize()} cannot be negative.")
    return number


_NULLABLE = ("email", "phone_key", "consent", "customer_no", "orders_reported", "spent_reported")
#: What a column an insert has no value for gets: NULL where it may be NULL, else ''.
_DEFAULTS: Fields = {name: "" for name in STORED} | dict.fromkeys(_NULLABLE)
_IN_STORED_ORDER = itemgetter(*STORED)


def _insert_rows(inserts: list[Fields], tail: tuple[Any, ...], default_source: str) -> Iterator[tuple[Any, ...]]:
    """write_batch's INSERT parameters: the STORED columns of each record (a missing or None value: its column's
    default; no source: `default_source`), then `tail` (import_id, created_at, updated_at)."""
    for data in inserts:
        if None in data.values():  # None stands for the default, which is '' for a column that cannot be NULL
            data = {name: value for name, value in data.items() if value is not None}
        row = _DEFAULTS | data
        if not row["source"]:
            row["source"] = default_source
        yield (*_IN_STORED_ORDER(row), *tail)


def _merged_lines(current: str, new: str, *, besides: Iterable[str | None], key: Callable[[str], Any]) -> str:
    """`current`'s lines and those of `new` not already there (compared by `key`) nor among `besides`."""
    lines = _lines(current)
    seen = {key(x) for x in (*lines, *(b for b in besides if b))}
    added = [line for line in _lines(new) if key(line) not in seen]
    return "\n".join((*lines, *dict.fromkeys(added)))


def merged_fields(current: Fields, data: Fields) -> Fields:
    """What a record from an import changes on a contact it is merged into: empty fields filled, never a value
    replaced; tags, other e-mails and phones, important dates and custom fields added to; consent withdrawn
    wins over given (an opt-out is respected); a reported order total is raised to the larger."""
    updates: Fields = {}
    for name in STORED:
        value = data.get(name)
        if value in (None, "") or name in _MERGED_SPECIALLY:
            continue
        if current.get(name) in (None, ""):
            updates[name] = value
    if "phone" in updates and current.get("phone"):
        updates.pop("phone_key", None)
    if data.get("phone") and current.get("phone") and data.get("phone_key") != current.get("phone_key"):
        data = dict(data, more_phones="\n".join(filter(None, (data["phone"], data.get("more_phones")))))
    if data.get("email") and current.get("email") and ascii_lower(data["email"]) != ascii_lower(current["email"]):
        data = dict(data, more_emails="\n".join(filter(None, (data["email"], data.get("more_emails")))))
    notes, more = current.get("notes") or "", data.get("notes") or ""
    if notes and more and more not in notes:  # a second row's notes are added, once
        updates["notes"] = f"{notes}\n{more}"
    tags = join_tags(split_tags([*split_tags(current["tags"]), *split_tags(data.get("tags", ""))]))
    if tags != current["tags"]:
        updates["tags"] = tags
    for name, besides, key in (
        ("more_emails", (current.get("email"),), ascii_lower),
        ("more_phones", (current.get("phone"),), lambda text: _NOT_DIGITS.sub("", text)),
    ):
        if data.get(name):
            merged = _merged_lines(current.get(name) or "", data[name], besides=besides, key=key)
            if merged != (current.get(name) or ""):
                updates[name] = merged
    for name in ("dates", "fields"):
        if data.get(name):
            old = json.loads(current[name]) if current.get(name) else {}
            new = json.loads(data[name]) | old
            if new != old:
                updates[name] = json.dumps(new, ensure_ascii=False, sort_keys=name == "dates")
    consent = data.get("consent")
    if consent is not None and (current.get("consent") is None or (consent == 0 and current["consent"] == 1)):
        updates["consent"] = consent
    for name in ("orders_reported", "spent_reported"):
        if data.get(name) is not None and (current.get(name) is None or data[name] > current[name]):
            updates[name] = data[name]
    return updates


_MERGED_SPECIALLY = frozenset(
    {"tags", "more_emails", "more_phones", "dates", "fields", "consent", "orders_reported", "spent_reported"}
)
_NOT_DIGITS = re.compile(r"\D")
