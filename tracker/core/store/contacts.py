"""SQL for the contacts table: add, find, update, delete, tag."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tracker.core.dates import now_iso
from tracker.core.errors import ContactNotFound, InvalidInput
from tracker.core.models import Changes, Contact
from tracker.core.normalize import (
    ascii_lower,
    clean_email,
    join_tags,
    phone_key,
    same_phone,
    split_tags,
)
from tracker.core.store import dialect
from tracker.core.store.contact_fields import (
    COLUMNS,
    EDITABLE,
    STORED,
    Fields,
    _insert_rows,
    _validated,
    contact_from_row,
    merged_fields,
)
from tracker.core.store.table import StoreTable, rows_in

#: Keys a lookup sends in one array on PostgreSQL.
_ARRAY_KEYS = 10_000


class ContactsTable(StoreTable):
    def count(self) -> int:
        count: int = self.conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
        return count

    def is_empty(self) -> bool:
        """Whether there are no contacts: one index probe, where count() reads every row (at 100k contacts that
        stalled the window's first paint)."""
        empty: int = self.conn.execute("SELECT NOT EXISTS (SELECT 1 FROM contacts)").fetchone()[0]
        return empty == 1

    def has_at_least(self, count: int) -> bool:
        """Whether there are at least `count` contacts: a walk of that many row ids, where count() reads every row
        (50-60 ms at 100,000 contacts, for a question the window asks before every long load)."""
        if count <= 0:
            return True
        return self.conn.execute("SELECT 1 FROM contacts LIMIT 1 OFFSET ?", (count - 1,)).fetchone() is not None

    def get(self, contact_id: int) -> Contact:
        row = self.conn.execute(f"SELECT {COLUMNS} FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        if row is None:
            raise ContactNotFound(f"There is no contact with id {contact_id}.")
        return contact_from_row(row)

    def updated_by(self, contact_id: int) -> str:
        """Who last changed the contact's fields (a team member's login; '' on a file)."""
        row = self.conn.execute("SELECT updated_by FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        return str(row[0]) if row else ""

    def by_email(self, email: str) -> Contact | None:
        cleaned = clean_email(email)
        if not cleaned:
            return None
        # lowered here by the index's rule: PostgreSQL's lower() of a parameter would follow the server's locale
        key = ascii_lower(cleaned)
        row = self.conn.execute(f"SELECT {COLUMNS} FROM contacts WHERE lower(email) = ?", (key,)).fetchone()
        return contact_from_row(row) if row else None

    def require(self, email: str) -> Contact:
        """The contact with this e-mail, or ContactNotFound with a sentence the user can act on."""
        found = self.by_email(email)
        if found is None:
            raise ContactNotFound(f"No contact has the e-mail address '{email}'.")
        return found

    def add(self, contact: Contact | None = None, *, import_id: int | None = None, **values: Any) -> Contact:
        """Insert a contact; InvalidInput if its e-mail is invalid or already taken."""
        if contact is not None:
            values = {k: getattr(contact, k) for k in EDITABLE} | values
        data = _validated(values, self.store.phone_region())
        if not any(data.get(k) for k in ("first_name", "last_name", "email", "phone", "company")):
            raise InvalidInput("A contact needs at least a name, a company, an e-mail or a phone number.")
        if data.get("email") and self.by_email(data["email"]):
            raise InvalidInput(f"A contact with the e-mail address {data['email']} already exists.")
        stamp = now_iso()
        data.update(created_at=stamp, updated_at=stamp, import_id=import_id)
        names = ", ".join(data)
        marks = ", ".join("?" for _ in data)
        with self.store.transaction():
            cursor = self.conn.execute(f"INSERT INTO contacts ({names}) VALUES ({marks})", tuple(data.values()))
        assert cursor.lastrowid is not None  # an INSERT sets it
        return self.get(cursor.lastrowid)

    def get_or_create(self, email: str, *, source: str = "", import_id: int | None = None) -> tuple[Contact, bool]:
        """The contact with this e-mail, created (with only the e-mail) if missing; (contact, created)."""
        found = self.by_email(email)
        if found:
            return found, False
        return self.add(email=email, source=source, import_id=import_id), True

    def update(self, contact_id: int, **values: Any) -> Changes:
        """Change some fields of one contact; an e-mail may not collide with another contact's."""
        self.get(contact_id)
        data = _validated(values, self.store.phone_region())
        if not data:
            return Changes()
        if data.get("email"):
            other = self.by_email(data["email"])
            if other and other.id != contact_id:
                raise InvalidInput(f"Another contact already has the e-mail address {data['email']}.")
        data["updated_at"] = now_iso()
        assignments = ", ".join(f"{name} = ?" for name in data)
        with self.store.transaction():
            self.conn.execute(f"UPDATE contacts SET {assignments} WHERE id = ?", (*data.values(), contact_id))
        return Changes(contacts=True)

    def delete(self, contact_ids: Iterable[int], *, backup: bool = True) -> Changes:
        """Delete contacts with their interactions and follow-ups, in one transaction (several: after a safety
        backup, unless `backup` is False because the caller took it before opening its transaction)."""
        ids = [(int(i),) for i in contact_ids]
        if len(ids) > 1 and backup:
            self.store.safety_backup("before delete")
        with self.store.transaction():
            self.conn.executemany("DELETE FROM contacts WHERE id = ?", ids)
        return Changes(contacts=True, interactions=True, follow_ups=True)

    def add_tags(self, contact_ids: Iterable[int], tags: Iterable[str]) -> Changes:
        """Add tags to many contacts at once (bulk tag), keeping their existing tags."""
        new = split_tags(list(tags))
        with self.store.transaction():
            for contact_id in contact_ids:
                contact = self.get(contact_id)
                merged = join_tags(split_tags([*contact.tags, *new]))
                self.conn.execute(
                    "UPDATE contacts SET tags = ?, updated_at = ? WHERE id = ?",
                    (merged, now_iso(), contact_id),
                )
        return Changes(contacts=True)

    def with_phone(self, key: str) -> list[Contact]:
        """Contacts whose phone number is `key` (a phone_key) written nationally or internationally."""
        digits = key.lstrip("+")
        ending = digits[-6:]
        rows = self.conn.execute(
            f"SELECT {COLUMNS}, phone_key FROM contacts WHERE phone_key IS NOT NULL "
            "AND substr(phone_key, length(phone_key) - ? + 1) = ? ORDER BY id",
            (len(ending), ending),
        ).fetchall()
        return [contact_from_row(row[:-1]) for row in rows if same_phone(row[-1], key)]

    def all_tags(self) -> list[str]:
        tags: dict[str, str] = {}
        for (text,) in self.conn.execute("SELECT DISTINCT tags FROM contacts WHERE tags <> ''"):
            for tag in split_tags(text):
                tags.setdefault(tag.lower(), tag)
        return sorted(tags.values(), key=str.lower)

    def write_batch(
        self,
        records: Iterable[tuple[Mapping[str, str | None], tuple[str, ...]]],
        import_id: int,
        *,
        default_source: str = "",
        cleaned: bool = False,
        keep_apart: Callable[[Fields, Fields], bool] | None = None,
        kept_apart: Callable[[int, Fields, Fields], Fields] | None = None,
    ) -> tuple[int, int]:
        """Insert new contacts and fill empty fields of existing ones (matched by e-mail, then phone).

        Call inside a transaction. Returns (created, existing contacts changed). `cleaned=True` says the values
        (and phone_key) were already normalised by the importer, which saves redoing it for every row. The state
        of each changed contact before the import is kept in import_changes so the batch can be undone.

        With `keep_apart(names, values)` (names: first_name, last_name, company of a contact it would merge with),
        a record is not merged into a contact it is kept apart from: on a shared phone it merges with the first
        contact with that phone it is not kept apart from, else — like a record whose e-mail belongs to a contact
        (or an earlier record) it is kept apart from — it is inserted as `kept_apart(position, names, values)`
        returns it (which must drop a shared e-mail address: the address stays unique).
        """
        stamp = now_iso()
        rows: list[Fields] = []
        region = None if cleaned else self.store.phone_region()
        for values, tags in records:
            data: Fields = (
                dict(values) if cleaned else _validated({k: v for k, v in values.items() if k in EDITABLE}, region)
            )
            data["tags"] = join_tags(tags)
            rows.append(data)
        # each record's address as the unique index compares it (None: no address), lower-cased once
        emails = [ascii_lower(email) if (email := data.get("email")) else None for data in rows]
        with dialect.by_index(self.conn):
            # only the contacts these records may match are looked up (an import writes a chunk at a time)
            by_email = self.ids_for_emails({email for email in emails if email})
            inserts: list[Fields] = []
            matched: list[tuple[int, Fields]] = []
            if keep_apart is not None and kept_apart is not None:
                self._match_apart(rows, emails, by_email, import_id, keep_apart, kept_apart, inserts, matched)
            else:
                by_phone = self._ids_for_phone_keys(
                    {d["phone_key"] for d in rows if not d.get("email") and d.get("phone_key")}, import_id
                )
                by_customer = self.ids_for_customer_numbers(
                    {d["customer_no"] for d in rows if not d.get("email") and d.get("customer_no")}
                )
                for data, email in zip(rows, emails, strict=True):
                    existing = by_email.get(email) if email else None
                    if existing is None and not email and data.get("customer_no"):
                        existing = by_customer.get(data["customer_no"])
                    if existing is None and not email and data.get("phone_key"):
                        existing = by_phone.get(data["phone_key"])
                    if existing is None:
                        inserts.append(data)
                    else:
                        matched.append((existing, data))
        dialect.insert_rows(
            self.conn,
            "contacts",
            (*STORED, "import_id", "created_at", "updated_at"),
            _insert_rows(inserts, (import_id, stamp, stamp), default_source),
        )
        # the matched contacts as stored, read together (not one round trip a record); a contact matched again
        # within the chunk is read again, as the earlier record may have changed it
        stored = self._stored({contact_id for contact_id, _ in matched})
        changed = 0
        for contact_id, data in matched:
            changed += self._fill_empty(contact_id, data, import_id, stamp, stored.pop(contact_id, None))
        return len(inserts), changed

    def _stored(self, contact_ids: Iterable[int]) -> dict[int, tuple[Any, ...]]:
        """{id: (STORED fields…, import_id)} of these contacts."""
        wanted = list(contact_ids)
        if not wanted:
            return {}
        sql = f"SELECT id, {', '.join(STORED)}, import_id FROM contacts WHERE id IN ({{marks}})"
        with dialect.by_index(self.conn):
            return {row[0]: tuple(row[1:]) for row in rows_in(self.conn, sql, wanted)}

    def _match_apart(
        self,
        rows: list[Fields],
        emails: list[str | None],
        by_email: dict[str, int],
        import_id: int,
        keep_apart: Callable[[Fields, Fields], bool],
        kept_apart: Callable[[int, Fields, Fields], Fields],
        inserts: list[Fields],
        matched: list[tuple[int, Fields]],
    ) -> None:
        """write_batch's matching when records of different people must not merge (see there); `emails` are the
        rows' addresses lower-cased as the unique index compares them (None: no address)."""
        names = self._names(by_email.values())
        by_phone: dict[str, list[tuple[int | None, Fields]]] = {}  # phone_key → contacts with it (None: this call's)
        for phone, contact_id, first, last, company in self._contacts_for_phone_keys(
            {d["phone_key"] for d in rows if not d.get("email") and d.get("phone_key")}, import_id
        ):
            by_phone.setdefault(phone, []).append(
                (contact_id, {"first_name": first, "last_name": last, "company": company})
            )
        by_customer = self.ids_for_customer_numbers(
            {d["customer_no"] for d in rows if not d.get("email") and d.get("customer_no")}
        )
        claimed: dict[str, Fields] = {}  # e-mail addresses this call inserts → the names of their record
        for position, (data, email) in enumerate(zip(rows, emails, strict=True)):
            key = data.get("phone_key")
            if email:
                existing = by_email.get(email)
                other = names.get(existing) if existing is not None else claimed.get(email)
                if existing is not None and other is not None and not keep_apart(other, data):
                    matched.append((existing, data))
                    continue
                if other is not None:  # the address is someone else's, or was claimed by an earlier record
                    inserts.append(kept_apart(position, other, data))
                    continue
                claimed[email] = data
            elif data.get("customer_no") in by_customer:
                matched.append((by_customer[data["customer_no"]], data))
                continue
            elif key:
                options = by_phone.setdefault(key, [])
                same = next((option for option in options if not keep_apart(option[1], data)), None)
                if same is not None and same[0] is not None:
                    matched.append((same[0], data))
                    continue
                if same is None and options:  # every contact with this phone is someone else
                    data = kept_apart(position, options[0][1], data)
                options.append((None, data))
            inserts.append(data)

    def _names(self, contact_ids: Iterable[int]) -> dict[int, Fields]:
        """{id: {first_name, last_name, company}} of these contacts."""
        sql = "SELECT id, first_name, last_name, company FROM contacts WHERE id IN ({marks})"
        return {
            contact_id: {"first_name": first, "last_name": last, "company": company}
            for contact_id, first, last, company in rows_in(self.conn, sql, contact_ids)
        }

    def _contacts_for_phone_keys(self, keys: Iterable[str], import_id: int) -> list[tuple[str, int, str, str, str]]:
        """(phone_key, id, first_name, last_name, company) of every contact a row without an e-mail address may
        merge with by phone (as _ids_for_phone_keys chooses them), in id order."""
        sql = (
            "SELECT phone_key, id, first_name, last_name, company FROM contacts "
            "WHERE phone_key IN ({marks}) AND (email IS NULL OR import_id IS DISTINCT FROM ?) ORDER BY id"
        )
        found = list(rows_in(self.conn, sql, keys, import_id))
        return sorted(found, key=lambda row: row[1])  # id order across chunks too

    def _fill_empty(
        self, contact_id: int, data: Fields, import_id: int, stamp: str, stored: tuple[Any, ...] | None = None
    ) -> int:
        """Fill the contact's empty fields from `data`; `stored`: its (STORED fields…, import_id) as read just now."""
        if stored is None:
            stored = self.conn.execute(
                f"SELECT {', '.join(STORED)}, import_id FROM contacts WHERE id = ?", (contact_id,)
            ).fetchone()
            assert stored is not None  # matched contacts exist (the import holds the write lock)
        *row, made_by = stored
        current = dict(zip(STORED, row, strict=True))
        updates = merged_fields(current, data)
        if not updates:
            return 0
        assignments = ", ".join(f"{name} = ?" for name in updates)
        if made_by == import_id:  # made by an earlier chunk of this batch: still the import's own, not an edit
            self.conn.execute(f"UPDATE contacts SET {assignments} WHERE id = ?", (*updates.values(), contact_id))
            self.conn.execute("UPDATE contacts SET revision = 0 WHERE id = ?", (contact_id,))
            return 0
        self.store.imports.remember_before(import_id, contact_id, current)
        self.conn.execute(
            f"UPDATE contacts SET {assignments}, updated_at = ? WHERE id = ?",
            (*updates.values(), stamp, contact_id),
        )
        self.store.imports.remember_after(import_id, contact_id, current | updates)
        return 1

    def rekey_phones(self, region: str) -> None:
        """Recompute every phone's key with `region` (call inside a transaction); not an edit of the contact."""
        rows = self.conn.execute("SELECT id, phone, phone_key, revision FROM contacts WHERE phone <> ''").fetchall()
        changed = [(key, cid, rev) for cid, phone, old, rev in rows if (key := phone_key(phone, region)) != old]
        self.conn.executemany("UPDATE contacts SET phone_key = ? WHERE id = ?", [(k, cid) for k, cid, _ in changed])
        self.conn.executemany("UPDATE contacts SET revision = ? WHERE id = ?", [(r, cid) for _, cid, r in changed])

    def ids_for_customer_numbers(self, numbers: Iterable[str]) -> dict[str, int]:
        """{customer_no: id of the first contact with it} (a till's or a shop system's own customer numbers)."""
        sql = "SELECT customer_no, min(id) FROM contacts WHERE customer_no IN ({marks}) GROUP BY customer_no"
        wanted = list(numbers)
        if not wanted:
            return {}
        with dialect.by_index(self.conn):
            return dict(rows_in(self.conn, sql, wanted))

    def ids_by_email(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT lower(email), id FROM contacts WHERE email IS NOT NULL"))

    def ids_for_emails(self, keys: Iterable[str]) -> dict[str, int]:
        """{lower(email): id} for the contacts with these addresses (keys lower-cased as SQLite does: ASCII)."""
        if not dialect.is_team(self.conn):
            sql = "SELECT lower(email), id FROM contacts WHERE email IS NOT NULL AND lower(email) IN ({marks})"
            return dict(rows_in(self.conn, sql, keys))
        # PostgreSQL: an array of up to _ARRAY_KEYS addresses a statement, one round trip instead of 20 at 500 a
        # list (bench_team's import of 100k contacts: 0.63 s -> 0.38 s), through the index (dialect.by_index)
        wanted = list(keys)
        found: dict[str, int] = {}
        if not wanted:
            return found
        sql = "SELECT lower(email), id FROM contacts WHERE email IS NOT NULL AND lower(email) = ANY(?)"
        with dialect.by_index(self.conn):
            for start in range(0, len(wanted), _ARRAY_KEYS):
                found.update(self.conn.execute(sql, (wanted[start : start + _ARRAY_KEYS],)))
        return found

    def _ids_for_phone_keys(self, keys: Iterable[str], import_id: int) -> dict[str, int]:
        """{phone_key: id of the first contact with it} for rows without an e-mail address. Within one batch such a
        row merges with other rows without one, not with a contact the batch made from a row with an address."""
        sql = (
            "SELECT phone_key, min(id) FROM contacts "
            "WHERE phone_key IN ({marks}) AND (email IS NULL OR import_id IS DISTINCT FROM ?) GROUP BY phone_key"
        )
        return dict(rows_in(self.conn, sql, keys, import_id))

    def snapshot(self, contact_ids: Iterable[int]) -> dict[str, list[Fields]]:
        """Everything stored about these contacts (rows of contacts, interactions, follow-ups), for undo."""
        ids = [int(i) for i in contact_ids]
        marks = ", ".join("?" for _ in ids)
        out: dict[str, list[Fields]] = {}
        for table, column in (("contacts", "id"), ("interactions", "contact_id"), ("follow_ups", "contact_id")):
            cursor = self.conn.execute(f"SELECT * FROM {table} WHERE {column} IN ({marks})", ids)
            names = [d[0] for d in cursor.description]
            if table == "interactions":
                names_rows = [dict(zip(names, row, strict=True)) for row in cursor]
                for row in names_rows:
                    row.pop("day", None)  # generated from occurred_at
                out[table] = names_rows
            else:
                out[table] = [dict(zip(names, row, strict=True)) for row in cursor]
        return out

    def restore(self, snapshot: Mapping[str, list[Fields]]) -> Changes:
        """Put back what `snapshot` captured (after a delete), with the same ids, in one transaction."""
        with self.store.transaction():
            for table in ("contacts", "interactions", "follow_ups"):
                for row in snapshot.get(table, []):
                    names = ", ".join(row)
                    marks = ", ".join("?" for _ in row)
                    self.conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(row.values()))
        return Changes(contacts=True, interactions=True, follow_ups=True)

    def ids_for_phone_keys(self, keys: Iterable[str]) -> dict[str, int]:
        """{phone_key: id of the first contact with it} (keys as normalize.phone_key makes them with the store's
        region): what an order or activity row with a phone and no e-mail address belongs to."""
        sql = "SELECT phone_key, min(id) FROM contacts WHERE phone_key IN ({marks}) GROUP BY phone_key"
        wanted = list(keys)
        if not wanted:
            return {}
        with dialect.by_index(self.conn):
            return dict(rows_in(self.conn, sql, wanted))
