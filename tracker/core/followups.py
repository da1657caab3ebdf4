"""Who to contact next and why: scheduled follow-ups that are due, plus suggestions from the levels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum

from tracker.core.levels import Level
from tracker.core.models import Contact
from tracker.core.store import Store


class Priority(IntEnum):
    """Lower is more urgent; the order the list is shown in."""

    OVERDUE = 1
    DETRACTOR = 2
    DUE_TODAY = 3
    WIN_BACK = 4
    NURTURE = 5
    ASK_REFERRAL = 6
    THIS_WEEK = 7

    @property
    def group(self) -> str:
        """The heading it is shown under in the Follow-ups tab."""
        return {Priority.OVERDUE: "Overdue", Priority.DUE_TODAY: "Due today",
                Priority.THIS_WEEK: "This week"}.get(self, "Suggested")


ACTIONS = {
    Priority.OVERDUE: "Follow up now (overdue)",
    Priority.DUE_TODAY: "Follow up today",
    Priority.DETRACTOR: "Call them: ask what went wrong and put it right",
    Priority.WIN_BACK: "Win back: a personal note or an offer",
    Priority.NURTURE: "Nurture: answer questions, invite them to buy",
    Priority.ASK_REFERRAL: "Thank them and ask for a review or a referral",
    Priority.THIS_WEEK: "Coming up this week",
}
#: A contact followed up (done) this recently gets no new suggestion.
HANDLED_DAYS = 7


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One line of the follow-up list."""

    contact: Contact
    priority: Priority
    reason: str
    action: str
    due: date
    follow_up_id: int | None = None
    level: Level | None = None
    score: int = 0

    def to_dict(self) -> dict:
        return {
            "email": self.contact.email,
            "name": self.contact.name,
            "phone": self.contact.phone,
            "reason": self.reason,
            "action": self.action,
            "due": self.due.isoformat(),
            "priority": int(self.priority),
            "kind": self.priority.name.lower(),
            "follow_up_id": self.follow_up_id,
            "level": self.level.label if self.level else None,
        }


def suggest_follow_ups(store: Store, as_of: date | None = None, *, upcoming_days: int = 0) -> list[Suggestion]:
    """The prioritised list: scheduled follow-ups that are due (and, with `upcoming_days`, those coming up),
    then one rule-based suggestion per contact who is not already being followed up."""
    as_of = as_of or date.today()
    settings = store.settings()
    rows = {row.contact.id: row for row in store.engagement.contact_rows(as_of, settings)}
    out: list[Suggestion] = []

    scheduled_contacts = store.follow_ups.contacts_in_hand(as_of, HANDLED_DAYS)
    for follow_up in store.follow_ups.open_until(as_of + timedelta(days=upcoming_days)):
        row = rows[follow_up.contact_id]
        due = date.fromisoformat(max(follow_up.due, follow_up.snoozed_until or follow_up.due))
        overdue = (as_of - due).days
        if due > as_of:
            priority, when = Priority.THIS_WEEK, f"due {due.isoformat()}"
        else:
            priority = Priority.OVERDUE if overdue > 0 else Priority.DUE_TODAY
            when = f"due {due.isoformat()}, {overdue} days overdue" if overdue > 0 else "due today"
        reason = f"{follow_up.reason or 'Scheduled follow-up'} ({when})"
        out.append(Suggestion(row.contact, priority, reason, ACTIONS[priority], due, follow_up.id,
                              row.engagement.level, row.engagement.score))

    detractors = store.engagement.detractors(as_of, settings.detractor_days)
    for contact_id, row in rows.items():
        if contact_id in scheduled_contacts:
            continue
        engagement = row.engagement
        level, since = engagement.level, engagement.days_since
        if contact_id in detractors:
            score, day, kind = detractors[contact_id]
            label = "NPS" if kind.lower() == "nps" else kind
            priority, reason = Priority.DETRACTOR, f"Unhappy: {label} score {score} on {day.isoformat()}"
        elif level >= Level.CONVERSION and since is not None and since >= settings.drifting_days:
            priority = Priority.WIN_BACK
            reason = f"{level.label} customer drifting away: no engagement for {since} days"
        elif level in (Level.INTEREST, Level.INTERACTION) and since is not None and since <= settings.warm_days:
            priority = Priority.NURTURE
            reason = f"Warm lead ({level.label}): engaged {since} days ago, has not bought yet"
        elif level is Level.RETENTION:
            priority = Priority.ASK_REFERRAL
            reason = (f"Repeat customer ({engagement.conversion_days} buying days) "
                      "who has not yet referred anyone or left a review")
        else:
            continue
        out.append(Suggestion(row.contact, priority, reason, ACTIONS[priority], as_of, None, level,
                              engagement.score))

    out.sort(key=lambda s: (s.priority, s.due, -s.score, s.contact.name.lower()))
    return out
