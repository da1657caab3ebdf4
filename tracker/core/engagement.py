"""Engagement levels for the whole database, and the reasons behind one contact's level in words."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.core.dates import check_day
from tracker.core.levels import Level
from tracker.core.models import Contact, Engagement
from tracker.core.store import Store

_SHOWN = 4  # dates listed in a reason before "and N more"


@dataclass(frozen=True, slots=True)
class Explanation:
    """A contact's level with the evidence for it, in sentences."""

    contact: Contact
    engagement: Engagement
    as_of: date
    reasons: list[str] = field(default_factory=list)
    outlook: str | None = None  # the purchase outlook in words, when asked for and the contact has bought

    def to_dict(self) -> dict[str, Any]:
        return {
            "email": self.contact.email,
            "name": self.contact.name,
            "as_of": self.as_of.isoformat(),
            "level": self.engagement.level.label,
            "score": self.engagement.score,
            "days_since_last": self.engagement.days_since,
            "last_engaged": self.engagement.last_engaged,
            "reasons": self.reasons,
            "outlook": self.outlook,
        }


def classify(store: Store, as_of: date) -> list[Engagement]:
    """Every contact's level, score and days since last engagement as of a date (default today)."""
    return store.engagement.classify(check_day(as_of), store.settings())


def level_counts(store: Store, as_of: date) -> dict[Level, int]:
    """Contacts per level, all six levels present."""
    return store.engagement.level_counts(check_day(as_of), store.settings())


def plural(word: str, count: int) -> str:
    """'purchase' → '2 purchases', 'email_reply' → '3 email replies'."""
    text = word.replace("_", " ")
    if count == 1:
        return f"1 {text}"
    if text.endswith("y") and text[-2:-1] not in "aeiou":
        text = text[:-1] + "ie"
    elif text.endswith(("s", "sh", "ch", "x")):
        text += "e"
    return f"{count} {text}s"


def _dates(days: list[date]) -> str:
    texts = [d.isoformat() for d in sorted(set(days))]
    if len(texts) > _SHOWN:
        return ", ".join(texts[: _SHOWN - 1]) + f" and {len(texts) - _SHOWN + 1} more days"
    if len(texts) == 1:
        return texts[0]
    return ", ".join(texts[:-1]) + " and " + texts[-1]


def _describe(signals: list[dict[str, Any]]) -> str:
    """'2 purchases on 2026-05-01 and 2026-09-01; NPS score 10 on 2026-10-20'."""
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for signal in signals:
        by_kind[signal["kind"]].append(signal)
    parts = []
    for kind, items in by_kind.items():
        scored = [s for s in items if s["score"] is not None]
        if scored and len(scored) == len(items):
            scores = ", ".join(str(s["score"]) for s in items[-_SHOWN:])
            label = "NPS" if kind.lower() == "nps" else kind.replace("_", " ")
            word = "score" if len(items) == 1 else "scores"
            parts.append(f"{label} {word} {scores} on {_dates([s['day'] for s in items])}")
        else:
            parts.append(f"{plural(kind, len(items))} on {_dates([s['day'] for s in items])}")
    return "; ".join(parts)


def _reported(contact: Contact, repeat_days: int) -> tuple[str, Level] | None:
    """A customers export's order total as a reason: '3 orders (250.00 spent) reported by customers.csv → Retention'."""
    orders = contact.orders_reported or 0
    if orders < 1:
        return None
    level = Level.RETENTION if orders >= repeat_days else Level.CONVERSION
    spent = f", {contact.spent_reported:.2f} spent" if contact.spent_reported else ""
    where = f"reported by {contact.source}" if contact.source else "reported by an import"
    word = "order" if orders == 1 else "orders"
    return f"{orders} {word}{spent} {where} (no dates) → {level.label}", level


def explain(store: Store, contact: Contact, as_of: date, *, with_outlook: bool = False) -> Explanation:
    """The level of one contact and why, e.g. '2 purchases on … within 365 days → Retention'; with_outlook adds
    their purchase outlook in words (it fits the shop's model: the app does that off the GUI thread)."""
    assert contact.id is not None, "explain() takes a stored contact"
    as_of = check_day(as_of)
    settings = store.settings()
    (engagement,) = store.engagement.classify(as_of, settings, contact_id=contact.id)
    evidence = store.engagement.evidence(contact.id, as_of, settings)
    in_window = [e for e in evidence if e["in_window"]]
    window = f"within {settings.window_days} days"
    level = engagement.level
    reasons: list[str] = []

    reported = _reported(contact, settings.repeat_days)
    if reported and reported[1] >= level:
        reasons.append(reported[0])
    elif level is Level.AWARENESS:
        reason = f"No engagement signal in the {settings.window_days} days to {as_of.isoformat()} → Awareness"
        if evidence:
            last = evidence[-1]
            reason += f" (last signal: {last['kind'].replace('_', ' ')} on {last['day'].isoformat()})"
        reasons.append(reason)
    elif level is Level.RETENTION and not any(e["stage"] is Level.RETENTION for e in in_window):
        conversions = [e for e in in_window if e["stage"] is Level.CONVERSION]
        reasons.append(
            f"{_describe(conversions)} {window} → Retention "
            f"(conversions on {engagement.conversion_days} different days; {settings.repeat_days} make repeat business)"
        )
    else:
        top = [e for e in in_window if e["stage"] is level]
        reasons.append(f"{_describe(top)} {window} → {level.label}")

    if level is Level.CONVERSION:
        same_day = engagement.conversion_days < settings.repeat_days
        needed = settings.repeat_days - engagement.conversion_days
        if same_day and needed > 0:
            reasons.append(
                f"Conversions on {engagement.conversion_days} day(s); {needed} more on another day "
                "would make them Retention (same-day purchases count once)"
            )
    if engagement.days_since is not None:
        reasons.append(f"Last engagement {engagement.days_since} days ago ({engagement.last_engaged})")
    reasons.append(
        f"Engagement score {engagement.score}/100 from {len(in_window)} signal(s) {window}, recent ones weigh more"
    )
    outlook = None
    if with_outlook:
        from tracker.core.outlook.words import contact_sentence  # numpy and scipy on first use

        outlook = contact_sentence(store, contact.id, as_of)
    return Explanation(contact, engagement, as_of, reasons, outlook)
