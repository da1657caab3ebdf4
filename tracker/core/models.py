"""Plain dataclasses the store hands out, so no caller ever sees a database row."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from tracker.core.levels import Level
from tracker.core.normalize import phone_key


def display_name(first: str, last: str, *fallbacks: str | None) -> str:
    """How a person is named in lists: family name first where the culture writes it so (CJK), else the first
    non-empty fallback (company, e-mail, phone)."""
    family_first = (
        bool(last)
        and not last.isascii()
        and any("\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7a3" for ch in last)
    )
    parts = (last, first) if family_first else (first, last)
    return " ".join(p for p in parts if p) or next((f for f in fallbacks if f), "")


@dataclass(slots=True)
class Contact:
    """A person or business the shop deals with."""

    id: int | None = None
    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    phone: str = ""
    company: str = ""
    tags: tuple[str, ...] = ()
    source: str = ""
    notes: str = ""
    created_at: str = ""
    updated_at: str = ""
    address: str = ""
    consent: bool | None = None  # to marketing: given, withdrawn, or not known
    customer_no: str | None = None  # the shop's own number for this customer (a till's, a shop system's)
    dates: dict[str, str] = field(default_factory=dict)  # {"birthday": "1980-01-01" or "--12-25", …}
    fields: dict[str, str] = field(default_factory=dict)  # other columns of the files it came from, by title
    more_emails: tuple[str, ...] = ()
    more_phones: tuple[str, ...] = ()
    orders_reported: int | None = None  # a customers export's "Total Orders"
    spent_reported: float | None = None  # … and "Total Spent"
    phone_key: str | None = None  # the phone in E.164 (+447700900004) where its country is known

    @property
    def name(self) -> str:
        return display_name(self.first_name, self.last_name, self.company, self.email, self.phone)

    @property
    def may_market(self) -> bool:
        """Whether marketing may go to this contact: consent not withdrawn (given, or not known)."""
        return self.consent is not False

    @property
    def emails(self) -> list[str]:
        return [e for e in (self.email, *self.more_emails) if e]

    def to_dict(self, region: str | None = None) -> dict[str, Any]:
        """The contact for --json: "phone" and "phones" in E.164 where the country is known (the more phones
        keyed with `region`, the shop's), "phone_text" as written, "emails" all addresses."""
        data = asdict(self)
        data["tags"] = list(self.tags)
        data["phone_text"] = self.phone
        data["phone"] = self.phone_key if self.phone_key and self.phone_key.startswith("+") else self.phone
        del data["phone_key"]
        more = [phone_key(p, region) or p for p in self.more_phones]
        data["phones"] = [p for p in (data["phone"], *more) if p]
        data["emails"] = self.emails
        data["more_emails"] = list(self.more_emails)
        data["more_phones"] = list(self.more_phones)
        return data


@dataclass(slots=True)
class Interaction:
    """One thing that happened with a contact: a purchase, an e-mail opened, a survey answer…"""

    id: int | None
    contact_id: int
    kind: str
    occurred_at: str
    amount: float | None = None
    score: int | None = None
    channel: str = ""
    note: str = ""
    import_id: int | None = None
    contact_email: str | None = None
    contact_name: str = ""
    #: Who logged it: on a team database the member's login, on a file '' (one user).
    by: str = ""

    @property
    def day(self) -> date:
        return date.fromisoformat(self.occurred_at[:10])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class FollowUp:
    """A follow-up the user scheduled: call, write or visit a contact by a due date."""

    id: int
    contact_id: int
    due: str
    reason: str
    status: str = "open"
    snoozed_until: str | None = None
    created_at: str = ""
    done_at: str | None = None
    #: Who scheduled it (a team member's login; '' on a file).
    by: str = ""


@dataclass(frozen=True, slots=True)
class Kind:
    """An interaction kind as stored: which level it counts toward and its weight in the score."""

    id: int
    name: str
    stage: Level
    weight: float
    promoter_stage: Level | None = None
    survey: bool = False
    builtin: bool = False


@dataclass(frozen=True, slots=True)
class Engagement:
    """A contact's engagement as of a date: level, 0–100 score and recency."""

    contact_id: int
    level: Level
    score: int
    days_since: int | None
    last_engaged: str | None
    conversion_days: int = 0


@dataclass(slots=True)
class ContactRow:
    """A contact joined with its engagement, the shape of a contacts list or export."""

    contact: Contact
    engagement: Engagement
    next_follow_up: str | None = None
    purchases: int | None = None  # purchases logged, or reported by an export (the larger); None: not counted

    def to_dict(self, region: str | None = None) -> dict[str, Any]:
        data = self.contact.to_dict(region)
        if self.purchases is not None:
            data["purchases"] = self.purchases
        data.update(
            level=self.engagement.level.label,
            score=self.engagement.score,
            days_since_last=self.engagement.days_since,
            last_engaged=self.engagement.last_engaged,
            next_follow_up=self.next_follow_up,
        )
        return data


@dataclass(frozen=True, slots=True)
class Changes:
    """What a write changed, so each screen can decide whether it must reload."""

    contacts: bool = False
    interactions: bool = False
    follow_ups: bool = False
    kinds: bool = False
    settings: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(*(a or b for a, b in zip(self.astuple(), other.astuple(), strict=True)))

    def astuple(self) -> tuple[bool, ...]:
        return (self.contacts, self.interactions, self.follow_ups, self.kinds, self.settings)


@dataclass(slots=True)
class ImportBatch:
    """One import: what file, when, what it did, and whether it was undone."""

    id: int
    kind: str
    source: str
    started_at: str
    counts: dict[str, Any] = field(default_factory=dict)
    undone_at: str | None = None
    #: Who ran it (a team member's login; '' on a file).
    by: str = ""
