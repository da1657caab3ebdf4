"""Reading workbooks (Excel .xlsx and old .xls, LibreOffice .ods) as a table, with python-calamine.

One sheet is read: the first visible worksheet, or the one asked for by name (or by its number, from 1). Cells become
the text a CSV export of the sheet would hold: whole numbers without `.0` (a phone stored as the number
447700900004 reads `447700900004`), other numbers without float noise, dates and times as ISO text, TRUE/FALSE.
Empty rows are skipped; the header row is found as in a CSV (title rows above it are passed over), and each row's
line number is its row number in the sheet. calamine reads the sheet whole, so the row count is known at once.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, SheetMetadata, SheetTypeEnum, SheetVisibleEnum

from tracker.core.errors import ImportRejected
from tracker.core.importing.columns import shown_columns
from tracker.core.importing.reading import PEEK_ROWS, find_header_row, open_regular

_FIRST_ROWS = 60  # rows the header is looked for in, as for a CSV
_KIND = {
    "xlsx": "an Excel workbook",
    "xlsb": "an Excel workbook",
    "xls": "an Excel workbook",
    "ods": "a LibreOffice spreadsheet",
}

Cell = int | float | str | bool | time | date | datetime | timedelta


def cell_text(value: Cell) -> str:
    """A cell as the text a CSV export of it would hold."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return format(value, ".15g")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)  # a duration


def _float_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return format(value, ".15g")


def _datetime_text(value: datetime) -> str:
    if value.hour or value.minute or value.second or value.microsecond:
        return value.isoformat(sep=" ", timespec="seconds")
    return value.date().isoformat()


#: cell_text by the cell's exact type, looked up once per cell (a workbook's cells are mostly these)
_BY_TYPE: dict[type, Callable[[Any], str]] = {
    float: _float_text,
    int: str,
    bool: lambda value: "TRUE" if value else "FALSE",
    datetime: _datetime_text,
    date: date.isoformat,
    time: time.isoformat,
}


class SheetFile:
    """One sheet of a workbook opened for importing as a table; a context manager."""

    delimiter = ""
    replaced = False

    def __init__(self, path: Path | str, kind: str, *, sheet: str | None = None, peek_rows: int = PEEK_ROWS):
        self.path = Path(path)
        self.name = self.path.name
        self.format = kind
        self.encoding = kind
        with open_regular(self.path) as handle:
            self.size = os.fstat(handle.fileno()).st_size
            try:
                workbook = CalamineWorkbook.from_filelike(handle)
            except (CalamineError, ValueError, OSError) as exc:
                if kind == "xls":
                    raise ImportRejected(
                        f"{self.name} is an old Excel .xls workbook that cannot be read ({_reason(exc)}); in Excel: "
                        "File → Save As → CSV, then import that."
                    ) from None
                raise ImportRejected(
                    f"{self.name} cannot be read as {_KIND[kind]} ({_reason(exc)}); it may be damaged or "
                    "password-protected. Nothing was imported."
                ) from None
        with workbook:
            metadata = workbook.sheets_metadata
            self.sheets = tuple(m.name for m in metadata)
            if not self.sheets:
                raise ImportRejected(f"{self.name} has no sheets; there is nothing to import.")
            # the sheet asked for; else the first visible worksheet that holds anything (a blank cover sheet or an
            # emptied first sheet is passed over)
            candidates = [self._choose(sheet)] if sheet is not None else self._defaults(metadata)
            for name in candidates:
                rows = self._read_sheet(workbook, name)
                if rows:
                    break
            else:
                if sheet is None and len(candidates) > 1:
                    raise ImportRejected(f"Every sheet of {self.name} is empty; there is nothing to import.")
                raise ImportRejected(f"Sheet '{name}' of {self.name} is empty; there is nothing to import.")
            self.sheet: str | None = name
        first = rows[:_FIRST_ROWS]
        widths = [len(r) for _, r in first]
        start = find_header_row(first, max(set(widths), key=widths.count))
        self.header_line, header = first[start]
        self.header = [cell.strip().lstrip("\ufeff") for cell in header]
        self._rows = deque(rows[start + 1 :])
        self.total_rows = len(self._rows)
        self.sample = [row for _, row in list(self._rows)[:peek_rows]]
        self._taken = 0

    def _read_sheet(self, workbook: CalamineWorkbook, name: str) -> list[tuple[int, list[str]]]:
        """The sheet's rows that hold anything, as (row number, cells as text)."""
        try:
            cells = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except (CalamineError, ValueError, OSError) as exc:
            raise ImportRejected(
                f"Sheet '{name}' of {self.name} cannot be read ({_reason(exc)}). Nothing was imported."
            ) from None
        rows: list[tuple[int, list[str]]] = []
        self.has_nul = False  # a damaged file's text with NULs in it: the importers reject those rows
        for number, values in enumerate(cells, 1):
            row = [v if type(v) is str else _BY_TYPE.get(type(v), cell_text)(v) for v in values]
            if not self.has_nul and "\x00" in "".join(row):
                self.has_nul = True
            while row and not row[-1].strip():
                row.pop()
            if row and any(cell.strip() for cell in row):
                rows.append((number, row))
        return rows

    @staticmethod
    def _defaults(metadata: list[SheetMetadata]) -> list[str]:
        """The sheets to try when none is asked for: visible worksheets in order, else every sheet."""
        shown = [m.name for m in metadata if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible]
        return shown or [m.name for m in metadata]

    def _choose(self, wanted: str) -> str:
        if wanted in self.sheets:
            return wanted
        folded = [s for s in self.sheets if s.casefold() == wanted.strip().casefold()]
        if folded:
            return folded[0]
        if wanted.strip().isdigit() and 1 <= int(wanted) <= len(self.sheets):
            return self.sheets[int(wanted) - 1]
        shown = " ".join(wanted.split())[:40]
        raise ImportRejected(f"{self.name} has no sheet '{shown}' (sheets: {shown_columns(list(self.sheets))}).")

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every data row after the header as (row number in the sheet, cells)."""
        rows = self._rows
        while rows:
            self._taken += 1
            yield rows.popleft()

    @property
    def bytes_read(self) -> int:
        """Progress as a share of the file's size: the rows handed out of all."""
        return self.size * self._taken // max(self.total_rows or 1, 1)

    def replacement_warning(self) -> str:
        return ""

    def rows_bytes(self, rows: list[list[str]]) -> int:
        return sum(len(",".join(row).encode("utf-8")) + 1 for row in rows)

    def close(self) -> None:
        self._rows.clear()

    def __enter__(self) -> SheetFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0].strip() if str(exc) else type(exc).__name__
    return text[:120].rstrip(".")


def open_sheet(path: Path | str, kind: str, *, sheet: str | None = None, peek_rows: int = PEEK_ROWS) -> SheetFile:
    """Open a sheet of a workbook (`kind`: "xlsx", "xls" or "ods") as a table, or raise ImportRejected."""
    return SheetFile(path, kind, sheet=sheet, peek_rows=peek_rows)
