"""Who to contact next and why: scheduled follow-ups that are due, plus suggestions from the levels."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from tracker.core.dates import check_day, day_number, from_day_number
from tracker.core.levels import Level, Settings
from tracker.core.models import Contact, FollowUp
from tracker.core.store import Store

if TYPE_CHECKING:
    from tracker.core.outlook.forecast import ContactOutlook, Figures, Outlook
    from tracker.core.outlook.history import Histories


class Priority(IntEnum):
    """Lower is more urgent; the order the list is shown in."""

    OVERDUE = 1
    DETRACTOR = 2
    DUE_TODAY = 3
    WIN_BACK = 4
    NURTURE = 5
    ASK_REFERRAL = 6
    THIS_WEEK = 7
    SECOND_PURCHASE = 8

    @property
    def group(self) -> str:
        """The heading it is shown under in the Follow-ups tab."""
        return {Priority.OVERDUE: "Overdue", Priority.DUE_TODAY: "Due today", Priority.THIS_WEEK: "This week"}.get(
            self, "Suggested"
        )


ACTIONS = {
    Priority.OVERDUE: "Follow up now (overdue)",
    Priority.DUE_TODAY: "Follow up today",
    Priority.DETRACTOR: "Call them: ask what went wrong and put it right",
    Priority.WIN_BACK: "Win back: a personal note or an offer",
    Priority.NURTURE: "Nurture: answer questions, invite them to buy",
    Priority.ASK_REFERRAL: "Thank them and ask for a review or a referral",
    Priority.THIS_WEEK: "Coming up this week",
    Priority.SECOND_PURCHASE: "Invite a second order: a thank-you and a reason to come back",
}
#: One-time buyers are invited to a second order from the shop's usual gap to this many times it (later, the
#: invitation has mostly gone stale; they show as "may have lapsed" in their outlook instead).
SECOND_PURCHASE_SPAN = 3
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
    value: float = 0.0  # what is at stake (expected value over the outlook's horizon were they still buying)
    #: Who scheduled it (a team member; '' for a suggestion, or on a file).
    by: str = ""

    def to_dict(self) -> dict[str, Any]:
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
            "value_at_stake": round(self.value, 2) if self.value else None,
            "by": self.by,
        }


#: The headings of the list, in the order they are shown.
GROUP_ORDER = {"Overdue": 0, "Due today": 1, "This week": 2, "Suggested": 3}


def follow_up_order(s: Suggestion) -> tuple[int, Priority, date, float, int, str]:
    """The list's one order, in every front end: by heading (Overdue, Due today, This week, Suggested), then
    priority, due date, value at stake and score (higher first), then name."""
    return (GROUP_ORDER[s.priority.group], s.priority, s.due, -s.value, -s.score, s.contact.name.lower())


def scheduled_entry(follow_up: FollowUp, as_of: date) -> tuple[Priority, str, date]:
    """How a scheduled follow-up stands on `as_of`: its priority, its reason with when it is due (the list shows
    it, and doing it logs it), and the day it is due (or snoozed to)."""
    due = date.fromisoformat(max(follow_up.due, follow_up.snoozed_until or follow_up.due))
    overdue = (as_of - due).days
    if due > as_of:
        priority, when = Priority.THIS_WEEK, f"due {due.isoformat()}"
    else:
        priority = Priority.OVERDUE if overdue > 0 else Priority.DUE_TODAY
        when = f"due {due.isoformat()}, {overdue} days overdue" if overdue > 0 else "due today"
    return priority, f"{follow_up.reason or 'Scheduled follow-up'} ({when})", due


def suggest_follow_ups(store: Store, as_of: date, *, upcoming_days: int = 0) -> list[Suggestion]:
    """The prioritised list: scheduled follow-ups that are due (and, with `upcoming_days`, those coming up),
    then one rule-based suggestion per contact who is not already being followed up. A contact who withdrew
    consent to marketing gets only the unhappy-customer call (service, not marketing) and what the user
    scheduled.

    The rules read each contact's level, score, recency and consent as a plain tuple streamed from the store;
    only the contacts who end up on the list are loaded (a million contacts fit in a few hundred MB). All of it is
    read from one state of the file (`Store.reading`), however another process changes it meanwhile."""
    as_of = check_day(as_of)
    with store.reading():
        return _suggest(store, as_of, upcoming_days)


def due_by(items: list[Suggestion], last_day: date) -> list[Suggestion]:
    """The part of a list made with a longer horizon that a list made up to `last_day` holds (the same items in
    the same order: suggestions are due the day they are made, scheduled ones when due or snoozed to), so one
    list serves the Follow-ups tab's week and the dashboard's two weeks."""
    return [s for s in items if s.due <= last_day]


def _suggest(store: Store, as_of: date, upcoming_days: int) -> list[Suggestion]:
    settings = store.settings()
    in_hand = store.follow_ups.contacts_in_hand(as_of, HANDLED_DAYS)
    # The owner wrote to or called them since the reason arose: handled, as a follow-up done is (not engagement)
    contacted = store.follow_ups.contacted_days(as_of, HANDLED_DAYS)
    end = day_number(as_of)
    scheduled = store.follow_ups.open_until(as_of + timedelta(days=upcoming_days))
    wanted = {follow_up.contact_id for follow_up in scheduled}
    engagement: dict[int, tuple[Level, int]] = {}  # of the contacts with a scheduled follow-up on the list
    suggested: dict[int, tuple[Priority, str, float, Level, int]] = {}

    detractors = store.engagement.detractors(as_of, settings.detractor_days)
    outlook = BuyerFigures.of(store, as_of)
    for contact_id, level_number, score, since, conversion_days, consent in store.follow_ups.engagement_columns(
        as_of, settings
    ):
        level = _LEVELS[level_number]
        if contact_id in in_hand:
            if contact_id in wanted:
                engagement[contact_id] = (level, score)
            continue
        figures = outlook.get(contact_id) if outlook is not None else None
        if figures is not None and figures.gap is None:
            figures = None  # no rhythm to judge by (nobody has bought twice yet): the drifting rule decides
        value = 0.0
        if contact_id in detractors:
            survey_score, day, kind = detractors[contact_id]
            label = "NPS" if kind.lower() == "nps" else kind
            priority, reason = Priority.DETRACTOR, f"Unhappy: {label} score {survey_score} on {day.isoformat()}"
        elif consent == 0:
            continue  # opted out of marketing: no win-back, nurture, second-order or referral suggestions
        elif figures is not None and (nudge := purchase_nudge(figures, settings)) is not None:
            priority, reason, value = nudge
        elif figures is not None and level < Level.RETENTION:
            continue  # a buyer on their rhythm: the purchase outlook has nothing to say, nor does drifting
        elif figures is None and level >= Level.CONVERSION and since is not None and since >= settings.drifting_days:
            priority = Priority.WIN_BACK
            reason = f"{level.label} customer drifting away: no engagement for {since} days"
        elif level in (Level.INTEREST, Level.INTERACTION) and since is not None and since <= settings.warm_days:
            priority = Priority.NURTURE
            reason = f"Warm lead ({level.label}): engaged {since} days ago, has not bought yet"
        elif level is Level.RETENTION:
            priority = Priority.ASK_REFERRAL
            reason = f"Repeat customer ({conversion_days} buying days) who has not yet referred anyone or left a review"
        else:
            continue
        if contact_id in contacted:
            if priority is Priority.DETRACTOR:
                arose = day_number(detractors[contact_id][1])
            else:  # the contact's last engagement (never engaged: any time)
                arose = end - since if since is not None else 0
            if contacted[contact_id] >= arose:
                continue
        suggested[contact_id] = (priority, reason, value, level, score)

    del outlook  # its arrays are not needed while the contacts load
    # Contacts in the contacts list's order, as before: the list's sort is stable, so ties keep it.
    scheduled_contacts: dict[int, Contact] = {}
    out: list[Suggestion] = []
    for contact_id, contact in store.follow_ups.contacts_by_name(wanted | suggested.keys()):
        if contact_id in wanted:
            scheduled_contacts[contact_id] = contact
        entry = suggested.pop(contact_id, None)
        if entry is not None:
            priority, reason, value, level, score = entry
            out.append(Suggestion(contact, priority, reason, ACTIONS[priority], as_of, None, level, score, value))
    for follow_up in scheduled:
        level, score = engagement[follow_up.contact_id]
        priority, reason, due = scheduled_entry(follow_up, as_of)
        contact = scheduled_contacts[follow_up.contact_id]
        out.append(
            Suggestion(contact, priority, reason, ACTIONS[priority], due, follow_up.id, level, score, by=follow_up.by)
        )
    out.sort(key=follow_up_order)
    return out


_LEVELS = (None, *Level)  # by number: cheaper than Level(n) a million times


def purchase_outlook(store: Store, as_of: date) -> Outlook | None:
    """Every buyer's outlook, or None when there are no purchases to work from."""
    from tracker.core.errors import NotEnoughPurchases
    from tracker.core.outlook.forecast import forecast  # numpy and scipy on first use

    try:
        return forecast(store, as_of)
    except NotEnoughPurchases:
        return None


class BuyerFigures:
    """Every buyer's outlook figures as forecast() works them out, kept as arrays: one buyer's ContactOutlook
    is made when asked for, unnamed (the nudges' words use only its figures). forecast() makes and names one
    per buyer — at a million contacts 135,000 of them, 150 MB and six of its eight seconds."""

    def __init__(self, h: Histories, f: Figures):
        self.h, self.f = h, f
        self.row = {cid: i for i, cid in enumerate(h.contact_id.tolist())}
        self.shop_gap = h.shop_gap
        # plain lists, read once: indexing a numpy array per buyer and figure cost a second at 100k contacts
        self._ints = [a.tolist() for a in (h.purchases, h.first, h.last)]
        self._floats = [
            [v if math.isfinite(v) else None for v in a.tolist()]
            for a in (f.own_gap, f.p_active, f.p_purchase, f.expected, f.order_value, f.expected_value, f.at_stake)
        ]
        self._next = f.next_day.tolist()
        from tracker.core.outlook.forecast import ContactOutlook  # loaded already: f was made there

        self._outlook = ContactOutlook

    @classmethod
    def of(cls, store: Store, as_of: date) -> BuyerFigures | None:
        """The figures of every buyer as of a day; None when there are no purchases to work from."""
        from tracker.core.dates import day_number
        from tracker.core.outlook.forecast import HORIZON_DAYS, figures  # numpy and scipy on first use
        from tracker.core.outlook.history import histories

        h = histories(store.purchases.order_days(as_of), day_number(as_of))
        return cls(h, figures(h, HORIZON_DAYS)) if len(h) else None

    def get(self, contact_id: int) -> ContactOutlook | None:
        """The buyer's outlook as outlook_from makes it (without e-mail and name), or None: not a buyer."""
        i = self.row.get(contact_id)
        if i is None:
            return None
        purchases, first, last = (column[i] for column in self._ints)
        own_gap, p_active, p_purchase, expected, order_value, expected_value, at_stake = (
            column[i] for column in self._floats
        )
        next_day = self._next[i]
        return self._outlook(
            contact_id=contact_id,
            email=None,
            name="",
            purchases=purchases,
            first_purchase=from_day_number(first),
            last_purchase=from_day_number(last),
            days_since=self.h.end - last,
            usual_gap=own_gap,
            shop_gap=self.shop_gap,
            p_active=p_active,
            p_purchase=p_purchase,
            expected_purchases=expected,
            expected_next_purchase=None if next_day != next_day else from_day_number(int(next_day)),
            order_value=order_value,
            expected_value=expected_value,
            at_stake=at_stake,
            kind=self.f.kind,
        )


def purchase_nudge(c: ContactOutlook, settings: Settings) -> tuple[Priority, str, float] | None:
    """Win back a repeat customer overdue for their own rhythm or unlikely to order soon; invite a one-time
    buyer recently past the shop's usual gap to a second order. None: nothing to say."""
    from tracker.core.outlook.words import days, money, percent, rhythm

    chance = "" if c.p_purchase is None else f"; {percent(c.p_purchase)} chance of an order in the next 90 days"
    worth = f"; about {money(c.stake)} at stake" if c.stake else ""
    if c.one_time:
        if c.shop_gap and c.shop_gap <= c.days_since <= min(SECOND_PURCHASE_SPAN * c.shop_gap, settings.window_days):
            text = (
                f"Bought once, {days(c.days_since)} ago; customers here usually order again within {days(c.shop_gap)}"
            )
            return Priority.SECOND_PURCHASE, text + chance.replace("an order", "a second order") + worth, c.stake
        return None
    if not c.needs_win_back(settings.winback_percent / 100):
        return None
    lead = "Overdue for their rhythm" if c.overdue else "Unlikely to order soon"
    said = rhythm(c)
    return Priority.WIN_BACK, f"{lead}: {said[0].lower()}{said[1:]}{chance}{worth}", c.stake
