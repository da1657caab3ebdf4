"""Importing contacts: map columns, clean values, merge duplicates by e-mail then phone, in one transaction.

The file is read as a stream and written a chunk at a time: rows of one chunk that name the same person are merged
in memory, and each chunk merges into the contacts already stored (those of earlier chunks included) by SQL."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tracker.core.errors import ImportCancelled, ImportHint, ImportRejected, InvalidInput
from tracker.core.importing.bulk import collector_paused, write_batch
from tracker.core.importing.columns import (
    CONTACT_FIELDS,
    DETAIL_FIELDS,
    MULTI_VALUE,
    NULL_WORDS,
    ColumnChoices,
    is_order_export,
    map_columns,
    normalise_header,
    not_a_phone,
    resolve_choices,
    shown_columns,
)
from tracker.core.importing.dates import DAY_FIRST, MONTH_FIRST, decide_order, parse_datetime
from tracker.core.importing.names import _who, clearly_different, looks_like_company, split_full_name
from tracker.core.importing.report import Cancelled, ImportReport, Progress
from tracker.core.importing.sources import open_table
from tracker.core.importing.table_source import TableSource, UnreadableRow
from tracker.core.normalize import ascii_lower, clean_email, clean_phone, is_valid_email, phone_key, split_tags
from tracker.core.store import Store
from tracker.core.store.contact_fields import STORED, Fields, consent_value, merged_fields

_PROGRESS_EVERY = 2000
CHUNK_ROWS = 10_000  # contacts written per chunk


@dataclass(slots=True)
class Record:
    """One contact to write, possibly built from several rows of the file."""

    values: dict[str, Any]  # as the store takes them (phone_key None: too few digits for one)
    tags: tuple[str, ...] = ()
    lines: list[int] = field(default_factory=list)

    def merge(self, other: Record) -> None:
        """Fill empty fields from `other` (the store's rule: never replace a value, keep other e-mails and phones,
        an opt-out wins)."""
        current = {name: self.values.get(name) for name in STORED} | {"tags": ""}
        self.values.update(merged_fields(current, {**other.values, "tags": ""}))
        self.tags = split_tags([*self.tags, *other.tags])
        self.lines.extend(other.lines)


def _plan(mapping: dict[int, str]) -> dict[str, tuple[int, ...]]:
    """For each field, the columns holding it in file order (worked out once per file, not per row)."""
    plan: dict[str, list[int]] = defaultdict(list)
    for position, field_name in sorted(mapping.items()):
        plan[field_name].append(position)
    return {name: tuple(positions) for name, positions in plan.items()}


_SEVERAL = MULTI_VALUE.strip()  # Google joins several values in one cell with ' ::: '


def _cells(row: list[str], positions: tuple[int, ...], multi: bool = False) -> list[str]:
    """The non-empty cells (stripped) of these columns; with `multi`, a cell of several values gives each."""
    out: list[str] = []
    if not positions:
        return out
    width = len(row)
    for position in positions:
        if position < width:
            cell = row[position].strip()
            if cell:
                if multi and _SEVERAL in cell:
                    out.extend(part.strip() for part in cell.split(_SEVERAL) if part.strip())
                else:
                    out.append(cell)
    return out


def _first_cell(row: list[str], positions: tuple[int, ...]) -> str:
    """The first non-empty cell (stripped) of these columns, or ''."""
    width = len(row)
    for position in positions:
        if position < width:
            cell = row[position].strip()
            if cell:
                return cell
    return ""


_YEARLESS = re.compile(r"^-?-?(\d{1,2})-(\d{1,2})$|^(\d{1,2})\.(\d{1,2})\.$|^(\d{1,2})/(\d{1,2})$")
#: Dates Outlook writes for "none".
_NO_DATE = {"0/0/00", "00/00/00", "0/0/0000", "00.00.0000", "0000-00-00"}


@dataclass(slots=True)
class _Reading:
    """What reading a row needs besides the row, worked out once per file, and caches of values files repeat."""

    plan: dict[str, tuple[int, ...]]
    header: list[str]
    region: str
    date_orders: dict[str, str]  # birthday/anniversary → the column's day/month order
    parse_amount: Callable[[str], float | None]
    details: bool = False  # whether the file has any column _details reads
    #: (field, its columns) of the fields whose first non-empty cell is taken as it is
    singles: tuple[tuple[str, tuple[int, ...]], ...] = ()
    date_columns: tuple[tuple[str, tuple[int, ...]], ...] = ()  # (birthday or anniversary, its columns)
    #: (the value's name, the field, its columns) of reported totals: orders_reported/total_orders, spent_…
    total_columns: tuple[tuple[str, str, tuple[int, ...]], ...] = ()
    titles: dict[int, str] = field(default_factory=dict)  # custom column → its title as the key it is kept under
    names: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # name cell → (first, last, company)
    days: dict[tuple[str, str], str | None] = field(default_factory=dict)  # (date cell, order) → important_date
    consents: dict[str, int | None] = field(default_factory=dict)  # consent cell → consent_value

    def __post_init__(self) -> None:
        self.singles = tuple(
            (name, self.plan[name]) for name in ("first_name", "last_name", "company", "source") if name in self.plan
        )
        self.titles = {position: self.header[position].strip() for position in self.plan.get("custom", ())}
        self.date_columns = tuple((name, self.plan[name]) for name in ("birthday", "anniversary") if name in self.plan)
        self.total_columns = tuple(
            (name, column, self.plan[column])
            for name, column in (("orders_reported", "total_orders"), ("spent_reported", "total_spent"))
            if column in self.plan
        )

    def name_parts(self, cell: str) -> tuple[str, str, str]:
        """(first, last, company) from a name column's cell: a company is not split into two names."""
        parts = self.names.get(cell)
        if parts is None:
            parts = ("", "", cell) if looks_like_company(cell) else (*split_full_name(cell), "")
            if len(self.names) < _CACHED:
                self.names[cell] = parts
        return parts

    def day(self, text: str, name: str) -> str | None:
        """important_date of a birthday or anniversary cell, in its column's order."""
        key = (text, self.date_orders.get(name, DAY_FIRST))
        if key not in self.days:
            if len(self.days) >= _CACHED:
                return important_date(*key)
            self.days[key] = important_date(*key)
        return self.days[key]

    def consent(self, text: str) -> int | None:
        """consent_value of a consent cell."""
        if text not in self.consents:
            if len(self.consents) >= _CACHED:
                return consent_value(text)
            self.consents[text] = consent_value(text)
        return self.consents[text]


_CACHED = 50_000  # values a per-file cache keeps at most (names, dates and consents repeat; memory stays bounded)


_DETAIL_FIELDS = frozenset(DETAIL_FIELDS)  # the columns _details reads


_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})$")


def yearless_order(values: list[str]) -> str:
    """A date column's day/month order (dates.decide_order), where year-less 12/25 values decide too: a number
    over 12 says which is the day; with none, month first (Mailchimp writes birthdays MM/DD)."""
    filled = [v.strip() for v in values if v.strip()]
    slashed = [match for v in filled if (match := _SLASHED.match(v))]
    if not slashed or len(slashed) < len(filled):
        return decide_order(values)
    for match in slashed:
        if int(match.group(1)) > 12:
            return DAY_FIRST
        if int(match.group(2)) > 12:
            return MONTH_FIRST
    return MONTH_FIRST


def important_date(text: str, order: str) -> str | None:
    """A birthday or anniversary as stored: '1980-01-01', or '--12-25' without a year; None if it is not one."""
    value = text.strip()
    if not value or value in _NO_DATE:
        return None
    yearless = _YEARLESS.match(value)
    if yearless:
        if yearless.group(1):  # --12-25: month first
            month, day = int(yearless.group(1)), int(yearless.group(2))
        elif yearless.group(3):  # 25.12.: day first
            month, day = int(yearless.group(4)), int(yearless.group(3))
        else:  # 12/25 (Mailchimp's birthdays) or 25/12: the column's order
            first, second = int(yearless.group(5)), int(yearless.group(6))
            month, day = (second, first) if order == DAY_FIRST else (first, second)
        try:
            date(2000, month, day)
        except ValueError:
            return None
        return f"--{month:02d}-{day:02d}"
    moment = parse_datetime(value, order)
    return moment.date().isoformat() if moment and 1800 <= moment.year <= 2200 else None


def _number_text(text: str) -> str:
    """A customer number as text: Excel's leading apostrophe and a float's '.0' removed."""
    value = text.strip().lstrip("'").strip()
    return value[:-2] if value.endswith(".0") and value[:-2].isdigit() else value


#: json.dumps(…, sort_keys=True) and json.dumps(…, ensure_ascii=False) without making an encoder per call.
_DATES_JSON = json.JSONEncoder(sort_keys=True).encode
_FIELDS_JSON = json.JSONEncoder(ensure_ascii=False).encode


def _record_from_row(
    row: list[str], reading: _Reading, line: int, report: ImportReport, opened: TableSource
) -> Record | None:
    """The record a row of the file makes, or None when it is rejected (with its reason in the report)."""
    if isinstance(row, UnreadableRow):  # a damaged vCard card: its lines, and why
        report.reject(line, row.reason, row)
        return None
    plan = reading.plan
    if opened.has_nul and any("\x00" in cell for cell in row):
        report.reject(line, "the row contains NUL bytes (damaged data); fix it in the file and import again", row)
        return None
    values: dict[str, str | int | float | None] = {}
    width = len(row)
    for key, positions in reading.singles:  # first_name, last_name, company, source: the first non-empty cell
        for position in positions:
            if position < width:
                cell = row[position].strip()
                if cell:
                    values[key] = cell
                    break
    if "name" in plan and not (values.get("first_name") or values.get("last_name")):
        whole = _first_cell(row, plan["name"])
        if whole:
            first, last, company = reading.name_parts(whole)
            if company:
                values.setdefault("company", company)  # a company in the name column is not split into two names
            else:
                values["first_name"], values["last_name"] = first, last
    emails, valid, invalid = _emails(_cells(row, plan.get("email", ()), multi=True))
    if valid:
        values["email"] = valid[0]
        if len(valid) > 1:
            values["more_emails"] = "\n".join(valid[1:])
    phones = [p for p in map(clean_phone, _cells(row, plan.get("phone", ()), multi=True)) if p]
    if phones and any(map(not_a_phone, phones)):
        dropped = [p for p in phones if not_a_phone(p)]
        phones = [p for p in phones if not not_a_phone(p)]
        report.warn(line, f"'{dropped[0]}' is not a phone number; the row is kept without it", row)
    if phones:
        values["phone"] = phones[0]
        values["phone_key"] = phone_key(phones[0], reading.region)
        if len(phones) > 1:
            values["more_phones"] = "\n".join(dict.fromkeys(phones[1:]))
    if reading.details:  # a file without such columns pays nothing for them
        _details(row, reading, values, line, report)
    notes = _cells(row, plan["notes"]) if "notes" in plan else ()
    if notes:
        values["notes"] = "\n".join(notes)
    if not (
        values.get("email")
        or values.get("phone")
        or values.get("first_name")
        or values.get("last_name")
        or values.get("company")
        or values.get("customer_no")
    ):
        reason = "no name, e-mail or phone"
        if emails and not valid:  # the invalid address is the reason, not a warning as well
            reason = f"invalid e-mail '{emails[0]}' and no name or phone"
        report.reject(line, reason, row)
        return None
    for bad in invalid:
        report.warn(line, f"'{bad}' is not a valid e-mail address; kept the rest of the row", row)
    if opened.replaced and any("\ufffd" in cell for cell in row):
        report.warn(line, opened.replacement_warning(), row)
    tag_cells = _cells(row, plan["tags"]) if "tags" in plan else []
    if len(tag_cells) == 1:
        tags = split_tags(tag_cells[0])
    else:
        tags = split_tags([tag for cell in tag_cells for tag in split_tags(cell)])
    return Record(values, tags, [line])


def _emails(cells: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(the addresses of these cells, the valid ones without repeats, the invalid ones), in the cells' order."""
    if len(cells) == 1:  # the usual row: one address
        email = clean_email(cells[0])
        if not email:
            return [], [], []
        return ([email], [email], []) if is_valid_email(email) else ([email], [], [email])
    emails = [e for e in map(clean_email, cells) if e]
    invalid = [e for e in emails if not is_valid_email(e)]
    return emails, list(dict.fromkeys(e for e in emails if e not in invalid)), invalid


def _details(
    row: list[str], reading: _Reading, values: dict[str, str | int | float | None], line: int, report: ImportReport
) -> None:
    """Address, important dates, consent, customer number, reported totals and custom columns of a row."""
    plan = reading.plan
    if "address" in plan or "address_part" in plan:
        address = _first_cell(row, plan.get("address", ()))
        if not address:
            address = ", ".join(c.lstrip("'") for c in _cells(row, plan.get("address_part", ())))
        if address:
            values["address"] = "\n".join(part.strip() for part in address.splitlines() if part.strip())
    dates: dict[str, str] = {}
    for name, positions in reading.date_columns:
        for text in _cells(row, positions):
            day = reading.day(text, name)
            if day:
                dates[name] = day
                break
            if text.strip() not in _NO_DATE:
                report.warn(line, f"'{text}' is not a date; the {name} is left out", row)
                break
    if dates:
        values["dates"] = _DATES_JSON(dates)
    for text in _cells(row, plan["consent"]) if "consent" in plan else ():
        consent = reading.consent(text)
        if consent is not None:
            values["consent"] = consent if values.get("consent") is None else min(consent, int(values["consent"] or 0))
    number = _first_cell(row, plan["customer_no"]) if "customer_no" in plan else ""
    if number and number.lower() not in NULL_WORDS and (number := _number_text(number)):  # "'" alone: none
        values["customer_no"] = number
    for name, column, positions in reading.total_columns:
        total = _first_cell(row, positions)
        if total and total.lower() not in NULL_WORDS:
            try:
                amount = reading.parse_amount(total)
            except InvalidInput:
                report.warn(line, f"'{total}' is not a number; the {column.replace('_', ' ')} is left out", row)
                continue
            if amount is not None and amount >= 0:
                values[name] = int(amount) if name == "orders_reported" else amount
    if reading.titles:
        _custom_fields(row, reading.titles, values)


def _custom_fields(row: list[str], titles: dict[int, str], values: dict[str, str | int | float | None]) -> None:
    """The row's custom columns (those kept by their title) that hold a value, as JSON in values['fields']."""
    kept: dict[str, str] = {}
    width = len(row)
    for position, title in titles.items():
        if position < width:
            cell = row[position].strip()
            if cell and cell.lower() not in NULL_WORDS:
                kept[title] = cell
    if kept:
        values["fields"] = _FIELDS_JSON(kept)


def _key(record: Record) -> tuple[str, str] | None:
    email = record.values.get("email")
    if email:
        return ("email", ascii_lower(email))
    number = record.values.get("customer_no")
    if number:
        return ("customer", number)
    phone = record.values.get("phone_key")
    return ("phone", phone) if phone else None


def _import_contacts(
    store: Store,
    path: Path | str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    mapping: ColumnChoices | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportReport:
    """Import a contacts CSV as one batch; a dry run does the same work and rolls it back."""
    source = Path(path)
    with open_table(source, encoding=encoding, delimiter=delimiter, sheet=sheet) as opened:
        header = opened.header
        overrides = resolve_choices(header, mapping, CONTACT_FIELDS, source.name)
        columns = map_columns(header, overrides=overrides, sample=opened.sample[:200])
        if is_order_export(header):  # a shop's orders: its "Name" is the order number (#1001), not a person
            for position, title in enumerate(header):
                if columns.get(position) == "name" and position not in overrides and normalise_header(title) == "name":
                    del columns[position]
        report = ImportReport(
            kind="contacts",
            source=source.name,
            encoding=opened.encoding,
            delimiter=opened.delimiter,
            header=header,
            mapping={header[i]: f for i, f in sorted(columns.items())},
            dry_run=dry_run,
        )
        if not set(columns.values()) & {"email", "phone", "name", "first_name", "last_name", "company"}:
            raise ImportRejected(
                f"No column of {source.name} looks like a name, e-mail or phone (columns: {shown_columns(header)}).",
                ImportHint.MAPPING,
                field="email",
            )
        plan = _plan(columns)
        from tracker.core.importing.interactions import parse_amount  # it imports this module's split_full_name

        sample = opened.sample[:200]
        reading = _Reading(
            plan,
            header,
            store.phone_region(),
            {
                name: yearless_order([row[p] for row in sample for p in plan[name] if p < len(row)])
                for name in ("birthday", "anniversary")
                if name in plan
            },
            parse_amount,
            details=bool(set(plan) & _DETAIL_FIELDS),
        )

        def write(batch_id: int) -> None:
            merged: dict[tuple[str, str], Record] = {}  # this chunk's rows by e-mail, else phone
            apart: dict[tuple[str, str], list[Record]] = {}  # rows sharing a key with clearly different names
            loose: list[Record] = []  # rows with neither
            records: list[Record] = []

            def kept_apart(position: int, other: Fields, values: Fields) -> Fields:
                """A record not merged with `other` (see write_batch): a shared address goes to its notes."""
                line = records[position].lines[0]
                shown = [_who(values), _who(other)]
                email = values.get("email")
                if email:
                    note = f"Shares the e-mail address {email} with {_who(other)}."
                    values = {k: v for k, v in values.items() if k != "email"}
                    values["notes"] = f"{values['notes']}\n{note}" if values.get("notes") else note
                    report.warn(
                        line,
                        f"{shown[0]} and {shown[1]} share the e-mail address {email}; kept as two contacts, "
                        "the address stays with the first and is noted on the second",
                        [*shown, email],
                    )
                else:
                    report.warn(
                        line,
                        f"{shown[0]} shares the phone {values.get('phone')} with {shown[1]} (a different name); "
                        "kept as two contacts",
                        [*shown, values.get("phone", "")],
                    )
                return values

            def flush() -> None:
                records[:] = [*merged.values(), *(r for group in apart.values() for r in group), *loose]
                created, _ = store.contacts.write_batch(
                    [(r.values, r.tags) for r in records],
                    batch_id,
                    default_source=source.name,
                    cleaned=True,
                    keep_apart=clearly_different,
                    kept_apart=kept_apart,
                )
                report.created += created
                merged.clear()
                apart.clear()
                loose.clear()

            pending = 0
            for line, row in opened.rows():
                report.rows += 1
                record = _record_from_row(row, reading, line, report, opened)
                if record is not None:
                    key = _key(record)
                    if key is None:
                        loose.append(record)
                    elif key not in merged:
                        merged[key] = record
                    elif not clearly_different(merged[key].values, record.values):
                        merged[key].merge(record)
                    else:  # the same e-mail or phone, a different person: merges only with someone of its name
                        group = apart.setdefault(key, [])
                        same = next((r for r in group if not clearly_different(r.values, record.values)), None)
                        if same is None:
                            group.append(record)
                            pending += 1
                        else:
                            same.merge(record)
                    if len(merged) + len(loose) + pending >= CHUNK_ROWS:
                        flush()
                        pending = 0
                if report.rows % _PROGRESS_EVERY == 0:
                    if cancelled and cancelled():
                        raise ImportCancelled("Import cancelled; nothing was imported.")
                    if progress:
                        progress(opened.bytes_read, opened.size)
            flush()
            report.updated = report.rows - report.rejected - report.created

        return write_batch(
            store, report, source, write, dry_run=dry_run, progress=progress, cancelled=cancelled, size=opened.size
        )


def import_contacts(store: Store, path: Path | str, **options: Any) -> ImportReport:
    """Import a contacts CSV as one batch; a dry run does the same work and rolls it back.

    Options: encoding, delimiter, sheet (a workbook's, by name or number), mapping (ColumnChoices: {column index
    or title: field}), dry_run, progress(bytes read, file size), cancelled()"""
    with collector_paused():
        return _import_contacts(store, path, **options)
