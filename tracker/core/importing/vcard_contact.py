"""What a vCard says of its contact: the properties read (`WANTED`), each decoded (`Property`), resolved into one
`Contact` — first and last name, or the formatted name when the card has none (and is not a company's); the
organisation and job title; e-mail addresses, phones and postal addresses with their labels (Apple's group labels,
else the TYPE words), preferred first, faxes last, repeats once; the birthday and anniversary as ISO dates (a date
without its year as `--12-25`); notes and categories. Reading the lines themselves is `vcard_lines`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from tracker.core.importing.vcard_lines import Head, unescape

#: The properties a card is read for; any other is passed over.
WANTED = {
    "N", "FN", "ORG", "TITLE", "EMAIL", "TEL", "ADR", "BDAY", "ANNIVERSARY", "X-ANNIVERSARY",
    "X-EVOLUTION-ANNIVERSARY", "X-ABDATE", "X-ABLABEL", "NOTE", "CATEGORIES", "X-ABSHOWAS",
}  # fmt: skip
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:T[\d:.]*(?:Z|[+-][\d:]+)?)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_TYPE_LABELS = {
    "cell": "Mobile", "mobile": "Mobile", "iphone": "iPhone", "home": "Home", "work": "Work", "main": "Main",
    "fax": "Fax", "pager": "Pager", "other": "Other", "car": "Car", "text": "Text", "video": "Video",
    "isdn": "ISDN", "voice": "", "pref": "", "internet": "", "x400": "", "msg": "", "bbs": "", "modem": "",
    "dom": "", "intl": "", "postal": "", "parcel": "",
}  # fmt: skip


@dataclass(slots=True)
class Property:
    """A property of a card that is read (see `WANTED`): its name and parameters, and its value decoded (still
    escaped)."""

    head: Head
    value: str

    @property
    def group(self) -> str:
        return self.head.group

    @property
    def name(self) -> str:
        return self.head.name


@dataclass(slots=True)
class Contact:
    """What a card holds, resolved into the table's values."""

    first: str = ""
    last: str = ""
    name: str = ""
    org: str = ""
    title: str = ""
    emails: list[tuple[str, str]] = field(default_factory=list)  # (label, value), preferred first
    phones: list[tuple[str, str]] = field(default_factory=list)
    addresses: list[tuple[str, str]] = field(default_factory=list)
    birthday: str = ""
    anniversary: str = ""
    notes: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


def vcard_date(value: str, params: dict[str, list[str]] | None = None) -> str:
    """A vCard date as ISO text: `19800101` and `1980-01-01T00:00:00Z` → `1980-01-01`; a date without its year
    (`--1225`, `--12-25`, or Apple's X-APPLE-OMIT-YEAR) → `--12-25`; anything else as it was."""
    text = value.strip()
    found = _DATE.match(text)
    if found:
        year, month, day = found.groups()
        omitted = (params or {}).get("X-APPLE-OMIT-YEAR")
        if omitted and omitted[0] == year:
            return f"--{month}-{day}"
        return f"{year}-{month}-{day}"
    found = _NO_YEAR.match(text)
    if found:
        return f"--{found.group(1)}-{found.group(2)}"
    return text


def _label(types: Iterable[str], group_label: str | None) -> str:
    if group_label:
        apple = _APPLE_LABEL.match(group_label)
        return apple.group(1) if apple else group_label
    words = [_TYPE_LABELS.get(t, t.title()) for t in types]
    words = [w for w in words if w]
    if "Fax" in words and len(words) > 1:  # "Work Fax"
        return " ".join([*(w for w in words if w != "Fax"), "Fax"][:2])
    return words[0] if words else ""


def _rank(params: dict[str, list[str]], types: tuple[str, ...], label: str) -> int:
    """Preferred values first, faxes last."""
    if "pref" in types or params.get("PREF"):
        return 0
    return 2 if "fax" in types or "fax" in label.lower() else 1


def _address(params: dict[str, list[str]], value: str) -> str:
    label = params.get("LABEL")
    if label:  # vCard 4.0: the address as it is written on an envelope
        return unescape(label[0].strip('"'))[0].strip()
    parts = [*unescape(value, ";"), "", "", "", "", "", "", ""]
    po_box, extended, street, locality, region, code, country = (p.strip() for p in parts[:7])
    if code[:1].isdigit() and not region:  # "10115 Berlin"
        place = " ".join(p for p in (code, locality) if p)
    else:  # "Cupertino, CA 95014", "London, SW1A 1AA"
        place = ", ".join(p for p in (locality, " ".join(p for p in (region, code) if p)) if p)
    return "\n".join(p for p in (po_box, extended, street, place, country) if p)


def resolve(properties: list[Property]) -> Contact:
    """The contact a card's properties describe."""
    contact = Contact()
    group_labels = {p.group: p.value for p in properties if p.name == "X-ABLABEL" and p.group}
    fn = ""
    show_as_company = False
    emails: list[tuple[int, str, str]] = []
    phones: list[tuple[int, str, str]] = []
    addresses: list[tuple[int, str, str]] = []
    for prop in properties:
        head, value = prop.head, prop.value
        name, params, types = head.name, head.params, head.types
        if name == "N":
            parts = [p.strip() for p in [*unescape(value, ";"), "", ""]]
            contact.last, contact.first = contact.last or parts[0], contact.first or parts[1]
        elif name == "FN":
            fn = fn or unescape(value)[0].strip()
        elif name == "ORG":
            contact.org = contact.org or next((p.strip() for p in unescape(value, ";") if p.strip()), "")
        elif name == "TITLE":
            contact.title = contact.title or unescape(value)[0].strip()
        elif name in ("EMAIL", "TEL", "ADR"):
            label = _label(types, group_labels.get(prop.group))
            if name == "ADR":
                text = _address(params, value)
            else:
                text = unescape(value)[0].strip()
                if name == "TEL" and text.lower().startswith("tel:"):  # vCard 4.0: VALUE=uri
                    text = text[4:].split(";", 1)[0]
                if name == "EMAIL" and text.lower().startswith("mailto:"):
                    text = text[7:]
            if text:
                target = emails if name == "EMAIL" else phones if name == "TEL" else addresses
                target.append((_rank(params, types, label), label, text))
        elif name == "BDAY":
            contact.birthday = contact.birthday or vcard_date(unescape(value)[0], params)
        elif name in ("ANNIVERSARY", "X-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY"):
            contact.anniversary = contact.anniversary or vcard_date(unescape(value)[0], params)
        elif name == "X-ABDATE":
            label = _label((), group_labels.get(prop.group)).lower()
            if not label or "anniversary" in label:
                contact.anniversary = contact.anniversary or vcard_date(unescape(value)[0], params)
        elif name == "NOTE":
            note = unescape(value)[0].strip()
            if note:
                contact.notes.append(note)
        elif name == "CATEGORIES":
            contact.labels.extend(c.strip() for c in unescape(value, ",") if c.strip())
        elif name == "X-ABSHOWAS":
            show_as_company = value.strip().upper() == "COMPANY"
    if not (contact.first or contact.last) and fn and not show_as_company and fn.casefold() != contact.org.casefold():
        contact.name = fn
    contact.emails, contact.phones, contact.addresses = (_ordered(found) for found in (emails, phones, addresses))
    return contact


def _ordered(found: list[tuple[int, str, str]]) -> list[tuple[str, str]]:
    """(label, value) pairs by rank, then as written; a value repeated is kept once."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for _, label, text in sorted(found, key=lambda item: item[0]):
        if text.casefold() not in seen:
            seen.add(text.casefold())
            out.append((label, text))
    return out
