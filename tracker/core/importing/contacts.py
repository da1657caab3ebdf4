"""Importing contacts: map columns, clean values, merge duplicates by e-mail then phone, in one transaction.

The file is read as a stream and written a chunk at a time: rows of one chunk that name the same person are merged
in memory, and each chunk merges into the contacts already stored (those of earlier chunks included) by SQL."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tracker.core.errors import ImportCancelled, ImportRejected
from tracker.core.importing.bulk import collector_paused, write_batch
from tracker.core.importing.columns import (
    CONTACT_FIELDS,
    MULTI_VALUE,
    map_columns,
    not_a_phone,
    parse_overrides,
    shown_columns,
)
from tracker.core.importing.reading import CsvFile, open_csv
from tracker.core.importing.report import Cancelled, ImportReport, Progress
from tracker.core.normalize import ascii_lower, clean_email, clean_phone, is_valid_email, phone_key, split_tags
from tracker.core.store import Store

_PROGRESS_EVERY = 2000
CHUNK_ROWS = 10_000  # contacts written per chunk


@dataclass(slots=True)
class Record:
    """One contact to write, possibly built from several rows of the file."""

    values: dict[str, str]
    tags: tuple[str, ...] = ()
    lines: list[int] = field(default_factory=list)

    def merge(self, other: Record) -> None:
        """Fill empty fields from `other`; never replace a value with an empty one."""
        for key, value in other.values.items():
            if value and not self.values.get(key):
                self.values[key] = value
        self.tags = split_tags([*self.tags, *other.tags])
        self.lines.extend(other.lines)


_PARTICLES = {
    "de",
    "da",
    "di",
    "del",
    "della",
    "der",
    "den",
    "des",
    "dos",
    "du",
    "la",
    "le",
    "van",
    "von",
    "ter",
    "ten",
    "bin",
    "al",
    "el",
    "st.",
    "mac",
}


def _is_cjk(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7a3" for ch in text)


def split_full_name(full: str) -> tuple[str, str]:
    """Split a full name into (first, last) the way its culture writes it; one word stays whole.

    'Marta Nowak' → ('Marta', 'Nowak'); 'Kowalska, Marta' → ('Marta', 'Kowalska'); 'Jan de Vries' →
    ('Jan', 'de Vries'); '佐藤 花子' → ('花子', '佐藤') (family name first); '王伟' stays whole.
    """
    text = " ".join(full.split())
    if "," in text:
        last, _, first = text.partition(",")
        return first.strip(), last.strip()
    words = text.split(" ")
    if len(words) == 1:
        return text, ""
    if _is_cjk(text):
        return " ".join(words[1:]), words[0]
    for position in range(1, len(words) - 1):
        if words[position].lower() in _PARTICLES:
            return " ".join(words[:position]), " ".join(words[position:])
    return " ".join(words[:-1]), words[-1]


def _plan(mapping: dict[int, str]) -> dict[str, tuple[int, ...]]:
    """For each field, the columns holding it in file order (worked out once per file, not per row)."""
    plan: dict[str, list[int]] = defaultdict(list)
    for position, field_name in sorted(mapping.items()):
        plan[field_name].append(position)
    return {name: tuple(positions) for name, positions in plan.items()}


def _cells(row: list[str], positions: tuple[int, ...], multi: bool = False) -> list[str]:
    out = []
    width = len(row)
    for position in positions:
        if position < width:
            cell = row[position].strip()
            if cell:
                if multi and MULTI_VALUE.strip() in cell:  # Google joins several values with ' ::: '
                    out.extend(part.strip() for part in cell.split(MULTI_VALUE.strip()) if part.strip())
                else:
                    out.append(cell)
    return out


def _record_from_row(
    row: list[str], plan: dict[str, tuple[int, ...]], line: int, report: ImportReport, opened: CsvFile
) -> Record | None:
    if opened.has_nul and any("\x00" in cell for cell in row):
        report.reject(line, "the row contains NUL bytes (damaged data); fix it in the file and import again", row)
        return None
    values: dict[str, str] = {}
    for key in ("first_name", "last_name", "company", "source"):
        if key in plan:
            found = _cells(row, plan[key])
            if found:
                values[key] = found[0]
    if "name" in plan and not (values.get("first_name") or values.get("last_name")):
        found = _cells(row, plan["name"])
        if found:
            values["first_name"], values["last_name"] = split_full_name(found[0])
    notes: list[str] = []
    emails = [e for e in map(clean_email, _cells(row, plan.get("email", ()), multi=True)) if e]
    valid = [e for e in emails if is_valid_email(e)]
    if valid:
        values["email"] = valid[0]
        if len(valid) > 1:
            notes.append("Other e-mails: " + ", ".join(valid[1:]))
    phones = [p for p in map(clean_phone, _cells(row, plan.get("phone", ()), multi=True)) if p]
    if phones and any(map(not_a_phone, phones)):
        dropped = [p for p in phones if not_a_phone(p)]
        phones = [p for p in phones if not not_a_phone(p)]
        report.warn(line, f"'{dropped[0]}' is not a phone number; the row is kept without it", row)
    if phones:
        values["phone"] = phones[0]
        values["phone_key"] = phone_key(phones[0])
        if len(phones) > 1:
            notes.append("Other phones: " + ", ".join(phones[1:]))
    notes.extend(_cells(row, plan.get("notes", ())))
    if notes:
        values["notes"] = "\n".join(notes)
    if not (
        values.get("email")
        or values.get("phone")
        or values.get("first_name")
        or values.get("last_name")
        or values.get("company")
    ):
        reason = "no name, e-mail or phone"
        if emails and not valid:  # the invalid address is the reason, not a warning as well
            reason = f"invalid e-mail '{emails[0]}' and no name or phone"
        report.reject(line, reason, row)
        return None
    for bad in (e for e in emails if not is_valid_email(e)):
        report.warn(line, f"'{bad}' is not a valid e-mail address; kept the rest of the row", row)
    if opened.replaced and any("\ufffd" in cell for cell in row):
        report.warn(line, opened.replacement_warning(), row)
    tag_cells = _cells(row, plan.get("tags", ()))
    if len(tag_cells) == 1:
        tags = split_tags(tag_cells[0])
    else:
        tags = split_tags([tag for cell in tag_cells for tag in split_tags(cell)])
    return Record(values, tags, [line])


def _key(record: Record) -> tuple[str, str] | None:
    email = record.values.get("email")
    if email:
        return ("email", ascii_lower(email))
    phone = record.values.get("phone_key")
    return ("phone", phone) if phone else None


def _import_contacts(
    store: Store,
    path: Path | str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    mapping: list[str] | tuple[str, ...] = (),
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportReport:
    """Import a contacts CSV as one batch; a dry run does the same work and rolls it back."""
    source = Path(path)
    with open_csv(source, encoding=encoding, delimiter=delimiter) as opened:
        header = opened.header
        columns = map_columns(header, overrides=parse_overrides(mapping, CONTACT_FIELDS), sample=opened.sample[:200])
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
                f"No column of {source.name} looks like a name, e-mail or phone (columns: "
                f"{shown_columns(header)}); say which with --map 'Column=email'."
            )
        plan = _plan(columns)

        def write(batch_id: int) -> None:
            merged: dict[tuple[str, str], Record] = {}  # this chunk's rows by e-mail, else phone
            loose: list[Record] = []  # rows with neither

            def flush() -> None:
                records = [*merged.values(), *loose]
                created, _ = store.contacts.write_batch(
                    [(r.values, r.tags) for r in records], batch_id, default_source=source.name, cleaned=True
                )
                report.created += created
                merged.clear()
                loose.clear()

            for line, row in opened.rows():
                report.rows += 1
                record = _record_from_row(row, plan, line, report, opened)
                if record is not None:
                    key = _key(record)
                    if key is None:
                        loose.append(record)
                    elif key in merged:
                        merged[key].merge(record)
                    else:
                        merged[key] = record
                    if len(merged) + len(loose) >= CHUNK_ROWS:
                        flush()
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


def import_contacts(store: Store, path: Path | str, **options) -> ImportReport:
    """Import a contacts CSV as one batch; a dry run does the same work and rolls it back.

    Options: encoding, delimiter, mapping (["Column=field"]), dry_run, progress(bytes read, file size),
    cancelled()"""
    with collector_paused():
        return _import_contacts(store, path, **options)
