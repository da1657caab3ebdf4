"""Guessing the legacy code page of a file that is not UTF-8: decode with each candidate, score plausibility.

Detectors alone are unreliable on short contact files (see IMPORT-FACTS and tests/bench/bench_encodings.py): each
code page on a shortlist decodes the sample and the text is scored per byte for what names look like — letters of
one script per word, ordinary capitalisation, common letters and ideographs over rare ones and symbols — plus what the
header says (known column names) and, as one more signal, chardet's confidence among the same shortlist (it knows
letter statistics: KOI8-R from Windows-1251, EUC-KR from GB18030, ISO-8859-2 from Windows-1250). Ties go to the
earlier, more common page. A sample cut inside a character is never a reason to drop a code page.
"""

from __future__ import annotations

import codecs
import locale
import re
import unicodedata
from collections import Counter
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
    # after the Windows pages they resemble, so a tie keeps the Windows one
    "iso8859_2",
    "koi8_r",
    "iso8859_7",
    "euc_jp",
)
#: How much chardet's confidence (relative to its best candidate, 0..1) adds to a code page's score per byte.
DETECTOR_WEIGHT = 0.5
# chardet's names for the shortlist's pages where Python's differ (it reports the superset it would decode with)
_DETECTOR_NAMES = {"big5": "big5hkscs", "euc_jp": "euc_jis_2004"}
_SAMPLE_BYTES = 16384  # what chardet reads
_SCORED_BYTES = 4096  # what is scored per code page (in Python: the cost of a guess is about linear in it)
_TYPOGRAPHIC = "–—‘’‚“”„«»…"
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


@lru_cache(maxsize=8192)
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
        return 1.0 if _encoded_size(ch, "euc_kr") == 2 else -0.5  # (Python spells the others in 8 bytes)
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
        return 0.0 if ch in _TYPOGRAPHIC or ch in "·\u00a0" else -1.0
    return -2.0


def _encoded_size(ch: str, encoding: str) -> int:
    try:
        return len(ch.encode(encoding))
    except UnicodeEncodeError:
        return 0


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
    for word, count in Counter(word for word in text.split() if not word.isascii()).items():
        word_total, word_weight = _word_score(word, encoding)
        total += word_total * count
        weight += word_weight * count
    return total / weight if weight else 0.0


@lru_cache(maxsize=1 << 16)
def _word_score(word: str, encoding: str) -> tuple[float, int]:
    """One whitespace-separated word's score and its non-ASCII bytes (contact files repeat names and towns)."""
    total, weight = 0.0, 0
    last = len(word) - 1
    for at, ch in enumerate(word):
        if not ch.isascii() and not ch.isalpha():
            size = _size(ch, encoding)
            value = _char_value(ch)
            if (ch in _TYPOGRAPHIC and at in (0, last)) or (ch in "€£¥" and _beside_digit(word, at)):
                value = 1.0  # “quoted”, a dash or … on its own, £25: as ordinary as a letter
            total += value * size
            weight += size
    for run in _WORD.findall(word):
        if run.isascii():
            continue
        scripts: set[str] = set()
        accented: set[str] = set()
        ascii_letters = 0
        # a word of half-width katakana is a reading (Japan Post, bank exports); one such letter among Latin ones is
        # an accented capital read as Shift_JIS
        kana_word = len(run) >= 2 and all("\uff66" <= ch <= "\uff9f" for ch in run)
        for ch in run:
            if ch.isascii():
                ascii_letters += 1
                continue
            size = _size(ch, encoding)
            total += (1.0 if kana_word else _char_value(ch)) * size
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
    return total, weight


def _beside_digit(word: str, at: int) -> bool:
    return (at > 0 and word[at - 1].isdigit()) or (at < len(word) - 1 and word[at + 1].isdigit())


@lru_cache(maxsize=8192)
def _size(ch: str, encoding: str) -> int:
    return len(ch.encode(encoding, errors="replace"))


def _sample(data: bytes, limit: int = _SAMPLE_BYTES) -> bytes:
    """Up to `limit` bytes of the lines that hold non-ASCII bytes (the last one perhaps cut short)."""
    picked, size = [], 0
    for line in data.splitlines():
        if not line.isascii():
            piece = line[: limit - size]  # one multi-megabyte line is sampled, not scored whole
            picked.append(piece)
            size += len(piece)
            if size >= limit:
                break
    return b"\n".join(picked)


_BOUNDARY = re.compile(rb"[\x00-\x2f][^\x00-\x2f]*\Z")


def _at_boundary(piece: bytes) -> bytes:
    """`piece` up to its last byte below 0x30 (ASCII controls, space and punctuation): no candidate uses those bytes
    inside a multi-byte character (GB18030's four-byte form has digits there, Shift_JIS and Big5 0x40 and up)."""
    found = _BOUNDARY.search(piece)
    return piece[: found.start() + 1] if found else piece


def candidate_order(preferred: str | None = None) -> list[str]:
    """The shortlist with the user's saved choice and the system's ANSI code page first (they win ties)."""
    first = [preferred] if preferred else []
    system = locale.getpreferredencoding(False).lower().replace("windows-", "cp")
    if system in CANDIDATES:
        first.append(system)
    return list(dict.fromkeys([*first, *CANDIDATES]))


def _decodes(data: bytes, encoding: str) -> bool:
    """Whether `data` has no byte `encoding` leaves undefined, nor one it makes a C1 control (the ISO pages read
    Windows punctuation so); an incomplete character at the very end is allowed (a sample may be cut inside one, and a
    guessed encoding replaces a truncated last character anyway)."""
    if _makes_c1(encoding) and _C1_BYTES.search(data):
        return False
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, False)
    except (UnicodeError, LookupError):
        return False
    return True


_C1_BYTES = re.compile(rb"[\x80-\x9f]")


@lru_cache(maxsize=64)
def _makes_c1(encoding: str) -> bool:
    """Whether a single-byte page maps 0x80-0x9F to the C1 controls (ISO-8859-x), which no text file means."""
    return bytes(range(0x80, 0xA0)).decode(encoding, errors="replace") == "".join(map(chr, range(0x80, 0xA0)))


def detector_confidence(sample: bytes, encodings: list[str]) -> dict[str, float]:
    """chardet's confidence in each of `encodings` for `sample`, relative to its best (1.0), 0 for the others."""
    import chardet  # imported when a file is not UTF-8: its models take about 0.15 s to load, once

    names = {codecs.lookup(_DETECTOR_NAMES.get(name, name)).name: name for name in encodings}
    try:
        results = chardet.detect_all(
            sample, include_encodings=list(names), ignore_threshold=True, compat_names=False, max_bytes=len(sample)
        )
    except (ValueError, LookupError):  # a name chardet does not know (a user's saved choice)
        return {}
    confidence: dict[str, float] = {}
    for result in results:
        detected = result["encoding"]
        name = names.get(codecs.lookup(detected).name) if detected else None
        if name and name not in confidence:
            confidence[name] = result["confidence"]
    top = max(confidence.values(), default=0.0)
    return {name: value / top for name, value in confidence.items()} if top > 0 else {}


def rank_encodings(
    data: bytes,
    *,
    header_bonus: Callable[[str], float] | None = None,
    preferred: str | None = None,
    complete: bool = True,
) -> list[tuple[str, float]]:
    """Candidates that decode `data` without undefined bytes, best first, with their scores.

    `data` is the file or a sample of it; it may end inside a character whether or not it is `complete` (a
    truncated last character never rules a code page out). `header_bonus(first_line)` adds domain knowledge: a
    header whose cells are known column names in some language is strong evidence for the code page that produced
    them. chardet's relative confidence among the code pages left adds up to `DETECTOR_WEIGHT`.
    """
    del complete  # kept for callers: a cut tail is tolerated either way
    sample = _sample(data)
    scored = sample[:_SCORED_BYTES]
    first_line = data.split(b"\n", 1)[0]
    candidates = [encoding for encoding in candidate_order(preferred) if _decodes(data, encoding)]
    # chardet drops a code page the sample's cut tail does not decode in: it reads up to a safe boundary
    cut = _at_boundary(sample) if len(sample) >= _SAMPLE_BYTES else sample
    votes = detector_confidence(cut, candidates) if len(candidates) > 1 and cut else {}
    base: list[tuple[float, int, str]] = []
    for order, encoding in enumerate(candidates):
        # the sample is cut inside long lines, perhaps inside a character: its incomplete tail is left out
        score = plausibility(codecs.getincrementaldecoder(encoding)("replace").decode(scored), encoding)
        base.append((score + DETECTOR_WEIGHT * votes.get(encoding, 0.0), -order, encoding))
    if header_bonus and not first_line.isascii() and base:
        # the bonus is at most 1: a code page further behind cannot reach the top, and reading a header is slow
        best = max(score for score, _, _ in base)
        bonuses: dict[str, float] = {}
        for at, (score, order, encoding) in enumerate(base):
            if score >= best - 1.0:
                header = codecs.getincrementaldecoder(encoding)("replace").decode(first_line)
                if header not in bonuses:
                    bonuses[header] = header_bonus(header)
                base[at] = (score + bonuses[header], order, encoding)
    base.sort(reverse=True)
    return [(encoding, score) for score, _, encoding in base]


def guess_legacy(data: bytes, header_bonus: Callable[[str], float] | None = None, *, complete: bool = True) -> str:
    """The most plausible legacy code page for `data` (see `rank_encodings`); raise if none decodes the bytes."""
    ranked = rank_encodings(data, header_bonus=header_bonus, complete=complete)
    if not ranked:
        raise ImportRejected("The file's encoding is not one Tracker knows.", ImportHint.ENCODING)
    return ranked[0][0]
