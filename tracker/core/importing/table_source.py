"""What every file Tracker imports is read as: a table with a header and numbered rows, whatever its format.

A CSV file (`reading.CsvFile`), a vCard file (`vcard.VCardFile`), a workbook (`spreadsheet.SheetFile`) and a
Mailchimp-style ZIP of CSV files (`archive.ZipTable`) all answer `TableSource`, so the importers, the preview and the
report treat them alike. A row the reader could not make sense of (a damaged vCard card) is yielded as an
`UnreadableRow`: its cells are what the file held there and `reason` says why, for the importer to reject it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, Self


class UnreadableRow(list[str]):
    """A row the reader could not read as data; the importers reject it with `reason` (one clause, no full stop)."""

    __slots__ = ("reason",)

    def __init__(self, cells: list[str], reason: str):
        super().__init__(cells)
        self.reason = reason


class TableSource(Protocol):
    """A file opened for importing: decided how to read on opening, then streamed with `rows()`; a context manager.

    `format` is "csv", "vcard", "xlsx", "xlsb", "xls", "ods" or "zip"; `sheets` the workbook's sheet names (empty
    for other formats) and `sheet` the one read. `encoding` and `delimiter` are the CSV's (a workbook's are its
    format and "").
    `total_rows` is the number of data rows when known without reading on (a workbook), else None.
    """

    @property
    def name(self) -> str: ...
    @property
    def format(self) -> str: ...
    @property
    def header(self) -> list[str]: ...
    @property
    def header_line(self) -> int: ...
    @property
    def sample(self) -> list[list[str]]: ...
    @property
    def encoding(self) -> str: ...
    @property
    def delimiter(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def has_nul(self) -> bool: ...
    @property
    def sheets(self) -> tuple[str, ...]: ...
    @property
    def sheet(self) -> str | None: ...
    @property
    def total_rows(self) -> int | None: ...

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every data row after the header as (line number, cells), the sample's first."""
        ...

    @property
    def bytes_read(self) -> int:
        """How far reading has got, in bytes of `size` (for progress)."""
        ...

    @property
    def replaced(self) -> bool:
        """True once a byte the guessed encoding cannot read was replaced by U+FFFD."""
        ...

    def replacement_warning(self) -> str: ...

    def rows_bytes(self, rows: list[list[str]]) -> int:
        """About how many bytes of the file the first `len(rows)` data rows take (to estimate the number of rows)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...
