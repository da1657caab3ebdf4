"""Turning a file's bytes into rows: encoding, delimiter, preamble lines and the header row."""

from __future__ import annotations

import codecs
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from tracker.core.errors import ImportRejected

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_LINES = 60
_BINARY_MAGIC = {
    b"PK\x03\x04": "a ZIP archive or an Excel .xlsx workbook (in Excel: File → Save As → CSV, then import that)",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook (in Excel: File → Save As → CSV, then import that)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"SQLite format 3": "an SQLite database",
}


@dataclass(slots=True)
class Table:
    """A CSV read into memory: header, data rows (with their 1-based line numbers) and how it was read."""

    header: list[str]
    rows: list[list[str]]
    line_numbers: list[int]
    encoding: str
    delimiter: str
    header_line: int = 1
    has_nul: bool = False


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Return (text, encoding name); BOM first, then strict UTF-8, UTF-16 by NUL pattern, then legacy pages."""
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ImportRejected(f"'{encoding}' is not an encoding Python knows.") from None
        try:
            return data.decode(codec).lstrip("\ufeff"), codec
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                f"The file is not valid {codec} (byte {exc.start}); try another --encoding."
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    sample = data[:4096]
    if len(sample) >= 4:
        even_nuls = sample[0::2].count(0) / max(1, len(sample[0::2]))
        odd_nuls = sample[1::2].count(0) / max(1, len(sample[1::2]))
        if odd_nuls > 0.3 and even_nuls < 0.05:
            return data.decode("utf-16-le", errors="replace"), "utf-16-le"
        if even_nuls > 0.3 and odd_nuls < 0.05:
            return data.decode("utf-16-be", errors="replace"), "utf-16-be"
    from tracker.core.importing.columns import header_recognition
    from tracker.core.importing.encodings import guess_legacy

    return guess_legacy(data, header_recognition)


def _reject_binary(data: bytes, name: str) -> None:
    if not data.strip():
        raise ImportRejected(f"{name} is empty; there is nothing to import.")
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise ImportRejected(f"{name} is {what}, not a CSV file. Nothing was imported.")
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    nuls = head.count(0)
    # UTF-16 without a BOM has NULs in every other byte; anything else this dense in controls is binary.
    utf16_like = nuls > len(head) * 0.3 and (head[0::2].count(0) < 3 or head[1::2].count(0) < 3)
    if not utf16_like and controls > max(8, len(head) * 0.1):
        raise ImportRejected(f"{name} is not a text file (it looks binary); nothing was imported.")


def sniff_delimiter(lines: list[str]) -> str:
    """The candidate that splits the sample into the most consistent number (>1) of fields."""
    best, best_score = ",", -1.0
    text = "\n".join(lines)
    for candidate in DELIMITERS:
        widths = [len(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=candidate) if row]
        if not widths:
            continue
        modal = max(set(widths), key=widths.count)
        if modal < 2:
            continue
        consistency = widths.count(modal) / len(widths)
        score = consistency * 10 + min(modal, 50) / 50
        if score > best_score:
            best, best_score = candidate, score
    return best


def _find_header(rows: list[tuple[int, list[str]]], modal: int) -> int:
    """Index of the header row among the first ten: the one naming most known columns, else the first wide one.

    Excel's `sep=` line, LinkedIn's `Notes:` paragraph and report titles come before the real header.
    """
    from tracker.core.importing.columns import header_score

    candidates = rows[:10]
    scores = [max(header_score(r), header_score(r, interactions=True)) for _, r in candidates]
    if scores and max(scores) > 0:
        return scores.index(max(scores))
    for position, (_, row) in enumerate(candidates):
        if sum(1 for cell in row if cell.strip()) >= min(2, modal):
            return position
    return 0


def read_table(
    path: Path | str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Table:
    """Read a CSV file the way a person would expect, or raise ImportRejected with the reason."""
    source = Path(path)
    name = source.name
    if source.is_dir():
        raise ImportRejected(f"{source} is a folder, not a CSV file.")
    try:
        data = source.read_bytes()
    except FileNotFoundError:
        raise ImportRejected(f"There is no file {source}.") from None
    except OSError as exc:
        raise ImportRejected(f"Cannot read {source}: {exc.strerror or exc}.") from None
    _reject_binary(data, name)
    text, used = decode(data, encoding)
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    skip = 0
    if lines and lines[0].strip().lower().startswith("sep=") and len(lines[0].strip()) <= 6:
        delimiter = delimiter or lines[0].strip()[4:5] or ","
        skip = 1
    if delimiter:
        delimiter = {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1:
            raise ImportRejected(f"The delimiter must be one character, not '{delimiter}'.")
    else:
        delimiter = sniff_delimiter([ln for ln in lines[skip : skip + _SAMPLE_LINES] if ln.strip()])
    body = "\n".join(lines[skip:]) if skip else text
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
    all_rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            all_rows.append((reader.line_num + skip, row))
    except csv.Error as exc:
        raise ImportRejected(f"{name} cannot be read as CSV (line {reader.line_num + skip}: {exc}).") from None
    rows = [(n, r) for n, r in all_rows if "".join(r).strip()]
    if not rows:
        raise ImportRejected(f"{name} has no rows; there is nothing to import.")
    widths = [len(r) for _, r in rows[:_SAMPLE_LINES]]
    modal = max(set(widths), key=widths.count)
    start = _find_header(rows, modal)
    header_line, header = rows[start]
    while header and not header[-1].strip():
        header = header[:-1]
    header = [cell.strip().lstrip("\ufeff") for cell in header]
    data_rows = rows[start + 1 :]
    return Table(
        header=header,
        rows=[r for _, r in data_rows],
        line_numbers=[n for n, _ in data_rows],
        encoding=used,
        delimiter=delimiter,
        header_line=header_line,
        has_nul="\x00" in text,
    )
