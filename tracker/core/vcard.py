"""vCard 3.0 export, so a follow-up list can go onto a phone's contacts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from tracker.core.export import neutralise
from tracker.core.models import Contact
from tracker.core.safe_write import write_whole

_NOT_PHONE = re.compile(r"[^0-9+()./ -]")


def _phone(text: str) -> str:
    """Only what a phone number is made of: a leading + stays (it is the number), formulas cannot survive."""
    return _NOT_PHONE.sub("", text).strip()


def _escape(text: str) -> str:
    """vCard escaping, after the spreadsheet-formula rule (cards get imported into spreadsheets too)."""
    text = neutralise(text)
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 6350)."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, current = [], b""
    for ch in line:
        piece = ch.encode("utf-8")
        if len(current) + len(piece) > 74:
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def vcard(contact: Contact, note: str = "") -> str:
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{_escape(contact.last_name)};{_escape(contact.first_name)};;;",
        f"FN:{_escape(contact.name or contact.email or 'Contact')}",
    ]
    if contact.company:
        lines.append(f"ORG:{_escape(contact.company)}")
    if contact.email:
        lines.append(f"EMAIL;TYPE=INTERNET:{_escape(contact.email)}")
    if contact.phone:
        lines.append(f"TEL;TYPE=CELL:{_phone(contact.phone)}")
    if contact.tags:
        lines.append("CATEGORIES:" + ",".join(_escape(t) for t in contact.tags))
    if note:
        lines.append(f"NOTE:{_escape(note)}")
    lines.append("END:VCARD")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def write_vcards(path: Path | str, entries: Iterable[tuple[Contact, str]], *, database: Path | str | None) -> int:
    """Write one .vcf holding a card per (contact, note), whole or not at all; returns how many."""
    cards = [vcard(contact, note) for contact, note in entries]
    data = "".join(cards).encode("utf-8")
    write_whole(path, lambda handle: handle.write(data), database=database)
    return len(cards)
