"""Reading column titles: a header normalised (case, accents, suffixes, punctuation) and looked up among the known
titles of `column_vocabulary` — exactly, numbered ("E-mail 2 - Value") or one slip away ("FIRSNAME") — plus the
scores that find the header row and the decoding that names the most known titles, which unknown titles are kept
as custom fields, and titles shortened for messages. Headers only: what the values say is `column_evidence`."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cached_property

from tracker.core.importing.column_vocabulary import CONTACT_SYNONYMS, INTERACTION_SYNONYMS

#: No export's column title is longer; anything longer is data (and would make the header patterns backtrack).
MAX_HEADER = 80


def normalise_header(text: str) -> str:
    """Lower-case, accents and the `(UTC+0)`-style suffixes removed, punctuation as spaces."""
    text = unicodedata.normalize("NFKD", text.strip().lstrip("\ufeff")[: MAX_HEADER * 4])
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().replace("ß", "ss")
    text = re.sub(r"\(.*?\)", " ", text)
    text = re.sub(r"[_*:]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" :.")
    return text


class HeaderIndex:
    """Known headers, normalised, → field; read-only once built, so the spaceless form that `_near` compares a
    slip against is built once, on first use, and kept with the index it was built from."""

    def __init__(self, synonyms: Mapping[str, Iterable[str]]) -> None:
        self._fields = {normalise_header(word): field for field, words in synonyms.items() for word in words}

    def __contains__(self, key: object) -> bool:
        return key in self._fields

    def __getitem__(self, key: str) -> str:
        return self._fields[key]

    @cached_property
    def squeezed(self) -> dict[str, str]:
        """The headers of 5+ letters with spaces removed ("first name" → "firstname") → field."""
        return {
            header.replace(" ", ""): field
            for header, field in self._fields.items()
            if len(header.replace(" ", "")) >= 5
        }


CONTACT_INDEX = HeaderIndex(CONTACT_SYNONYMS)
INTERACTION_INDEX = HeaderIndex(INTERACTION_SYNONYMS)
_INNER_NUMBER = re.compile(r"\s\d+(?=\s|$)")
_NUMBERED = re.compile(r"^(.*?)\s*\d+\s*(?:-?\s*(value|address|adresse))?$")


def known_field(header: str, index: HeaderIndex) -> str | None:
    """The field a column title names in `index`: as written, numbered ("Phone 3 - Value", "Address 1 -
    Formatted") or with a slip (see `_near`); None for a title not known or longer than any title is."""
    if len(header) > MAX_HEADER:
        return None
    key = normalise_header(header)
    if key in index:
        return index[key]
    numbered = _NUMBERED.match(key)  # "E-mail 2 - Value", "Phone 3 - Value", "Email 1"
    if numbered and numbered.group(1) in index:
        return index[numbered.group(1)]
    inner = _INNER_NUMBER.sub("", key)  # "Address 1 - Formatted" → "address - formatted"
    if inner != key and inner in index:
        return index[inner]
    return _near(key, index)


def _near(key: str, index: HeaderIndex) -> str | None:
    """A header one slip away from a known one ("FIRSNAME", "E-Mial", "Telephon"): the field of the closest known
    header when it is close (difflib ratio ≥ 0.88) and no other field is as close. Headers of 5+ letters in one or
    two words only ("Accepts SMS Marketing" is not a slip of "Accepts Email Marketing") and within one letter of
    the known header's length."""
    if len(key) < 5 or key.count(" ") > 1 or not key.replace(" ", "").isalpha():
        return None
    squeezed = key.replace(" ", "")
    close = difflib.get_close_matches(squeezed, index.squeezed, n=3, cutoff=0.88)
    # a slip keeps the length within one letter: "Activity ID" is not "Activity" with a slip
    fields = {index.squeezed[match] for match in close if abs(len(match) - len(squeezed)) <= 1}
    return fields.pop() if len(fields) == 1 else None


def slip_of_an_id(title: str) -> bool:
    """A header taken for a known one by a slip (see `_near`) that is that header with "id" after it."""
    key = normalise_header(title)
    if not key.endswith("id") or key in INTERACTION_INDEX:
        return False
    numbered = _NUMBERED.match(key)
    return not (numbered and numbered.group(1) in INTERACTION_INDEX)


def header_score(row: list[str], interactions: bool = False) -> int:
    """How many cells of a row are known column names: the header row is the one that scores best."""
    index = INTERACTION_INDEX if interactions else CONTACT_INDEX
    return sum(1 for cell in row if cell.strip() and known_field(cell, index))


def header_recognition(line: str) -> float:
    """Share of a line's cells that are known column names (any delimiter): evidence it was decoded right."""
    cells = [c for c in re.split(r"[,;\t|]", line) if c.strip()]
    if not cells:
        return 0.0
    known = sum(
        1
        for c in cells
        if known_field(c.strip().strip('"'), CONTACT_INDEX) or known_field(c.strip().strip('"'), INTERACTION_INDEX)
    )
    return known / len(cells)


#: Columns that describe another column ("E-mail 1 - Label": "* Home") or hold a picture's address: not kept.
_COMPANION = re.compile(r"(?:\s-\s|\b)(?:label|type|photo|picture|avatar|image)\s*$")


def keep_as_custom(title: str) -> bool:
    """Whether an unrecognised column is kept on each contact as a custom field (by its title): every column
    with a title, except labels and types of other columns and pictures."""
    key = normalise_header(title)
    return bool(key) and len(title) <= MAX_HEADER and not _COMPANION.search(key)


def shown_columns(header: list[str], limit: int = 8) -> str:
    """Column titles for a one-line message: whitespace collapsed, long ones cut, at most `limit` of them."""
    shown = []
    for title in header[:limit]:
        text = " ".join(title.split())
        shown.append(text if len(text) <= 24 else text[:23] + "…")
    return ", ".join(shown) + (", …" if len(header) > limit else "")
