"""Cleaning the values people type or export: e-mail addresses, phone numbers, tags, names."""

from __future__ import annotations

import re
from functools import lru_cache

# Deliberately simple: one @, no spaces, a dot in the domain. Real validation is sending the mail.
_EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\".]{2,}$")
_ANGLE = re.compile(r"<\s*([^<>\s]+@[^<>\s]+)\s*>")
_TAG_SPLIT = re.compile(r"\s*(?::::|[,;|])\s*")
_NOT_DIGIT = re.compile(r"\D")


def clean_email(text: str | None) -> str | None:
    """Trim, drop `mailto:` and `Name <…>` wrappers; None when empty. Case is kept as typed."""
    if text is None:
        return None
    value = str(text).strip()
    if "<" not in value and ":" not in value and "'" not in value and '"' not in value:
        return value or None  # the common case, without a regex
    angle = _ANGLE.search(value)
    if angle:
        value = angle.group(1)
    if value.lower().startswith("mailto:"):
        value = value[7:]
    value = value.strip().strip("'\"").strip()
    return value or None


def is_valid_email(email: str) -> bool:
    return bool(_EMAIL.match(email))


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """Lower-case A–Z only, exactly as SQLite's lower() does, so Python and the unique index agree on what is
    the same address (Python's str.lower would also fold Ž to ž, which the index does not)."""
    return text.translate(_ASCII_LOWER)


def email_key(email: str | None) -> str | None:
    """The form duplicates are matched on: trimmed, A–Z lower-cased (the contacts_email index's rule)."""
    cleaned = clean_email(email)
    return ascii_lower(cleaned) if cleaned else None


def clean_phone(text: str | None) -> str:
    """Trim and drop the leading apostrophe Excel and Shopify use to keep numbers as text."""
    value = (text or "").strip()
    if value.startswith("'"):
        value = value[1:].strip()
    return value


def phone_key(text: str | None) -> str | None:
    """Digits only, keeping a leading + (00 becomes +); None when fewer than 5 digits."""
    value = clean_phone(text)
    digits = _NOT_DIGIT.sub("", value)
    if len(digits) < 5:
        return None
    if value.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    return digits


def same_phone(a: str, b: str) -> bool:
    """Whether two phone keys are one number, written alike or once nationally and once internationally:
    07700 900004 is +44 7700 900004 (the trunk 0 dropped after a country code of 1 to 3 digits), 06 1234 5678 is
    +39 06 1234 5678 (kept)."""
    if a == b:
        return True
    if a.startswith("+") == b.startswith("+"):
        return False
    international, national = (a[1:], b) if a.startswith("+") else (b[1:], a)
    for local in {national, national[1:] if national.startswith("0") else national}:
        if len(local) >= 6 and international.endswith(local) and 1 <= len(international) - len(local) <= 3:
            return True
    return False


def split_tags(text: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Split `a, b; c ::: d` into unique tags, first spelling wins, Google's `* myContacts` dropped."""
    if not text:
        return ()
    if isinstance(text, str):
        return _split_tag_text(text)
    return _unique_tags(text)


@lru_cache(maxsize=4096)
def _split_tag_text(text: str) -> tuple[str, ...]:
    """Cached: an export repeats the same few label cells on thousands of rows."""
    return _unique_tags(_TAG_SPLIT.split(text))


def _unique_tags(parts: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for part in parts:
        tag = str(part).strip().lstrip("*").strip().strip('"').strip()
        if tag and tag.lower() != "mycontacts" and tag.lower() not in seen:
            seen[tag.lower()] = tag
    return tuple(seen.values())


def join_tags(tags: tuple[str, ...] | list[str]) -> str:
    return ", ".join(tags)
