"""Plain dataclasses the store hands out, so no caller ever sees a database row."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from tracker.core.levels import Level


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

    @property
    def name(self) -> str:
        return display_name(self.first_name, self.last_name, self.company, self.email, self.phone)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["tags"] = list(self.tags)
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

    def to_dict(self) -> dict[str, Any]:
        data = self.contact.to_dict()
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
