"""Guessing the legacy code page of a file that is not UTF-8: decode with each candidate, score plausibility.

Detectors are unreliable on short contact files (see IMPORT-FACTS): instead each code page on a shortlist decodes
the sample and the text is scored per byte for what names look like — letters of one script per word, ordinary
capitalisation, common letters and ideographs over rare ones and symbols. Ties go to the earlier, more common page.
"""

from __future__ import annotations

import codecs
import locale
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from itertools import pairwise

from tracker.core.errors import ImportHint, ImportRejected

CANDIDATES = (
    "cp1252",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1257",
    "gb18030",
    "cp932",
    "big5",
    "cp949",
    "mac_roman",
    "cp850",
)
_SAMPLE_BYTES = 16384
_WORD = re.compile(r"[^\W\d_]+")
# Accented Latin letters each language writes; a word mixing letters no single language uses (Dvoøák,
# Èerný) is a Central European or Turkish file read with the Western code page.
_LANGUAGE_LETTERS = [
    set(letters)
    for letters in (
        "äöüß",
        "àâæçéèêëîïôœùûüÿ",
        "áéíñóúü",
        "áâãàçéêíóôõú",
        "àèéìíîòóùú",
        "åäöæøé",
        "áðéíóúýþæö",
        "ąćęłńóśźż",
        "áčďéěíňóřšťúůýž",
        "áäčďéíĺľňóôŕšťúýž",
        "áéíóöőúüű",
        "ăâîșțşţ",
        "çğıöşüi̇",
        "čćđšž",
        "ąčęėįšųūž",
        "āčēģīķļņšūž",
        "äöõüšž",
    )
]


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")):
        return "CJK"
    return name.split(" ", 1)[0]


@lru_cache(maxsize=8192)
def _char_value(ch: str) -> float:
    """How plausible one non-ASCII character is in a contact list, from -2 (junk) to +1 (ordinary letter)."""
    code = ord(ch)
    if 0x80 <= code <= 0x9F or ch == "\ufffd":
        return -10.0
    category = unicodedata.category(ch)
    if 0x4E00 <= code <= 0x9FFF:
        return 1.0 if _common_ideograph(ch) else -0.5
    if 0x3040 <= code <= 0x30FF:  # hiragana and katakana
        return 1.0
    if 0xAC00 <= code <= 0xD7A3:  # hangul syllables: the 2,350 of KS X 1001 are the everyday ones
        return 1.0 if _encodes(ch, "euc_kr") else -0.5
    if 0xFF61 <= code <= 0xFF9F:  # half-width katakana: what Latin bytes become when read as Shift_JIS
        return -1.0
    if 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E:
        return 0.3
    if category.startswith("L"):
        if 0xC0 <= code <= 0x17F or 0x386 <= code <= 0x3CE:  # Latin-1, Latin Extended-A, modern Greek
            return 1.0
        if 0x400 <= code <= 0x45F:
            return 1.0 if (0x410 <= code <= 0x44F or ch in "ЁёІіЇїЄєЎў") else 0.2
        if ch in "Ґґ":
            return 1.0
        return -0.5
    if category.startswith("Z") or category in ("Pd", "Pi", "Pf", "Po"):
        return 0.0 if ch in "–—‘’“”„«»…·\u00a0" else -1.0
    return -2.0


def _encodes(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _common_ideograph(ch: str) -> bool:
    """In the frequent tiers of GB2312 (level 1), JIS X 0208 (level 1) or Big5 (frequently used)."""
    for encoding, low, high in (("gb2312", 0xB0A1, 0xD7F9), ("cp932", 0x889F, 0x9872), ("big5", 0xA440, 0xC67E)):
        try:
            raw = ch.encode(encoding)
        except UnicodeEncodeError:
            continue
        if len(raw) == 2 and low <= int.from_bytes(raw, "big") <= high:
            return True
    return False


def _case_penalty(word: str) -> float:
    """Names are Title, lower or UPPER case; 'ÉÅÅ' or 'зЧУУК' is what a wrong code page makes."""
    letters = [c for c in word if c.isalpha() and (c.isupper() or c.islower())]
    if len(letters) < 2:
        return 0.0
    tail = letters[1:]
    if all(c.islower() for c in tail) or all(c.isupper() for c in letters):
        return 0.0
    return 1.0 * sum(1 for a, b in pairwise(letters) if a.islower() and b.isupper())


def plausibility(text: str, encoding: str) -> float:
    """Score per non-ASCII byte of `text` as decoded with `encoding`; higher is more plausible."""
    total, weight = 0.0, 0
    for word in text.split():
        if word.isascii():
            continue
        for ch in word:
            if not ch.isascii() and not ch.isalpha():
                size = len(ch.encode(encoding, errors="replace"))
                total += _char_value(ch) * size
                weight += size
        for run in _WORD.findall(word):
            if run.isascii():
                continue
            scripts: set[str] = set()
            accented: set[str] = set()
            ascii_letters = 0
            for ch in run:
                if ch.isascii():
                    ascii_letters += 1
                    continue
                size = len(ch.encode(encoding, errors="replace"))
                total += _char_value(ch) * size
                weight += size
                script = _script(ch)
                scripts.add(script)
                if script == "LATIN":
                    accented.add(ch.lower())
            if ascii_letters and scripts - {"LATIN"}:
                scripts.add("LATIN")  # Latin letters glued to Cyrillic or Greek ones: 'Yэlmaz'
            total -= 2.0 * max(0, len(scripts) - 1) + _case_penalty(run)
            if accented and not any(accented <= letters for letters in _LANGUAGE_LETTERS):
                total -= len(accented)
            # Latin words are mostly plain letters; one of nothing but accented letters is another script misread.
            if len(run) >= 3 and len(accented) and sum(not c.isascii() for c in run) / len(run) > 0.5:
                total -= len(run)
    return total / weight if weight else 0.0


def _sample(data: bytes) -> bytes:
    """Up to 16 KB of the lines that hold non-ASCII bytes, cut at a line end."""
    picked, size = [], 0
    for line in data.splitlines():
        if not line.isascii():
            piece = line[: _SAMPLE_BYTES - size]  # one multi-megabyte line is sampled, not scored whole
            picked.append(piece)
            size += len(piece)
            if size >= _SAMPLE_BYTES:
                break
    return b"\n".join(picked)


def candidate_order(preferred: str | None = None) -> list[str]:
    """The shortlist with the user's saved choice and the system's ANSI code page first (they win ties)."""
    first = [preferred] if preferred else []
    system = locale.getpreferredencoding(False).lower().replace("windows-", "cp")
    if system in CANDIDATES:
        first.append(system)
    return list(dict.fromkeys([*first, *CANDIDATES]))


def _decodes(data: bytes, encoding: str, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final)
    except (UnicodeError, LookupError):
        return False
    return True


def rank_encodings(
    data: bytes,
    *,
    header_bonus: Callable[[str], float] | None = None,
    preferred: str | None = None,
    complete: bool = True,
) -> list[tuple[str, float]]:
    """Candidates that decode `data` without undefined bytes, best first, with their scores.

    `data` is the file, or a sample of it (`complete=False`) that may end inside a character. `header_bonus(
    first_line)` adds domain knowledge: a header whose cells are known column names in some language is strong
    evidence for the code page that produced them.
    """
    sample = _sample(data)
    first_line = data.split(b"\n", 1)[0]
    ranked = []
    for order, encoding in enumerate(candidate_order(preferred)):
        if not _decodes(data, encoding, complete):
            continue
        # the sample is cut inside long lines, perhaps inside a character: its incomplete tail is left out
        score = plausibility(codecs.getincrementaldecoder(encoding)("replace").decode(sample), encoding)
        if header_bonus and not first_line.isascii():
            score += header_bonus(codecs.getincrementaldecoder(encoding)("replace").decode(first_line))
        ranked.append((score, -order, encoding))
    ranked.sort(reverse=True)
    return [(encoding, score) for score, _, encoding in ranked]


def guess_legacy(data: bytes, header_bonus: Callable[[str], float] | None = None, *, complete: bool = True) -> str:
    """The most plausible legacy code page for `data` (see `rank_encodings`); raise if none decodes the bytes."""
    ranked = rank_encodings(data, header_bonus=header_bonus, complete=complete)
    if not ranked:
        raise ImportRejected("The file's encoding is not one Tracker knows.", ImportHint.ENCODING)
    return ranked[0][0]
