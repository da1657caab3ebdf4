"""The contacts export (CSV for Excel) of given contacts, streamed from the store a page at a time, so the window
and the CLI write the same file and neither holds every row of a large database at once."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import BinaryIO

from tracker.core.errors import TrackerError
from tracker.core.export import CONTACT_EXPORT_COLUMNS, neutralise
from tracker.core.models import ContactRow
from tracker.core.safe_write import write_whole
from tracker.core.store import Store

__all__ = ["CHUNK", "ExportCancelled", "export_contacts"]

Progress = Callable[[int, int], object]
Cancelled = Callable[[], bool]

#: Contacts read per query: small enough to keep memory flat, large enough that 100k take 50 queries.
CHUNK = 2_000


def _phone(row: ContactRow) -> str:
    """The phone as ContactRow.to_dict gives it: E.164 where its country is known, else as written."""
    key = row.contact.phone_key
    return key if key and key.startswith("+") else row.contact.phone


# Each column's value as ContactRow.to_dict gives it, read straight from the row: to_dict copies the whole contact
# (dataclasses.asdict), two thirds of an export's time. A column without a reader here fails at import.
_CELL_OF: dict[str, Callable[[ContactRow], object]] = {
    "first_name": lambda row: row.contact.first_name,
    "last_name": lambda row: row.contact.last_name,
    "email": lambda row: row.contact.email,
    "phone": _phone,
    "company": lambda row: row.contact.company,
    "tags": lambda row: row.contact.tags,
    "source": lambda row: row.contact.source,
    "level": lambda row: row.engagement.level.label,
    "score": lambda row: row.engagement.score,
    "days_since_last": lambda row: row.engagement.days_since,
    "last_engaged": lambda row: row.engagement.last_engaged,
    "next_follow_up": lambda row: row.next_follow_up,
    "consent": lambda row: row.contact.consent,
}
_CELLS = tuple(_CELL_OF[column] for column in CONTACT_EXPORT_COLUMNS)


class ExportCancelled(TrackerError):
    """The user cancelled an export; no file was written or replaced."""


def export_contacts(
    store: Store,
    path: Path | str,
    contact_ids: Sequence[int],
    as_of: date,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    chunk: int = CHUNK,
) -> int:
    """Write the contacts `contact_ids`, in that order, with their engagement as of `as_of`, to `path` as a CSV
    for Excel (CONTACT_EXPORT_COLUMNS, cells neutralised); return how many were written.

    The file appears whole or not at all (safe_write); ids no longer in the store are left out. `progress(done,
    total)` is called after each page; when `cancelled()` turns true the export stops with ExportCancelled and
    leaves nothing behind."""
    store.require_owner("Exporting contacts")  # on a team database, an owner's work (staff may read them)
    total = len(contact_ids)
    written = 0

    def write(handle: BinaryIO) -> None:
        nonlocal written
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")  # the BOM Excel needs, once
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([neutralise(c) for c in CONTACT_EXPORT_COLUMNS])
        if progress is not None:
            progress(0, total)
        settings = store.settings()
        for start in range(0, total, chunk):
            if cancelled is not None and cancelled():
                raise ExportCancelled("Export cancelled; no file was written.")
            page = contact_ids[start : start + chunk]
            rows = store.engagement.contact_rows(as_of, settings, contact_ids=list(page))
            by_id = {row.engagement.contact_id: row for row in rows}
            for contact_id in page:
                row = by_id.get(contact_id)
                if row is None:
                    continue
                writer.writerow([neutralise(cell(row)) for cell in _CELLS])
                written += 1
            if progress is not None:
                progress(min(start + chunk, total), total)
        if cancelled is not None and cancelled():
            raise ExportCancelled("Export cancelled; no file was written.")
        text.flush()
        text.detach()  # the handle stays open for safe_write to sync and close

    with store.reading():  # every page from one state of the file, whatever the window writes meanwhile
        write_whole(path, write, database=store.path)
    return written
