"""Importing interactions: activity logs (email, date, type, amount) and shop order exports (one row per item).

The file is read as a stream and written a chunk at a time inside the import's one transaction."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any, cast

from tracker.core.errors import ImportCancelled, ImportHint, ImportRejected, InvalidInput
from tracker.core.importing.bulk import collector_paused, write_batch
from tracker.core.importing.columns import (
    INTERACTION_FIELDS,
    ColumnChoices,
    is_order_export,
    resolve_choices,
    suggest_mapping,
)
from tracker.core.importing.contacts import split_full_name
from tracker.core.importing.dates import check_format, decide_order, iso_text
from tracker.core.importing.report import Cancelled, ImportReport, Progress
from tracker.core.importing.sources import open_table
from tracker.core.importing.table_source import TableSource
from tracker.core.normalize import ascii_lower, clean_email, is_valid_email
from tracker.core.store import Store
from tracker.core.store.interactions import check_amount, check_score

KIND_SYNONYMS = {
    "order": "purchase",
    "sale": "purchase",
    "bought": "purchase",
    "buy": "purchase",
    "paid": "purchase",
    "opened": "email_open",
    "open": "email_open",
    "email_opened": "email_open",
    "click": "email_click",
    "clicked": "email_click",
    "reply": "email_reply",
    "replied": "email_reply",
    "visit": "website_visit",
    "page_view": "website_visit",
    "phone_call": "call",
    "phone": "call",
    "subscribe": "subscription",
    "subscribed": "subscription",
    "registration": "signup",
    "register": "signup",
    "sign_up": "signup",
    "survey": "feedback",
    "event": "event_attended",
}
_AMOUNT_JUNK = re.compile(r"[^\d,.\-]")
_PROGRESS_EVERY = 5000
CHUNK_ROWS = 50_000  # interactions written per chunk
_CACHE_LIMIT = 200_000  # entries a lookup cache may hold before it is emptied


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
    sheet: str | None = None,
    mapping: ColumnChoices | None = None,
    date_format: str | None = None,
    default_kind: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportReport:
    """Import an activity log or an order export as one batch; unknown e-mails become new contacts."""
    source = Path(path)
    if date_format is not None:
        check_format(date_format)
    with open_table(source, encoding=encoding, delimiter=delimiter, sheet=sheet) as opened:
        header, sample = opened.header, opened.sample
        shop = is_order_export(header)
        overrides = resolve_choices(header, mapping, INTERACTION_FIELDS, source.name)
        columns = suggest_mapping(header, sample, interactions=True, overrides=overrides)
        present = set(columns.values())
        report = ImportReport(
            kind="interactions",
            source=source.name,
            encoding=opened.encoding,
            delimiter=opened.delimiter,
            header=header,
            mapping={header[i]: f for i, f in sorted(columns.items())},
            dry_run=dry_run,
        )
        if "email" not in present:
            raise ImportRejected(f"No column of {source.name} holds e-mail addresses.", ImportHint.MAPPING, "email")
        if "date" not in present:
            raise ImportRejected(f"No column of {source.name} holds dates.", ImportHint.MAPPING, "date")
        if default_kind is None and "kind" not in present:
            if shop or "amount" in present or "order" in present:
                default_kind = "purchase"
            else:
                raise ImportRejected(f"No column of {source.name} says what happened (type).", ImportHint.KIND, "kind")
        if default_kind is not None:
            default_kind = store.kind(default_kind).name
        rows = _Rows(store, opened, report, columns, shop=shop, default_kind=default_kind, date_format=date_format)

        def write(batch_id: int) -> None:
            rows.write(batch_id, progress, cancelled)

        return write_batch(
            store, report, source, write, dry_run=dry_run, progress=progress, cancelled=cancelled, size=opened.size
        )


class _Rows:
    """Reading an interactions file row by row and writing it a chunk at a time.

    What is kept between chunks is bounded: caches of addresses, contact ids and kinds are emptied when they reach
    _CACHE_LIMIT entries (the database answers again), and a shop's order numbers move to a temporary table.
    Repeated rows are found by SQL (see ImportWriter), not by holding the file's rows."""

    def __init__(
        self,
        store: Store,
        opened: TableSource,
        report: ImportReport,
        columns: dict[int, str],
        *,
        shop: bool,
        default_kind: str | None,
        date_format: str | None,
    ):
        self.store, self.opened, self.report = store, opened, report
        self.shop, self.default_kind, self.date_format = shop, default_kind, date_format
        self.kinds = store.kinds()
        self.positions: dict[str, list[int]] = defaultdict(list)
        for position, name in sorted(columns.items()):
            self.positions[name].append(position)
        # The usual one column per field is read by index; fields spread over several columns go through first().
        self.single = {name: places[0] for name, places in self.positions.items() if len(places) == 1}
        self.absent = max(len(row) for row in opened.sample[:1] or [[]]) + 10**6  # an index no row reaches
        self.order = decide_order(
            [row[i] for row in opened.sample for i, f in columns.items() if f == "date" and i < len(row)]
        )

    def first(self, raw: list[str], name: str) -> str:
        for position in self.positions.get(name, ()):
            if position < len(raw):
                cell = raw[position].strip()
                if cell:
                    return cell
        return ""

    def cell(self, raw: list[str], name: str) -> str:
        position = self.single.get(name, self.absent)
        if position == self.absent:
            return self.first(raw, name) if name in self.positions else ""
        return raw[position].strip() if position < len(raw) else ""

    def write(self, batch_id: int, progress: Progress | None, cancelled: Cancelled | None) -> None:
        store, opened, report, shop = self.store, self.opened, self.report, self.shop
        cell, first, positions = self.cell, self.first, self.positions
        order, date_format, default_kind, kinds = self.order, self.date_format, self.default_kind, self.kinds
        writer = store.interactions.import_writer(
            batch_id, within_file=not shop, order_numbers=not shop and "order" in positions
        )
        emails: dict[str, str | None] = {}  # raw cell → clean address, or None when invalid (checked once each)
        kind_names: dict[str, str | None] = {}
        ids: dict[str, int] = {}  # address (lower-cased) → contact id
        orders: dict[str, list[Any] | int] = {}  # a shop's order number → its purchase: the row, or its id once written
        new_rows: dict[str, list[str]] = {}  # an address met in this chunk with no contact yet → first row naming it
        chunk_orders: list[str] = []  # the order numbers first met in this chunk
        # [id once written, address key (then contact id), kind, occurred_at, amount, score, channel, note, order no.]
        chunk: list[list[Any]] = []

        def flush() -> None:
            missing = {item[1] for item in chunk} - ids.keys()
            if missing:
                ids.update(store.contacts.ids_for_emails(missing))
                unknown = [key for key in new_rows if key not in ids]
                if unknown:
                    made, _ = store.contacts.write_batch(
                        [
                            (
                                _contact_values(
                                    clean_email(first(new_rows[key], "email")),
                                    first(new_rows[key], "name"),
                                    first(new_rows[key], "phone"),
                                ),
                                (),
                            )
                            for key in unknown
                        ],
                        batch_id,
                        default_source=opened.name,
                    )
                    report.contacts_created += made
                    ids.update(store.contacts.ids_for_emails(unknown))
            for item in chunk:
                item[1] = ids[item[1]]
            kept = writer.write(chunk)
            report.created += kept
            report.updated += len(chunk) - kept
            for key in chunk_orders:
                orders[key] = cast("list[Any]", orders[key])[0]  # this chunk's row, written now: its id
            chunk_orders.clear()
            if len(orders) >= _CACHE_LIMIT:
                writer.remember_orders(cast("dict[str, int]", orders))  # all rows written: ids only
                orders.clear()
            for cache in (ids, emails, kind_names):
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()
            new_rows.clear()
            chunk.clear()

        for line, raw in opened.rows():
            report.rows += 1
            if report.rows % _PROGRESS_EVERY == 0:
                if cancelled and cancelled():
                    raise ImportCancelled("Import cancelled; nothing was imported.")
                if progress:
                    progress(opened.bytes_read, opened.size)
            if opened.has_nul and any("\x00" in text for text in raw):
                report.reject(line, "the row contains NUL bytes (damaged data)", raw)
                continue
            order_number = cell(raw, "order")  # distinct order numbers are distinct orders, however alike
            order_key = order_number if shop else ""
            if order_key:
                parent = orders.get(order_key)
                if parent is None and writer.orders_remembered:
                    parent = writer.order_id(order_key)
                if parent is not None:  # another line item of an order already read
                    note = cell(raw, "note")
                    if note:
                        if isinstance(parent, list):
                            parent[7] = f"{parent[7]}; {note}" if parent[7] else note
                        else:
                            writer.append_note(parent, note)
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
                report.reject(line, f"unknown type '{kind_text}'", raw, ImportHint.UNKNOWN_KIND)
                continue
            try:
                amount_text, score_text = cell(raw, "amount"), cell(raw, "score")
                amount = parse_amount(amount_text) if amount_text else None
                score = check_score(float(score_text.replace(",", "."))) if score_text else None
            except (InvalidInput, ValueError) as exc:
                report.reject(line, str(exc).rstrip("."), raw)
                continue
            if opened.replaced and any("\ufffd" in text for text in raw):
                report.warn(line, opened.replacement_warning(), raw)
            key = ascii_lower(email)
            if key not in ids and key not in new_rows:
                new_rows[key] = raw
            item = [
                None,
                key,
                kind_name,
                occurred,
                amount,
                score,
                cell(raw, "channel"),
                cell(raw, "note"),
                order_number,
            ]
            if order_key:
                orders[order_key] = item
                chunk_orders.append(order_key)
            chunk.append(item)
            if len(chunk) >= CHUNK_ROWS:
                flush()
        flush()
        writer.finish()


def _contact_values(email: str | None, name: str, phone: str) -> dict[str, str | None]:
    """A new contact met first in an activity log or order export, named from the file where it says."""
    values: dict[str, str | None] = {"email": email}
    if name:
        values["first_name"], values["last_name"] = split_full_name(name)
    if phone:
        values["phone"] = phone
    return values


def import_interactions(store: Store, path: Path | str, **options: Any) -> ImportReport:
    """Import an activity log or an order export as one batch; unknown e-mails become new contacts.

    Options: encoding, delimiter, sheet (a workbook's), mapping (ColumnChoices: {column index or title: field}),
    date_format, default_kind, dry_run, progress(bytes read, file size), cancelled()"""
    with collector_paused():
        return _import_interactions(store, path, **options)
