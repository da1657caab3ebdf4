"""Finding a contact by what the user has at hand: an e-mail address, a phone number in any form, or an id."""

from __future__ import annotations

import re

from tracker.core.errors import ContactNotFound, InvalidInput
from tracker.core.models import Contact
from tracker.core.normalize import phone_key
from tracker.core.store import Store

#: What a phone number is written with: digits, spaces, + ( ) - . / and Excel's leading apostrophe.
_PHONE_TEXT = re.compile(r"^'?\s*\+?[\d\s().\-/]+$")
_LARGEST_ID = 2**63 - 1
HOW = "an e-mail address, a phone number or an id (#12)"


def find_contact(store: Store, text: str) -> Contact:
    """The one contact `text` names: an e-mail address (any case), a phone number (any spacing, national or
    international form), or an id written #12, id:12 or as a bare number too short to be a phone number.

    ContactNotFound when nobody matches; InvalidInput when several contacts share the phone number."""
    raw = text.strip()
    shown = raw if len(raw) <= 60 else raw[:59] + "…"
    if not raw:
        raise ContactNotFound(f"Name the contact by {HOW}.")
    lowered = raw.lower()
    if lowered.startswith(("#", "id:")):
        number = (raw[1:] if raw.startswith("#") else raw[3:]).strip()
        if not (number.isascii() and number.isdigit()):
            raise InvalidInput(f"'{shown}' is not a contact id; write an id as #12 or id:12.")
        return _by_id(store, number)
    if "@" in raw:
        found = store.contacts.by_email(raw)
        if found is None:
            raise ContactNotFound(f"No contact has the e-mail address '{shown}'.")
        return found
    key = phone_key(raw)
    bare = raw.isascii() and raw.isdigit()
    if bare and key is None:
        return _by_id(store, raw)
    if key is not None and _PHONE_TEXT.match(raw):
        matches = store.contacts.with_phone(key)
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise InvalidInput(
                f"{len(matches)} contacts have the phone number {shown}; give the e-mail address or id (#12) "
                "of the one you mean."
            )
        hint = f" (for the contact with id {raw}, write #{raw})" if bare else ""
        raise ContactNotFound(f"No contact has the phone number {shown}{hint}.")
    raise ContactNotFound(f"'{shown}' names no contact; give {HOW}.")


def _by_id(store: Store, digits: str) -> Contact:
    number = int(digits) if len(digits) <= 19 else None  # longer: past SQLite's integers (and int()'s limit)
    if number is None or not 1 <= number <= _LARGEST_ID:
        shown = digits if len(digits) <= 20 else digits[:19] + "…"
        raise ContactNotFound(f"There is no contact with id {shown}.")
    return store.contacts.get(number)
