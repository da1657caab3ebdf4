"""Finding contacts by what is typed: one rule for the window's search box and `tracker contacts --search`.

The query is split into words; a contact matches when EVERY word is found in its searchable text: first and last
name, e-mail, company, tags, notes and the notes of its interactions, compared case-insensitively with accents
folded (Zoë is found by "zoe", Straße by "strasse"). A word is found at the START of a word of that text ("ann"
finds Anna and "bakery" finds Berg Bakery, but not Joanne or Bergbakery): what people type is the beginning of a
word, and a substring test would match "ann" inside every note about an annual order. Punctuation counts as
typed, and a word begins after it, so "okafor.4" finds marta.okafor.42@example.com and "example.com" the domain
(quotes and brackets around a typed word, and a comma or full stop after it, are left out: "Berg, Anna" finds her).
Chinese and Japanese characters are each a word of their own (their names are written without spaces).

A word with digits (and nothing but digits and + ( ) . - /) also matches the contact's phone number, digits
against digits anywhere in the number, and consecutive such words are one number: "7700900004", "7700 900004",
"+44 7700 900004" and "07700 900004" all find +44 7700 900004 (a trunk 0 is dropped, and a country code of 1 to 3
digits, as normalize.same_phone matches numbers).

Matching is plain substring tests on text prepared once per contact (`prepare_texts`: folded, with a space before
every word), so a keystroke over 100,000 contacts costs 10-20 ms of CPU in pure Python, notes included (an FTS5
index measured slower for the first letters typed, cannot find digits inside a phone number and would slow every
import; tests/bench/bench_app.py times the window). Both front ends build that text with `index_rows` and match
with `Query.select`, so they cannot disagree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.core.models import Contact, ContactRow

if TYPE_CHECKING:
    from tracker.core.store import Store

_SEPARATOR = "\x00"  # joins many texts into one string, so folding runs once in C instead of once per contact
_MARKS = re.compile("[\u0300-\u036f]")  # combining accents, left by NFKD: é → e + ◌́
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # kana and ideographs
_WHITESPACE = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029"
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~¡¿«»‐‒–—―‘’‚‛“”„‟·•…‹›、。，"
_PHONE_WORD = re.compile(r"\+?[\d().\-/]*\d[\d().\-/]*")
_NOT_DIGIT = re.compile(r"\D")
_AROUND = "\"'“”‘’„«»‹›()[]{}<>"  # left out around a typed word
_AFTER = ",;:.!?"  # left out after a typed word
_NOTES_BATCH = 500  # contact ids per query when reading the interaction notes of a few contacts
_INDEX_CHUNK = 5_000  # contacts prepared at a time by index_stored


def prepare_texts(texts: Sequence[str]) -> list[str]:
    """Each text as it is searched: accents folded, case folded, and a space before every word.

    A word starts at a letter or digit after anything else (the start of the text, a space, punctuation), and
    at every Chinese or Japanese character; putting a space there turns "starts a word" into a substring test.
    The texts are prepared in two passes, each over one joined string (the C string methods do the work): the
    ASCII texts only need lower-casing, the others Unicode folding, which costs ten times more."""
    prepared = [""] * len(texts)
    plain: list[int] = []
    other: list[int] = []
    for i, text in enumerate(texts):
        (plain if text.isascii() else other).append(i)
    for positions, fold in ((plain, str.lower), (other, _fold)):
        if not positions:
            continue
        joined = _SEPARATOR.join([texts[i] for i in positions])
        if joined.count(_SEPARATOR) != len(positions) - 1:  # a text holding the separator itself: drop it there
            joined = _SEPARATOR.join([texts[i].replace(_SEPARATOR, " ") for i in positions])
        joined = fold(joined)
        for space in _WHITESPACE:  # a word also starts after a tab or a line break
            if space in joined:
                joined = joined.replace(space, " ")
        for mark in _PUNCTUATION:
            if mark in joined:
                joined = joined.replace(mark, mark + " ")
        for i, text in zip(positions, joined.split(_SEPARATOR), strict=True):
            prepared[i] = " " + text
    return prepared


def _fold(text: str) -> str:
    """Accents and case folded: NFKD splits é into e and its accent (and ﬁ into fi, Ａ into A, a no-break space
    into a space); casefold comes after it, so what NFKD makes is folded too (ß → ss, ℌ → H → h)."""
    text = _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()
    try:
        text.encode("latin-1")  # fails fast at the first character beyond Latin-1, such as a Chinese one
    except UnicodeEncodeError:
        text = _CJK.sub(r" \g<0>", text)
    return text


def phone_digits(phone: str) -> str:
    """The digits of a phone number as they are searched ("+44 (0)7700 900004" → 447700900004)."""
    return _NOT_DIGIT.sub("", phone.replace("(0)", "")) if phone else ""


def _numbers(typed: str) -> tuple[str, ...]:
    """The digit strings a typed number may appear as inside a stored number's digits."""
    if _NOT_DIGIT.sub("", typed.replace("(0)", "")):  # "+44 (0)20": the (0) is only said within the UK
        typed = typed.replace("(0)", "")
    digits = _NOT_DIGIT.sub("", typed)
    found = [digits]
    if typed.startswith("+") or digits.startswith("00"):
        country = digits[2:] if digits.startswith("00") else digits
        found.append(country)
        found += [country[k:] for k in (1, 2, 3) if len(country) - k >= 6]  # stored without the country code
    elif digits.startswith("0") and len(digits) > 1:
        found.append(digits[1:])  # the national trunk 0 of a number stored internationally
    return tuple(dict.fromkeys(number for number in found if number))


@dataclass(frozen=True, slots=True)
class Term:
    """What must be found for one typed word, or for consecutive words that together may be one phone number."""

    word: str  # at the start of a word of the contact's prepared text …
    numbers: tuple[str, ...] = ()  # … or any of these in its phone digits
    parts: tuple[Term, ...] = ()  # a number typed in parts ("+44 7700 900004"): also found when every part is

    def select(self, matching: list[int], texts: Sequence[str], digits: Sequence[str]) -> list[int]:
        if self.parts:
            whole = set(_with_number(self.numbers, matching, digits))
            rest = [i for i in matching if i not in whole]
            for part in self.parts:
                rest = part.select(rest, texts, digits)
            found = whole.union(rest)
            return [i for i in matching if i in found]
        word = self.word
        if not self.numbers:
            return [i for i in matching if word in texts[i]]
        if len(self.numbers) == 1:
            number = self.numbers[0]
            return [i for i in matching if number in digits[i] or word in texts[i]]
        found = set(_with_number(self.numbers, matching, digits))
        return [i for i in matching if i in found or word in texts[i]]


def _with_number(numbers: tuple[str, ...], matching: list[int], digits: Sequence[str]) -> list[int]:
    out: list[int] = []
    for number in numbers:
        out += [i for i in matching if number in digits[i]]
    return out


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed search; `select` is the one place that decides which contacts match."""

    text: str
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)

    def select(self, candidates: Iterable[int], texts: Sequence[str], digits: Sequence[str]) -> list[int]:
        """The candidates (positions in `texts` and `digits`, in any order) that match, in the same order.

        One list comprehension per term, each over what the previous terms left: a substring test per contact
        is the whole cost."""
        matching = list(candidates)
        for term in self.terms:
            matching = term.select(matching, texts, digits)
        return matching

    def matches(self, text: str, digits: str) -> bool:
        """Whether one contact, prepared by `index_contacts`, matches."""
        return bool(self.select([0], [text], [digits]))


def parse(text: str | None) -> Query:
    """The query for what was typed; an empty one (nothing but spaces or marks) matches every contact."""
    words = (text or "").split()
    forms = prepare_texts(
        [word.strip(_AROUND).rstrip(_AFTER) or word for word in words]
    )  # " " + each word, prepared like a contact's text
    # a word typed from its punctuation ("@example", ".com") may follow anything; others start a word
    forms = [form if form[1:2].isalnum() else form[1:] for form in forms]
    terms: list[Term] = []
    run: list[Term] = []  # consecutive words that look like (parts of) a phone number
    typed: list[str] = []

    def close_run() -> None:
        if len(run) > 1:
            terms.append(Term(" ".join(typed), _numbers("".join(typed)), tuple(run)))
        else:
            terms.extend(run)
        run.clear()
        typed.clear()

    for word, form in zip(words, forms, strict=True):
        if _PHONE_WORD.fullmatch(word):
            run.append(Term(form, _numbers(word)))
            typed.append(word)
            continue
        close_run()
        if form.strip():
            terms.append(Term(form))
    close_run()
    return Query(text or "", tuple(terms))


def contact_text(contact: Contact, interaction_notes: str = "") -> str:
    """The raw searchable text of one contact (before `prepare_texts`)."""
    c = contact
    return fields_text(c.first_name, c.last_name, c.email, c.company, ", ".join(c.tags), c.notes, interaction_notes)


def fields_text(
    first_name: str, last_name: str, email: str | None, company: str, tags: str, notes: str, interaction_notes: str = ""
) -> str:
    """`contact_text` from the stored columns (tags as stored: joined with ', '), for lists that hold no Contact."""
    return " ".join((first_name, last_name, email or "", company, tags, notes, interaction_notes))


def interaction_notes(store: Store, contact_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Every non-empty interaction note, joined per contact (of all contacts, or of these).

    Read through the partial index interactions_notes (schema 4), so the 1M-interaction table is not scanned."""
    from tracker.core.store.dialect import group_concat

    sql = f"SELECT contact_id, {group_concat(store.conn, 'note', ' ', 'id')} FROM interactions WHERE note <> ''"
    if contact_ids is None:
        return dict(store.conn.execute(sql + " GROUP BY contact_id"))
    ids = sorted({int(i) for i in contact_ids})
    notes: dict[int, str] = {}
    for start in range(0, len(ids), _NOTES_BATCH):
        batch = ids[start : start + _NOTES_BATCH]
        marks = ", ".join("?" * len(batch))
        notes.update(store.conn.execute(f"{sql} AND contact_id IN ({marks}) GROUP BY contact_id", batch))
    return notes


def index_contacts(
    contacts: Sequence[Contact], interaction_notes: Mapping[int, str] | None = None
) -> tuple[list[str], list[str]]:
    """The prepared texts and phone digits of these contacts, in their order, for `Query.select`."""
    notes = interaction_notes or {}
    texts = prepare_texts([contact_text(c, "" if c.id is None else notes.get(c.id, "")) for c in contacts])
    return texts, [phone_digits(c.phone) for c in contacts]


def index_rows(store: Store | None, rows: Sequence[ContactRow]) -> tuple[list[str], list[str]]:
    """`index_contacts` for contact rows, with their interaction notes read from the store (none without one)."""
    contacts = [row.contact for row in rows]
    if store is None or not contacts:
        return index_contacts(contacts)
    many = len(contacts) > 2 * _NOTES_BATCH  # reading all notes at once is cheaper than many batches
    notes = interaction_notes(store, None if many else [c.id for c in contacts if c.id is not None])
    return index_contacts(contacts, notes)


@dataclass(frozen=True, slots=True)
class StoredIndex:
    """The prepared texts and phone digits of stored contacts, in id order, for `Query.select`."""

    ids: list[int]
    texts: list[str]
    digits: list[str]


def index_stored(store: Store, contact_ids: Sequence[int] | None = None) -> StoredIndex:
    """`index_rows` read straight from the contacts table (every contact, or these), with no Contact made: the same
    texts, so a list over ids finds what `tracker contacts --search` finds."""
    sql = "SELECT id, first_name, last_name, email, company, tags, notes, phone FROM contacts"
    if contact_ids is not None:
        sql += f" WHERE id IN ({', '.join(str(int(i)) for i in contact_ids) or 'NULL'})"
    many = contact_ids is None or len(contact_ids) > 2 * _NOTES_BATCH
    notes = interaction_notes(store, None if many else contact_ids)
    index = StoredIndex([], [], [])
    cursor = store.conn.execute(sql + " ORDER BY id")
    while rows := cursor.fetchmany(_INDEX_CHUNK):  # a chunk at a time: less memory, and short calls into C
        index.ids.extend(row[0] for row in rows)
        index.texts.extend(
            prepare_texts(
                [
                    fields_text(first, last, email, company, tags, note, notes.get(cid, ""))
                    for cid, first, last, email, company, tags, note, _ in rows
                ]
            )
        )
        index.digits.extend(phone_digits(row[7]) for row in rows)
    return index


def search_rows(store: Store, rows: Sequence[ContactRow], text: str | None) -> list[ContactRow]:
    """The rows whose contact matches what was typed, in their order (all of them for an empty query)."""
    query = parse(text)
    if not query:
        return list(rows)
    texts, digits = index_rows(store, rows)
    return [rows[i] for i in query.select(range(len(rows)), texts, digits)]
