"""People's and companies' names as exports write them: splitting a full name the way its culture writes it, telling
a company from a person, and whether two rows' names say they are different people."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

_PARTICLES = {
    "de",
    "da",
    "di",
    "del",
    "della",
    "der",
    "den",
    "des",
    "dos",
    "du",
    "la",
    "le",
    "van",
    "von",
    "ter",
    "ten",
    "bin",
    "al",
    "el",
    "st.",
    "mac",
}


def _is_cjk(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7a3" for ch in text)


def split_full_name(full: str) -> tuple[str, str]:
    """Split a full name into (first, last) the way its culture writes it; one word stays whole.

    'Marta Nowak' → ('Marta', 'Nowak'); 'Kowalska, Marta' → ('Marta', 'Kowalska'); 'Jan de Vries' →
    ('Jan', 'de Vries'); '佐藤 花子' → ('花子', '佐藤') (family name first); '王伟' stays whole.
    """
    text = " ".join(full.split())
    if "," in text:
        last, _, first = text.partition(",")
        return first.strip(), last.strip()
    words = text.split(" ")
    if len(words) == 1:
        return text, ""
    if _is_cjk(text):
        return " ".join(words[1:]), words[0]
    for position in range(1, len(words) - 1):
        if words[position].lower() in _PARTICLES:
            return " ".join(words[:position]), " ".join(words[position:])
    return " ".join(words[:-1]), words[-1]


#: Legal forms that end (or stand in) a company's name, compared without dots and case: "GmbH", "S.r.l.", "B.V.".
_LEGAL_FORMS = {
    "gmbh", "ag", "kg", "ohg", "gbr", "ug", "ek", "mbh", "ltd", "limited", "plc", "llp", "llc", "inc", "corp",
    "corporation", "co", "pty", "sa", "sas", "sarl", "sasu", "eurl", "sl", "slu", "srl", "spa", "sro", "bv", "nv",
    "vof", "oy", "oyj", "ab", "as", "asa", "aps", "kft", "zrt", "doo", "sp", "zoo", "kk", "ооо", "оао", "зао", "ао",
}  # fmt: skip
#: Ambiguous as the last word of a personal name ("Sa", "Ab", "Co"): a legal form only as written in capitals.
_CAPITALS_ONLY = {"ag", "sa", "ab", "as", "co", "kk", "ug", "ek", "sl", "sp", "ao"}
#: Trades a shop's name starts with: "Bäckerei Schmidt", "Boulangerie Lefèvre", "Salon Maria".
_TRADES = {
    "backerei", "baeckerei", "konditorei", "metzgerei", "fleischerei", "apotheke", "autohaus", "friseur",
    "blumen", "restaurant", "cafe", "hotel", "boulangerie", "patisserie", "pharmacie", "bakery", "pharmacy",
    "pizzeria", "trattoria", "ristorante", "salon", "studio", "agentur", "kanzlei", "praxis", "atelier",
}  # fmt: skip
_COMPANY_MARKS = ("株式会社", "有限公司", "有限会社", "合同会社", "z o.o.", "z o. o.", "& co", "& söhne", "& sons")


def looks_like_company(name: str) -> bool:
    """Whether a name column's value is a company ("Steiner Mechanik AG", "Acme Ltd", "Bäckerei Schmidt"),
    not a person's name to split into first and last."""
    lowered = name.lower()
    if any(mark in lowered for mark in _COMPANY_MARKS):
        return True
    words = [w for w in re.split(r"[\s,]+", name.strip()) if w]
    if len(words) < 2:
        return False
    for word in words[1:]:
        bare = word.replace(".", "")
        key = bare.lower()
        if key in _LEGAL_FORMS and (key not in _CAPITALS_ONLY or bare.isupper()):
            return True
    return _folded(words[0]).replace("ä", "a") in _TRADES


def _folded(text: str | None) -> str:
    """A name as compared: accents, case and spacing ignored ('Jürgen  WEISS' ~ 'jurgen weiss')."""
    text = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).casefold().split())


def clearly_different(one: Mapping[str, str | None], other: Mapping[str, str | None]) -> bool:
    """Whether two contacts' names say they are different people: two first names that cannot be one person's
    ('Ben' and 'Sara' Cole sharing the shop's phone), two family names without first names, or — for rows with no
    personal name — two companies. 'Ola' and 'Ola Nordmann', 'A. Berg' and 'Anna Berg', 'Anna' and 'Anna Maria'
    are not clearly different; nor is a first name against a row without one."""
    first, last = _folded(one.get("first_name")), _folded(one.get("last_name"))
    other_first, other_last = _folded(other.get("first_name")), _folded(other.get("last_name"))
    if first and other_first:
        return not _same_first_name(first, other_first)
    if last and other_last and not (first or other_first):
        return last != other_last
    if not (first or last or other_first or other_last):
        company, other_company = _folded(one.get("company")), _folded(other.get("company"))
        return bool(company and other_company and company != other_company)
    return False


def _same_first_name(one: str, other: str) -> bool:
    """Folded first names that may be one person's: equal, an initial of the other, or one's first word."""
    if one == other:
        return True
    a, b = one.rstrip("."), other.rstrip(".")
    if len(a) == 1 or len(b) == 1:
        return a[:1] == b[:1]
    return a.split(" ")[0] == b.split(" ")[0]


def _who(values: Mapping[str, str | None]) -> str:
    name = " ".join(part for part in (values.get("first_name"), values.get("last_name")) if part)
    return name or values.get("company") or "?"
