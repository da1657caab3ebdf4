"""Turning a file's bytes into rows: encoding, delimiter, preamble lines and the header row.

A file is never read whole. How to read it (encoding, delimiter, preamble, header) is decided from a bounded sample
of its first bytes; then `CsvFile.rows()` decodes and parses it as the rows are asked for, so an import holds one
chunk of rows at a time whatever the file's size. Only regular files are read: a FIFO would block, a device such as
/dev/zero never ends.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import stat
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tracker.core.errors import ImportHint, ImportRejected
from tracker.core.store.connection import is_open_database

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 1 << 20  # what the encoding, delimiter and header are decided from
PEEK_ROWS = 2000  # data rows read ahead: column recognition reads 200, the day/month order 2,000
_SCAN_BYTES = 1 << 20  # the UTF-8 check reads the rest of the file in pieces this big
_WINDOW_BYTES = 1 << 15  # bytes either side of the first non-UTF-8 byte added to the code page sample
_SAMPLE_LINES = 60
_BINARY_MAGIC = {
    b"PK\x03\x04": "a ZIP archive or an Excel .xlsx workbook (in Excel: File → Save As → CSV, then import that)",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook (in Excel: File → Save As → CSV, then import that)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"SQLite format 3": "an SQLite database",
}

_replacements = [0]  # bytes replaced by U+FFFD so far (in any file): a row's U+FFFD may be one of them


def _count_and_replace(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _replacements[0] += 1
    return "\ufffd", exc.end


codecs.register_error("tracker-replace", _count_and_replace)


def replacement_count() -> int:
    """Bytes replaced by U+FFFD so far, in any file (a reader compares it with the count when it opened)."""
    return _replacements[0]


@dataclass(slots=True)
class Table:
    """The first rows of a file (for a preview): header, data rows with their 1-based line numbers, how it was read.

    `total_rows` is the number of data rows when the whole file was counted, else None (see `estimated_rows`).
    `format` is "csv", "vcard", "xlsx", "xls", "ods" or "zip"; a workbook's `sheets` and the `sheet` read."""

    header: list[str]
    rows: list[list[str]]
    line_numbers: list[int]
    encoding: str
    delimiter: str
    header_line: int = 1
    has_nul: bool = False
    total_rows: int | None = None
    size: int = 0
    rows_bytes: int = 0  # what `rows` take in the file, about (their cells joined, encoded)
    format: str = "csv"
    sheets: tuple[str, ...] = ()
    sheet: str | None = None

    @property
    def estimated_rows(self) -> int:
        """The number of data rows: counted, or else the file's size over the size of the rows read."""
        if self.total_rows is not None:
            return self.total_rows
        return round(len(self.rows) * self.size / max(self.rows_bytes, 1))


@dataclass(frozen=True, slots=True)
class Decoding:
    """How a file's bytes become text: `name` as reported, `codec` as decoded, and what a bad byte does."""

    name: str
    codec: str
    errors: str  # "strict" for an encoding the user named, "tracker-replace" (U+FFFD) for one Tracker guessed


def refuse_special(source: Path, mode: int) -> None:
    """Raise ImportRejected unless `mode` is a regular file's."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise ImportRejected(f"{source} is a folder, not a CSV file.")
    what = (
        "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a file"
    )
    raise ImportRejected(f"{source} is not a regular file but {what}; save the data to a file and import that.")


def open_regular(source: Path) -> io.BufferedReader:
    """Open a regular file for reading; anything else is refused before it is opened (and checked again after,
    without blocking, should it have been swapped in between)."""
    if is_open_database(source):  # reading it with open() would drop this process's SQLite locks on close
        raise ImportRejected(f"{source} is a Tracker database, not a CSV file. Nothing was imported.")
    try:
        refuse_special(source, os.stat(source).st_mode)
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise ImportRejected(f"There is no file {source}.") from None
    except OSError as exc:
        raise ImportRejected(f"Cannot read {source}: {exc.strerror or exc}.") from None
    except ValueError:  # a NUL in the name
        raise ImportRejected(f"{source!r} is not a file name this system can open.") from None
    try:
        refuse_special(source, os.fstat(fd).st_mode)
    except BaseException:
        os.close(fd)
        raise
    return open(fd, "rb")  # the caller closes it


def _reject_binary(data: bytes, name: str, whole: bool) -> None:
    if whole and not data.strip():
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


def _peek(handle: IO[bytes]) -> bytes:
    """The next byte of `handle` without moving on (any seekable binary stream)."""
    peek = getattr(handle, "peek", None)
    if peek is not None:
        return bytes(peek(1)[:1])
    where = handle.tell()
    byte = handle.read(1)
    handle.seek(where)
    return byte


def decode_sample(data: bytes, codec: str, errors: str = "strict", *, final: bool = True) -> str:
    """Decode a sample that may end inside a character (unless `final`): the incomplete tail is left out."""
    return codecs.getincrementaldecoder(codec)(errors).decode(data, final)


def _given_encoding(encoding: str, head: bytes, whole: bool) -> Decoding:
    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError, TypeError):
        raise ImportRejected(f"'{encoding}' is not an encoding Python knows.", ImportHint.ENCODING) from None
    if not getattr(info, "_is_text_encoding", True):
        raise ImportRejected(
            f"'{encoding}' is not a text encoding (it turns bytes into bytes, not letters).", ImportHint.ENCODING
        )
    codec = info.name
    try:
        decode_sample(head, codec, final=whole)
    except UnicodeDecodeError as exc:
        raise ImportRejected(f"The file is not valid {codec} (byte {exc.start}).", ImportHint.ENCODING) from None
    except (UnicodeError, ValueError, TypeError, LookupError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ImportRejected(f"The file cannot be read as {codec} ({reason}).", ImportHint.ENCODING) from None
    return Decoding(codec, codec, "strict")


def first_non_utf8(handle: IO[bytes], head: bytes, whole: bool) -> int | None:
    """Offset of the first byte that is not UTF-8 (reading on past `head` in pieces), or None for a UTF-8 file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, piece = 0, head
    while True:
        final = whole or not piece
        try:
            decoder.decode(piece, final)
        except UnicodeDecodeError as exc:
            return max(0, offset + exc.start - _pending(decoder))
        if final:
            return None
        offset += len(piece)
        piece = handle.read(_SCAN_BYTES)


def _pending(decoder: codecs.IncrementalDecoder) -> int:
    """Bytes an incremental decoder holds back from the last piece (the start of a character cut in two)."""
    try:
        return len(decoder.getstate()[0])
    except (AttributeError, TypeError, IndexError):
        return 0


def _cut_at_newline(data: bytes) -> bytes:
    end = data.rfind(b"\n")
    return data[: end + 1] if end > 0 else data


def legacy_sample(handle: IO[bytes], head: bytes, whole: bool, bad: int | None) -> tuple[bytes, bool]:
    """The bytes a legacy code page is guessed from, and whether they are the whole file: the first bytes cut at a
    line end, and the lines from the first byte that is not UTF-8 when it lies further on. Only the sample's last
    character may be cut short."""
    if whole:
        return head, True
    sample = _cut_at_newline(head)
    if bad is not None and bad >= len(sample):
        begin = max(0, bad - _WINDOW_BYTES)
        handle.seek(begin)
        window = handle.read(2 * _WINDOW_BYTES)
        if begin:  # from the start of the bad byte's line, or from the bad byte: never inside a character
            line_start = window.rfind(b"\n", 0, bad - begin)
            window = window[line_start + 1 if line_start >= 0 else bad - begin :]
        sample += b"\n" + _cut_at_newline(window)
    return sample, False


def guess_encoding(handle: IO[bytes], head: bytes, whole: bool) -> Decoding:
    """BOM first, then UTF-16 by NUL pattern, UTF-8 (the whole file checked, in pieces), then legacy pages.

    A guess decodes with U+FFFD for bytes it cannot read (rows holding one get a warning)."""
    if head.startswith(codecs.BOM_UTF8):
        return Decoding("utf-8-sig", "utf-8-sig", "tracker-replace")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoding("utf-16", "utf-16", "tracker-replace")
    # UTF-16 without a BOM before UTF-8: its ASCII letters with a NUL each are valid UTF-8 too
    sample = head[:4096]
    if len(sample) >= 4:
        even_nuls = sample[0::2].count(0) / max(1, len(sample[0::2]))
        odd_nuls = sample[1::2].count(0) / max(1, len(sample[1::2]))
        if odd_nuls > 0.3 and even_nuls < 0.05:
            return Decoding("utf-16-le", "utf-16-le", "tracker-replace")
        if even_nuls > 0.3 and odd_nuls < 0.05:
            return Decoding("utf-16-be", "utf-16-be", "tracker-replace")
    bad = first_non_utf8(handle, head, whole)
    if bad is None:
        return Decoding("utf-8", "utf-8", "tracker-replace")
    from tracker.core.importing.columns import header_recognition
    from tracker.core.importing.encodings import guess_legacy

    data, complete = legacy_sample(handle, head, whole, bad)
    name = guess_legacy(data, header_recognition, complete=complete)
    return Decoding(name, name, "tracker-replace")


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


#: The header row among a file's first rows (for readers of other formats: the same rule as a CSV's).
find_header_row = _find_header


class CsvFile:
    """A CSV file opened for reading as a stream; use as a context manager.

    On opening, the encoding, delimiter and header are decided from the first bytes and up to `peek_rows` data rows
    are read ahead (`sample`); `rows()` then yields every data row, those first, as (line number, cells), reading
    the file as it goes. Blank rows are skipped.
    """

    format = "csv"
    sheets: tuple[str, ...] = ()
    sheet: str | None = None
    total_rows: int | None = None

    def __init__(
        self,
        path: Path | str,
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
        peek_rows: int = PEEK_ROWS,
        stream: IO[bytes] | None = None,
        size: int = 0,
    ):
        """`stream` (with its `size`): read that seekable stream instead of opening `path`, which then only names
        it (a member of a ZIP archive: `path` is 'archive.zip/member.csv'); the stream is closed with this file."""
        self.path = Path(path)
        self.name = self.path.name
        self._binary: IO[bytes] = open_regular(self.path) if stream is None else stream
        self._stream = stream is not None
        try:
            self._open(encoding, delimiter, peek_rows, size)
        except BaseException:
            self.close()
            raise

    def _open(self, encoding: str | None, delimiter: str | None, peek_rows: int, size: int) -> None:
        binary = self._binary
        self.size = size if self._stream else os.fstat(binary.fileno()).st_size
        try:
            head = binary.read(SAMPLE_BYTES)
            whole = len(head) < SAMPLE_BYTES or not _peek(binary)
        except OSError as exc:
            raise ImportRejected(f"Cannot read {self.path}: {exc.strerror or exc}.") from None
        _reject_binary(head, self.name, whole)
        self.decoding = _given_encoding(encoding, head, whole) if encoding else guess_encoding(binary, head, whole)
        self.encoding = self.decoding.name
        sample = decode_sample(head, self.decoding.codec, self.decoding.errors, final=whole).lstrip("\ufeff")
        lines = sample.splitlines()
        if not whole and len(lines) > 1:
            lines.pop()  # perhaps cut short
        self._skip = 0
        if lines and lines[0].strip().lower().startswith("sep=") and len(lines[0].strip()) <= 6:
            delimiter = delimiter or lines[0].strip()[4:5] or ","
            self._skip = 1
        if delimiter:
            delimiter = {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(delimiter, delimiter)
            if len(delimiter) != 1:
                raise ImportRejected(f"The delimiter must be one character, not '{delimiter}'.")
        else:
            delimiter = sniff_delimiter([ln for ln in lines[self._skip : self._skip + _SAMPLE_LINES] if ln.strip()])
        self.delimiter = delimiter
        self.has_nul = False
        self._replaced_before = _replacements[0]
        binary.seek(0)
        self._text = io.TextIOWrapper(binary, encoding=self.decoding.codec, errors=self.decoding.errors, newline="")
        self._reader = csv.reader(self._lines(), delimiter=delimiter)
        self._parsed = self._parse()
        first: list[tuple[int, list[str]]] = []
        for numbered in self._parsed:
            first.append(numbered)
            if len(first) >= _SAMPLE_LINES:
                break
        if not first:
            raise ImportRejected(f"{self.name} has no rows; there is nothing to import.")
        widths = [len(r) for _, r in first]
        start = _find_header(first, max(set(widths), key=widths.count))
        self.header_line, header = first[start]
        while header and not header[-1].strip():
            header = header[:-1]
        self.header = [cell.strip().lstrip("\ufeff") for cell in header]
        self._ahead = deque(first[start + 1 :])
        for numbered in self._parsed:
            self._ahead.append(numbered)
            if len(self._ahead) >= peek_rows:
                break
        self.sample = [row for _, row in self._ahead]

    def _lines(self) -> Iterator[str]:
        lines = iter(self._text)
        if self._skip:
            next(lines, None)
        first = next(lines, None)
        if first is None:
            return
        first = first.lstrip("\ufeff")
        if "\x00" in first:
            self.has_nul = True
        yield first
        for line in lines:
            if "\x00" in line:
                self.has_nul = True
            yield line

    def _parse(self) -> Iterator[tuple[int, list[str]]]:
        reader, skip = self._reader, self._skip
        try:
            for row in reader:
                if (row and row[0].strip()) or "".join(row).strip():  # blank lines are not rows
                    yield reader.line_num + skip, row
        except csv.Error as exc:
            raise ImportRejected(f"{self.name} cannot be read as CSV (line {reader.line_num + skip}: {exc}).") from None
        except UnicodeDecodeError:
            line = self._line_of_bad_byte()
            raise ImportRejected(
                f"The file is not valid {self.encoding} at line {line:,}.", ImportHint.ENCODING
            ) from None
        except (UnicodeError, ValueError, LookupError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ImportRejected(
                f"The file cannot be read as {self.encoding} (near line {reader.line_num + skip + 1:,}: {reason}).",
                ImportHint.ENCODING,
            ) from None
        except OSError as exc:
            raise ImportRejected(f"Cannot read {self.path}: {exc.strerror or exc}.") from None

    def _line_of_bad_byte(self) -> int:
        """The line holding the first byte the encoding cannot read (the text layer decodes ahead of the rows)."""
        binary, codec = self._binary, self.decoding.codec
        binary.seek(0)
        decoder = codecs.getincrementaldecoder(codec)("strict")
        line = 1
        while piece := binary.read(_SCAN_BYTES):
            try:
                text = decoder.decode(piece)
            except UnicodeDecodeError as exc:
                text = piece[: max(0, exc.start - _pending(decoder))].decode(codec, errors="ignore")
                return line + text.count("\n") + text.count("\r") - text.count("\r\n")
            line += text.count("\n") + text.count("\r") - text.count("\r\n")
        return line

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every data row after the header as (line number, cells), read from the file as they are asked for."""
        ahead = self._ahead
        while ahead:
            yield ahead.popleft()
        yield from self._parsed

    @property
    def bytes_read(self) -> int:
        """How far into the file reading has got (for progress: bytes read of `size`)."""
        try:
            if self._stream:
                return min(self._binary.tell(), self.size)
            return min(os.lseek(self._binary.fileno(), 0, os.SEEK_CUR), self.size)
        except (OSError, ValueError):
            return self.size

    @property
    def replaced(self) -> bool:
        """True once a byte the guessed encoding cannot read was replaced by U+FFFD (cheap; check rows after)."""
        return _replacements[0] != self._replaced_before

    def replacement_warning(self) -> str:
        return (
            f"bytes that are not valid {self.encoding} were replaced with \ufffd; if letters look wrong, "
            "import again with another encoding"
        )

    def rows_bytes(self, rows: list[list[str]]) -> int:
        """About what `rows` take in the file: their cells joined and encoded."""
        return sum(len(self.delimiter.join(row).encode(self.decoding.codec, "replace")) + 1 for row in rows)

    def close(self) -> None:
        self._binary.close()

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_csv(
    path: Path | str, *, encoding: str | None = None, delimiter: str | None = None, peek_rows: int = PEEK_ROWS
) -> CsvFile:
    """Open a CSV file for streaming, or raise ImportRejected with the reason (one sentence)."""
    return CsvFile(path, encoding=encoding, delimiter=delimiter, peek_rows=peek_rows)


def read_table(
    path: Path | str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    limit: int = PEEK_ROWS,
    count_up_to: int = 0,
    sheet: str | None = None,
) -> Table:
    """The header and first `limit` data rows of a file (CSV, vCard, workbook or ZIP of CSV files: see
    `sources.open_table`), read the way a person would expect, or raise ImportRejected with the reason. A file of at
    most `count_up_to` bytes is read to the end to count its rows."""
    from tracker.core.importing.sources import open_table  # it imports this module

    with open_table(path, encoding=encoding, delimiter=delimiter, sheet=sheet, peek_rows=limit) as opened:
        rows: list[list[str]] = []
        lines: list[int] = []
        total: int | None = None  # None: not read to the end
        counted = 0
        for counted, (line, row) in enumerate(opened.rows(), 1):  # noqa: B007 (read after the loop)
            if len(rows) < limit:
                rows.append(row)
                lines.append(line)
            elif opened.size > count_up_to:
                break
        else:
            total = counted
        if total is None:
            total = opened.total_rows
        rows_bytes = 0 if total is not None else opened.rows_bytes(rows)
        return Table(
            header=opened.header,
            rows=rows,
            line_numbers=lines,
            encoding=opened.encoding,
            delimiter=opened.delimiter,
            header_line=opened.header_line,
            has_nul=opened.has_nul,
            total_rows=total,
            size=opened.size,
            rows_bytes=rows_bytes,
            format=opened.format,
            sheets=opened.sheets,
            sheet=opened.sheet,
        )


def encoding_sample(path: Path | str) -> bytes:
    """The bytes Tracker guesses a legacy code page from (for showing the runners-up), never the whole file."""
    with open_regular(Path(path)) as handle:
        head = handle.read(SAMPLE_BYTES)
        whole = len(head) < SAMPLE_BYTES or not handle.peek(1)
        bad = first_non_utf8(handle, head, whole)
        return legacy_sample(handle, head, whole, bad)[0]
