"""Importing a file, undoing an import and restoring a backup, as operations: each returns an OpResult (what
changed, the ids, one sentence) that the command line and the window show alike.

None of them carries an UndoRecord (`undo` is None): an import is taken back with `undo_import` (the import's
batch id is its result's `ids`), an import's undo and a restore each take a safety backup first, and a restore is
taken back by restoring the backup it took (`RestoreResult.before`). What each front end needs beyond the sentence
is on the result: the ImportReport of an import, the counts of an undo, the backup taken before a restore.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.core.backups import Backup
from tracker.core.errors import InvalidInput
from tracker.core.importing import ImportReport, import_contacts, import_interactions
from tracker.core.models import Changes
from tracker.core.operations.result import OpResult
from tracker.core.store import Store
from tracker.core.store.imports import UndoPreview

if TYPE_CHECKING:
    from tracker.core.importing.imap import MailAccount

__all__ = [
    "KINDS",
    "ImportResult",
    "RestoreResult",
    "UndoImportResult",
    "UndoPreview",
    "import_calendar",
    "import_file",
    "import_imap",
    "import_mail",
    "restore",
    "undo_import",
    "undo_preview",
]

KINDS = ("contacts", "interactions")
_IMPORTED = {
    "contacts": Changes(contacts=True),
    "interactions": Changes(contacts=True, interactions=True),  # unknown e-mails become contacts
}
_UNDONE = Changes(contacts=True, interactions=True, follow_ups=True)
_EVERYTHING = Changes(contacts=True, interactions=True, follow_ups=True, kinds=True, settings=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportResult(OpResult):
    """An import's OpResult with its report (counts, problems, rejected rows to save)."""

    report: ImportReport


@dataclass(frozen=True, slots=True, kw_only=True)
class UndoImportResult(OpResult):
    """An undo's OpResult with what it removed and put back (`UndoPreview.to_dict()`'s keys, as `--json` prints)."""

    counts: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class RestoreResult(OpResult):
    """A restore's OpResult with the backup of the state before it (None for a database without backups) and the
    number of contacts now."""

    before: Backup | None
    contacts: int


def import_file(store: Store, path: Path | str, kind: str, **options: Any) -> ImportResult:
    """Import a contacts or interactions CSV as one batch (`import_contacts` / `import_interactions` and their
    options: encoding, delimiter, mapping, dry_run, progress, cancelled; date_format and default_kind for
    interactions). ids: (the batch id,), none for a dry run, which changes nothing."""
    if kind not in KINDS:
        raise InvalidInput(f"Import kind must be one of {', '.join(KINDS)}, not {kind!r}.")
    importer = import_contacts if kind == "contacts" else import_interactions
    report = importer(store, path, **options)
    if report.batch_id is None:
        return ImportResult(Changes(), (), report.summary(), report=report)
    return ImportResult(_IMPORTED[kind], (report.batch_id,), report.summary(), report=report)


def import_calendar(store: Store, path: Path | str, *, until: date, **options: Any) -> ImportResult:
    """Import an .ics calendar's meetings with contacts as one batch (`importing.calendar.import_calendar` and its
    options: me, add_unknown, zone, dry_run, progress, cancelled); `until` is the caller's today. ids: (the batch
    id,), none for a dry run."""
    from tracker.core.importing.calendar import import_calendar as read_calendar  # icalendar: only when used

    report = read_calendar(store, path, until=until, **options)
    if report.batch_id is None:
        return ImportResult(Changes(), (), report.summary(), report=report)
    changes = Changes(contacts=bool(report.contacts_created), interactions=True, settings=True)  # mail_me kept
    return ImportResult(changes, (report.batch_id,), report.summary(), report=report)


def import_mail(store: Store, paths: Sequence[Path | str], **options: Any) -> ImportResult:
    """Import mailboxes (.mbox), .eml and .msg files and folders of them as one batch of interactions
    (`importing.mail.import_mail` and its options: me, add_unknown, dry_run, progress, cancelled); the report is a
    MailReport (messages, interactions, skipped by reason, the owner's addresses used). ids: (the batch id,), none
    for a dry run."""
    from tracker.core.importing.mail import import_mail as read_mail

    report = read_mail(store, paths, **options)
    if report.batch_id is None:
        return ImportResult(Changes(), (), report.summary(), report=report)
    changes = Changes(contacts=bool(report.contacts_created), interactions=True, follow_ups=True, settings=True)
    return ImportResult(changes, (report.batch_id,), report.summary(), report=report)


def import_imap(store: Store, account: MailAccount, password: str | Callable[[], str], **options: Any) -> ImportResult:
    """Import what arrived in a live mailbox's folders since the last time, read-only over TLS, as one batch of
    interactions (`importing.imap.import_imap` and its options: folders, me, add_unknown, dry_run, context, cafile,
    logged_in, progress, cancelled); `password` may be a function, asked once the server is reached. The report
    is an ImapReport (a MailReport with each folder's UIDs and count). ids: (the batch id,), none for a dry run or
    when nothing was new."""
    from tracker.core.importing.imap import import_imap as read_imap

    report = read_imap(store, account, password, **options)
    if report.batch_id is None:
        return ImportResult(Changes(), (), report.summary(), report=report)
    changes = Changes(contacts=bool(report.contacts_created), interactions=True, follow_ups=True, settings=True)
    return ImportResult(changes, (report.batch_id,), report.summary(), report=report)


def undo_preview(store: Store, batch_id: int) -> UndoPreview:
    """What undoing the import would remove and put back, work done since included (to ask before `undo_import`);
    refuses, in a sentence, a batch that does not exist or was undone already, or a file that cannot be written."""
    return store.imports.undo_preview(batch_id)


def undo_import(
    store: Store, batch_id: int, *, agreed: UndoPreview | None = None, force: bool = False
) -> UndoImportResult:
    """Undo one import (after a safety backup): remove what it created, put back what it changed. When work done
    since would go too it is refused (UndoWouldRemoveLaterWork, the preview's sentence, nothing changed) unless
    `force` or `agreed` is the preview the user agreed to and that is still exactly what would go."""
    counts, changes = store.imports.undo(batch_id, accept=agreed, force=force)
    return UndoImportResult(changes | _UNDONE, (batch_id,), _undone_summary(batch_id, counts), counts=counts)


def _undone_summary(batch_id: int, counts: dict[str, Any]) -> str:
    """'Undid import 3: removed 2 contacts, 0 interactions and 0 follow-ups, restored 1 contact (this included work
    done since: …).'"""
    later = UndoPreview.from_dict(counts).later_phrase()
    return (
        f"Undid import {batch_id}: removed {_count(counts['contacts_removed'], 'contact')}, "
        f"{_count(counts['interactions_removed'], 'interaction')} and "
        f"{_count(counts['follow_ups_removed'], 'follow-up')}, "
        f"restored {_count(counts['contacts_restored'], 'contact')}"
        + (f" (this included work done since: {later})." if later else ".")
    )


def restore(store: Store, id_or_path: str) -> RestoreResult:
    """Replace the database's content with a backup's (by id or path), after backing up the present state; refuses,
    with nothing changed, anything but a sound Tracker database this version can open."""
    source = store.backups.find(id_or_path) if store.backups is not None else Path(id_or_path)
    before = store.restore(str(source))
    contacts = store.contacts.count()
    saved = f" The state before was backed up as {before.id}." if before else ""
    summary = f"Restored {source.name}: {contacts} contacts.{saved}"
    return RestoreResult(_EVERYTHING, (), summary, before=before, contacts=contacts)


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}" if number == 1 else f"{number:,} {word}s"
