"""Importing interactions: activity logs (email, date, type, amount) and shop order exports (one row per item)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tracker.core.errors import ImportCancelled, ImportRejected, InvalidInput
from tracker.core.importing.columns import (
    INTERACTION_FIELDS,
    map_columns,
    normalise_header,
    parse_overrides,
)
from tracker.core.importing.contacts import split_full_name
from tracker.core.importing.dates import decide_order, parse_datetime
from tracker.core.importing.reading import read_table
from tracker.core.importing.report import Cancelled, ImportReport, Progress
from tracker.core.normalize import clean_email, is_valid_email
from tracker.core.store import Store
from tracker.core.store.interactions import check_amount, check_score

KIND_SYNONYMS = {
    "order": "purchase", "sale": "purchase", "bought": "purchase", "buy": "purchase", "paid": "purchase",
    "opened": "email_open", "open": "email_open", "email_opened": "email_open",
    "click": "email_click", "clicked": "email_click", "reply": "email_reply", "replied": "email_reply",
    "visit": "website_visit", "page_view": "website_visit", "phone_call": "call", "phone": "call",
    "subscribe": "subscription", "subscribed": "subscription", "registration": "signup",
    "register": "signup", "sign_up": "signup", "survey": "feedback", "event": "event_attended",
}
_SHOP_HEADERS = {"lineitem name", "financial status", "lineitem quantity"}
_AMOUNT_JUNK = re.compile(r"[^\d,.\-]")
_PROGRESS_EVERY = 5000


def parse_amount(text: str) -> float | None:
    """'1.234,50 €' → 1234.5, '$12.50' → 12.5, '' → None; raises InvalidInput for non-numbers."""
    value = _AMOUNT_JUNK.sub("", text.strip().replace("\u00a0", ""))
    if not value:
        if text.strip():
            raise InvalidInput(f"'{text}' is not an amount")
        return None
    if "," in value and "." in value:
        decimal = "," if value.rfind(",") > value.rfind(".") else "."
        value = value.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif "," in value:
        head, _, tail = value.rpartition(",")
        value = head.replace(",", "") + ("." if len(tail) != 3 or "," in head else "") + tail
    try:
        return check_amount(float(value))
    except ValueError:
        raise InvalidInput(f"'{text}' is not an amount") from None


@dataclass(slots=True)
class Row:
    email: str
    moment: datetime
    kind: str
    amount: float | None = None
    score: int | None = None
    note: str = ""
    channel: str = ""
    name: str = ""
    phone: str = ""
    lines: list[int] = field(default_factory=list)


def _first(values: dict[str, list[str]], key: str) -> str:
    return values[key][0] if values.get(key) else ""


def import_interactions(
    store: Store,
    path: Path | str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    mapping: list[str] | tuple[str, ...] = (),
    date_format: str | None = None,
    default_kind: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportReport:
    """Import an activity log or an order export as one batch; unknown e-mails become new contacts."""
    source = Path(path)
    table = read_table(source, encoding=encoding, delimiter=delimiter)
    headers = {normalise_header(h) for h in table.header}
    shop = bool(headers & _SHOP_HEADERS)
    overrides = parse_overrides(mapping, INTERACTION_FIELDS)
    if shop:
        for title in table.header:
            if normalise_header(title) == "name":
                overrides.setdefault(title, "order")
    columns = map_columns(table.header, interactions=True, overrides=overrides, sample=table.rows[:200])
    present = set(columns.values())
    report = ImportReport(
        kind="interactions", source=source.name, encoding=table.encoding, delimiter=table.delimiter,
        header=table.header, mapping={table.header[i]: f for i, f in sorted(columns.items())},
        rows=len(table.rows), dry_run=dry_run,
    )
    if "email" not in present:
        raise ImportRejected(f"No column of {source.name} holds e-mail addresses; say which with --map 'Column=email'.")
    if "date" not in present:
        raise ImportRejected(f"No column of {source.name} holds dates; say which with --map 'Column=date'.")
    if default_kind is None and "kind" not in present:
        if shop or "amount" in present or "order" in present:
            default_kind = "purchase"
        else:
            raise ImportRejected(
                f"No column of {source.name} says what happened (type); use --map 'Column=kind' or --kind."
            )
    kinds = store.kinds()
    if default_kind is not None:
        default_kind = store.kind(default_kind).name
    date_values = [row[i] for row in table.rows[:2000] for i, f in columns.items() if f == "date" and i < len(row)]
    order = decide_order(date_values)

    rows: list[Row] = []
    by_order: dict[str, Row] = {}
    seen: set[tuple] = set()
    total = len(table.rows)
    for done, (line, raw) in enumerate(zip(table.line_numbers, table.rows, strict=True), 1):
        if done % _PROGRESS_EVERY == 0:
            if cancelled and cancelled():
                raise ImportCancelled("Import cancelled; nothing was imported.")
            if progress:
                progress(done, total)
        if any("\x00" in cell for cell in raw):
            report.reject(line, "the row contains NUL bytes (damaged data)", raw)
            continue
        values: dict[str, list[str]] = defaultdict(list)
        for position, name in columns.items():
            if position < len(raw) and raw[position].strip():
                values[name].append(raw[position].strip())
        order_key = _first(values, "order")
        if shop and order_key and order_key in by_order:
            parent = by_order[order_key]
            if values.get("note"):
                parent.note = f"{parent.note}; {values['note'][0]}" if parent.note else values["note"][0]
            parent.lines.append(line)
            report.updated += 1
            continue
        email = clean_email(_first(values, "email"))
        if not email:
            report.reject(line, "no e-mail address", raw)
            continue
        if not is_valid_email(email):
            report.reject(line, f"'{email}' is not a valid e-mail address", raw)
            continue
        moment = None
        for text in values.get("date", []):
            moment = parse_datetime(text, order, date_format)
            if moment:
                break
        if moment is None:
            shown = _first(values, "date")
            report.reject(line, f"unreadable date '{shown}'" if shown else "no date", raw)
            continue
        kind_text = _first(values, "kind") or default_kind or ""
        kind_key = re.sub(r"[\s\-]+", "_", kind_text.strip().lower())
        kind = kinds.get(kind_key) or kinds.get(KIND_SYNONYMS.get(kind_key, ""))
        if kind is None:
            report.reject(line, f"unknown type '{kind_text}' (add it with `tracker kinds add`)", raw)
            continue
        try:
            amount = parse_amount(_first(values, "amount"))
            score_text = _first(values, "score")
            score = check_score(float(score_text.replace(",", "."))) if score_text else None
        except (InvalidInput, ValueError) as exc:
            report.reject(line, str(exc).rstrip("."), raw)
            continue
        item = Row(email, moment, kind.name, amount, score, _first(values, "note"), _first(values, "channel"),
                   _first(values, "name"), _first(values, "phone"), [line])
        signature = (email.lower(), item.moment, item.kind, item.amount, item.note)
        if not shop and signature in seen:
            report.updated += 1
            continue
        seen.add(signature)
        if shop and order_key:
            by_order[order_key] = item
        rows.append(item)

    try:
        with store.transaction():
            report.batch_id = store.imports.begin("interactions", str(source))
            new_contacts = _new_contacts(store, rows)
            if new_contacts:
                report.contacts_created, _ = store.contacts.write_batch(
                    new_contacts, report.batch_id, default_source=source.name
                )
            created, duplicates = store.interactions.write_batch(
                [(r.email, r.kind, r.moment, r.amount, r.score, r.channel, r.note) for r in rows],
                report.batch_id,
            )
            if cancelled and cancelled():
                raise ImportCancelled("Import cancelled; nothing was imported.")
            report.created = created
            report.updated += duplicates
            store.imports.finish(report.batch_id, report.counts())
            if dry_run:
                raise _DryRun
    except _DryRun:
        report.batch_id = None
    if progress:
        progress(total, total)
    return report


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def _new_contacts(store: Store, rows: list[Row]) -> list[tuple[dict[str, str], tuple[str, ...]]]:
    known = store.contacts.email_keys()
    records: dict[str, dict[str, str]] = {}
    for row in rows:
        key = row.email.lower()
        if key in known or key in records:
            continue
        values = {"email": row.email}
        if row.name:
            values["first_name"], values["last_name"] = split_full_name(row.name)
        if row.phone:
            values["phone"] = row.phone
        records[key] = values
    return [(values, ()) for values in records.values()]
