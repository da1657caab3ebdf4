"""Importing interactions: activity logs (email, date, type, amount) and shop order exports (one row per item)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from tracker.core.errors import ImportCancelled, ImportRejected, InvalidInput
from tracker.core.importing.bulk import collector_paused, write_batch
from tracker.core.importing.columns import INTERACTION_FIELDS, is_order_export, parse_overrides, suggest_mapping
from tracker.core.importing.contacts import split_full_name
from tracker.core.importing.dates import decide_order, iso_text
from tracker.core.importing.reading import read_table
from tracker.core.importing.report import Cancelled, ImportReport, Progress
from tracker.core.normalize import ascii_lower, clean_email, is_valid_email
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


def _import_interactions(
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
    shop = is_order_export(table.header)
    overrides = parse_overrides(mapping, INTERACTION_FIELDS)
    columns = suggest_mapping(table.header, table.rows, interactions=True, overrides=overrides)
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

    positions: dict[str, list[int]] = defaultdict(list)
    for position, name in sorted(columns.items()):
        positions[name].append(position)

    def first(raw: list[str], name: str) -> str:
        for position in positions.get(name, ()):
            if position < len(raw):
                cell = raw[position].strip()
                if cell:
                    return cell
        return ""

    # The usual one column per field is read by index; fields spread over several columns go through first().
    single = {name: places[0] for name, places in positions.items() if len(places) == 1}
    absent = max(len(row) for row in table.rows[:1] or [[]]) + 10**6  # an index no row reaches

    def cell(raw: list[str], name: str) -> str:
        position = single.get(name, absent)
        if position == absent:
            return first(raw, name) if name in positions else ""
        return raw[position].strip() if position < len(raw) else ""

    emails: dict[str, str | None] = {}  # raw cell → clean address, or None when invalid (checked once each)
    known = store.contacts.email_keys()
    unknown_rows: dict[str, list[str]] = {}  # new address → the first row naming it, to name the new contact
    kind_names: dict[str, str | None] = {}
    rows: list[list] = []  # [email, kind, occurred_at ISO, amount, score, channel, note]
    by_order: dict[str, list] = {}
    seen: set[tuple] = set()
    total = len(table.rows)
    for done, (line, raw) in enumerate(zip(table.line_numbers, table.rows, strict=True), 1):
        if done % _PROGRESS_EVERY == 0:
            if cancelled and cancelled():
                raise ImportCancelled("Import cancelled; nothing was imported.")
            if progress:
                progress(done, total)
        if table.has_nul and any("\x00" in cell for cell in raw):
            report.reject(line, "the row contains NUL bytes (damaged data)", raw)
            continue
        order_number = cell(raw, "order")  # distinct order numbers are distinct orders, however alike
        order_key = order_number if shop else ""
        if order_key and order_key in by_order:
            parent, note = by_order[order_key], cell(raw, "note")
            if note:
                parent[6] = f"{parent[6]}; {note}" if parent[6] else note
            report.updated += 1
            continue
        email_text = cell(raw, "email")
        if email_text not in emails:
            cleaned = clean_email(email_text)
            emails[email_text] = cleaned if cleaned and is_valid_email(cleaned) else None
        email = emails[email_text]
        if email is None:
            reason = f"'{email_text}' is not a valid e-mail address" if email_text else "no e-mail address"
            report.reject(line, reason, raw)
            continue
        occurred = None
        for position in positions["date"]:
            if position < len(raw) and raw[position].strip():
                occurred = iso_text(raw[position], order, date_format)
                if occurred:
                    break
        if occurred is None:
            shown = first(raw, "date")
            report.reject(line, f"unreadable date '{shown}'" if shown else "no date", raw)
            continue
        kind_text = cell(raw, "kind") or default_kind or ""
        if kind_text not in kind_names:
            kind_key = re.sub(r"[\s\-]+", "_", kind_text.strip().lower())
            kind = kinds.get(kind_key) or kinds.get(KIND_SYNONYMS.get(kind_key, ""))
            kind_names[kind_text] = kind.name if kind else None
        kind_name = kind_names[kind_text]
        if kind_name is None:
            report.reject(line, f"unknown type '{kind_text}' (add it with `tracker kinds add`)", raw)
            continue
        try:
            amount_text, score_text = cell(raw, "amount"), cell(raw, "score")
            amount = parse_amount(amount_text) if amount_text else None
            score = check_score(float(score_text.replace(",", "."))) if score_text else None
        except (InvalidInput, ValueError) as exc:
            report.reject(line, str(exc).rstrip("."), raw)
            continue
        note = cell(raw, "note")
        signature = (ascii_lower(email), occurred, kind_name, amount, note, order_number)
        if not shop and signature in seen:
            report.updated += 1
            continue
        seen.add(signature)
        key = ascii_lower(email)
        if key not in known and key not in unknown_rows:
            unknown_rows[key] = raw
        item = [email, kind_name, occurred, amount, score, cell(raw, "channel"), note]
        if order_key:
            by_order[order_key] = item
        rows.append(item)

    def write(batch_id: int) -> None:
        new_contacts = [
            (_contact_values(email, first(raw, "name"), first(raw, "phone")), ())
            for raw in unknown_rows.values()
            for email in [clean_email(first(raw, "email"))]
        ]
        if new_contacts:
            report.contacts_created, _ = store.contacts.write_batch(new_contacts, batch_id,
                                                                    default_source=source.name)
        report.created, duplicates = store.interactions.write_batch(rows, batch_id)
        report.updated += duplicates

    return write_batch(store, report, source, write, dry_run=dry_run, progress=progress, cancelled=cancelled)


def _contact_values(email: str, name: str, phone: str) -> dict[str, str]:
    """A new contact met first in an activity log or order export, named from the file where it says."""
    values = {"email": email}
    if name:
        values["first_name"], values["last_name"] = split_full_name(name)
    if phone:
        values["phone"] = phone
    return values

def import_interactions(store: Store, path: Path | str, **options) -> ImportReport:
    """Import an activity log or an order export as one batch; unknown e-mails become new contacts.

    Options: encoding, delimiter, mapping (["Column=field"]), dry_run, progress(done, total), cancelled()"""
    with collector_paused():
        return _import_interactions(store, path, **options)
