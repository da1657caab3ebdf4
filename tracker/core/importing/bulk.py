"""What every import shares: one transaction per batch (rolled back for a dry run or a cancel), and pausing
Python's cyclic garbage collector while millions of small rows are built."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker.core.errors import ImportCancelled
from tracker.core.importing.report import Cancelled, ImportReport, Progress
from tracker.core.store import Store


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def write_batch(
    store: Store,
    report: ImportReport,
    source: Path,
    write: Callable[[int], None],
    *,
    dry_run: bool,
    progress: Progress | None,
    cancelled: Cancelled | None,
    size: int,
) -> ImportReport:
    """Run `write(batch_id)` in one transaction with the batch record; a dry run or a cancel rolls it all back.

    `write` reads the file in chunks and writes each as it goes (never committing in between: the batch lands
    whole or not at all, and undo removes it whole); it fills in the report's counts, which the batch keeps.
    `size` is the file's, for the last progress call (bytes read of the file's size).
    """
    if not dry_run:
        store.safety_backup(f"before import {report.kind}")
    try:
        with store.transaction():
            report.batch_id = store.imports.begin(report.kind, str(source))
            write(report.batch_id)
            if cancelled and cancelled():
                raise ImportCancelled("Import cancelled; nothing was imported.")
            store.imports.finish(report.batch_id, report.counts())
            if dry_run:
                raise _DryRun
    except _DryRun:
        report.batch_id = None
    if progress:
        progress(size, size)
    return report


@contextmanager
def collector_paused() -> Iterator[None]:
    """Rows are lists of strings (no cycles), yet each 700 allocations trigger a scan of all of them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
