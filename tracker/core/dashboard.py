"""The numbers behind the dashboard, computed in one go so the charts and the PDF report show the same thing."""

from __future__ import annotations

import calendar
import dataclasses
import sqlite3
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from tracker.core.dates import day_number
from tracker.core.errors import TrackerError
from tracker.core.followups import Suggestion, suggest_follow_ups
from tracker.core.levels import DETRACTOR_MAX, PROMOTER_MIN, Level
from tracker.core.models import Kind
from tracker.core.normalize import split_tags
from tracker.core.store import Store

ACTIVE_DAYS = 30
ACTIVITY_WEEKS = 26
WORKLOAD_DAYS = 14
HISTORY_MONTHS = 12
NO_SCORE = 11  # packed for an interaction without a score


@dataclass(frozen=True, slots=True)
class Headline:
    contacts: int
    active: int
    conversion_rate: float | None
    repeat_rate: float | None
    promoters: int
    passives: int
    detractors: int

    @property
    def nps(self) -> int | None:
        answers = self.promoters + self.passives + self.detractors
        return round(100 * (self.promoters - self.detractors) / answers) if answers else None


@dataclass(frozen=True, slots=True)
class FollowUpsDue:
    """The follow-up list (scheduled and suggested, as the Follow-ups tab shows it) counted by the day it is due."""

    days: list[date]
    per_day: list[int]
    overdue: int


@dataclass(slots=True)
class DashboardData:
    as_of: date
    headline: Headline
    funnel: dict[Level, int]
    month_ends: list[date] = field(default_factory=list)
    history: dict[Level, list[int]] = field(default_factory=dict)
    week_starts: list[date] = field(default_factory=list)
    activity: dict[str, list[int]] = field(default_factory=dict)
    sources: list[tuple[str, int, int]] = field(default_factory=list)  # (source, contacts, converted)
    workload_days: list[date] = field(default_factory=list)
    workload: list[int] = field(default_factory=list)
    overdue: int = 0
    follow_ups_counted: bool = False  # False while the follow-up list is still being worked out

    def with_follow_ups(self, due: FollowUpsDue) -> DashboardData:
        return dataclasses.replace(
            self, workload_days=due.days, workload=due.per_day, overdue=due.overdue, follow_ups_counted=True
        )


def month_ends(as_of: date, months: int = HISTORY_MONTHS) -> list[date]:
    """The last `months - 1` month ends before `as_of`, then `as_of` itself."""
    ends = []
    year, month = as_of.year, as_of.month
    for _ in range(months - 1):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        ends.append(date(year, month, calendar.monthrange(year, month)[1]))
    return [*reversed(ends), as_of]


@dataclass(slots=True)
class Signals:
    """Every interaction of a period as numpy columns, with the stage each counts for (0: not a signal)."""

    who: np.ndarray  # contact id
    day: np.ndarray
    kind: np.ndarray
    stage: np.ndarray
    conversion: np.ndarray  # a purchase-like kind (stage Conversion), as classify() counts buying days
    score: np.ndarray  # 0-10, NO_SCORE for none


@dataclass(frozen=True, slots=True)
class _Scan:
    """What the database gave for a period's signals; parsed apart, with no query (see _numbers)."""

    first: date
    packed: tuple[str, int, int] | None  # (text, days radix, kinds radix), or None for `rows`
    rows: list[tuple[int, int, int, int]] | None
    kinds: list[Kind]


def _scan(store: Store, first: date, last: date) -> _Scan:
    """One scan of the period's interactions (packed into one text, else rows), and the kinds."""
    kinds = list(store.kinds().values())
    packed = store.dashboard.packed_interactions(first, last)
    rows = store.dashboard.interactions_between(first, last) if packed is None else None
    return _Scan(first, packed, rows, kinds)


def load_signals(store: Store, first: date, last: date) -> Signals:
    """One scan of the period's interactions (packed into one text, parsed by numpy); stages from the kinds."""
    return _parse(_scan(store, first, last))


def _parse(scan: _Scan) -> Signals:
    """The scan as numpy columns; a row's stage and whether it is a purchase from one table looked up by its kind
    and score together (kind id * 12 + score), which the packed integer holds as its lowest digits."""
    kinds = scan.kinds
    radix = max([k.id for k in kinds] + [0]) + 1
    if scan.packed is not None:
        text, days, kinds_radix = scan.packed
        radix = max(radix, kinds_radix)
        values = np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)
        rest, code = np.divmod(values, kinds_radix * (NO_SCORE + 1))
        who, day = np.divmod(rest, days)
        day += day_number(scan.first)
    else:
        rows = np.array(scan.rows, dtype=np.int64)
        who, day, kind, score = rows.reshape(-1, 4).T
        code = kind * (NO_SCORE + 1) + score
    kind, score = np.divmod(code, NO_SCORE + 1)
    base = np.zeros(radix, dtype=np.int64)
    promoter = np.zeros(radix, dtype=np.int64)
    for k in kinds:
        base[k.id] = int(k.stage) if k.stage > Level.AWARENESS else 0
        promoter[k.id] = int(k.promoter_stage) if k.promoter_stage else 0
    scores = np.arange(NO_SCORE + 1)
    promoted = (scores >= PROMOTER_MIN) & (scores < NO_SCORE)
    # (kind, score) -> stage: the promoter stage for a promoter's answer to a survey kind, else the kind's stage
    stage_of = np.where((promoter[:, None] > 0) & promoted & (base[:, None] > 0), promoter[:, None], base[:, None])
    buying_of = np.repeat(base == int(Level.CONVERSION), NO_SCORE + 1)
    return Signals(who, day, kind, stage_of.reshape(-1)[code], buying_of[code], score)


@dataclass(slots=True)
class _Contacts:
    """Every contact id by source and tags, and when the late ones appeared (first evidence or creation)."""

    groups: list[tuple[str, str, np.ndarray]]
    ids: np.ndarray
    appeared: dict[int, int]  # contact id -> day number, for contacts not there since before the period
    reported: dict[int, tuple[int, int]]  # contact id -> (orders reported, day number created)


def _load_contacts(store: Store, since: date) -> _Contacts:
    groups = [
        (source, tags, np.fromstring(ids, dtype=np.int64, sep=","))
        for source, tags, ids in store.dashboard.contact_groups()
    ]
    ids = np.concatenate([g[2] for g in groups]) if groups else np.zeros(0, dtype=np.int64)
    appeared, reported = {}, {}
    for contact_id, created, orders, first_day in store.dashboard.late_or_reported(since):
        created_day = day_number(date.fromisoformat(created))
        appeared[contact_id] = created_day if first_day is None else min(created_day, first_day)
        if orders:
            reported[contact_id] = (orders, created_day)
    return _Contacts(groups, ids, appeared, reported)


def level_history(store: Store, ends: list[date], signals: Signals | None = None) -> dict[Level, list[int]]:
    """Contacts per level as of each date, with the same rules as classify(), vectorised over all dates.

    A contact counts from its first interaction or its creation, whichever is earlier (a contact imported today
    was not an Awareness contact last spring); at the last date every contact counts, as classify() counts them.
    """
    settings = store.settings()
    if signals is None:
        signals = load_signals(store, ends[0] - timedelta(days=settings.window_days), ends[-1])
    contacts = _load_contacts(store, ends[0])
    return _levels_over_time(store, ends, signals, contacts)[0]


def _levels_over_time(
    store: Store, ends: list[date], signals: Signals, contacts: _Contacts
) -> tuple[dict[Level, list[int]], np.ndarray, np.ndarray]:
    """(counts per level at each date, every contact's level at the last date and its buying days then, both
    indexed by contact id)."""
    settings = store.settings()
    # every row, those of no stage (0) too: they lift no contact above Awareness (1), and buying rows have a stage
    who, day, stage, buying = signals.who, signals.day, signals.stage, signals.conversion
    if who.size and np.any((who[1:] < who[:-1]) | ((who[1:] == who[:-1]) & (day[1:] < day[:-1]))):
        order = np.lexsort((day, who))  # the index scan gives them in this order; anything else is sorted
        who, day, stage, buying = who[order], day[order], stage[order], buying[order]
    size = int(max([int(contacts.ids.max()) if contacts.ids.size else 0, int(who.max()) if who.size else 0])) + 1
    present = np.zeros(size, dtype=bool)
    present[contacts.ids] = True
    # distinct (contact, buying day) pairs: the rows are in (contact, day) order, so a repeat follows its first
    buy_who, buy_day = who[buying], day[buying]
    first_of_day = np.r_[True, (buy_who[1:] != buy_who[:-1]) | (buy_day[1:] != buy_day[:-1])] if buy_who.size else []
    pairs = np.stack([buy_who[first_of_day], buy_day[first_of_day]], axis=1).reshape(-1, 2)
    starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]]) if who.size else np.zeros(0, dtype=np.int64)
    owners = who[starts]
    appeared_days = np.array(list(contacts.appeared.values()), dtype=np.int64)
    retention, conversion = int(Level.RETENTION), int(Level.CONVERSION)
    reported_ids = np.array([cid for cid in contacts.reported if cid < size], dtype=np.int64)
    reported_level = np.array(
        [retention if contacts.reported[c][0] >= settings.repeat_days else conversion for c in reported_ids.tolist()],
        dtype=np.int64,
    )
    reported_from = np.array([contacts.reported[c][1] for c in reported_ids.tolist()], dtype=np.int64)
    # Which dates' windows hold each row: from the first date on or after its day (`since`) to the last one within
    # window_days after it (`until`), as date indexes in one byte each, so that the test per date is on small arrays.
    end_days = np.array([day_number(end) for end in ends], dtype=np.int64)
    low = int(day.min()) if day.size else 0
    span = np.arange(low, max(int(day.max()) if day.size else 0, low) + 1)  # every day a row may have
    since_of = np.searchsorted(end_days, span, side="left").astype(np.int8)  # looked up per day, not per row
    until_of = (np.searchsorted(end_days, span + settings.window_days, side="right") - 1).astype(np.int8)
    offset = day - low
    since, until = since_of[offset], until_of[offset]
    pair_since, pair_until = since_of[pairs[:, 1] - low], until_of[pairs[:, 1] - low]
    small_stage = stage.astype(np.int8)  # stages are 1-6
    counts: dict[Level, list[int]] = {level: [] for level in Level}
    level = np.ones(size, dtype=np.int64)
    buying_days = np.zeros(size, dtype=np.int64)
    for position, end in enumerate(ends):
        now = position == len(ends) - 1
        last = day_number(end)
        level = np.ones(size, dtype=np.int64)
        if who.size:  # each contact's highest stage inside the window: a max over its run of rows (0 outside)
            inside = (since <= position) & (until >= position)
            level[owners] = np.maximum(np.maximum.reduceat(small_stage * inside, starts), 1)
        in_window = (pair_since <= position) & (pair_until >= position)
        buying_days = np.bincount(pairs[in_window, 0], minlength=size)
        repeat = buying_days >= settings.repeat_days
        level[repeat] = np.maximum(level[repeat], retention)
        known = reported_ids if now else reported_ids[reported_from <= last]  # reported orders: from creation
        level[known] = np.maximum(level[known], reported_level if now else reported_level[reported_from <= last])
        tally = np.bincount(level[present], minlength=7)
        if not now:  # not there yet: neither evidence nor a record of them by this date
            tally[int(Level.AWARENESS)] -= int(np.count_nonzero(appeared_days > last))
        for lv in Level:
            counts[lv].append(int(tally[int(lv)]))
    return counts, level, buying_days


def dashboard_numbers(store: Store, as_of: date) -> DashboardData:
    """Everything the dashboard shows but the follow-ups, as of a date (the caller's today), from one scan of one
    state of the file."""
    beside = _second_reader(store)
    try:
        with store.reading():
            return _numbers(store, as_of, beside)
    finally:
        if beside is not None:
            beside[0].close()


def _second_reader(store: Store) -> tuple[Store, int] | None:
    """Another connection to the same file, for the contacts' queries while this one scans the interactions (SQLite
    lets go of the GIL: two cores), with its data_version taken before this connection's read transaction takes its
    state of the file (see _contacts_beside). None where there is none: a database in memory, a team database, or
    inside a transaction already (it may hold rows no other connection sees, or an older state)."""
    if store.path is None or not isinstance(store.conn, sqlite3.Connection) or store.conn.in_transaction:
        return None
    try:
        other = Store.open(store.path, create=False, verify=False)
    except TrackerError:
        return None
    return other, other.data_version()


def _contacts_beside(beside: tuple[Store, int], since: date) -> _Contacts | None:
    """The contacts read on the second connection, or None when it may see another state of the file than the
    first: when anything was committed between the data_version taken before the first connection's read
    transaction began and this one's (its data_version changes with every commit of another connection)."""
    other, version = beside
    with other.reading():
        other.settings()  # a first read: this transaction's state of the file
        if other.data_version() != version:
            return None
        return _load_contacts(other, since)


def _numbers(store: Store, as_of: date, beside: tuple[Store, int] | None = None) -> DashboardData:
    settings = store.settings()  # the first read: this transaction's state of the file
    ends = month_ends(as_of)
    activity_start = as_of - timedelta(days=7 * ACTIVITY_WEEKS - 1)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The contacts' queries on a second connection during the interactions' scan; else on this connection (in
        # the same read transaction) while numpy parses the scan. SQLite lets go of the GIL: either way they overlap.
        loading = pool.submit(_contacts_beside, beside, ends[0]) if beside is not None else None
        scan = _scan(store, min(ends[0] - timedelta(days=settings.window_days), activity_start), as_of)
        if loading is None:
            loading = pool.submit(_load_contacts, store, ends[0])
        signals = _parse(scan)
        contacts = loading.result() or _load_contacts(store, ends[0])
    history, levels, buying_days = _levels_over_time(store, ends, signals, contacts)
    total = int(contacts.ids.size)
    recent = (signals.stage > 0) & (signals.day > day_number(as_of) - ACTIVE_DAYS)
    buyers = int(np.count_nonzero(buying_days >= 1))
    scores = _survey_scores(store, signals, as_of, settings.window_days)
    funnel = {level: history[level][-1] for level in Level}
    converted = sum(funnel[level] for level in Level if level >= Level.CONVERSION)
    headline = Headline(
        contacts=total,
        active=_distinct(signals.who[recent]),
        conversion_rate=converted / total if total else None,
        repeat_rate=int(np.count_nonzero(buying_days >= settings.repeat_days)) / buyers if buyers else None,
        promoters=sum(1 for s in scores if s >= PROMOTER_MIN),
        passives=sum(1 for s in scores if DETRACTOR_MAX < s < PROMOTER_MIN),
        detractors=sum(1 for s in scores if s <= DETRACTOR_MAX),
    )
    data = DashboardData(as_of, headline, funnel, month_ends=ends, history=history)
    data.workload_days = [as_of + timedelta(days=d) for d in range(WORKLOAD_DAYS)]
    _activity(store, activity_start, signals, data)
    data.sources = _sources(contacts, levels >= int(Level.CONVERSION))
    return data


def _distinct(ids: np.ndarray) -> int:
    """How many different ids (non-negative) there are, without sorting them."""
    if not ids.size:
        return 0
    seen = np.zeros(int(ids.max()) + 1, dtype=bool)
    seen[ids] = True
    return int(np.count_nonzero(seen))


def _survey_scores(store: Store, signals: Signals, as_of: date, days: int) -> list[int]:
    """Each contact's latest NPS answer within `days` of `as_of` (what latest_survey_scores gives, in another
    order), from the signals; of two answers on a contact's latest day the later one counts, which only the ids in
    SQL tell: those few contacts are asked there."""
    survey_kinds = [k.id for k in store.kinds().values() if k.promoter_stage is not None]
    if not survey_kinds or not signals.kind.size:
        return []
    survey = np.zeros(max(int(signals.kind.max()), *survey_kinds) + 1, dtype=bool)
    survey[survey_kinds] = True
    end = day_number(as_of)
    rows = survey[signals.kind] & (signals.score < NO_SCORE) & (signals.day >= end - days) & (signals.day <= end)
    who, day, score = signals.who[rows], signals.day[rows], signals.score[rows]
    if not who.size:
        return []
    order = np.lexsort((day, who))
    who, day, score = who[order], day[order], score[order]
    last = np.flatnonzero(np.r_[who[1:] != who[:-1], True])  # each contact's latest answer (or one of them)
    before = np.maximum(last - 1, 0)
    tied = (last > 0) & (who[before] == who[last]) & (day[before] == day[last])
    clear = [int(s) for s in score[last[~tied]].tolist()]
    ties = last[tied]
    asked = store.dashboard.last_answer_scores(list(zip(who[ties].tolist(), day[ties].tolist(), strict=True)))
    return clear + asked


def follow_ups_due(store: Store, as_of: date) -> FollowUpsDue:
    """The Follow-ups tab's list (suggest_follow_ups: scheduled ones and suggestions, which are due the day they
    are made) counted by due day over the next WORKLOAD_DAYS days, and how many are overdue."""
    return count_due(suggest_follow_ups(store, as_of, upcoming_days=WORKLOAD_DAYS - 1), as_of)


def count_due(items: list[Suggestion], as_of: date) -> FollowUpsDue:
    """A follow-up list made with at least WORKLOAD_DAYS - 1 upcoming days counted as the dashboard shows it."""
    days = [as_of + timedelta(days=d) for d in range(WORKLOAD_DAYS)]
    due = Counter(s.due for s in items)
    return FollowUpsDue(days, [due[day] for day in days], sum(n for day, n in due.items() if day < as_of))


def build_dashboard(store: Store, as_of: date) -> DashboardData:
    """Everything the dashboard shows, as of a date (the caller's today), read from one state of the file."""
    with store.reading():
        return dashboard_numbers(store, as_of).with_follow_ups(follow_ups_due(store, as_of))


def _activity(store: Store, first: date, signals: Signals, data: DashboardData) -> None:
    """Interactions per week and kind over the last ACTIVITY_WEEKS weeks, from the signals already loaded."""
    data.week_starts = [first + timedelta(days=7 * w) for w in range(ACTIVITY_WEEKS)]
    recent = signals.day >= day_number(first)
    week = (signals.day[recent] - day_number(first)) // 7
    kinds = signals.kind[recent]
    names = {k.id: k.name for k in store.kinds().values()}
    size = max([*names, 0]) + 1
    table = np.bincount(kinds * ACTIVITY_WEEKS + week, minlength=size * ACTIVITY_WEEKS).reshape(size, -1)
    by_kind = {names[int(k)]: [int(n) for n in table[k]] for k in np.flatnonzero(table.sum(axis=1))}
    data.activity = dict(sorted(by_kind.items(), key=lambda item: -sum(item[1])))


def _sources(contacts: _Contacts, converted: np.ndarray) -> list[tuple[str, int, int]]:
    """Per source (the file a contact came from, or how it was added) and per tag: contacts and converted."""
    totals: Counter[str] = Counter()
    done: Counter[str] = Counter()
    for source, tags, ids in contacts.groups:
        here = int(np.count_nonzero(converted[ids]))
        for label in [source or "added by hand", *(f"#{tag}" for tag in split_tags(tags))]:
            totals[label] += int(ids.size)
            done[label] += here
    return [(label, totals[label], done[label]) for label, _ in totals.most_common()]
