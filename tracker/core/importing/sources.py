"""Opening any file Tracker imports as a table, by what its bytes are rather than by its name.

A ZIP archive is an Excel workbook when it holds `[Content_Types].xml` and `xl/`, a LibreOffice spreadsheet when its
`mimetype` says so, and otherwise an archive of CSV files (a Mailchimp export); an OLE2 file is an old Excel .xls
workbook; a file starting with BEGIN:VCARD (after a BOM or blank lines, in UTF-8, UTF-16 or a code page) is a vCard
file; anything else is read as CSV. Each reader answers `TableSource`, so the importers and the preview use them alike.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath
from typing import IO

from tracker.core.errors import ImportRejected
from tracker.core.importing.archive import MAX_PARTS, check_sizes, damaged, open_zip_table, usable_members
from tracker.core.importing.reading import PEEK_ROWS, open_csv, open_regular
from tracker.core.importing.table_source import TableSource
from tracker.core.importing.vcard import looks_like_vcard, open_vcard

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOKS = ("xlsx", "xlsb", "xls", "ods")
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream a password-protected Office file keeps its data in
_ODS = "application/vnd.oasis.opendocument.spreadsheet"


def shown_name(text: str, limit: int = 40) -> str:
    """A name the user typed, as quoted in a message: one line, cut short."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def detect_format(path: Path | str) -> str:
    """ "csv", "vcard", "xlsx", "xlsb", "xls", "ods" or "zip" from the file's first bytes (and a ZIP's list of
    files), or ImportRejected for an archive that cannot be read, a password-protected workbook, or a document that
    is not a table."""
    source = Path(path)
    with open_regular(source) as handle:
        try:
            head = handle.read(4096)
        except OSError as exc:
            raise ImportRejected(f"Cannot read {source}: {exc.strerror or exc}.") from None
        if head.startswith(ZIP_MAGIC):
            return _zip_format(handle, source.name)
        if head.startswith(OLE_MAGIC) and _ENCRYPTED in head + handle.read(1 << 20):
            raise ImportRejected(
                f"{source.name} is password-protected; open it in Excel, remove the password (File → Info → "
                "Protect Workbook), save it and import that."
            )
    if head.startswith(OLE_MAGIC):
        return "xls"
    if looks_like_vcard(head):
        return "vcard"
    return "csv"


def _zip_format(handle: IO[bytes], name: str) -> str:
    try:
        with zipfile.ZipFile(handle) as archive:
            names = {info.filename.replace("\\", "/") for info in archive.infolist()}  # some writers use \\
            if "[Content_Types].xml" in names:
                for folder, what in (("word/", "a Word document"), ("ppt/", "a PowerPoint presentation")):
                    if any(n.startswith(folder) for n in names):
                        raise ImportRejected(f"{name} is {what}, not a table of contacts. Nothing was imported.")
                check_sizes(usable_members(archive), name, MAX_PARTS)  # a workbook, whatever its parts are called
                return "xlsb" if "xl/workbook.bin" in names else "xlsx"
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    kind = member.read(100).decode("ascii", "replace").strip()
                if kind == _ODS:
                    check_sizes(usable_members(archive), name, MAX_PARTS)
                    return "ods"
                if kind.startswith("application/vnd.oasis.opendocument"):
                    what = kind.rsplit(".", 1)[-1]
                    raise ImportRejected(f"{name} is an OpenDocument {what}, not a spreadsheet; nothing was imported.")
            if any(PurePosixPath(n).suffix.lower() in (".vcf", ".xlsx", ".ods") for n in names):
                held = ", ".join(sorted(PurePosixPath(n).name for n in names)[:4])
                raise ImportRejected(
                    f"{name} is a ZIP archive of {held}; unpack it and import those files one at a time."
                )
            return "zip"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise damaged(name, str(exc)[:80]) from None


def open_table(
    path: Path | str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    peek_rows: int = PEEK_ROWS,
) -> TableSource:
    """Open a CSV, vCard, workbook or ZIP of CSV files for streaming as a table, or raise ImportRejected with the
    reason (one sentence). `sheet` chooses a workbook's sheet (by name, or number from 1; default: the first);
    `encoding` applies to CSV and vCard text, `delimiter` to CSV."""
    source = Path(path)
    kind = detect_format(source)
    if sheet is not None and kind not in WORKBOOKS:
        raise ImportRejected(f"{source.name} is not a workbook, so it has no sheet '{shown_name(sheet)}' to choose.")
    if kind in WORKBOOKS:
        from tracker.core.importing.spreadsheet import open_sheet  # loads calamine only for workbooks

        return open_sheet(source, kind, sheet=sheet, peek_rows=peek_rows)
    if kind == "zip":
        return open_zip_table(source, encoding=encoding, delimiter=delimiter, peek_rows=peek_rows)
    if kind == "vcard":
        return open_vcard(source, encoding=encoding, peek_rows=peek_rows)
    return open_csv(source, encoding=encoding, delimiter=delimiter, peek_rows=peek_rows)
