"""Undoing an import, as the import wizard's report page and Edit → Import history… both say it: the question asked
first (what the undo removes, and the work done since that goes with it) and the sentence reporting what it removed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from tracker.core.operations import imports as import_ops
from tracker.core.operations.imports import UndoImportResult, UndoPreview
from tracker.core.store import Store
from tracker.ui.import_parts import plural
from tracker.ui.jobs import Job, job_for, start


def confirm_undo(parent: QWidget, preview: UndoPreview) -> bool:
    """Ask before undoing the import `preview` describes (plain text: counts, no markup). With work done since, the
    question opens with that work; the default answer is No."""
    parts = [plural(preview.contacts_removed, "contact"), plural(preview.interactions_removed, "interaction")]
    if preview.follow_ups_removed:
        parts.append(plural(preview.follow_ups_removed, "follow-up"))
    restored = (
        f", and {plural(preview.contacts_restored, 'contact')} it had updated are put back as they were"
        if preview.contacts_restored
        else ""
    )
    removed = f"{', '.join(parts[:-1])} and {parts[-1]} are removed{restored}"
    if preview.later_work:
        text = f"{preview.warning()}.\n\nIn all, {removed}. "
        question = "Undo the import anyway?"
    else:
        text = f"Undoing import {preview.batch_id}: {removed}. "
        question = "Undo the import?"
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Undo import",
        text + f"A backup is taken first (File → Backups…).\n\n{question}",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return QMessageBox.StandardButton(box.exec()) == QMessageBox.StandardButton.Yes


def undone_sentence(result: UndoImportResult | dict) -> str:
    """What an undo removed and restored (`undo_import`'s result, or its counts), with the work done since."""
    if isinstance(result, UndoImportResult):
        result = result.counts
    removed = [plural(result["contacts_removed"], "contact") + " removed"]
    if result["contacts_restored"]:
        removed.append(plural(result["contacts_restored"], "contact") + " restored")
    if result["interactions_removed"]:
        removed.append(plural(result["interactions_removed"], "interaction") + " removed")
    if result["follow_ups_removed"]:
        removed.append(plural(result["follow_ups_removed"], "follow-up") + " removed")
    later = UndoPreview.from_dict(result).later_phrase()
    return f"Import undone: {', '.join(removed)}." + (f" This included work done since: {later}." if later else "")


def start_undo(
    store: Store,
    batch_id: int,
    agreed: UndoPreview,
    *,
    succeeded: Callable[[UndoImportResult], None],
    failed: Callable[[str], None],
    finished: Callable[[], None],
) -> Job:
    """Undo import `batch_id` on a worker with a Store of its own; `agreed` is the preview the user said yes to, so
    more work done since meanwhile is refused in a sentence (`failed`). `finished` comes last either way."""
    job = job_for(store, lambda worker_store, **_: import_ops.undo_import(worker_store, batch_id, agreed=agreed))
    job.signals.succeeded.connect(succeeded)
    job.signals.failed.connect(failed)
    job.signals.finished.connect(finished)
    return start(job)
