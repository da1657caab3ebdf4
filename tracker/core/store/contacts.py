"""SQL for the contacts table: add, find, update, delete, tag."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from tracker.core.dates import now_iso
from tracker.core.errors import ContactNotFound, InvalidInput
from tracker.core.models import Changes, Contact
from tracker.core.normalize import (
    ascii_lower,
    clean_email,
    clean_phone,
    is_valid_email,
    join_tags,
    phone_key,
    same_phone,
    split_tags,
)
from tracker.core.store.table import StoreTable, rows_in

if TYPE_CHECKING:
    pass

COLUMNS = (
    "id, first_name, last_name, email, phone, company, tags, source, notes, created_at, updated_at, address, consent, "
    "customer_no, dates, fields, more_emails, more_phones, orders_reported, spent_reported, phone_key"
)
EDITABLE = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "tags",
    "source",
    "notes",
    "address",
    "consent",
    "customer_no",
    "dates",
    "fields",
    "more_emails",
    "more_phones",
    "orders_reported",
    "spent_reported",
)
#: Every column an import may fill (EDITABLE and the phone's key), in the order write_batch inserts them.
STORED = (*EDITABLE[:4], "phone_key", *EDITABLE[4:])
#: A contact's fields by column name, values as SQLite takes and gives them.
Fields = dict[str, Any]
#: Names of important dates a contact may have (the keys of its `dates`).
DATE_NAMES = ("birthday", "anniversary")
_YEARLESS = re.compile(r"^--(\d{2})-(\d{2})$")


def stored_tags(text: str) -> tuple[str, ...]:
    """Tags as the store keeps them (already clean, joined with ', '): a plain split, no re-normalising."""
    return tuple(text.split(", ")) if text else ()


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(text.split("\n")) if text else ()


def contact_from_row(row: tuple[Any, ...]) -> Contact:
    return Contact(
        id=row[0],
        first_name=row[1],
        last_name=row[2],
        email=row[3],
        phone=row[4],
        company=row[5],
        tags=stored_tags(row[6]),
        source=row[7],
        notes=row[8],
        created_at=row[9],
        updated_at=row[10],
        address=row[11],
        consent=None if row[12] is None else bool(row[12]),
        customer_no=row[13],
        dates=json.loads(row[14]) if row[14] else {},
        fields=json.loads(row[15]) if row[15] else {},
        more_emails=_lines(row[16]),
        more_phones=_lines(row[17]),
        orders_reported=row[18],
        spent_reported=row[19],
        phone_key=row[20],
    )


_CONSENT_WORDS = {
    "yes": 1, "y": 1, "true": 1, "1": 1, "x": 1, "subscribed": 1, "opted in": 1, "opt-in": 1, "granted": 1,
    "ja": 1, "oui": 1, "si": 1, "sí": 1, "no": 0, "n": 0, "false": 0, "0": 0, "unsubscribed": 0, "cleaned": 0,
    "opted out": 0, "opt-out": 0, "withdrawn": 0, "nein": 0, "non": 0, "not_subscribed": 0, "not subscribed": 0,
    "declined": 0, "revoked": 0,
}  # fmt: skip


def consent_value(value: object) -> int | None:
    """1 (given), 0 (withdrawn) or None (not known) from True/False/None or what exports write ("yes",
    "subscribed", "unsubscribed", "cleaned"…)."""
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    text = str(value).strip().lower().replace("_", " ")
    if not text:
        return None
    return _CONSENT_WORDS.get(text, _CONSENT_WORDS.get(text.replace(" ", "_")))


def check_date_value(name: str, value: str) -> str:
    """An important date as stored: ISO 1980-01-01, or --12-25 without a year; InvalidInput otherwise."""
    text = str(value).strip()
    yearless = _YEARLESS.match(text)
    try:
        if yearless:
            date(2000, int(yearless.group(1)), int(yearless.group(2)))  # a leap year: --02-29 is a day
        else:
            text = date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidInput(
            f"'{value}' is not a date for {name}; write it as 1980-01-31, or --01-31 without a year."
        ) from None
    return text


def _joined(values: object, clean: Callable[[str], str | None]) -> str:
    items = values.split("\n") if isinstance(values, str) else list(values or ())  # type: ignore[call-overload]
    out: list[str] = []
    for item in items:
        cleaned = clean(str(item))
        if cleaned and cleaned not in out:
            out.append(cleaned)
    return "\n".join(out)


def _valid_email(text: str) -> str | None:
    email = clean_email(text)
    if email is not None and not is_valid_email(email):
        raise InvalidInput(f"'{text}' is not a valid e-mail address.")
    return email


def _validated(values: Mapping[str, Any], region: str | None = None) -> Fields:
    """Clean editable fields; raise InvalidInput for an e-mail that cannot be one, a bad date or number."""
    out: Fields = {}
    for key, value in values.items():
        if key not in EDITABLE:
            raise InvalidInput(f"'{key}' is not a contact field; fields: {', '.join(EDITABLE)}.")
        if key == "email":
            out["email"] = _valid_email(value or "") if value else None
        elif key == "phone":
            out["phone"] = clean_phone(value)
            out["phone_key"] = phone_key(value, region)
        elif key == "tags":
            out["tags"] = join_tags(split_tags(value))
        elif key == "consent":
            consent = consent_value(value)
            if consent is None and value not in (None, ""):
                raise InvalidInput(f"'{value}' is not a consent; use yes, no or unknown.")
            out["consent"] = consent
        elif key == "customer_no":
            out["customer_no"] = str(value).strip() or None if value is not None else None
        elif key == "dates":
            dates = json.loads(value) if isinstance(value, str) and value else dict(value or {})
            out["dates"] = json.dumps({k: check_date_value(k, v) for k, v in dates.items() if v}, sort_keys=True)
        elif key == "fields":
            extra = json.loads(value) if isinstance(value, str) and value else dict(value or {})
            kept = {str(k).strip(): str(v) for k, v in extra.items() if str(k).strip() and v not in (None, "")}
            out["fields"] = json.dumps(kept, ensure_ascii=False) if kept else ""
        elif key == "more_emails":
            out["more_emails"] = _joined(value, _valid_email)
        elif key == "more_phones":
            out["more_phones"] = _joined(value, lambda text: clean_phone(text) or None)
        elif key == "orders_reported":
            out[key] = _number(value, int, key)
        elif key == "spent_reported":
            out[key] = _number(value, float, key)
        elif key == "address":
            out[key] = "\n".join(line.strip() for line in str(value or "").strip().splitlines())
        else:
            out[key] = (value or "").strip() if key != "notes" else (value or "")
    return out


def _number(value: object, kind: Callable[[Any], Any], name: str) -> Any:
    if value is None or value == "":
        return None
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"'{value}' is not a number for {name.replace('_', ' ')}.") from None
    if number < 0:
        raise InvalidInput(f"{name.replace('_', ' ').capitalize()} cannot be negative.")
    return number


_NULLABLE = ("email", "phone_key", "consent", "customer_no", "orders_reported", "spent_reported")
#: What a column an insert has no value for gets: NULL where it may be NULL, else ''.
_DEFAULTS: Fields = {name: "" for name in STORED} | dict.fromkeys(_NULLABLE)
_IN_STORED_ORDER = itemgetter(*STORED)


def _insert_rows(inserts: list[Fields], tail: tuple[Any, ...], default_source: str) -> Iterator[tuple[Any, ...]]:
    """write_batch's INSERT parameters: the STORED columns of each record (a missing or None value: its column's
    default; no source: `default_source`), then `tail` (import_id, created_at, updated_at)."""
    for data in inserts:
        if None in data.values():  # None stands for the default, which is '' for a column that cannot be NULL
            data = {name: value for name, value in data.items() if value is not None}
        row = _DEFAULTS | data
        if not row["source"]:
            row["source"] = default_source
        yield (*_IN_STORED_ORDER(row), *tail)


def _merged_lines(current: str, new: str, *, besides: Iterable[str | None], key: Callable[[str], Any]) -> str:
    """`current`'s lines and those of `new` not already there (compared by `key`) nor among `besides`."""
    lines = _lines(current)
    seen = {key(x) for x in (*lines, *(b for b in besides if b))}
    added = [line for line in _lines(new) if key(line) not in seen]
    return "\n".join((*lines, *dict.fromkeys(added)))


def merged_fields(current: Fields, data: Fields) -> Fields:
    """What a record from an import changes on a contact it is merged into: empty fields filled, never a value
    replaced; tags, other e-mails and phones, important dates and custom fields added to; consent withdrawn
    wins over given (an opt-out is respected); a reported order total is raised to the larger."""
    updates: Fields = {}
    for name in STORED:
        value = data.get(name)
        if value in (None, "") or name in _MERGED_SPECIALLY:
            continue
        if current.get(name) in (None, ""):
            updates[name] = value
    if "phone" in updates and current.get("phone"):
        updates.pop("phone_key", None)
    if data.get("phone") and current.get("phone") and data.get("phone_key") != current.get("phone_key"):
        data = dict(data, more_phones="\n".join(filter(None, (data["phone"], data.get("more_phones")))))
    if data.get("email") and current.get("email") and ascii_lower(data["email"]) != ascii_lower(current["email"]):
        data = dict(data, more_emails="\n".join(filter(None, (data["email"], data.get("more_emails")))))
    notes, more = current.get("notes") or "", data.get("notes") or ""
    if notes and more and more not in notes:  # a second row's notes are added, once
        updates["notes"] = f"{notes}\n{more}"
    tags = join_tags(split_tags([*split_tags(current["tags"]), *split_tags(data.get("tags", ""))]))
    if tags != current["tags"]:
        updates["tags"] = tags
    for name, besides, key in (
        ("more_emails", (current.get("email"),), ascii_lower),
        ("more_phones", (current.get("phone"),), lambda text: _NOT_DIGITS.sub("", text)),
    ):
        if data.get(name):
            merged = _merged_lines(current.get(name) or "", data[name], besides=besides, key=key)
            if merged != (current.get(name) or ""):
                updates[name] = merged
    for name in ("dates", "fields"):
        if data.get(name):
            old = json.loads(current[name]) if current.get(name) else {}
            new = json.loads(data[name]) | old
            if new != old:
                updates[name] = json.dumps(new, ensure_ascii=False, sort_keys=name == "dates")
    consent = data.get("consent")
    if consent is not None and (current.get("consent") is None or (consent == 0 and current["consent"] == 1)):
        updates["consent"] = consent
    for name in ("orders_reported", "spent_reported"):
        if data.get(name) is not None and (current.get(name) is None or data[name] > current[name]):
            updates[name] = data[name]
    return updates


_MERGED_SPECIALLY = frozenset(
    {"tags", "more_emails", "more_phones", "dates", "fields", "consent", "orders_reported", "spent_reported"}
)
_NOT_DIGITS = re.compile(r"\D")


class ContactsTable(StoreTable):
    def count(self) -> int:
        count: int = self.conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
        return count

    def get(self, contact_id: int) -> Contact:
        row = self.conn.execute(f"SELECT {COLUMNS} FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        if row is None:
            raise ContactNotFound(f"There is no contact with id {contact_id}.")
        return contact_from_row(row)

    def by_email(self, email: str) -> Contact | None:
        cleaned = clean_email(email)
        if not cleaned:
            return None
        row = self.conn.execute(f"SELECT {COLUMNS} FROM contacts WHERE lower(email) = lower(?)", (cleaned,)).fetchone()
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
            f"SELECT {COLUMNS}, phone_key FROM contacts WHERE phone_key IS NOT NULL AND substr(phone_key, -?) = ? "
            "ORDER BY id",
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
        self.conn.executemany(
            f"INSERT INTO contacts ({', '.join(STORED)}, import_id, created_at, updated_at) "
            f"VALUES ({', '.join('?' for _ in STORED)}, ?, ?, ?)",
            _insert_rows(inserts, (import_id, stamp, stamp), default_source),
        )
        changed = 0
        for contact_id, data in matched:
            changed += self._fill_empty(contact_id, data, import_id, stamp)
        return len(inserts), changed

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
            "WHERE phone_key IN ({marks}) AND (email IS NULL OR import_id IS NOT ?) ORDER BY id"
        )
        found = list(rows_in(self.conn, sql, keys, import_id))
        return sorted(found, key=lambda row: row[1])  # id order across chunks too

    def _fill_empty(self, contact_id: int, data: Fields, import_id: int, stamp: str) -> int:
        *row, made_by = self.conn.execute(
            f"SELECT {', '.join(STORED)}, import_id FROM contacts WHERE id = ?", (contact_id,)
        ).fetchone()
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
        return dict(rows_in(self.conn, sql, numbers))

    def ids_by_email(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT lower(email), id FROM contacts WHERE email IS NOT NULL"))

    def ids_for_emails(self, keys: Iterable[str]) -> dict[str, int]:
        """{lower(email): id} for the contacts with these addresses (keys lower-cased as SQLite does: ASCII)."""
        sql = "SELECT lower(email), id FROM contacts WHERE email IS NOT NULL AND lower(email) IN ({marks})"
        return dict(rows_in(self.conn, sql, keys))

    def _ids_for_phone_keys(self, keys: Iterable[str], import_id: int) -> dict[str, int]:
        """{phone_key: id of the first contact with it} for rows without an e-mail address. Within one batch such a
        row merges with other rows without one, not with a contact the batch made from a row with an address."""
        sql = (
            "SELECT phone_key, min(id) FROM contacts "
            "WHERE phone_key IN ({marks}) AND (email IS NULL OR import_id IS NOT ?) GROUP BY phone_key"
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
        return dict(rows_in(self.conn, sql, keys))
