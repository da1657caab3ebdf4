"""Reading a ZIP of CSV files as one table: a Mailchimp audience export, or CSV files with the same columns.

Mailchimp exports an audience as a ZIP of `subscribed_members_export_….csv`, `unsubscribed_members_export_….csv` and
`cleaned_members_export_….csv`, whose columns differ a little (the unsubscribed file adds UNSUB_TIME…). They are read
as one table with every file's columns and a `Mailchimp Status` column (subscribed, unsubscribed or cleaned, from the
file's name), so consent is kept. Other CSV files are read as one table only when their columns are the same.

Nothing is extracted to disk: each member is streamed out of the archive by the CSV reader. An archive that would
unpack to more than MAX_UNPACKED bytes, or whose members are compressed suspiciously well (a zip bomb), is refused
before anything is read; the declared sizes bound what is read, as zipfile stops at them and checks the CRC.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from tracker.core.errors import ImportRejected
from tracker.core.importing.columns import normalise_header
from tracker.core.importing.reading import PEEK_ROWS, CsvFile, open_regular

MAX_UNPACKED = 1 << 30  # bytes an archive may unpack to, all members together
MAX_RATIO = 500  # uncompressed over compressed size beyond which a member (over 1 MB) is taken for a zip bomb
MAX_MEMBERS = 100  # CSV files read from one archive
MAX_PARTS = 20_000  # files a workbook's archive may hold (sheets, drawings, images…)
STATUS_COLUMN = "Mailchimp Status"
_MAILCHIMP = re.compile(r"^(subscribed|unsubscribed|cleaned|pending|archived|transactional)[_ -]", re.IGNORECASE)
_STATUS_ORDER = ("subscribed", "unsubscribed", "cleaned", "pending", "archived", "transactional")
_CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


def damaged(name: str, detail: str = "") -> ImportRejected:
    """The one sentence for a ZIP archive that cannot be read."""
    why = f" ({detail})" if detail else ""
    return ImportRejected(
        f"{name} is a ZIP archive (such as an Excel .xlsx workbook) that cannot be read{why}: it may be damaged or "
        "incomplete. Nothing was imported."
    )


def check_sizes(infos: list[zipfile.ZipInfo], name: str, most: int = MAX_MEMBERS) -> None:
    """Refuse `infos` (an archive's files to read) when there are more than `most`, when they would unpack to too
    much, or when one is compressed like a zip bomb (deflate packs at most about 1000 to 1; real files far less)."""
    if len(infos) > most:
        raise ImportRejected(f"{name} holds {len(infos):,} files; Tracker reads at most {most:,} from an archive.")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED:
        raise ImportRejected(
            f"{name} would unpack to {total / 2**30:.1f} GB, more than Tracker reads from an archive "
            f"({MAX_UNPACKED / 2**30:.0f} GB); unpack it and import its files one at a time."
        )
    for info in infos:
        if info.file_size > (1 << 20) and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportRejected(
                f"{name} is compressed {info.file_size // max(info.compress_size, 1):,} to 1 ({info.filename}), "
                "which only a zip bomb is; nothing was imported."
            )
        if info.flag_bits & 0x1:
            raise ImportRejected(f"{name} is password-protected ({info.filename}); nothing was imported.")


def usable_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The archive's files, less folders and what macOS and Windows add (__MACOSX/, .DS_Store, Thumbs.db)."""
    out = []
    for info in archive.infolist():
        path = PurePosixPath(info.filename)
        if info.is_dir() or "__MACOSX" in path.parts or path.name.startswith(".") or path.name == "Thumbs.db":
            continue
        out.append(info)
    return out


class ZipTable:
    """The CSV files of a ZIP archive read as one table (see the module's docstring); a context manager.

    Line numbers are those within each member file (its rows keep the status column that tells which it is)."""

    format = "zip"
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
    ):
        self.path = Path(path)
        self.name = self.path.name
        self._binary = open_regular(self.path)
        self._members: list[CsvFile] = []
        try:
            self._open(encoding, delimiter, peek_rows)
        except BaseException:
            self.close()
            raise

    def _open(self, encoding: str | None, delimiter: str | None, peek_rows: int) -> None:
        self.size = os.fstat(self._binary.fileno()).st_size
        try:
            self._zip = zipfile.ZipFile(self._binary)
            infos = usable_members(self._zip)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise damaged(self.name, str(exc)[:80]) from None
        tables = [i for i in infos if i.filename.lower().endswith(_CSV_SUFFIXES)]
        if not tables:
            held = ", ".join(PurePosixPath(i.filename).name for i in infos[:6]) or "nothing"
            raise ImportRejected(
                f"{self.name} is a ZIP archive without a CSV file (it holds {held}"
                f"{', …' if len(infos) > 6 else ''}); Tracker reads Mailchimp exports and archives of CSV files."
            )
        check_sizes(tables, self.name)
        statuses = [_status(info) for info in tables]
        self.mailchimp = all(statuses)
        if self.mailchimp:
            order = sorted(range(len(tables)), key=lambda i: (_STATUS_ORDER.index(statuses[i] or ""), i))
            tables = [tables[i] for i in order]
            statuses = [statuses[i] for i in order]
        self._statuses = statuses
        self._unpacked = sum(info.file_size for info in tables) or 1
        for info in tables:
            self._members.append(self._member(info, encoding, delimiter, peek_rows))
        headers = [member.header for member in self._members]
        if not self.mailchimp and len({_shape(h) for h in headers}) > 1:
            names = ", ".join(PurePosixPath(i.filename).name for i in tables[:6])
            raise ImportRejected(
                f"{self.name} holds CSV files with different columns ({names}); unpack it and import them one at "
                "a time. Nothing was imported."
            )
        self.header, self._layouts = _union(headers)
        if self.mailchimp:
            self.header.append(STATUS_COLUMN)
        first = self._members[0]
        self.header_line = first.header_line
        encodings = list(dict.fromkeys(member.encoding for member in self._members))
        self.encoding = encodings[0] if len(encodings) == 1 else ", ".join(encodings)
        self.delimiter = first.delimiter
        self._rows = self._all_rows()
        self._ahead: list[tuple[int, list[str]]] = []
        for numbered in self._rows:
            self._ahead.append(numbered)
            if len(self._ahead) >= peek_rows:
                break
        self.sample = [row for _, row in self._ahead]

    def _member(self, info: zipfile.ZipInfo, encoding: str | None, delimiter: str | None, peek: int) -> CsvFile:
        shown = self.path / PurePosixPath(info.filename).name
        try:
            stream: IO[bytes] = self._zip.open(info)
        except _READ_ERRORS as exc:
            raise damaged(self.name, f"{info.filename}: {exc}"[:100]) from None
        try:
            return CsvFile(shown, encoding=encoding, delimiter=delimiter, peek_rows=peek, stream=stream,
                           size=info.file_size)  # fmt: skip
        except _READ_ERRORS as exc:
            raise damaged(self.name, f"{info.filename}: {exc}"[:100]) from None

    def _all_rows(self) -> Iterator[tuple[int, list[str]]]:
        width = len(self.header) - (1 if self.mailchimp else 0)
        for member, layout, status in zip(self._members, self._layouts, self._statuses, strict=True):
            try:
                if layout is None and not self.mailchimp:
                    yield from member.rows()
                    continue
                for line, row in member.rows():
                    out = [""] * width
                    for position, cell in enumerate(row):
                        target = layout[position] if layout is not None and position < len(layout) else position
                        if target < width:
                            out[target] = cell
                        elif cell.strip():
                            out.append(cell)
                    if status:
                        out = [*out[:width], *[""] * (width - len(out)), status, *out[width:]]
                    yield line, out
            except _READ_ERRORS as exc:
                raise damaged(self.name, f"{member.name}: {exc}"[:100]) from None

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every data row of every member, in turn, as (line number in its file, cells under the joint header)."""
        ahead = self._ahead
        ahead.reverse()
        while ahead:
            yield ahead.pop()
        yield from self._rows

    @property
    def has_nul(self) -> bool:
        return any(member.has_nul for member in self._members)

    @property
    def bytes_read(self) -> int:
        done = sum(member.bytes_read for member in self._members)
        return min(self.size, self.size * done // self._unpacked)

    @property
    def replaced(self) -> bool:
        return any(member.replaced for member in self._members)

    def replacement_warning(self) -> str:
        return self._members[0].replacement_warning()

    def rows_bytes(self, rows: list[list[str]]) -> int:
        """About what `rows` take in the archive: their share of its size, as unpacked bytes over packed."""
        unpacked = self._members[0].rows_bytes(rows)
        return max(1, unpacked * self.size // self._unpacked)

    def close(self) -> None:
        for member in self._members:
            member.close()
        self._binary.close()

    def __enter__(self) -> ZipTable:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _status(info: zipfile.ZipInfo) -> str | None:
    found = _MAILCHIMP.match(PurePosixPath(info.filename).name)
    return found.group(1).lower() if found else None


def _keys(header: list[str]) -> list[tuple[str, int]]:
    """Each title with its occurrence (a Mailchimp export repeats a column: both are kept)."""
    seen: dict[str, int] = {}
    out = []
    for title in header:
        key = normalise_header(title)
        seen[key] = seen.get(key, 0) + 1
        out.append((key, seen[key]))
    return out


def _shape(header: list[str]) -> frozenset[tuple[str, int]]:
    return frozenset(_keys(header))


def _union(headers: list[list[str]]) -> tuple[list[str], list[list[int] | None]]:
    """Every member's columns in one header (the first's, then new ones as met), and where each member's columns
    go in it (None: the first's own order)."""
    joint = list(headers[0])
    where = {key: position for position, key in enumerate(_keys(joint))}
    layouts: list[list[int] | None] = [None]
    for header in headers[1:]:
        layout = []
        for title, key in zip(header, _keys(header), strict=True):
            if key not in where:
                where[key] = len(joint)
                joint.append(title)
            layout.append(where[key])
        layouts.append(None if layout == list(range(len(joint))) else layout)
    return joint, layouts


def open_zip_table(
    path: Path | str, *, encoding: str | None = None, delimiter: str | None = None, peek_rows: int = PEEK_ROWS
) -> ZipTable:
    """Open a ZIP of CSV files as one table, or raise ImportRejected with the reason (one sentence)."""
    return ZipTable(path, encoding=encoding, delimiter=delimiter, peek_rows=peek_rows)
