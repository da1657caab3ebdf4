"""Reading vCard files (.vcf: Apple/iCloud, Google, Outlook, Android exports; vCard 2.1, 3.0 and 4.0) as a table.

Each card becomes one row under the columns a Google Contacts CSV has (`First Name`, `Last Name`, `Organization`,
`E-mail 1 - Value`, `Phone 1 - Value`, `Address 1 - Formatted`, `Birthday`, `Notes`, `Labels`…), so the column
mapper reads it like any export. The file is streamed: lines are unfolded (a leading space or tab continues the line
before; a QUOTED-PRINTABLE value ending in `=` continues on the next line), values decoded with their CHARSET (else
the file's encoding, guessed as for a CSV: BOM, UTF-16, UTF-8, then the legacy code pages) and unescaped (`\\,`,
`\\;`, `\\n`). Photos, logos, sounds and keys are skipped without being kept, however long. A card without
END:VCARD, with a line that is no property, or with bytes its encoding cannot read, is an `UnreadableRow` (its lines,
and why) for the importer to reject; the line number of a card is that of its BEGIN:VCARD.
"""

from __future__ import annotations

import binascii
import codecs
import io
import os
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tracker.core.errors import ImportRejected
from tracker.core.importing.columns import MULTI_VALUE
from tracker.core.importing.reading import (
    PEEK_ROWS,
    SAMPLE_BYTES,
    Decoding,
    _given_encoding,
    guess_encoding,
    open_regular,
    replacement_count,
)
from tracker.core.importing.table_source import UnreadableRow

_BINARY = {b"PHOTO", b"LOGO", b"SOUND", b"KEY"}  # values skipped unread
_WANTED = {
    "N", "FN", "ORG", "TITLE", "EMAIL", "TEL", "ADR", "BDAY", "ANNIVERSARY", "X-ANNIVERSARY",
    "X-EVOLUTION-ANNIVERSARY", "X-ABDATE", "X-ABLABEL", "NOTE", "CATEGORIES", "X-ABSHOWAS",
}  # fmt: skip
_BASE64_LINE = re.compile(rb"^[ \t]*[A-Za-z0-9+/=]+[ \t]*$")
_PARAM = re.compile(r';([^;=:"]+)(?:=("[^"]*"|[^;]*))?')
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:T[\d:.]*(?:Z|[+-][\d:]+)?)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
_CARET = re.compile(r"\^(.)")
_CARETS = {"n": "\n", "N": "\n", "'": '"', "^": "^"}
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_KEPT_LINES = 200  # lines of a card kept for showing it when it is rejected
_KEPT_CHARS = 500  # characters kept of each such line
_TYPE_LABELS = {
    "cell": "Mobile", "mobile": "Mobile", "iphone": "iPhone", "home": "Home", "work": "Work", "main": "Main",
    "fax": "Fax", "pager": "Pager", "other": "Other", "car": "Car", "text": "Text", "video": "Video",
    "isdn": "ISDN", "voice": "", "pref": "", "internet": "", "x400": "", "msg": "", "bbs": "", "modem": "",
    "dom": "", "intl": "", "postal": "", "parcel": "",
}  # fmt: skip
HEADER_START = ["First Name", "Last Name", "Name", "Organization", "Job Title"]
HEADER_END = ["Birthday", "Anniversary", "Notes", "Labels"]


def looks_like_vcard(head: bytes) -> bool:
    """Whether a file's first bytes start a vCard (after a BOM and blank lines), in UTF-8, UTF-16 or a code page."""
    text = _head_text(head[:4096])
    return text.lstrip("\ufeff \t\r\n").upper().startswith("BEGIN:VCARD")


def _head_text(head: bytes) -> str:
    codec = "latin-1"
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16"
    elif len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and not head[0::2].count(0):
        codec = "utf-16-le"
    elif len(head) >= 4 and head[0::2].count(0) > len(head) // 4 and not head[1::2].count(0):
        codec = "utf-16-be"
    return codecs.getincrementaldecoder(codec)("replace").decode(head[: len(head) & ~1], False)


@dataclass(frozen=True, slots=True)
class _Head:
    """What a content line's name and parameters say: `item1.TEL;type=CELL;type=pref` → group "item1", name "TEL",
    types ("cell", "pref"). Cached by their bytes, since an export repeats the same few."""

    group: str
    name: str  # upper case, without the group
    params: dict[str, list[str]]
    types: tuple[str, ...]  # lower case
    quoted: bool  # QUOTED-PRINTABLE
    binary: bool  # a photo, logo, sound or key: skipped
    charset: str | None


_HEADS: dict[bytes, _Head] = {}
_MAX_HEADS = 4096


def _head(name_part: bytes) -> _Head:
    found = _HEADS.get(name_part)
    if found is not None:
        return found
    text = name_part.decode("ascii", "replace")
    prop, _, rest = text.partition(";")
    group, _, name = prop.strip().rpartition(".")
    params = _params(";" + rest) if rest else {}
    charset = params.get("CHARSET")
    encodings = {e.upper() for e in params.get("ENCODING", ())}
    head = _Head(
        group.lower(),
        name.upper(),
        params,
        tuple(t.lower() for t in params.get("TYPE", ())),
        "QUOTED-PRINTABLE" in encodings,
        # a photo, logo, sound or key, or any base64 blob (Outlook's X-MS-CARDPICTURE)
        name.upper().encode("ascii", "replace") in _BINARY or bool(encodings & {"BASE64", "B"}),
        charset[0].strip('"') if charset else None,
    )
    if len(_HEADS) >= _MAX_HEADS:
        _HEADS.clear()
    _HEADS[name_part] = head
    return head


@dataclass(slots=True)
class _Property:
    head: _Head
    value: str

    @property
    def group(self) -> str:
        return self.head.group

    @property
    def name(self) -> str:
        return self.head.name


@dataclass(slots=True)
class _Card:
    line: int
    start: int  # bytes read before it
    lines: list[bytes] = field(default_factory=list)
    properties: list[_Property] = field(default_factory=list)
    problem: str | None = None
    size: int = 0


@dataclass(slots=True)
class _Contact:
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


def unescape(value: str, separator: str | None = None) -> list[str]:
    """A vCard value's text, split at `separator` where it is not escaped: `\\n` is a line break, `\\,` `\\;` `\\\\`
    the character itself; any other backslash stays."""
    if "\\" not in value:
        return value.split(separator) if separator else [value]
    parts: list[str] = []
    current: list[str] = []
    position, end = 0, len(value)
    while position < end:
        char = value[position]
        if char == "\\" and position + 1 < end and value[position + 1] in "nN,;\\:":
            following = value[position + 1]
            current.append("\n" if following in "nN" else following)
            position += 2
            continue
        if char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        position += 1
    parts.append("".join(current))
    return parts


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


def resolve(properties: list[_Property]) -> _Contact:
    """The contact a card's properties describe."""
    contact = _Contact()
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


class VCardFile:
    """A vCard file opened for importing as a table (see the module's docstring); a context manager."""

    format = "vcard"
    delimiter = ""
    sheets: tuple[str, ...] = ()
    sheet: str | None = None
    total_rows: int | None = None
    has_nul = False

    def __init__(self, path: Path | str, *, encoding: str | None = None, peek_rows: int = PEEK_ROWS):
        self.path = Path(path)
        self.name = self.path.name
        self._binary = open_regular(self.path)
        try:
            self._open(encoding, peek_rows)
        except BaseException:
            self.close()
            raise

    def _open(self, encoding: str | None, peek_rows: int) -> None:
        binary = self._binary
        self.size = os.fstat(binary.fileno()).st_size
        try:
            head = binary.read(SAMPLE_BYTES)
            whole = len(head) < SAMPLE_BYTES or not binary.peek(1)
            decoding = _given_encoding(encoding, head, whole) if encoding else guess_encoding(binary, head, whole)
            binary.seek(0)
        except OSError as exc:
            raise ImportRejected(f"Cannot read {self.path}: {exc.strerror or exc}.") from None
        self.decoding = decoding
        self.encoding = decoding.name
        self._replaced_before = replacement_count()
        codec = codecs.lookup(decoding.codec).name
        lines: Iterator[bytes]
        self._wide = codec.startswith(("utf-16", "utf-32"))
        if self._wide:  # read as text, handled as UTF-8 bytes from there on
            text = io.TextIOWrapper(binary, encoding=decoding.codec, errors=decoding.errors, newline="")
            lines = (line.encode("utf-8", "surrogateescape") for line in text)
            self._codec = "utf-8"
        else:
            lines = iter(binary)
            self._codec = "utf-8" if codec == "utf-8-sig" else codec
        self._errors = decoding.errors
        self._consumed = 0
        self._card_bytes: list[int] = []
        self._cards = self._read_cards(self._logical(lines))
        self._ahead: deque[_Card] = deque()
        for card in self._cards:
            self._ahead.append(card)
            if len(self._ahead) >= peek_rows:
                break
        if not self._ahead:
            raise ImportRejected(f"{self.name} holds no vCard; there is nothing to import.")
        contacts = [self._contact(card) for card in self._ahead]
        widths = [
            max((len(c.emails) for c in contacts if c), default=0),
            max((len(c.phones) for c in contacts if c), default=0),
            max((len(c.addresses) for c in contacts if c), default=0),
        ]
        self._emails, self._phones, self._addresses = (max(1, w) for w in widths)
        self.header = [
            *HEADER_START,
            *(f"E-mail {i} - {part}" for i in range(1, self._emails + 1) for part in ("Label", "Value")),
            *(f"Phone {i} - {part}" for i in range(1, self._phones + 1) for part in ("Label", "Value")),
            *(f"Address {i} - {part}" for i in range(1, self._addresses + 1) for part in ("Label", "Formatted")),
            *HEADER_END,
        ]
        self.header_line = 1
        self._rows = deque(self._row(card, contact) for card, contact in zip(self._ahead, contacts, strict=True))
        self._ahead.clear()
        self.sample = [row for _, row in self._rows]

    # Lines and cards --------------------------------------------------------------------------------------------

    def _logical(self, lines: Iterator[bytes]) -> Iterator[tuple[int, bytes, int, _Head | None]]:
        """Unfolded lines with the number of their first line, where their value starts (-1: nowhere) and what their
        name says; a binary property's value is left out."""
        pending: bytes | None = None
        start = colon = 0
        head: _Head | None = None
        quoted = skipping = False
        for number, raw in enumerate(lines, 1):
            self._consumed += len(raw)
            line = raw.rstrip(b"\r\n")
            if number == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            if pending is not None:
                if quoted and pending.endswith(b"="):  # a QUOTED-PRINTABLE soft line break
                    pending = pending[:-1] + line
                    continue
                if line[:1] in (b" ", b"\t") and (line.strip() or skipping):
                    if not skipping:
                        pending += line[1:]
                    continue
                if skipping and (not line.strip() or (b":" not in line and _BASE64_LINE.match(line))):
                    continue  # vCard 2.1 writes base64 lines without a fold and ends them with a blank line
                yield start, pending, colon, head
                pending = None
            if not line.strip():
                continue
            pending, start = line, number
            colon = _colon(line)
            if colon > 0:
                head = _head(line[:colon])
                skipping, quoted = head.binary, head.quoted
                if skipping:
                    pending = line[: colon + 1]
            else:
                head = None
                skipping = quoted = False
        if pending is not None:
            yield start, pending, colon, head

    def _read_cards(self, lines: Iterator[tuple[int, bytes, int, _Head | None]]) -> Iterator[_Card]:
        card: _Card | None = None
        stray: _Card | None = None  # lines that are not in any card
        for number, line, colon, head in lines:
            bare = head.name if head is not None else ""
            if bare == "BEGIN" and line[colon + 1 :].strip().upper() == b"VCARD":
                if stray is not None:
                    yield stray
                    stray = None
                if card is not None:
                    card.problem = "the card has no END:VCARD (the file may be cut short or damaged)"
                    yield self._finish(card)
                card = _Card(number, self._consumed)
                card.lines.append(line)
                continue
            if card is None:
                if stray is None:
                    stray = _Card(number, self._consumed, problem="these lines are not inside a vCard (no BEGIN:VCARD)")
                if len(stray.lines) < _KEPT_LINES:
                    stray.lines.append(line)
                continue
            if len(card.lines) < _KEPT_LINES:
                card.lines.append(line)
            if bare == "END":
                yield self._finish(card)
                card = None
                continue
            if head is None or not head.name:
                card.problem = card.problem or f"line {number:,} is not a vCard property: '{self._shown(line)[:60]}'"
                continue
            if b"\x00" in line:
                card.problem = card.problem or f"line {number:,} holds NUL bytes (damaged data)"
                continue
            if card.problem is None and head.name in _WANTED:
                try:
                    self._take(card, head, line[colon + 1 :])
                except UnicodeDecodeError:
                    card.problem = f"line {number:,} is not valid {self.encoding}; try another encoding"
                except LookupError as exc:
                    card.problem = f"line {number:,} names a character set Python does not know ({exc})"
        if card is not None:
            card.problem = "the card has no END:VCARD (the file may be cut short or damaged)"
            yield self._finish(card)
        if stray is not None:
            yield stray

    def _take(self, card: _Card, head: _Head, raw: bytes) -> None:
        if head.quoted:
            raw = binascii.a2b_qp(raw)
        if head.charset is None:
            value = raw.decode(self._codec, self._errors)
        else:
            value = raw.decode(codecs.lookup(head.charset).name, "tracker-replace")
        if "\r" in value:  # a QUOTED-PRINTABLE line break is =0D=0A
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        card.properties.append(_Property(head, value))

    def _shown(self, line: bytes) -> str:
        """A line as shown among a rejected card's cells: decoded leniently, cut short."""
        return line[:_KEPT_CHARS].decode(self._codec, "replace")

    def _finish(self, card: _Card) -> _Card:
        card.size = max(1, self._consumed - card.start)
        if len(self._card_bytes) < 2 * PEEK_ROWS:
            self._card_bytes.append(card.size)
        return card

    # Rows --------------------------------------------------------------------------------------------------------

    @staticmethod
    def _contact(card: _Card) -> _Contact | None:
        return None if card.problem else resolve(card.properties)

    def _row(self, card: _Card, contact: _Contact | None) -> tuple[int, list[str]]:
        if contact is None:
            shown = [self._shown(line) for line in card.lines]
            return card.line, UnreadableRow(shown, card.problem or "the card cannot be read")
        row = [contact.first, contact.last, contact.name, contact.org, contact.title]
        for values, width in ((contact.emails, self._emails), (contact.phones, self._phones)):
            row.extend(_spread(values, width))
        row.extend(_spread(contact.addresses, self._addresses))
        row.extend([contact.birthday, contact.anniversary, "\n".join(contact.notes), MULTI_VALUE.join(contact.labels)])
        return card.line, row

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every card as (line of its BEGIN:VCARD, cells), read from the file as they are asked for."""
        while self._rows:
            yield self._rows.popleft()
        for card in self._cards:
            yield self._row(card, self._contact(card))

    @property
    def bytes_read(self) -> int:
        if self._wide:  # _consumed counts the lines as UTF-8; the text layer reads the file ahead in chunks
            try:
                return min(self._binary.tell(), self.size)
            except (OSError, ValueError):
                return self.size
        return min(self._consumed, self.size)

    @property
    def replaced(self) -> bool:
        return replacement_count() != self._replaced_before

    def replacement_warning(self) -> str:
        return (
            f"bytes that are not valid {self.encoding} were replaced with \ufffd; if letters look wrong, "
            "import again with another encoding"
        )

    def rows_bytes(self, rows: list[list[str]]) -> int:
        """What the first cards took in the file, photos included."""
        wide = 2 if self._wide else 1  # the cards were counted as UTF-8; UTF-16 takes about twice that
        return wide * sum(self._card_bytes[: len(rows)])

    def close(self) -> None:
        self._binary.close()

    def __enter__(self) -> VCardFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _spread(values: list[tuple[str, str]], width: int) -> list[str]:
    """(label, value) pairs into `width` label/value column pairs; more values than that join the last one."""
    cells: list[str] = []
    for position in range(width):
        if position < len(values):
            label, text = values[position]
            if position == width - 1 and len(values) > width:
                text = MULTI_VALUE.join(value for _, value in values[position:])
            cells += [label, text]
        else:
            cells += ["", ""]
    return cells


def _colon(line: bytes) -> int:
    """Where a content line's value starts: its first colon outside a quoted parameter value, else -1."""
    colon = line.find(b":")
    quote = line.find(b'"')
    if quote < 0 or colon < quote:
        return colon
    inside = False
    for position, byte in enumerate(line):
        if byte == 0x22:
            inside = not inside
        elif byte == 0x3A and not inside:
            return position
    return -1


def _params(text: str) -> dict[str, list[str]]:
    """`;TYPE=WORK,VOICE;CHARSET=UTF-8;PREF` → {"TYPE": ["WORK", "VOICE", "PREF"], "CHARSET": ["UTF-8"]}: a bare
    parameter (vCard 2.1) is a type, or an encoding."""
    params: dict[str, list[str]] = {}
    for key, value in _PARAM.findall(text):
        key = key.strip().upper()
        if not value:
            if key in ("QUOTED-PRINTABLE", "BASE64", "8BIT", "B"):
                params.setdefault("ENCODING", []).append(key)
            else:
                params.setdefault("TYPE", []).append(key)
            continue
        if value.startswith('"') and value.endswith('"') and len(value) > 1:
            value = value[1:-1]
        if "^" in value:  # RFC 6868: ^n a line break, ^' a double quote, ^^ a caret
            value = _CARET.sub(lambda found: _CARETS.get(found.group(1), found.group(0)), value)
        values = [v for v in value.split(",") if v] if key == "TYPE" else [value]
        params.setdefault(key, []).extend(values)
    return params


def open_vcard(path: Path | str, *, encoding: str | None = None, peek_rows: int = PEEK_ROWS) -> VCardFile:
    """Open a vCard file for streaming as a table, or raise ImportRejected with the reason (one sentence)."""
    return VCardFile(path, encoding=encoding, peek_rows=peek_rows)


__all__ = ["Decoding", "VCardFile", "looks_like_vcard", "open_vcard", "resolve", "unescape", "vcard_date"]
