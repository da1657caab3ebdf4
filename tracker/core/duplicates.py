"""Finding contacts already in the database that are one person under two e-mails or phone spellings.

Contacts are put in buckets by what duplicates share — a phone number's last six digits, a folded full name, an
e-mail mailbox, a domain with a name — and only contacts in one bucket are compared, so 100k contacts take a few
seconds, never all pairs. A pair is kept only on evidence, said in words ("same phone +44 7700 900004"), and never
when the two names say they are different people (`clearly_different`, the importer's rule: two people sharing an
office phone are not duplicates)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tracker.core.errors import TrackerError
from tracker.core.importing.names import clearly_different
from tracker.core.models import Contact
from tracker.core.normalize import ascii_lower, phone_key, same_phone
from tracker.core.store import Store
from tracker.core.store.contact_fields import COLUMNS, contact_from_row
from tracker.core.store.rows import columns
from tracker.core.store.table import rows_in

__all__ = ["DuplicatePair", "SearchCancelled", "find_duplicates", "logged_counts"]

Progress = Callable[[int, int], None]  # (steps done, steps in all)
Cancelled = Callable[[], bool]

#: A number more contacts than this share is a switchboard or a placeholder, not evidence that they are one person.
MOST_SHARING_A_PHONE = 12
#: A full name more contacts than this share ("John Smith") says nothing without a company or a phone.
MOST_SHARING_A_NAME = 20
#: How strongly each kind of evidence says "one person", as a chance; a pair's score combines them.
_WEIGHTS = {
    "other_email": 0.9,
    "mailbox": 0.8,
    "phone": 0.6,
    "name_company": 0.6,
    "name_phone": 0.5,
    "domain_name": 0.6,
    "name_no_email": 0.4,
    "same_name": 0.3,
}
_LOCAL_WORDS = re.compile(r"[^a-z]+")
_PROGRESS_STEPS = 6


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    """Two contacts that look like one person: `first` is the older (lower id), the one a merge keeps by default;
    `score` 0–100; `reasons` in words, strongest first."""

    first: Contact
    second: Contact
    score: int
    reasons: tuple[str, ...]

    @property
    def ids(self) -> tuple[int, int]:
        assert self.first.id is not None and self.second.id is not None  # stored contacts
        return self.first.id, self.second.id

    def to_dict(self) -> dict[str, Any]:
        return {
            "ids": list(self.ids),
            "names": [self.first.name, self.second.name],
            "score": self.score,
            "reasons": list(self.reasons),
        }


@dataclass(slots=True)
class _Seen:
    """What the finder reads of one contact."""

    id: int
    stored: tuple[str, str, str]  # first_name, last_name, company as stored (for clearly_different)
    name: str  # folded full name, '' when it has fewer than two words
    company: str  # folded
    email: str | None  # A–Z lower-cased, as the unique index compares
    more_emails: tuple[str, ...]
    phones: tuple[tuple[str, str], ...]  # (phone_key, as written)


def fold(text: str | None) -> str:
    """A name as compared: accents, case and spacing ignored ('Jürgen  WEISS' ~ 'jurgen weiss')."""
    if not text:
        return ""
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def find_duplicates(
    store: Store, *, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> list[DuplicatePair]:
    """Pairs of contacts that look like one person, best evidence first.

    Evidence: one number in any spelling (07700 900004 and +44 7700 900004); one mailbox (anna.berg@x and
    annaberg+shop@x); one contact's other e-mail is the other's e-mail; e-mails on one domain that both carry the
    same name; the same full name with the same company, the same phone, or one of them without an e-mail. Pairs
    whose names clearly differ are never given."""
    step = _stepper(progress, cancelled)
    seen = _read(store)
    step()
    found = _Evidence(seen)
    _by_phone(seen, found)
    step()
    _by_name(seen, found)
    step()
    _by_mailbox(seen, found)
    step()
    _by_other_email(seen, found)
    step()
    pairs = found.pairs(store)
    step()
    return pairs


def _stepper(progress: Progress | None, cancelled: Cancelled | None) -> Callable[[], None]:
    done = 0

    def step() -> None:
        nonlocal done
        if cancelled is not None and cancelled():
            raise SearchCancelled("The search for duplicates was cancelled.")
        done += 1
        if progress is not None:
            progress(done, _PROGRESS_STEPS)

    return step


class SearchCancelled(TrackerError):
    """The user stopped the search (nothing was written: the finder only reads)."""


def _lines(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _lower(email: str) -> str:
    return email.lower() if email.isascii() else ascii_lower(email)


def _read(store: Store) -> dict[int, _Seen]:
    """Every contact's names, e-mails and phones: one scan of the contacts table."""
    present = set(columns(store.conn, "contacts"))
    more_emails = "more_emails" if "more_emails" in present else "NULL"
    more_phones = "more_phones" if "more_phones" in present else "NULL"
    sql = (
        f"SELECT id, first_name, last_name, company, email, phone_key, phone, {more_emails}, {more_phones} "
        "FROM contacts"
    )
    region = store.phone_region()  # the other numbers are keyed as the phones are
    seen: dict[int, _Seen] = {}
    for contact_id, first, last, company, email, key, phone, others, other_phones in store.conn.execute(sql):
        full = fold(f"{first} {last}")
        phones: list[tuple[str, str]] = [(key, phone)] if key else []
        for written in _lines(other_phones) if other_phones else ():
            other_key = phone_key(written, region)
            if other_key is not None and all(other_key != k for k, _ in phones):
                phones.append((other_key, written))
        seen[contact_id] = _Seen(
            id=contact_id,
            stored=(first, last, company),
            name=full if " " in full else "",
            company=fold(company) if company else "",
            email=_lower(email) if email else None,
            more_emails=tuple(_lower(e) for e in _lines(others)) if others else (),
            phones=tuple(phones),
        )
    return seen


class _Evidence:
    """Reasons gathered per pair (lower id first), each kind of evidence once per pair."""

    def __init__(self, seen: Mapping[int, _Seen]):
        self.seen = seen
        self.found: dict[tuple[int, int], dict[str, str]] = defaultdict(dict)
        self._apart: dict[tuple[int, int], bool] = {}

    def add(self, a: int, b: int, kind: str, reason: str) -> None:
        if a == b:
            return
        pair = (a, b) if a < b else (b, a)
        apart = self._apart.get(pair)
        if apart is None:
            apart = self._apart[pair] = clearly_different(_names(self.seen[a]), _names(self.seen[b]))
        if not apart:
            self.found[pair].setdefault(kind, reason)

    def pairs(self, store: Store) -> list[DuplicatePair]:
        ids = {i for pair in self.found for i in pair}
        contacts = {
            row[0]: contact_from_row(row)
            for row in rows_in(store.conn, f"SELECT {COLUMNS} FROM contacts WHERE id IN ({{marks}})", ids)
        }
        out: list[DuplicatePair] = []
        for (a, b), reasons in self.found.items():
            kinds = dict(reasons)
            if "phone" in kinds:
                kinds.pop("name_phone", None)  # the phone is said already; the name is said below
            if "name_company" in kinds:
                kinds.pop("name_no_email", None)  # the name is said already
            if "mailbox" in kinds:
                kinds.pop("domain_name", None)  # one mailbox says more than one domain
            if self.seen[a].name and self.seen[a].name == self.seen[b].name and not _names_said(kinds):
                kinds["same_name"] = "same name"
            unlikely = 1.0
            for kind in kinds:
                unlikely *= 1 - _WEIGHTS[kind]
            ordered = sorted(kinds, key=lambda kind: -_WEIGHTS[kind])
            out.append(
                DuplicatePair(
                    contacts[a],
                    contacts[b],
                    round(100 * (1 - unlikely)),
                    tuple(kinds[kind] for kind in ordered),
                )
            )
        out.sort(key=lambda pair: (-pair.score, pair.ids))
        return out


def _names(contact: _Seen) -> dict[str, str]:
    first, last, company = contact.stored
    return {"first_name": first, "last_name": last, "company": company}


def _names_said(kinds: Mapping[str, str]) -> bool:
    """Whether a reason already says the names are the same."""
    return any(kind in kinds for kind in ("name_company", "name_phone", "name_no_email", "domain_name"))


def _by_phone(seen: Mapping[int, _Seen], found: _Evidence) -> None:
    """Contacts whose numbers are one number, however written: keys bucketed by their last six digits (a local
    number has at least six), then compared with same_phone."""
    buckets: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    for contact in seen.values():
        for key, written in contact.phones:
            buckets[key[-6:]][key].append((contact.id, written))
    for keys in buckets.values():
        ordered = list(keys.items())
        for i, (key, holders) in enumerate(ordered):
            for other_key, other_holders in ordered[i:]:
                if other_key != key and not same_phone(key, other_key):
                    continue
                together = holders if other_key == key else holders + other_holders
                if len({who for who, _ in together}) > MOST_SHARING_A_PHONE:
                    continue
                # shown as one of them wrote it, the international spelling if either has it
                shown = together[0][1] if key.startswith("+") or other_key == key else other_holders[0][1]
                for n, (who, _) in enumerate(holders):
                    for other, _ in holders[n + 1 :] if other_key == key else other_holders:
                        found.add(who, other, "phone", f"same phone {shown}")


def _by_name(seen: Mapping[int, _Seen], found: _Evidence) -> None:
    """The same folded full name with the same company, a shared phone, or one of the two without an e-mail."""
    by_name: dict[str, list[_Seen]] = defaultdict(list)
    for contact in seen.values():
        if contact.name:
            by_name[contact.name].append(contact)
    for group in by_name.values():
        if len(group) < 2:
            continue
        by_company: dict[str, list[int]] = defaultdict(list)
        for contact in group:
            if contact.company:
                by_company[contact.company].append(contact.id)
        for ids in by_company.values():
            for i, one in enumerate(ids):
                for another in ids[i + 1 :]:
                    found.add(one, another, "name_company", "same name and company")
        if len(group) > MOST_SHARING_A_NAME:
            continue
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if _share_phone(a, b):
                    found.add(a.id, b.id, "name_phone", "same name and phone")
                elif not a.email or not b.email:
                    found.add(a.id, b.id, "name_no_email", "same name, one without an e-mail")


def _share_phone(a: _Seen, b: _Seen) -> bool:
    return any(same_phone(k, other) for k, _ in a.phones for other, _ in b.phones)


def _split_email(email: str) -> tuple[str, str]:
    local, _, domain = email.rpartition("@")
    return local, domain


def _by_mailbox(seen: Mapping[int, _Seen], found: _Evidence) -> None:
    """One mailbox written two ways (dots and a +tag ignored), and addresses on one domain that both carry the
    contacts' shared name ("e-mail anna.berg@x vs anna@x with the same name")."""
    mailboxes: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    named: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for contact in seen.values():
        if not contact.email:
            continue
        local, domain = _split_email(contact.email)
        mailbox = local.partition("+")[0].replace(".", "")
        mailboxes[(domain, mailbox)].append((contact.id, contact.email))
        if contact.name:
            named[(domain, contact.name)].append((contact.id, contact.email))
    for holders in mailboxes.values():
        for i, (a, email) in enumerate(holders):
            for b, other in holders[i + 1 :]:
                found.add(a, b, "mailbox", f"e-mail {email} and {other} are one mailbox")
    for (_, name), holders in named.items():
        if len(holders) < 2 or len(holders) > MOST_SHARING_A_NAME:
            continue
        parts = [fold_ascii(part) for part in name.split() if len(part) >= 2]
        for i, (a, email) in enumerate(holders):
            for b, other in holders[i + 1 :]:
                local, other_local = _split_email(email)[0], _split_email(other)[0]
                if any(part and part in local and part in other_local for part in parts):
                    found.add(a, b, "domain_name", f"e-mail {email} vs {other} with the same name")


def fold_ascii(text: str) -> str:
    """A folded name part as it would be spelt in an e-mail address (letters a–z only)."""
    return _LOCAL_WORDS.sub("", text.encode("ascii", "ignore").decode())


def _by_other_email(seen: Mapping[int, _Seen], found: _Evidence) -> None:
    """One contact's other e-mail is another contact's e-mail."""
    owners = {contact.email: contact.id for contact in seen.values() if contact.email}
    for contact in seen.values():
        for email in contact.more_emails:
            owner = owners.get(email)
            if owner is not None:
                found.add(contact.id, owner, "other_email", f"other e-mail of one is the other's e-mail ({email})")


def pair_of(pairs: Iterable[DuplicatePair], a: int, b: int) -> DuplicatePair | None:
    """The pair of these two contacts, in either order, if the finder gave one."""
    wanted = {a, b}
    return next((pair for pair in pairs if set(pair.ids) == wanted), None)


def logged_counts(store: Store, contact_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """{id: (interactions, follow-ups)} of these contacts: what a merge would move."""
    ids = list(dict.fromkeys(contact_ids))
    out = dict.fromkeys(ids, (0, 0))
    sql = "SELECT contact_id, count(*) FROM {table} WHERE contact_id IN ({{marks}}) GROUP BY contact_id"
    interactions = dict(rows_in(store.conn, sql.format(table="interactions"), ids))
    follow_ups = dict(rows_in(store.conn, sql.format(table="follow_ups"), ids))
    for contact_id in ids:
        out[contact_id] = (interactions.get(contact_id, 0), follow_ups.get(contact_id, 0))
    return out
