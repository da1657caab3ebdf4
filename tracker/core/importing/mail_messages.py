"""Reading mail files for their headers only: .mbox files streamed a line at a time (a 1 GB Takeout export is never
held in memory), .eml files, Outlook .msg files and folders of them. Bodies are skipped, never kept.

Header text is decoded here, whatever the mailer did: raw 8-bit bytes (UTF-8, else Latin-1), RFC 2047 encoded words
in any charset Python knows (adjacent words joined before decoding, so a character split across two still reads),
dates with or without a zone (a message's Date, else its newest Received stamp, else the mbox separator's)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO

from tracker.core.errors import InvalidInput

Address = tuple[str, str]  # (display name, address as written)

#: Header fields kept (lower-case); the rest of a message is skipped.
WANTED = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "date",
        "message-id",
        "received",
        "list-unsubscribe",
        "list-id",
        "precedence",
        "auto-submitted",
    }
)
#: The header fields whose presence or value says a message is bulk or automatic (mail_rules reads them).
SIGNALS = ("list-unsubscribe", "list-id", "precedence", "auto-submitted")
MAIL_SUFFIXES = frozenset({".eml", ".msg", ".mbox", ".mbx"})
_HEADER_LIMIT = 256 * 1024  # bytes of one message's header block kept; a damaged file's runaway header is cut
_CHUNK = 1 << 20  # bytes of an mbox read at a time
_HEADER_END = re.compile(rb"\n\r?\n")  # the empty line after a header block
_NEXT_MESSAGE = re.compile(rb"\n\r?\nFrom ")  # an empty line, then a separator
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"\s*")
_SPACES = re.compile(r"\s+")
_SPECIALS = re.compile(r'["()\\;:]')  # an address list that needs the full parser (quotes, comments, groups)
_NAMED = re.compile(r"\s*([^<>]*?)\s*<\s*([^<>\s]+@[^<>\s]+)\s*>\s*")
_BARE = re.compile(r"\s*([^<>\s]+@[^<>\s]+)\s*")
_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:")
#: A header field with its folded continuation lines: name, then the value up to the next line not starting blank.
_HEADER_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)", re.MULTILINE)
_FOLD = re.compile(rb"\r?\n[ \t]+")
_MAIL_FIELD = re.compile(rb"(?im)^(?:from|date|subject|message-id|received|return-path|mime-version|delivered-to):")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: Outlook's .msg


@dataclass(slots=True)
class MailMessage:
    """What the rules read of one message: who wrote to whom, when, about what, and its bulk signals."""

    sender: Address | None
    recipients: list[Address]
    subject: str
    moment: datetime | None  # local time without a zone, as interactions are stored; None: no readable date
    message_id: str
    signals: dict[str, str] = field(default_factory=dict)  # SIGNALS found → their value

    def to_row(self) -> list[object]:
        moment = self.moment.isoformat() if self.moment else None
        return [self.sender, self.recipients, self.subject, moment, self.message_id, self.signals]

    @classmethod
    def from_row(cls, row: list[Any]) -> MailMessage:
        """The message `to_row` wrote (as JSON read it back: lists for tuples)."""
        sender, recipients, subject, moment, message_id, signals = row
        return cls(
            (str(sender[0]), str(sender[1])) if sender else None,
            [(str(name), str(address)) for name, address in recipients],
            str(subject),
            datetime.fromisoformat(moment) if moment else None,
            str(message_id),
            {str(name): str(value) for name, value in signals.items()},
        )


def decode_words(text: str) -> str:
    """'=?utf-8?q?Ren=C3=A9e?= Dupont' → 'Renée Dupont'; unknown charsets and broken words degrade, never raise."""
    if "=?" not in text:
        return _SPACES.sub(" ", text).strip()
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset = ""
    position = 0

    def flush() -> None:
        if pending:
            out.append(_decode_bytes(b"".join(pending), pending_charset))
            pending.clear()

    for match in _ENCODED_WORD.finditer(text):
        between = text[position : match.start()]
        if between and (not pending or not _BETWEEN_WORDS.fullmatch(between)):
            flush()
            out.append(between)
        charset, encoding, payload = match.group(1).split("*")[0].lower(), match.group(2).lower(), match.group(3)
        try:
            raw = (
                base64.b64decode(payload + "=" * (-len(payload) % 4))
                if encoding == "b"
                else binascii.a2b_qp(payload.encode("ascii", "replace"), header=True)
            )
        except (binascii.Error, ValueError):
            flush()
            out.append(match.group(0))
        else:
            if pending and charset != pending_charset:
                flush()
            pending.append(raw)
            pending_charset = charset
        position = match.end()
    flush()
    out.append(text[position:])
    return _SPACES.sub(" ", "".join(out)).strip()


def _decode_bytes(raw: bytes, charset: str) -> str:
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know: UTF-8 if it reads as such, else Latin-1
        return _text(raw)


def _text(raw: bytes) -> str:
    """Raw 8-bit header bytes: UTF-8 when they are, Latin-1 (which reads any byte) otherwise."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_header_block(block: bytes) -> dict[str, list[str]]:
    """The WANTED fields of a header block (unfolded, as text, not yet RFC 2047-decoded), in order; the block ends
    at its first empty line. One regex pass finds the fields; only the wanted ones are decoded."""
    end = _HEADER_END.search(block)
    if end is not None:
        block = block[: end.start() + 1]
    headers: dict[str, list[str]] = {}
    for found in _HEADER_FIELD.finditer(block):
        name = found.group(1).decode("ascii").lower()
        if name in WANTED:
            value = found.group(2)
            if b"\n" in value:  # folded: the line breaks go, the whitespace that follows them stays one space
                value = _FOLD.sub(b" ", value)
            headers.setdefault(name, []).append(_text(value.strip()))
    return headers


def addresses(values: list[str]) -> list[Address]:
    """(name, address) pairs of address headers; names decoded, entries without an address dropped. The usual
    `a@b, Name <c@d>` lists are split by a regex; quotes, comments and groups go to the standard library's parser
    (five times slower)."""
    found: list[Address] = []
    for value in values:
        if _SPECIALS.search(value):
            pairs = getaddresses([value])
        else:
            pairs = []
            for part in value.split(","):
                simple = _NAMED.fullmatch(part) or _BARE.fullmatch(part)
                if simple is None:
                    pairs = getaddresses([value])
                    break
                pairs.append((simple.group(1), simple.group(2)) if simple.lastindex == 2 else ("", simple.group(1)))
        for name, address in pairs:
            address = address.strip().strip("<>").strip()
            if "@" in address:
                found.append((decode_words(name).strip().strip("'\"") if name else "", address))
    return found


def read_moment(text: str) -> datetime | None:
    """An RFC 5322 date as local time without a zone; None when unreadable or not between 1900 and 2200."""
    try:
        moment = parsedate_to_datetime(text.strip())
        if moment.tzinfo is not None:
            moment = moment.astimezone().replace(tzinfo=None)
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None
    return moment if 1900 <= moment.year <= 2200 else None


def _separator_moment(line: str) -> datetime | None:
    """The date of an mbox separator, 'From someone@example.com Tue Dec  1 10:00:00 2026'."""
    words = line.split()[2:]
    for text in (" ".join(words), " ".join(words[:5])):
        for fmt in ("%a %b %d %H:%M:%S %Y", "%a %b %d %H:%M:%S %z %Y"):
            try:
                moment = datetime.strptime(text, fmt)
            except ValueError:
                continue
            if moment.tzinfo is not None:
                moment = moment.astimezone().replace(tzinfo=None)
            return moment if 1900 <= moment.year <= 2200 else None
    return None


def message_from_headers(headers: dict[str, list[str]], separator: str = "") -> MailMessage:
    """A MailMessage from parsed header fields; the date falls back to the newest Received stamp, then the mbox
    separator line's date."""
    senders = addresses(headers.get("from", []))
    recipients = addresses([*headers.get("to", []), *headers.get("cc", []), *headers.get("bcc", [])])
    moment = None
    for text in headers.get("date", []):
        moment = read_moment(text)
        if moment:
            break
    if moment is None and headers.get("received"):
        moment = read_moment(headers["received"][0].rpartition(";")[2])
    if moment is None and separator:
        moment = _separator_moment(separator)
    message_id = "".join(headers.get("message-id", [""])[0].split())
    signals = {name: headers[name][0] for name in SIGNALS if name in headers}
    subject = decode_words(headers.get("subject", [""])[0])
    return MailMessage(senders[0] if senders else None, recipients, subject, moment, message_id, signals)


class MailFiles:
    """The files given to an import (mboxes, .eml and .msg files, folders of them), read one message at a time.

    `size` is their bytes together and `bytes_read` how far reading is, for progress; `messages()` yields each
    message's MailMessage, or None for a message that cannot be read at all (a damaged .msg)."""

    def __init__(self, paths: list[Path]):
        if not paths:
            raise InvalidInput("Give at least one mailbox, .eml or .msg file, or a folder of them.")
        self.files: list[tuple[Path, str]] = []  # (file, "mbox" | "eml" | "msg")
        for path in paths:
            self.files.extend(_mail_files(path))
        self.size = sum(path.stat().st_size for path, _ in self.files)
        self.bytes_read = 0

    def messages(self) -> Iterator[MailMessage | None]:
        for path, kind in self.files:
            done = self.bytes_read
            if kind == "mbox":
                yield from self._mbox(path)
            elif kind == "eml":
                yield self._eml(path)
            else:
                from tracker.core.importing.mail_msg import read_msg  # olefile, only when a .msg is read

                yield read_msg(path)
            self.bytes_read = done + path.stat().st_size

    def _eml(self, path: Path) -> MailMessage | None:
        with _opened(path) as handle:
            block = _header_block(handle)
        headers = parse_header_block(block)
        return message_from_headers(headers) if headers else None

    def _mbox(self, path: Path) -> Iterator[MailMessage]:
        """Messages of an mbox, parsed from their header blocks (see mbox_blocks)."""
        with _opened(path) as handle:
            start = self.bytes_read
            for separator, header, offset in mbox_blocks(handle):
                self.bytes_read = start + offset
                yield message_from_headers(parse_header_block(header), _text(separator))


def mbox_blocks(handle: BinaryIO, chunk: int = _CHUNK) -> Iterator[tuple[bytes, bytes, int]]:
    """(separator line, header block, bytes read so far) of each message of an mbox, read `chunk` bytes at a time.

    A line starting 'From ' at the top or after an empty line starts a message (mboxo, mboxrd and Thunderbird's,
    LF or CRLF); its header block runs to the first empty line, cut at _HEADER_LIMIT bytes. Bodies are searched
    for the next separator with bytes.find-speed regexes and dropped, never split into lines."""
    buffer = handle.read(chunk)
    consumed = 0  # bytes of the file before `buffer`
    position = 0  # where the current message's separator line starts in `buffer`
    eof = not buffer

    def more() -> int:
        """Append the next chunk, dropping the bytes before `position` (so the buffer is copied once a chunk, not
        once a message); the indexes into it shift down by the number returned, -1 at the end of the file."""
        nonlocal buffer, consumed, position, eof
        data = b"" if eof else handle.read(chunk)
        if not data:
            eof = True
            return -1
        shift = position
        buffer = buffer[position:] + data
        consumed += shift
        position = 0
        return shift

    while position < len(buffer) or more() >= 0:
        line_end = buffer.find(b"\n", position)
        while line_end < 0:
            if more() < 0:  # a separator line and nothing after it
                yield buffer[position:], b"", consumed + len(buffer)
                return
            line_end = buffer.find(b"\n", position)
        found = _HEADER_END.search(buffer, line_end)
        while found is None and len(buffer) - line_end < _HEADER_LIMIT:
            shift = more()
            if shift < 0:
                break
            line_end -= shift
            found = _HEADER_END.search(buffer, line_end)
        header_end = found.start() + 1 if found else min(len(buffer), line_end + 1 + _HEADER_LIMIT)
        yield buffer[position:line_end], buffer[line_end + 1 : header_end], consumed + header_end
        search_from = found.start() if found else header_end
        following = _NEXT_MESSAGE.search(buffer, search_from)
        while following is None:
            position = max(search_from, len(buffer) - 8)  # a separator may straddle the chunks
            shift = more()
            if shift < 0:
                return
            search_from = max(0, search_from - shift)
            following = _NEXT_MESSAGE.search(buffer, search_from)
        position = following.end() - 5  # at its 'From '


def _opened(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as exc:
        raise InvalidInput(f"{path} cannot be read ({exc.strerror or exc}).") from None


def _header_block(handle: BinaryIO) -> bytes:
    lines: list[bytes] = []
    kept = 0
    for line in handle:
        if line in (b"\n", b"\r\n") or kept >= _HEADER_LIMIT:
            break
        lines.append(line)
        kept += len(line)
    return b"".join(lines)


def _sniff(path: Path) -> str | None:
    """ "mbox", "eml" or "msg" from a file's first bytes; None: none of them."""
    with _opened(path) as handle:
        start = handle.read(4096)
    if start.startswith(OLE_MAGIC):
        return "msg"
    if start.startswith(b"From "):
        return "mbox"
    first = start.lstrip(b"\r\n").split(b"\n", 1)[0]
    return "eml" if _FIELD.match(first) and _MAIL_FIELD.search(start) else None


def _mail_files(path: Path) -> list[tuple[Path, str]]:
    """The mail files `path` names: itself, or the mail files in a folder, in name order: .eml, .msg and .mbox
    files, and mboxes without a suffix (Apple Mail's Inbox.mbox folder holds one called mbox, a Thunderbird
    profile's Mail folder one per mail folder, beside its .msf index)."""
    if not path.exists():
        raise InvalidInput(f"{path} does not exist.")
    if not path.is_dir():
        kind = _sniff(path)
        if kind is None:
            raise InvalidInput(f"{path} is not a mailbox (.mbox), an e-mail (.eml) or an Outlook message (.msg).")
        return [(path, kind)]
    found: list[tuple[Path, str]] = []
    for item in sorted(path.rglob("*")):
        if item.is_file() and (item.suffix.lower() in MAIL_SUFFIXES or not item.suffix):
            kind = _sniff(item)
            if kind is not None and (item.suffix or kind == "mbox"):  # Thunderbird's folders have no suffix
                found.append((item, kind))
    if not found:
        raise InvalidInput(f"{path} holds no mailbox (.mbox), e-mail (.eml) or Outlook message (.msg) files.")
    return found
