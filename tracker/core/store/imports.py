"""SQL for import batches: open one, remember what it changed, list them, say what undoing one would do, undo one."""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tracker.core.dates import now_iso
from tracker.core.errors import InvalidInput, UndoWouldRemoveLaterWork
from tracker.core.models import Changes, ImportBatch
from tracker.core.store.contact_fields import STORED
from tracker.core.store.table import StoreTable

if TYPE_CHECKING:
    pass

_RESTORABLE = STORED  # every column an import may change


class ImportsTable(StoreTable):
    def begin(self, kind: str, source: str) -> int:
        """Create the batch record; call inside the import's transaction so a rollback removes it."""
        cursor = self.conn.execute(
            "INSERT INTO imports (kind, source, started_at) VALUES (?, ?, ?)", (kind, source, now_iso())
        )
        assert cursor.lastrowid is not None  # an INSERT sets it
        return cursor.lastrowid

    def finish(self, batch_id: int, counts: dict[str, Any]) -> None:
        self.conn.execute("UPDATE imports SET counts = ? WHERE id = ?", (json.dumps(counts), batch_id))

    def remember_before(self, batch_id: int, contact_id: int, fields: dict[str, Any]) -> None:
        """Keep a contact's fields as they were before this batch first changed them."""
        self.conn.execute(
            "INSERT INTO import_changes (import_id, contact_id, before) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (batch_id, contact_id, json.dumps({k: fields[k] for k in _RESTORABLE if k in fields})),
        )

    def get(self, batch_id: int) -> ImportBatch:
        row = self.conn.execute(
            "SELECT id, kind, source, started_at, counts, undone_at, created_by FROM imports WHERE id = ?", (batch_id,)
        ).fetchone()
        if row is None:
            raise InvalidInput(f"There is no import with id {batch_id}; `tracker imports` lists them.")
        return ImportBatch(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], row[6])

    def list(self) -> list[ImportBatch]:
        rows = self.conn.execute(
            "SELECT id, kind, source, started_at, counts, undone_at, created_by FROM imports ORDER BY id DESC"
        ).fetchall()
        return [ImportBatch(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6]) for r in rows]

    def remember_after(self, batch_id: int, contact_id: int, fields: dict[str, Any]) -> None:
        """Keep a contact's fields as this batch left them (to tell its changes from later edits when undoing)."""
        self.conn.execute(
            "UPDATE import_changes SET after = ? WHERE import_id = ? AND contact_id = ?",
            (json.dumps({k: fields[k] for k in _RESTORABLE if k in fields}), batch_id, contact_id),
        )

    def undo_preview(self, batch_id: int) -> UndoPreview:
        """Exactly what undoing the batch would remove and put back, including work done since it (asked before
        an undo, so a file that cannot be written is refused here, in its sentence)."""
        self.store.require_writable()
        batch = self.get(batch_id)
        if batch.undone_at:
            raise InvalidInput(f"Import {batch_id} was already undone on {batch.undone_at[:10]}.")
        created, edited = self.conn.execute(
            "SELECT count(*), count(CASE WHEN revision > 0 THEN 1 END) FROM contacts WHERE import_id = ?", (batch_id,)
        ).fetchone()
        imported = self.conn.execute("SELECT count(*) FROM interactions WHERE import_id = ?", (batch_id,)).fetchone()[0]
        by_hand, later_imports = self.conn.execute(
            "SELECT count(CASE WHEN i.import_id IS NULL THEN 1 END), count(i.import_id) "
            "FROM contacts c JOIN interactions i ON i.contact_id = c.id "
            "WHERE c.import_id = ? AND i.import_id IS DISTINCT FROM ?",
            (batch_id, batch_id),
        ).fetchone()
        follow_ups = self.conn.execute(
            "SELECT count(*) FROM contacts c JOIN follow_ups f ON f.contact_id = c.id WHERE c.import_id = ?",
            (batch_id,),
        ).fetchone()[0]
        merged = self._merged(batch_id)
        return UndoPreview(
            batch_id=batch_id,
            contacts_removed=created,
            contacts_restored=len(merged),
            interactions_imported=imported,
            interactions_by_hand=by_hand,
            interactions_from_later_imports=later_imports,
            follow_ups_removed=follow_ups,
            contacts_edited=edited,
            contacts_overwritten=sum(1 for _, _, overwritten in merged if overwritten),
        )

    def undo(
        self, batch_id: int, *, accept: UndoPreview | None = None, force: bool = False
    ) -> tuple[dict[str, Any], Changes]:
        """Remove what the batch created and restore what it changed, in one transaction.

        Work done since the batch on what it made (interactions and follow-ups added to its contacts, edits of them,
        later edits of fields it changed) goes too, so the undo is refused (UndoWouldRemoveLaterWork) unless the
        caller passes `force=True` or `accept=` the preview the user agreed to, and that is still exactly what
        would go. Everything removed is counted, cascaded rows included.
        """
        self._allowed(self.undo_preview(batch_id), accept, force)
        self.store.safety_backup("before undo import")
        with self.store.transaction():
            preview = self.undo_preview(batch_id)  # again under the write lock: exactly what goes
            self._allowed(preview, accept, force)
            self.conn.execute("DELETE FROM interactions WHERE import_id = ?", (batch_id,))
            stamp = now_iso()
            for contact_id, changed, _ in self._merged(batch_id):
                if changed:
                    assignments = ", ".join(f"{name} = ?" for name in changed)
                    self.conn.execute(
                        f"UPDATE contacts SET {assignments}, updated_at = ? WHERE id = ?",
                        (*changed.values(), stamp, contact_id),
                    )
            self.conn.execute("DELETE FROM contacts WHERE import_id = ?", (batch_id,))
            self.conn.execute("UPDATE imports SET undone_at = ? WHERE id = ?", (stamp, batch_id))
        return preview.to_dict(), Changes(contacts=True, interactions=True, follow_ups=True)

    @staticmethod
    def _allowed(preview: UndoPreview, accept: UndoPreview | None, force: bool) -> None:
        if force or not preview.later_work:
            return
        if accept is not None and accept.batch_id == preview.batch_id and accept.later == preview.later:
            return
        raise UndoWouldRemoveLaterWork(f"{preview.warning()}; nothing was undone.")

    def _merged(self, batch_id: int) -> builtins.list[tuple[int, dict[str, Any], bool]]:  # `list`: the method
        """Existing contacts the batch changed: (id, {field: value before the batch} for the fields it changed,
        whether one of those fields was edited again since)."""
        out: builtins.list[tuple[int, dict[str, Any], bool]] = []
        rows = self.conn.execute(
            f"SELECT ic.contact_id, ic.before, ic.after, {', '.join('c.' + n for n in _RESTORABLE)} "
            "FROM import_changes ic JOIN contacts c ON c.id = ic.contact_id WHERE ic.import_id = ?",
            (batch_id,),
        ).fetchall()
        for contact_id, before_text, after_text, *values in rows:
            current = dict(zip(_RESTORABLE, values, strict=True))
            before = json.loads(before_text)
            after = json.loads(after_text) if after_text else current
            changed = {k: before[k] for k in _RESTORABLE if k in before and before[k] != after.get(k)}
            overwritten = any(current[k] != after.get(k) for k in changed)
            out.append((contact_id, changed, overwritten))
        return out


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}" if number == 1 else f"{number:,} {word}s"


def _join(items: list[str]) -> str:
    """'a', 'a and b' (items that may hold an 'and' themselves are joined 'a, and b'), 'a, b, and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


@dataclass(frozen=True, slots=True)
class UndoPreview:
    """What undoing one import would remove and put back. Its contacts go with everything attached to them, so
    interactions and follow-ups added to them since, and edits of them, go too; that is the later work."""

    batch_id: int
    contacts_removed: int = 0  # contacts the batch created
    contacts_restored: int = 0  # existing contacts it changed, put back as they were
    interactions_imported: int = 0  # interactions it imported (onto any contact)
    interactions_by_hand: int = 0  # logged since on contacts it created
    interactions_from_later_imports: int = 0  # imported since onto contacts it created
    follow_ups_removed: int = 0  # on contacts it created
    contacts_edited: int = 0  # contacts it created that were edited since
    contacts_overwritten: int = 0  # contacts it changed whose changed fields were edited again since

    @property
    def interactions_removed(self) -> int:
        return self.interactions_imported + self.interactions_by_hand + self.interactions_from_later_imports

    @property
    def later(self) -> tuple[int, int, int, int, int]:
        return (
            self.interactions_by_hand,
            self.interactions_from_later_imports,
            self.follow_ups_removed,
            self.contacts_edited,
            self.contacts_overwritten,
        )

    @property
    def later_work(self) -> bool:
        return any(self.later)

    def _removed_later(self) -> list[str]:
        groups = []
        by_hand = [
            _count(n, word)
            for n, word in ((self.interactions_by_hand, "interaction"), (self.follow_ups_removed, "follow-up"))
            if n
        ]
        if by_hand:
            groups.append(" and ".join(by_hand) + " added by hand")
        if self.interactions_from_later_imports:
            later = "a later import" if self.interactions_from_later_imports == 1 else "later imports"
            groups.append(f"{_count(self.interactions_from_later_imports, 'interaction')} from {later}")
        if self.contacts_edited:
            groups.append(f"{_count(self.contacts_edited, 'contact')} edited since")
        return groups

    def _overwritten(self) -> str:
        return f"later edits of {_count(self.contacts_overwritten, 'contact')} it had updated"

    def later_phrase(self) -> str:
        """The later work as a phrase: '1 interaction added by hand, and 1 contact edited since'."""
        return _join(self._removed_later() + ([self._overwritten()] if self.contacts_overwritten else []))

    def warning(self) -> str:
        """'Undoing import 3 would also remove 1 interaction and 1 follow-up added by hand, and 1 contact edited
        since' (no full stop: the caller says how to go ahead)."""
        actions = []
        if self._removed_later():
            actions.append("remove " + _join(self._removed_later()))
        if self.contacts_overwritten:
            actions.append("overwrite " + self._overwritten())
        return f"Undoing import {self.batch_id} would also " + ", and ".join(actions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "contacts_removed": self.contacts_removed,
            "contacts_restored": self.contacts_restored,
            "interactions_removed": self.interactions_removed,
            "follow_ups_removed": self.follow_ups_removed,
            "interactions_by_hand": self.interactions_by_hand,
            "interactions_from_later_imports": self.interactions_from_later_imports,
            "contacts_edited": self.contacts_edited,
            "contacts_overwritten": self.contacts_overwritten,
        }

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> UndoPreview:
        """Back from `to_dict` (as `undo` returns it), to phrase the later work."""
        known = {k: v for k, v in document.items() if k in cls.__dataclass_fields__}
        by_hand, later = known.get("interactions_by_hand", 0), known.get("interactions_from_later_imports", 0)
        known["interactions_imported"] = document.get("interactions_removed", 0) - by_hand - later
        return cls(**known)
