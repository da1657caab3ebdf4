"""Importing interactions: activity logs (email, date, type, amount) and shop order exports (one row per item).

The file is read as a stream and written a chunk at a time inside the import's one transaction."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from tracker.core.errors import ImportCancelled, ImportHint, ImportRejected, InvalidInput
from tracker.core.importing.activity import CANCELLED_REASON, kind_for, known_status, skipped_status
from tracker.core.importing.bulk import collector_paused, write_batch
from tracker.core.importing.columns import (
    INTERACTION_FIELDS,
    NULL_WORDS,
    ColumnChoices,
    is_order_export,
    normalise_header,
    resolve_choices,
    suggest_mapping,
)
from tracker.core.importing.dates import (
    DAY_FIRST,
    check_format,
    find_order,
    is_ambiguous,
    iso_text,
    order_by_span,
    order_evidence,
)
from tracker.core.importing.names import split_full_name
from tracker.core.importing.report import Cancelled, ImportReport, Progress
from tracker.core.importing.sources import open_table
from tracker.core.importing.table_source import TableSource
from tracker.core.normalize import ascii_lower, clean_email, is_valid_email, phone_key
from tracker.core.store import Store
from tracker.core.store.interactions import check_amount, check_score

#: A header that names when the record was made, not when it happened: read after the other date columns.
_RECORD_DATE = re.compile(r"\b(?:create|created|creation|modified|updated|last modified|imported)\b")
RETURN_REASON = "return (negative quantity)"
_BY_NUMBER = "\x00#"  # before a customer number in the key of a row's customer (never in an address)
_BY_PHONE = "\x00+"  # before a phone's key


def customer_number(text: str) -> str:
    """A customer number as the contacts import stores it: Excel's leading apostrophe and a float's '.0' removed
    ('17850.0' → '17850'); '' for none."""
    value = text.strip().lstrip("'").strip()
    if value.lower() in NULL_WORDS:
        return ""
    return value[:-2] if value.endswith(".0") and value[:-2].isdigit() else value


#: A till's cancellation: the invoice's number with a C before it (C536379, in the UCI Online Retail data).
_CANCELLATION = re.compile(r"^[Cc]\d+$")
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
        if not present & {"email", "phone", "customer_no"}:
            raise ImportRejected(
                f"No column of {source.name} holds e-mail addresses, phone numbers or customer numbers.",
                ImportHint.MAPPING,
                "email",
            )
        if "date" not in present:
            raise ImportRejected(f"No column of {source.name} holds dates.", ImportHint.MAPPING, "date")
        if default_kind is None and "kind" not in present:
            if shop or present & {"amount", "order", "unit_price", "status"}:
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
        self.region = store.phone_region()
        self.shop, self.default_kind, self.date_format = shop, default_kind, date_format
        self.kinds = store.kinds()
        self.positions: dict[str, list[int]] = defaultdict(list)
        for position, name in sorted(columns.items()):
            self.positions[name].append(position)
        header = opened.header
        # Of several date columns, when it happened ("Activity Date", "Paid at") before when the record was made
        self.positions["date"].sort(
            key=lambda p: bool(p < len(header) and _RECORD_DATE.search(normalise_header(header[p])))
        )
        # Of several amount columns, the order's total ("Order Total" over Etsy's "Order Value", the items' sum)
        self.positions["amount"].sort(
            key=lambda p: not (p < len(header) and "total" in normalise_header(header[p]).split())
        )
        if not self.positions["amount"]:
            del self.positions["amount"]
        # The usual one column per field is read by index; fields spread over several columns go through first().
        self.single = {name: places[0] for name, places in self.positions.items() if len(places) == 1}
        self.absent = max(len(row) for row in opened.sample[:1] or [[]]) + 10**6  # an index no row reaches
        # Day or month first, per column from its values; None: the sample does not say (12/1/2010 …), read on
        self.order: str | None = find_order(
            [row[i] for row in opened.sample for i, f in columns.items() if f == "date" and i < len(row)]
        )
        if date_format is not None and self.order is None:
            self.order = DAY_FIRST  # the format decides
        # An order's amount from its lines (quantity × unit price) when no column holds its total
        self.line_amounts = "amount" not in self.positions and {"quantity", "unit_price"} <= self.positions.keys()

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

    def line_amount(self, raw: list[str]) -> float:
        """Quantity × unit price of one line item; 0 when unreadable or a return (negative)."""
        try:
            quantity = float(self.cell(raw, "quantity").replace(",", ".") or 0)
            price = parse_amount(self.cell(raw, "unit_price")) or 0.0
        except (InvalidInput, ValueError):
            return 0.0
        return quantity * price if quantity > 0 else 0.0

    def write(self, batch_id: int, progress: Progress | None, cancelled: Cancelled | None) -> None:
        store, opened, report, shop = self.store, self.opened, self.report, self.shop
        cell, first, positions = self.cell, self.first, self.positions
        date_format, default_kind, kinds = self.date_format, self.default_kind, self.kinds
        status_positions = positions.get("status", [])
        cancelled_positions = positions.get("cancelled", [])
        line_amounts = self.line_amounts
        has_quantity = "quantity" in positions
        order_rules = bool(status_positions or cancelled_positions or shop or has_quantity)  # any to check
        writer = store.interactions.import_writer(
            batch_id, within_file=not shop, order_numbers=not shop and "order" in positions
        )
        emails: dict[str, str | None] = {}  # raw cell → clean address, or None when invalid (checked once each)
        kind_names: dict[str, str | None] = {}
        statuses: dict[str, str | None] = {}  # a status cell → why its order is skipped, None for a purchase
        # a row's customer → contact id: its address (lower-cased), else _BY_NUMBER + its customer number, else
        # _BY_PHONE + its phone's key
        ids: dict[str, int] = {}
        region = self.region
        other_keys = [name for name in ("phone", "customer_no") if name in positions]
        missing_key = "no e-mail address" + "".join(
            f" or {'phone number' if name == 'phone' else 'customer number'}" for name in other_keys
        )
        # a shop's order number → its purchase: the row, its id once written, or why it was skipped
        orders: dict[str, list[Any] | int | str] = {}
        new_rows: dict[str, list[str]] = {}  # a customer met in this chunk with no contact yet → first row naming it
        chunk_orders: list[str] = []  # the order numbers first met in this chunk
        # [id once written, address key (then contact id), kind, occurred_at, amount, score, channel, note, order no.]
        chunk: list[list[Any]] = []
        pending: list[tuple[list[Any], str]] = []  # rows whose date reads either way (3/4/2026) until a value decides

        order = self.order  # None until a value says (or a chunk is written)

        def settle(decided: str) -> None:
            """Day or month first is known (or must be chosen): the rows waiting for it get their dates."""
            nonlocal order
            order = self.order = decided
            for item, text in pending:
                item[3] = iso_text(text, decided, date_format)
            pending.clear()

        def flush() -> None:
            if pending:  # nothing so far said: the order that keeps the dates closest together, else day-first
                settle(order_by_span([text for _, text in pending]) or DAY_FIRST)
            missing = {item[1] for item in chunk} - ids.keys()
            if missing:
                ids.update(store.contacts.ids_for_emails(key for key in missing if key[0] != "\x00"))
                unknown = [key for key in new_rows if key not in ids]
                if unknown:
                    self.known_by_number_or_phone(unknown, new_rows, ids)
                    unknown = [key for key in unknown if key not in ids]
                if unknown:
                    values = {key: self.contact_values(new_rows[key]) for key in unknown}
                    same = self.same_customers(values)
                    made, _ = store.contacts.write_batch(
                        [(v, ()) for key, v in values.items() if key not in same], batch_id, default_source=opened.name
                    )
                    report.contacts_created += made
                    ids.update(store.contacts.ids_for_emails(key for key in unknown if key[0] != "\x00"))
                    self.known_by_number_or_phone([k for k in unknown if k not in ids and k not in same], new_rows, ids)
                    for key, other in same.items():
                        ids[key] = ids[other]
            for item in chunk:
                item[1] = ids[item[1]]
            kept = writer.write(chunk)
            report.created += kept
            report.updated += len(chunk) - kept
            for key in chunk_orders:
                written = orders[key]
                if isinstance(written, list):
                    orders[key] = written[0]  # this chunk's row, written now: its id
            chunk_orders.clear()
            if len(orders) >= _CACHE_LIMIT:
                writer.remember_orders(orders)  # all rows written: ids, or reasons for skipped orders
                orders.clear()
            for cache in (ids, emails, kind_names, statuses):
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
                    if isinstance(parent, str):  # of an order skipped (refunded, cancelled…): skipped with it
                        report.skip(parent)
                        continue
                    note = cell(raw, "note")
                    extra = self.line_amount(raw) if line_amounts else 0.0
                    if isinstance(parent, list):
                        if note:
                            parent[7] = f"{parent[7]}; {note}" if parent[7] else note
                        if extra:
                            parent[4] = check_amount((parent[4] or 0.0) + extra)
                    else:
                        if note:
                            writer.append_note(parent, note)
                        if extra:
                            writer.add_amount(parent, extra)
                    report.updated += 1
                    continue
            kind_text = cell(raw, "kind") or default_kind or ""
            if kind_text not in kind_names:
                kind = kind_for(kind_text, kinds)
                kind_names[kind_text] = kind.name if kind else None
            kind_name = kind_names[kind_text]
            if kind_name is None:
                report.reject(line, f"unknown type '{kind_text}'", raw, ImportHint.UNKNOWN_KIND)
                continue
            if kind_name == "purchase" and order_rules:
                skipped = None
                for position in status_positions:
                    status = raw[position].strip() if position < len(raw) else ""
                    if status not in statuses:
                        statuses[status] = skipped_status(status)
                        if not known_status(status):
                            report.warn(line, f"order status '{status}' is not one Tracker knows; taken as paid", raw)
                    skipped = skipped or statuses[status]
                if not skipped and any(
                    p < len(raw) and raw[p].strip() and raw[p].strip().lower() not in NULL_WORDS
                    for p in cancelled_positions
                ):
                    skipped = CANCELLED_REASON
                if not skipped and shop and _CANCELLATION.match(order_number):
                    skipped = CANCELLED_REASON  # a till's cancellation (C536379): the goods went back
                if not skipped and has_quantity and cell(raw, "quantity").startswith("-"):
                    skipped = RETURN_REASON  # a line of goods coming back, not bought
                if skipped:
                    report.skip(skipped)
                    if order_key:
                        orders[order_key] = skipped
                    continue
            email_text = cell(raw, "email")
            if email_text not in emails:
                cleaned = clean_email(email_text)
                emails[email_text] = cleaned if cleaned and is_valid_email(cleaned) else None
            email = emails[email_text]
            if email is not None:
                key = ascii_lower(email)
            else:  # a customer known by their number (a till's), else by phone (cash on delivery)
                number = customer_number(cell(raw, "customer_no"))
                phone = "" if number else phone_key(cell(raw, "phone"), region) or ""
                if not (number or phone):
                    if email_text and email_text.lower() not in NULL_WORDS:
                        reason = f"'{email_text}' is not a valid e-mail address"
                    else:
                        reason = missing_key
                    report.reject(line, reason, raw)
                    continue
                key = _BY_NUMBER + number if number else _BY_PHONE + phone
            occurred = None
            waiting = ""
            for position in positions["date"]:
                if position < len(raw) and raw[position].strip():
                    text = raw[position]
                    if order is None and not text.lstrip()[:4].isdigit():  # ISO dates say nothing of it
                        evidence = order_evidence(text)
                        if evidence:
                            settle(evidence)
                        elif is_ambiguous(text):
                            waiting = text  # read as day-first to check it is a date; settled later
                    occurred = iso_text(text, order or DAY_FIRST, date_format)
                    if occurred:
                        break
                    waiting = ""
            if occurred is None:
                shown = first(raw, "date")
                report.reject(line, f"unreadable date '{shown}'" if shown else "no date", raw)
                continue
            try:
                amount_text, score_text = cell(raw, "amount"), cell(raw, "score")
                amount = parse_amount(amount_text) if amount_text else None
                score = check_score(float(score_text.replace(",", "."))) if score_text else None
                if line_amounts and amount is None:
                    amount = check_amount(self.line_amount(raw))
            except (InvalidInput, ValueError) as exc:
                report.reject(line, str(exc).rstrip("."), raw)
                continue
            if opened.replaced and any("\ufffd" in text for text in raw):
                report.warn(line, opened.replacement_warning(), raw)
            if len(chunk) >= CHUNK_ROWS:
                flush()  # before a new order, so an order's lines that follow one another end in one chunk
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
            if waiting:
                pending.append((item, waiting))
            if order_key:
                orders[order_key] = item
                chunk_orders.append(order_key)
            chunk.append(item)
        flush()
        writer.finish()

    def known_by_number_or_phone(self, keys: list[str], rows: dict[str, list[str]], ids: dict[str, int]) -> None:
        """Find the contacts of customers not known by their key: a row with an address no contact has, by its
        customer number; one without an address by its customer number, else its phone (as the contacts import
        matches). Found ones go into `ids`."""
        numbers = {key: customer_number(self.first(rows[key], "customer_no")) for key in keys}
        phones = {
            key: phone_key(self.first(rows[key], "phone"), self.region) or ""
            for key in keys
            if key[0] == "\x00"  # no address: by number, then phone, as ContactsTable.write_batch matches
        }
        by_number = self.store.contacts.ids_for_customer_numbers({n for n in numbers.values() if n})
        by_phone = self.store.contacts.ids_for_phone_keys({p for p in phones.values() if p})
        for key in keys:
            found = by_number.get(numbers[key]) if numbers[key] else None
            if found is None and phones.get(key):
                found = by_phone.get(phones[key])
            if found is not None:
                ids[key] = found

    def same_customers(self, values: dict[str, dict[str, str | None]]) -> dict[str, str]:
        """New customers of one chunk that are another one of them: {key: the other's key} for a customer without
        an address whose customer number or phone a new customer with an address (or, for a phone, with a number)
        has. Without this, both would be made and the rows found by phone would go to one of them."""
        numbers: dict[str, str] = {}  # customer number → the key of a new customer with an address
        phones: dict[str, str] = {}  # phone key → the key of a new customer with an address
        numbered_phones: dict[str, str] = {}  # phone key → the key of a new customer known by number
        for key, fields in values.items():
            if key.startswith(_BY_PHONE):
                continue
            addressed = key[0] != "\x00"
            if addressed and fields.get("customer_no"):
                numbers.setdefault(fields["customer_no"] or "", key)
            found = phone_key(fields.get("phone"), self.region) if fields.get("phone") else None
            if found:
                (phones if addressed else numbered_phones).setdefault(found, key)
        same: dict[str, str] = {}
        for key, fields in values.items():
            if key[0] != "\x00":
                continue
            found = phone_key(fields.get("phone"), self.region) if fields.get("phone") else None
            other = numbers.get(fields.get("customer_no") or "") or phones.get(found or "")
            if other is None and key.startswith(_BY_PHONE):  # two customer numbers are two customers
                other = numbered_phones.get(found or "")
            if other is not None:
                same[key] = other
        for key, other in same.items():
            while other in same:  # a phone's customer → a number's → an address's
                other = same[other]
            same[key] = other
        return same

    def contact_values(self, raw: list[str]) -> dict[str, str | None]:
        """A new contact met first in an activity log or order export: its address, customer number and phone, and
        its name where the file says."""
        email = clean_email(self.first(raw, "email"))
        values: dict[str, str | None] = {"email": email if email and is_valid_email(email) else None}
        number = customer_number(self.first(raw, "customer_no"))
        if number:
            values["customer_no"] = number
        first_name, last_name, name = (
            self.first(raw, "first_name"),
            self.first(raw, "last_name"),
            self.first(raw, "name"),
        )
        if first_name or last_name:
            values["first_name"], values["last_name"] = first_name, last_name
        elif name:
            values["first_name"], values["last_name"] = split_full_name(name)
        phone = self.first(raw, "phone")
        if phone:
            values["phone"] = phone
        return values


def import_interactions(store: Store, path: Path | str, **options: Any) -> ImportReport:
    """Import an activity log or an order export as one batch; unknown e-mails become new contacts.

    Options: encoding, delimiter, sheet (a workbook's), mapping (ColumnChoices: {column index or title: field}),
    date_format, default_kind, dry_run, progress(bytes read, file size), cancelled()"""
    with collector_paused():
        return _import_interactions(store, path, **options)
