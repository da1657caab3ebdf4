"""SQL for import batches: open one, remember what it changed, list them, undo one."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tracker.core.dates import now_iso
from tracker.core.errors import InvalidInput
from tracker.core.models import Changes, ImportBatch
from tracker.core.store.table import StoreTable

if TYPE_CHECKING:
    pass

_RESTORABLE = ("first_name", "last_name", "email", "phone", "phone_key", "company", "tags", "source", "notes")


class ImportsTable(StoreTable):

    def begin(self, kind: str, source: str) -> int:
        """Create the batch record; call inside the import's transaction so a rollback removes it."""
        cursor = self.conn.execute(
            "INSERT INTO imports (kind, source, started_at) VALUES (?, ?, ?)", (kind, source, now_iso())
        )
        return cursor.lastrowid

    def finish(self, batch_id: int, counts: dict) -> None:
        self.conn.execute("UPDATE imports SET counts = ? WHERE id = ?", (json.dumps(counts), batch_id))

    def remember_before(self, batch_id: int, contact_id: int, fields: dict) -> None:
        """Keep a contact's fields as they were before this batch first changed them."""
        self.conn.execute(
            "INSERT OR IGNORE INTO import_changes (import_id, contact_id, before) VALUES (?, ?, ?)",
            (batch_id, contact_id, json.dumps({k: fields[k] for k in _RESTORABLE})),
        )

    def get(self, batch_id: int) -> ImportBatch:
        row = self.conn.execute(
            "SELECT id, kind, source, started_at, counts, undone_at FROM imports WHERE id = ?", (batch_id,)
        ).fetchone()
        if row is None:
            raise InvalidInput(f"There is no import with id {batch_id}; `tracker imports` lists them.")
        return ImportBatch(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5])

    def list(self) -> list[ImportBatch]:
        rows = self.conn.execute(
            "SELECT id, kind, source, started_at, counts, undone_at FROM imports ORDER BY id DESC"
        ).fetchall()
        return [ImportBatch(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]) for r in rows]

    def undo(self, batch_id: int) -> tuple[dict, Changes]:
        """Remove what the batch created and restore what it changed, in one transaction."""
        batch = self.get(batch_id)
        if batch.undone_at:
            raise InvalidInput(f"Import {batch_id} was already undone on {batch.undone_at[:10]}.")
        self.store.safety_backup("before undo import")
        with self.store.transaction():
            interactions = self.conn.execute(
                "DELETE FROM interactions WHERE import_id = ?", (batch_id,)
            ).rowcount
            restored = 0
            for contact_id, before in self.conn.execute(
                "SELECT contact_id, before FROM import_changes WHERE import_id = ?", (batch_id,)
            ).fetchall():
                values = json.loads(before)
                assignments = ", ".join(f"{name} = ?" for name in values)
                self.conn.execute(
                    f"UPDATE contacts SET {assignments}, updated_at = ? WHERE id = ?",
                    (*values.values(), now_iso(), contact_id),
                )
                restored += 1
            contacts = self.conn.execute("DELETE FROM contacts WHERE import_id = ?", (batch_id,)).rowcount
            self.conn.execute("UPDATE imports SET undone_at = ? WHERE id = ?", (now_iso(), batch_id))
        result = {"batch_id": batch_id, "contacts_removed": contacts, "contacts_restored": restored,
                  "interactions_removed": interactions}
        return result, Changes(contacts=True, interactions=True, follow_ups=True)
