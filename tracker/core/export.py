"""CSV that Excel opens correctly (UTF-8 BOM, CRLF) with formula injection neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from tracker.core.errors import InvalidInput

# OWASP CSV injection: a cell starting with one of these is read by spreadsheets as a formula.
_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """Text of a cell, prefixed with ' when a spreadsheet would run it as a formula."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    if isinstance(value, bool | int | float):
        return text
    return "'" + text if text.startswith(_DANGEROUS_START) else text


def to_csv_text(columns: Sequence[str], rows: Iterable[dict]) -> str:
    """The CSV as text (no BOM), rows neutralised, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        writer.writerow([neutralise(row.get(column)) for column in columns])
    return buffer.getvalue()


def write_csv(path: Path | str, columns: Sequence[str], rows: Iterable[dict]) -> int:
    """Write rows to `path` for Excel; return how many were written. The file appears whole or not at all."""
    target = Path(path)
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder; give a file name to export to.")
    materialised = list(rows)
    text = to_csv_text(columns, materialised)
    temporary = target.with_name(target.name + ".part")
    try:
        with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
            handle.write(text)
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InvalidInput(f"Cannot write {target}: {exc.strerror or exc}.") from None
    return len(materialised)
