"""Cleaning the values people type or export: e-mail addresses, phone numbers, tags, names."""

from __future__ import annotations

import locale
import re
from functools import lru_cache

from tracker.core.errors import InvalidInput

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
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)  # for ASCII the same, and 10x faster


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


def default_region() -> str:
    """The region numbers without a + are read in when the user has not chosen one: the system locale's
    country, else US."""
    try:
        name = locale.getlocale()[0] or ""
    except ValueError:
        name = ""
    country = name.replace("-", "_").partition("_")[2][:2].upper()
    return country if len(country) == 2 and country.isalpha() and country in _known_regions() else "US"


@lru_cache(maxsize=1)
def _known_regions() -> frozenset[str]:
    import phonenumbers  # 0.1 s to import: only when a region is looked at

    return frozenset(phonenumbers.SUPPORTED_REGIONS)


def phone_regions() -> list[str]:
    """Every region code phone numbers can be read in (GB, DE, US…), sorted: what the phone region may be set to."""
    return sorted(_known_regions())


def check_region(text: str) -> str:
    """A region code as phone numbers use it (GB, DE, US…), upper-cased; InvalidInput names what is wrong."""
    region = text.strip().upper()
    if region == "UK":
        region = "GB"
    if region not in _known_regions():
        raise InvalidInput(
            f"'{text.strip()}' is not a country code for phone numbers; use two letters like GB, DE or US."
        )
    return region


@lru_cache(maxsize=256)
def _region_rules(region: str) -> tuple[str, str, str]:
    """(country calling code, national trunk prefix or '', international call prefix or '') of a region."""
    import phonenumbers

    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None:
        return "", "", ""
    international = meta.preferred_international_prefix or meta.international_prefix or ""
    if not international.isdigit():
        international = ""
    return str(meta.country_code), meta.national_prefix or "", international


def phone_key(text: str | None, region: str | None = None) -> str | None:
    """The form phones are matched on: +country digits (E.164) where the number says its country or `region`
    (the shop's, a setting) supplies it, else digits only; None when fewer than 5 digits.

    '+44 7700 900004', '0044 7700 900004' and, in region GB, '07700 900004' all give '+447700900004'; in region
    US '(415) 555-0100' and '1 415 555 0100' give '+14155550100', '011 44 7700 900004' gives '+447700900004'.
    String work only (no parsing library per value): an import calls it for every row."""
    value = clean_phone(text)
    digits = _NOT_DIGIT.sub("", value)
    if len(digits) < 5:
        return None
    if value.startswith("+"):
        return "+" + digits
    if digits.startswith("00") and not digits.startswith("000"):
        return "+" + digits[2:]
    if not region:
        return digits
    code, trunk, international = _region_rules(region)
    if not code:
        return digits
    if len(digits) >= 12 and not digits.startswith("0"):
        return "+" + digits  # longer than national numbers are: an international number whose + was lost (Excel)
    if international and international != "00" and digits.startswith(international):
        return "+" + digits[len(international) :]
    if trunk:
        if digits.startswith(trunk):
            national = digits[len(trunk) :]
            return "+" + code + national if len(national) >= 6 else digits
        if digits.startswith("0"):
            return digits  # not this region's way of writing a national number
        if len(digits) >= 11 and digits.startswith(code):
            return "+" + digits  # an international number whose + was lost (Excel)
        return "+" + code + digits if len(digits) >= 7 else digits
    if len(digits) >= 11 and digits.startswith(code):
        return "+" + digits
    return "+" + code + digits if len(digits) >= 6 else digits


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
