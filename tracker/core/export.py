"""CSV that Excel opens correctly (UTF-8 BOM, CRLF) with formula injection neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from tracker.core.safe_write import write_whole

#: One layout for each export, whichever front end writes it.
CONTACT_EXPORT_COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "tags",
    "source",
    "level",
    "score",
    "days_since_last",
    "last_engaged",
    "next_follow_up",
    "consent",
)
FOLLOW_UP_EXPORT_COLUMNS = ("name", "email", "phone", "reason", "action", "due", "priority", "level")
INTERACTION_EXPORT_COLUMNS = (
    "contact_email",
    "contact_name",
    "kind",
    "occurred_at",
    "amount",
    "score",
    "channel",
    "note",
)

# OWASP CSV injection: a cell starting with one of these is read by spreadsheets as a formula.
_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """Text of a cell, prefixed with ' when a spreadsheet would run it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    if isinstance(value, bool | int | float):
        return text
    return "'" + text if text.startswith(_DANGEROUS_START) else text


def to_csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """The CSV as text (no BOM), rows neutralised, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        writer.writerow([neutralise(row.get(column)) for column in columns])
    return buffer.getvalue()


def write_csv(
    path: Path | str, columns: Sequence[str], rows: Iterable[Mapping[str, object]], *, database: Path | str | None
) -> int:
    """Write rows to `path` for Excel; return how many were written. The file appears whole or not at all, and
    never over the live `database` (None when in memory), its backups or anything not a regular file."""
    materialised = list(rows)
    data = to_csv_text(columns, materialised).encode("utf-8-sig")
    write_whole(path, lambda handle: handle.write(data), database=database)
    return len(materialised)
