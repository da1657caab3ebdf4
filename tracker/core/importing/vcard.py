"""Reading vCard files (.vcf: Apple/iCloud, Google, Outlook, Android exports; vCard 2.1, 3.0 and 4.0) as a table.

Each card becomes one row under the columns a Google Contacts CSV has (`First Name`, `Last Name`, `Organization`,
`E-mail 1 - Value`, `Phone 1 - Value`, `Address 1 - Formatted`, `Birthday`, `Notes`, `Labels`…), so the column
mapper reads it like any export. The file is streamed: lines are unfolded (a leading space or tab continues the line
before; a QUOTED-PRINTABLE value ending in `=` continues on the next line), values decoded with their CHARSET (else
the file's encoding, guessed as for a CSV: BOM, UTF-16, UTF-8, then the legacy code pages) and unescaped (`\\,`,
`\\;`, `\\n`). Photos, logos, sounds and keys are skipped without being kept, however long. A card without
END:VCARD, with a line that is no property, or with bytes its encoding cannot read, is an `UnreadableRow` (its lines,
and why) for the importer to reject; the line number of a card is that of its BEGIN:VCARD.

Here: the file opened, its cards gathered and turned into rows. Reading content lines (unfolding, parameters, QP
and charsets, unescaping) is `vcard_lines`; what a card's properties say of the contact is `vcard_contact`.
"""

from __future__ import annotations

import codecs
import io
import os
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
from tracker.core.importing.vcard_contact import WANTED, Contact, Property, resolve, vcard_date
from tracker.core.importing.vcard_lines import Head, LogicalLines, decode_value, looks_like_vcard, unescape

_KEPT_LINES = 200  # lines of a card kept for showing it when it is rejected
_KEPT_CHARS = 500  # characters kept of each such line
HEADER_START = ["First Name", "Last Name", "Name", "Organization", "Job Title"]
HEADER_END = ["Birthday", "Anniversary", "Notes", "Labels"]


@dataclass(slots=True)
class _Card:
    line: int
    start: int  # bytes read before it
    lines: list[bytes] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)
    problem: str | None = None
    size: int = 0


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
        self._lines = LogicalLines(lines)
        self._card_bytes: list[int] = []
        self._cards = self._read_cards(self._lines)
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

    def _read_cards(self, lines: Iterable[tuple[int, bytes, int, Head | None]]) -> Iterator[_Card]:
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
                card = _Card(number, self._lines.consumed)
                card.lines.append(line)
                continue
            if card is None:
                if stray is None:
                    stray = _Card(
                        number, self._lines.consumed, problem="these lines are not inside a vCard (no BEGIN:VCARD)"
                    )
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
            if card.problem is None and head.name in WANTED:
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

    def _take(self, card: _Card, head: Head, raw: bytes) -> None:
        card.properties.append(Property(head, decode_value(head, raw, self._codec, self._errors)))

    def _shown(self, line: bytes) -> str:
        """A line as shown among a rejected card's cells: decoded leniently, cut short."""
        return line[:_KEPT_CHARS].decode(self._codec, "replace")

    def _finish(self, card: _Card) -> _Card:
        card.size = max(1, self._lines.consumed - card.start)
        if len(self._card_bytes) < 2 * PEEK_ROWS:
            self._card_bytes.append(card.size)
        return card

    # Rows --------------------------------------------------------------------------------------------------------

    @staticmethod
    def _contact(card: _Card) -> Contact | None:
        return None if card.problem else resolve(card.properties)

    def _row(self, card: _Card, contact: Contact | None) -> tuple[int, list[str]]:
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
        if self._wide:  # consumed counts the lines as UTF-8; the text layer reads the file ahead in chunks
            try:
                return min(self._binary.tell(), self.size)
            except (OSError, ValueError):
                return self.size
        return min(self._lines.consumed, self.size)

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


def open_vcard(path: Path | str, *, encoding: str | None = None, peek_rows: int = PEEK_ROWS) -> VCardFile:
    """Open a vCard file for streaming as a table, or raise ImportRejected with the reason (one sentence)."""
    return VCardFile(path, encoding=encoding, peek_rows=peek_rows)


__all__ = ["Decoding", "VCardFile", "looks_like_vcard", "open_vcard", "resolve", "unescape", "vcard_date"]
