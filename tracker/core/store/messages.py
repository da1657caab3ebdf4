"""The SQL that reading the owner's calendar (and mailbox) needs: interactions keyed by where they came from, so
that reading the same file again adds nothing; the owner's own addresses (the setting `mail_me`); contacts found
by any of their addresses; and the contacts with important dates, for the calendar export."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from tracker.core.dates import now_iso
from tracker.core.models import Contact
from tracker.core.normalize import ascii_lower
from tracker.core.store.contact_fields import COLUMNS, contact_from_row

if TYPE_CHECKING:
    from tracker.core.store.store import Store

#: The setting that holds the owner's own addresses (a JSON list), shared by the mail and calendar imports.
OWNER_SETTING = "mail_me"

#: (contact id, kind name, occurred_at as the store writes it, note, source key)
SourcedRow = tuple[int, str, str, str, str]

_INSERT = (
    "INSERT INTO interactions (contact_id, kind_id, occurred_at, channel, note, import_id, created_at, source_key) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (source_key, contact_id) WHERE source_key IS NOT NULL DO NOTHING"
)


def owner_addresses(store: Store) -> list[str]:
    """The owner's own e-mail addresses as last confirmed (lower-case), [] when none were."""
    row = store.conn.execute("SELECT value FROM settings WHERE key = ?", (OWNER_SETTING,)).fetchone()
    if row is None:
        return []
    try:
        value = json.loads(row[0])
    except ValueError:
        return []
    return [ascii_lower(str(item)) for item in value] if isinstance(value, list) else []


def remember_owner_addresses(store: Store, addresses: Iterable[str]) -> None:
    """Keep the owner's addresses (lower-case, in order, once each); call inside the caller's transaction."""
    unique = list(dict.fromkeys(ascii_lower(a.strip()) for a in addresses if a.strip()))
    store.conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (OWNER_SETTING, json.dumps(unique)),
    )


def ids_for_addresses(store: Store, addresses: Iterable[str]) -> dict[str, int]:
    """{lower-case address: contact id} for contacts having one of these as their e-mail or one of their other
    e-mails (the main address wins; of two contacts sharing another address, the older)."""
    wanted = {ascii_lower(a) for a in addresses}
    found = store.contacts.ids_for_emails(wanted)
    rest = wanted - found.keys()
    if rest:
        rows = store.conn.execute("SELECT id, more_emails FROM contacts WHERE more_emails <> '' ORDER BY id")
        for contact_id, more in rows:
            for line in more.splitlines():
                key = ascii_lower(line.strip())
                if key in rest and key not in found:
                    found[key] = contact_id
    return found


def write_sourced(store: Store, import_id: int, rows: Sequence[SourcedRow], *, channel: str = "") -> list[bool]:
    """Insert interactions that each name their source; one whose (source key, contact) is stored already, or
    came earlier in `rows`, is left out. Returns, per row, whether it was written. Call inside the import's
    transaction (the batch's undo removes the rows by their import id)."""
    kinds = {name: kind.id for name, kind in store.kinds().items()}
    stamp = now_iso()
    written = []
    for contact_id, kind, occurred_at, note, key in rows:
        cursor = store.conn.execute(
            _INSERT, (contact_id, kinds[kind.lower()], occurred_at, channel, note, import_id, stamp, key)
        )
        written.append(cursor.rowcount == 1)
    return written


def contacts_with_dates(store: Store) -> Iterator[Contact]:
    """Every contact that has an important date (birthday, anniversary…), by id."""
    for row in store.conn.execute(f"SELECT {COLUMNS} FROM contacts WHERE dates NOT IN ('', '{{}}') ORDER BY id"):
        yield contact_from_row(row)
