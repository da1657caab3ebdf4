"""Guessing the legacy code page of a file that is not UTF-8: candidates scored for plausible text."""

from __future__ import annotations

import unicodedata

from tracker.core.errors import ImportRejected

CANDIDATES = ("cp1252", "cp1250", "cp1251", "gb18030", "cp932", "big5", "cp949", "mac_roman")


def _plausibility(text: str) -> float:
    """Higher for text whose words keep to one script and common letters; C1 controls rule it out."""
    score = 0.0
    for word in text.split():
        scripts = set()
        for ch in word:
            if ch.isascii():
                continue
            category = unicodedata.category(ch)
            if "\x80" <= ch <= "\x9f":
                return float("-inf")
            if category.startswith("L"):
                name = unicodedata.name(ch, "")
                scripts.add(name.split(" ")[0])
                score += 1.0
            elif category.startswith(("S", "C")):
                score -= 2.0
            else:
                score -= 0.5
        if len(scripts) > 1:
            score -= 3.0 * (len(scripts) - 1)
    return score


def guess_legacy(data: bytes) -> tuple[str, str]:
    """Decode with the most plausible legacy code page; raise if none decodes the bytes."""
    sample = data[:65536]
    best: tuple[float, str] | None = None
    for encoding in CANDIDATES:
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            try:
                # A multi-byte character cut at the sample's end is not a reason to drop the candidate.
                text = sample[:-3].decode(encoding)
            except UnicodeDecodeError:
                continue
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, encoding)
    if best is None:
        raise ImportRejected("The file's encoding is not one Tracker knows; pass --encoding.")
    return data.decode(best[1], errors="replace"), best[1]
