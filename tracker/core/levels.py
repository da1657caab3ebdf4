"""The six engagement levels, the built-in interaction kinds and the tunable thresholds."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from typing import ClassVar


class Level(IntEnum):
    """Engagement levels, lowest to highest; an interaction kind counts toward one of them."""

    AWARENESS = 1
    INTEREST = 2
    INTERACTION = 3
    CONVERSION = 4
    RETENTION = 5
    ADVOCACY = 6

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @classmethod
    def parse(cls, text: str | int) -> Level:
        """Accept a level's name in any case, or its number 1–6."""
        if isinstance(text, int) or str(text).strip().isdigit():
            number = int(text)
            if 1 <= number <= 6:
                return cls(number)
        else:
            try:
                return cls[str(text).strip().upper()]
            except KeyError:
                pass
        names = ", ".join(level.label for level in cls)
        raise ValueError(f"'{text}' is not a level; use one of {names}")


LEVEL_LABELS = [level.label for level in Level]

#: One colour per level, cold to warm; the table badges, the charts and the PDF report all use these.
LEVEL_COLOURS = {
    Level.AWARENESS: "#9aa5b1",
    Level.INTEREST: "#5fa8d3",
    Level.INTERACTION: "#3d7ebf",
    Level.CONVERSION: "#2a9d8f",
    Level.RETENTION: "#e9a23b",
    Level.ADVOCACY: "#d1495b",
}
OVERDUE_COLOUR = "#c0392b"

#: Survey scores at or above this count as a promoter (NPS 9–10); at or below DETRACTOR_MAX as a detractor.
PROMOTER_MIN = 9
DETRACTOR_MAX = 6


@dataclass(frozen=True, slots=True)
class KindSpec:
    """How an interaction kind counts: its stage, its weight in the score, and survey behaviour."""

    name: str
    stage: Level
    weight: float
    #: Stage given instead when the answer scores PROMOTER_MIN or more (NPS promoters); None = no change.
    promoter_stage: Level | None = None
    survey: bool = False


def _kinds(stage: Level, weight: float, *names: str) -> list[KindSpec]:
    return [KindSpec(name, stage, weight) for name in names]


DEFAULT_KINDS: list[KindSpec] = [
    KindSpec("note", Level.AWARENESS, 0.0),
    KindSpec("contacted", Level.AWARENESS, 0.0),  # the owner wrote or called: a follow-up handled
    *_kinds(Level.INTEREST, 1.0, "email_open", "website_visit", "content_view", "inquiry"),
    *_kinds(
        Level.INTERACTION,
        2.0,
        "email_reply",
        "email_click",
        "call",
        "meeting",
        "message",
        "social_like",
        "social_comment",
        "social_share",
        "event_attended",
    ),
    KindSpec("nps", Level.INTERACTION, 2.0, promoter_stage=Level.ADVOCACY, survey=True),
    KindSpec("feedback", Level.INTERACTION, 2.0, survey=True),
    *_kinds(Level.CONVERSION, 5.0, "purchase", "subscription", "signup"),
    *_kinds(Level.ADVOCACY, 8.0, "referral", "review", "testimonial"),
]


@dataclass(frozen=True, slots=True)
class Settings:
    """Thresholds of the engagement and follow-up rules; stored in the settings table."""

    window_days: int = 365
    repeat_days: int = 2
    drifting_days: int = 90
    warm_days: int = 14
    detractor_days: int = 90
    backup_keep: int = 20
    winback_percent: int = 20

    HELP: ClassVar[dict[str, str]] = {
        "window_days": "lookback window in days for the engagement level",
        "repeat_days": "distinct days with a conversion that make a contact Retention",
        "drifting_days": "days without engagement after which a customer is drifting away",
        "warm_days": "a lead with a signal in this many days is warm",
        "detractor_days": "survey scores 0–6 within this many days ask for a call",
        "backup_keep": "backups kept (besides one a month for a year)",
        "winback_percent": "win back a repeat customer whose chance of an order in 90 days is under this percent",
    }
    #: Allowed values where they are not 1 to 3650 days.
    RANGES: ClassVar[dict[str, tuple[int, int]]] = {"winback_percent": (1, 99)}

    @classmethod
    def range(cls, name: str) -> tuple[int, int]:
        return cls.RANGES.get(name, (1, 3650))

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def validated(self) -> Settings:
        """Return self, or raise ValueError naming the first value out of range."""
        for name in self.names():
            value = getattr(self, name)
            low, high = self.range(name)
            if not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
        return self
