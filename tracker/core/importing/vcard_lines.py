"""vCard content lines, below the meaning of any property: whether a file starts a vCard, its lines unfolded (a
leading space or tab continues the line before; a QUOTED-PRINTABLE value ending in `=` continues on the next line;
photos', logos', sounds' and keys' values skipped unread), a line's group, name and parameters (`Head`), and its
value decoded (QUOTED-PRINTABLE, then its CHARSET or the file's encoding) and unescaped (`\\,`, `\\;`, `\\n`)."""

from __future__ import annotations

import binascii
import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass

_BINARY = {b"PHOTO", b"LOGO", b"SOUND", b"KEY"}  # values skipped unread
_BASE64_LINE = re.compile(rb"^[ \t]*[A-Za-z0-9+/=]+[ \t]*$")
_PARAM = re.compile(r';([^;=:"]+)(?:=("[^"]*"|[^;]*))?')
_CARET = re.compile(r"\^(.)")
_CARETS = {"n": "\n", "N": "\n", "'": '"', "^": "^"}


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
class Head:
    """What a content line's name and parameters say: `item1.TEL;type=CELL;type=pref` → group "item1", name "TEL",
    types ("cell", "pref"). Cached by their bytes, since an export repeats the same few."""

    group: str
    name: str  # upper case, without the group
    params: dict[str, list[str]]
    types: tuple[str, ...]  # lower case
    quoted: bool  # QUOTED-PRINTABLE
    binary: bool  # a photo, logo, sound or key: skipped
    charset: str | None


_HEADS: dict[bytes, Head] = {}
_MAX_HEADS = 4096


def read_head(name_part: bytes) -> Head:
    """What a content line's name and parameters (its bytes before the colon) say; cached."""
    found = _HEADS.get(name_part)
    if found is not None:
        return found
    text = name_part.decode("ascii", "replace")
    prop, _, rest = text.partition(";")
    group, _, name = prop.strip().rpartition(".")
    params = _params(";" + rest) if rest else {}
    charset = params.get("CHARSET")
    encodings = {e.upper() for e in params.get("ENCODING", ())}
    head = Head(
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


class LogicalLines:
    """A vCard file's content lines unfolded, read from its physical lines as they are asked for; `consumed` counts
    the bytes of the physical lines read so far."""

    def __init__(self, lines: Iterator[bytes]) -> None:
        self.consumed = 0
        self._lines = lines

    def __iter__(self) -> Iterator[tuple[int, bytes, int, Head | None]]:
        """Unfolded lines with the number of their first line, where their value starts (-1: nowhere) and what their
        name says; a binary property's value is left out."""
        pending: bytes | None = None
        start = colon = 0
        head: Head | None = None
        quoted = skipping = False
        for number, raw in enumerate(self._lines, 1):
            self.consumed += len(raw)
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
                head = read_head(line[:colon])
                skipping, quoted = head.binary, head.quoted
                if skipping:
                    pending = line[: colon + 1]
            else:
                head = None
                skipping = quoted = False
        if pending is not None:
            yield start, pending, colon, head


def decode_value(head: Head, raw: bytes, codec: str, errors: str) -> str:
    """A property's value as text: QUOTED-PRINTABLE undone, decoded with its CHARSET (else `codec` and `errors`, the
    file's), line breaks as \\n. UnicodeDecodeError, or LookupError for a CHARSET Python does not know."""
    if head.quoted:
        raw = binascii.a2b_qp(raw)
    if head.charset is None:
        value = raw.decode(codec, errors)
    else:
        value = raw.decode(codecs.lookup(head.charset).name, "tracker-replace")
    if "\r" in value:  # a QUOTED-PRINTABLE line break is =0D=0A
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


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
