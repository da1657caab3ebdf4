"""Importing the owner's mail (.mbox, .eml, .msg files and folders of them) as interactions: one batch, undoable,
re-importable without adding anything twice.

A message from a contact becomes an `email_reply`, one the owner wrote a `contacted` for each contact it went to,
the subject as the note; bodies are never read into the database. The files are read once: each message's headers
go to a temporary spool file while the senders are counted (the owner is the most frequent one, unless the user or
an earlier import said), then the spool is classified and written a chunk at a time in the batch's transaction.

Counts: `rows` are the messages read; `created` the messages that made at least one interaction; `skipped` the
others by reason, so messages = interactions + sum(skipped) always holds. `interactions_created` counts the rows
(one message to three contacts makes three)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.core.dates import iso_moment, now_iso
from tracker.core.errors import ImportCancelled, InvalidInput
from tracker.core.importing.bulk import collector_paused, write_batch
from tracker.core.importing.mail_messages import MailFiles, MailMessage
from tracker.core.importing.mail_rules import (
    ALREADY,
    NOT_A_CONTACT,
    UNREADABLE,
    Blocklist,
    Owner,
    SenderCount,
    Verdict,
    classify,
    key,
    person_name,
    source_key,
)
from tracker.core.importing.names import split_full_name
from tracker.core.importing.report import Cancelled, ImportReport, Progress
from tracker.core.normalize import is_valid_email
from tracker.core.store import Store
from tracker.core.store.messages import ids_for_addresses, owner_addresses, remember_owner_addresses
from tracker.core.store.table import rows_in
from tracker.core.store.text_settings import MAIL_BLOCKLIST, read_list

CHUNK_MESSAGES = 5000  # messages classified and written at a time
_PROGRESS_EVERY = 2000
_INSERT = (
    "INSERT INTO interactions (contact_id, kind_id, occurred_at, channel, note, import_id, created_at, source_key) "
    "VALUES (?, ?, ?, 'email', ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)


@dataclass(slots=True)
class MailReport(ImportReport):
    """An ImportReport whose rows are messages and `created` the messages that made interactions (see the module's
    docstring); with the interaction rows made and the owner's addresses the import went by."""

    interactions_created: int = 0
    me: list[str] = field(default_factory=list)

    @property
    def messages(self) -> int:
        return self.rows

    @property
    def interactions(self) -> int:
        return self.created

    def counts(self) -> dict[str, int]:
        return {**ImportReport.counts(self), "interactions_created": self.interactions_created}

    def summary(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        text = (
            f"{verb} {self.rows:,} messages from {self.source}: {self.created:,} became interactions "
            f"({self.interactions_created:,} rows)"
        )
        text += self.skipped_text()
        if self.contacts_created:
            text += f"; {self.contacts_created:,} new contacts"
        return text + "."

    def to_dict(self, problem_limit: int = 200) -> dict[str, Any]:
        return {
            "messages": self.rows,
            "interactions": self.created,
            "interactions_created": self.interactions_created,
            "contacts_created": self.contacts_created,
            "skipped": dict(sorted(self.skipped.items())),
            "batch": self.batch_id,
            "me": self.me,
            "dry_run": self.dry_run,
            "source": self.source,
        }


def import_mail(
    store: Store,
    paths: Sequence[Path | str],
    *,
    me: Iterable[str] | None = None,
    add_unknown: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> MailReport:
    """Import mailboxes (.mbox), messages (.eml, .msg) and folders of them as one batch of interactions.

    `me`: the owner's addresses (else the ones an earlier import kept, else the most frequent sender's), kept as
    the `mail_me` setting for the next import. `add_unknown`: correspondents who are not contacts become contacts
    (named from their display names) instead of being skipped. The `mail_blocklist` setting's addresses and
    domains are left out. Missing, unreadable or non-mail files: InvalidInput, nothing written."""
    given = [text.strip() for text in me or () if text.strip()]
    for address in given:
        if not is_valid_email(address):
            raise InvalidInput(f"'{address}' is not an e-mail address.")
    sources = [Path(path) for path in paths]
    files = MailFiles(sources)
    names = ", ".join(path.name or str(path) for path in sources)
    report = MailReport(kind="mail", source=names, dry_run=dry_run)
    source = sources[0] if len(sources) == 1 else Path(", ".join(str(path) for path in sources))

    def write(batch_id: int) -> None:
        reading = (lambda: progress(files.bytes_read, files.size)) if progress else None
        write_messages(
            store,
            report,
            batch_id,
            files.messages(),
            me=given,
            add_unknown=add_unknown,
            cancelled=cancelled,
            reading=reading,
        )

    with collector_paused():
        result = write_batch(
            store, report, source, write, dry_run=dry_run, progress=progress, cancelled=cancelled, size=files.size
        )
    assert isinstance(result, MailReport)
    return result


def write_messages(
    store: Store,
    report: MailReport,
    batch_id: int,
    messages: Iterable[MailMessage | None],
    *,
    me: list[str],
    add_unknown: bool,
    cancelled: Cancelled | None,
    reading: Callable[[], None] | None = None,
) -> None:
    """Classify `messages` (None: one that cannot be read) and write their interactions into batch `batch_id`,
    counting them in `report`: spooled first while the senders are counted, then the owner settled (`me`, else
    the kept `mail_me`, else the most frequent sender) and the spool classified and written a chunk at a time.
    `reading` is called every few thousand messages read (for progress); `cancelled` is asked as often.

    The files of `import_mail` and the folders of a live mailbox (importing.imap) both come through here."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        senders = SenderCount()
        for number, message in enumerate(messages, 1):
            if number % _PROGRESS_EVERY == 0:
                if cancelled and cancelled():
                    raise ImportCancelled("Import cancelled; nothing was imported.")
                if reading:
                    reading()
            if message is not None:
                senders.add(message)
            spool.write(json.dumps(message.to_row() if message else None, ensure_ascii=False) + "\n")
        stored = owner_addresses(store)
        report.me = [key(address) for address in me] or stored or senders.owner()
        if not report.me and add_unknown and senders.counts:
            raise InvalidInput(
                "Which address is yours cannot be told from this mail (no sender stands out); say which, so that "
                "you are not added as a contact of your own."
            )
        if report.me != stored:
            remember_owner_addresses(store, report.me)
        spool.seek(0)
        writer = _Writer(store, report, batch_id, add_unknown)
        owner = Owner.of(report.me)
        blocklist = Blocklist(read_list(store.conn, MAIL_BLOCKLIST))
        for line in spool:
            report.rows += 1
            row = json.loads(line)
            if row is None:
                report.skip(UNREADABLE)
                continue
            message = MailMessage.from_row(row)
            verdict = classify(message, owner, blocklist)
            if verdict.skipped:
                report.skip(verdict.skipped)
                continue
            writer.add(message, verdict)
            if report.rows % _PROGRESS_EVERY == 0 and cancelled and cancelled():
                raise ImportCancelled("Import cancelled; nothing was imported.")
        writer.flush()


class _Writer:
    """The interactions of classified messages, a chunk at a time: correspondents looked up (and, when asked,
    made) as contacts, messages a contact already has (by source_key) left out."""

    def __init__(self, store: Store, report: MailReport, batch_id: int, add_unknown: bool):
        self.store, self.report, self.batch_id, self.add_unknown = store, report, batch_id, add_unknown
        self.conn = store.conn
        self.kinds = {name: store.kind(name).id for name in ("email_reply", "contacted")}
        self.stamp = now_iso()
        self.chunk: list[tuple[MailMessage, Verdict]] = []

    def add(self, message: MailMessage, verdict: Verdict) -> None:
        self.chunk.append((message, verdict))
        if len(self.chunk) >= CHUNK_MESSAGES:
            self.flush()

    def flush(self) -> None:
        if not self.chunk:
            return
        report = self.report
        ids = self._contacts(
            {key(address): (name, address) for _, v in self.chunk for name, address in v.correspondents}
        )
        keys = [source_key(message) for message, _ in self.chunk]
        existing: set[tuple[str, int]] = set(
            rows_in(
                self.conn, "SELECT source_key, contact_id FROM interactions WHERE source_key IN ({marks})", set(keys)
            )
        )
        rows: list[tuple[object, ...]] = []
        for (message, verdict), identity in zip(self.chunk, keys, strict=True):
            assert message.moment is not None  # classify skipped messages without one
            contacts = [ids[key(address)] for _, address in verdict.correspondents if key(address) in ids]
            if not contacts:
                report.skip(NOT_A_CONTACT)
                continue
            made = 0
            for contact_id in dict.fromkeys(contacts):
                if (identity, contact_id) in existing:
                    continue
                existing.add((identity, contact_id))
                rows.append(
                    (
                        contact_id,
                        self.kinds[verdict.kind],
                        iso_moment(message.moment),
                        message.subject,
                        self.batch_id,
                        self.stamp,
                        identity,
                    )
                )
                made += 1
            if made:
                report.created += 1
            else:
                report.skip(ALREADY)
        before = self.conn.total_changes
        self.conn.executemany(_INSERT, rows)
        report.interactions_created += self.conn.total_changes - before
        self.chunk.clear()

    def _contacts(self, wanted: dict[str, tuple[str, str]]) -> dict[str, int]:
        """{address key: contact id} of the correspondents who are contacts (by address, then further address);
        with add_unknown, the others are made contacts first."""
        ids = ids_for_addresses(self.store, wanted)
        unknown = [address for address in wanted if address not in ids]
        if unknown and self.add_unknown:
            records = []
            for address in unknown:
                name, written = wanted[address]
                first, last = split_full_name(person_name(name, written))
                records.append(({"email": written, "first_name": first, "last_name": last}, ()))
            made, _ = self.store.contacts.write_batch(records, self.batch_id, default_source="mail")
            self.report.contacts_created += made
            ids.update(ids_for_addresses(self.store, unknown))
        return ids
