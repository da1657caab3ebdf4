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

from tracker.core.dashboard_signals import NO_SCORE, Scan, Signals, parse, scan_period
from tracker.core.dates import day_number
from tracker.core.errors import TrackerError
from tracker.core.followups import Suggestion, suggest_follow_ups
from tracker.core.levels import DETRACTOR_MAX, PROMOTER_MIN, Level, Settings
from tracker.core.normalize import split_tags
from tracker.core.store import Store

ACTIVE_DAYS = 30
ACTIVITY_WEEKS = 26
WORKLOAD_DAYS = 14
HISTORY_MONTHS = 12


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
class _Contacts:
    """Contact ids by source and tags, and when the late ones appeared (first evidence or creation)."""

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
    return _Contacts(groups, ids, *_appeared_and_reported(store.dashboard.late_or_reported(since)))


def _appeared_and_reported(
    rows: list[tuple[int, str, int, int | None]],
) -> tuple[dict[int, int], dict[int, tuple[int, int]]]:
    """(contact id -> day it appeared, contact id -> (orders reported, day created)) from (contact id, created day
    ISO, orders reported, first interaction's day number) rows."""
    appeared, reported = {}, {}
    for contact_id, created, orders, first_day in rows:
        created_day = day_number(date.fromisoformat(created))
        appeared[contact_id] = created_day if first_day is None else min(created_day, first_day)
        if orders:
            reported[contact_id] = (orders, created_day)
    return appeared, reported


def _some_contacts(store: Store, ids: list[int]) -> _Contacts:
    """What _load_contacts gives, for these contacts only (those of them still there), every one with the day it
    appeared."""
    rows = store.dashboard.contacts_of(ids)
    by_group: dict[tuple[str, str], list[int]] = {}
    for contact_id, source, tags, *_ in rows:
        by_group.setdefault((source, tags), []).append(contact_id)
    groups = [(source, tags, np.array(members, dtype=np.int64)) for (source, tags), members in by_group.items()]
    there = np.array([row[0] for row in rows], dtype=np.int64)
    return _Contacts(groups, there, *_appeared_and_reported([(row[0], *row[3:]) for row in rows]))


def _levels_over_time(
    settings: Settings, ends: list[date], signals: Signals, reported: dict[int, tuple[int, int]], size: int
) -> tuple[np.ndarray, np.ndarray]:
    """(each contact's level at each date, as a [contact id, date] table of int8; its buying days at the last
    date), with the same rules as classify(), vectorised over all dates, for the contacts of `signals` and
    `reported` (contact id -> (orders reported, day created)); every other id of the table is at Awareness."""
    # every row, those of no stage (0) too: they lift no contact above Awareness (1), and buying rows have a stage
    who, day, stage, buying = signals.who, signals.day, signals.stage, signals.conversion
    if who.size and np.any((who[1:] < who[:-1]) | ((who[1:] == who[:-1]) & (day[1:] < day[:-1]))):
        order = np.lexsort((day, who))  # the index scan gives them in this order; anything else is sorted
        who, day, stage, buying = who[order], day[order], stage[order], buying[order]
    # distinct (contact, buying day) pairs: the rows are in (contact, day) order, so a repeat follows its first
    buy_who, buy_day = who[buying], day[buying]
    first_of_day = np.r_[True, (buy_who[1:] != buy_who[:-1]) | (buy_day[1:] != buy_day[:-1])] if buy_who.size else []
    pairs = np.stack([buy_who[first_of_day], buy_day[first_of_day]], axis=1).reshape(-1, 2)
    starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]]) if who.size else np.zeros(0, dtype=np.int64)
    owners = who[starts]
    retention, conversion = int(Level.RETENTION), int(Level.CONVERSION)
    reported_ids = np.array([cid for cid in reported if cid < size], dtype=np.int64)
    reported_level = np.array(
        [retention if reported[c][0] >= settings.repeat_days else conversion for c in reported_ids.tolist()],
        dtype=np.int64,
    )
    reported_from = np.array([reported[c][1] for c in reported_ids.tolist()], dtype=np.int64)
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
    levels = np.ones((size, len(ends)), dtype=np.int8, order="F")  # a column per date
    buying_days = np.zeros(size, dtype=np.int64)
    for position, end in enumerate(ends):
        now = position == len(ends) - 1
        last = day_number(end)
        level = levels[:, position]
        if who.size:  # each contact's highest stage inside the window: a max over its run of rows (0 outside)
            inside = (since <= position) & (until >= position)
            level[owners] = np.maximum(np.maximum.reduceat(small_stage * inside, starts), 1)
        in_window = (pair_since <= position) & (pair_until >= position)
        buying_days = np.bincount(pairs[in_window, 0], minlength=size)
        repeat = buying_days >= settings.repeat_days
        level[repeat] = np.maximum(level[repeat], retention)
        known = reported_ids if now else reported_ids[reported_from <= last]  # reported orders: from creation
        level[known] = np.maximum(level[known], reported_level if now else reported_level[reported_from <= last])
    return levels, buying_days


#: Before any day: a contact there since before the period shown.
_ALWAYS = -(2**40)
#: At most this many contacts changed since the numbers were cached are folded in; more, and they are recomputed.
FOLD_LIMIT = 5000


@dataclass(slots=True)
class _State:
    """What each contact adds to the numbers, by contact id (an id with no contact adds nothing), and the rows of
    the activity chart: the numbers follow from it (_data), and a change to a few contacts is folded in by
    recomputing their parts alone (DashboardCache)."""

    as_of: date
    ends: list[date]
    settings: Settings
    kinds: tuple[tuple[int, str, int, int | None], ...]  # (id, name, stage, promoter stage) of every kind
    present: np.ndarray  # bool: a contact has this id
    levels: np.ndarray  # int8 [id, month end]: the contact's level then
    appeared: np.ndarray  # int64 day number: its first evidence or creation (_ALWAYS: before the period)
    buying: np.ndarray  # int64: its buying days in the window at as_of
    active: np.ndarray  # bool: a signal within ACTIVE_DAYS of as_of
    score: np.ndarray  # int8: its latest NPS answer within the window, -1 for none
    group: np.ndarray  # int64: index of its (source, tags) in `groups`, -1 for none
    groups: list[tuple[str, str]]
    group_of: dict[tuple[str, str], int]
    activity_who: np.ndarray  # the activity chart's rows (day within ACTIVITY_WEEKS): contact id, and
    activity_code: np.ndarray  # kind id * ACTIVITY_WEEKS + week
    marks: tuple[int, ...] | None = None  # the database's change marks the state is of (None: not to be folded)

    @classmethod
    def empty(
        cls, as_of: date, settings: Settings, kinds: tuple[tuple[int, str, int, int | None], ...], size: int
    ) -> _State:
        ends = month_ends(as_of)
        none = np.zeros(0, dtype=np.int32)
        return cls(
            as_of,
            ends,
            settings,
            kinds,
            np.zeros(size, dtype=bool),
            np.ones((size, len(ends)), dtype=np.int8, order="F"),
            np.full(size, _ALWAYS, dtype=np.int64),
            np.zeros(size, dtype=np.int64),
            np.zeros(size, dtype=bool),
            np.full(size, -1, dtype=np.int8),
            np.full(size, -1, dtype=np.int64),
            [],
            {},
            none,
            none,
        )

    def grow(self, size: int) -> None:
        """Room for contact ids below `size`."""
        more = size - self.present.size
        if more <= 0:
            return
        self.present = np.r_[self.present, np.zeros(more, dtype=bool)]
        levels = np.ones((size, len(self.ends)), dtype=np.int8, order="F")
        levels[: self.levels.shape[0]] = self.levels
        self.levels = levels
        self.appeared = np.r_[self.appeared, np.full(more, _ALWAYS, dtype=np.int64)]
        self.buying = np.r_[self.buying, np.zeros(more, dtype=np.int64)]
        self.active = np.r_[self.active, np.zeros(more, dtype=bool)]
        self.score = np.r_[self.score, np.full(more, -1, dtype=np.int8)]
        self.group = np.r_[self.group, np.full(more, -1, dtype=np.int64)]

    @property
    def activity_start(self) -> date:
        return self.as_of - timedelta(days=7 * ACTIVITY_WEEKS - 1)

    @property
    def scan_start(self) -> date:
        """The first day whose interactions count: the first month end's window, or the activity chart's."""
        return min(self.ends[0] - timedelta(days=self.settings.window_days), self.activity_start)

    def fill(self, store: Store, ids: np.ndarray, signals: Signals, contacts: _Contacts, *, whole: bool) -> None:
        """Set the parts of the contacts `ids` from their signals and records (`ids` holds every contact of
        `signals` and `contacts`; an id of `ids` not in `contacts` is no contact); `whole`: every contact, on an
        empty state."""
        size = int(max([ids.max() if ids.size else 0, contacts.ids.max() if contacts.ids.size else 0])) + 1
        self.grow(size)
        levels, buying = _levels_over_time(self.settings, self.ends, signals, contacts.reported, size)
        recent = (signals.stage > 0) & (signals.day > day_number(self.as_of) - ACTIVE_DAYS)
        active = np.zeros(size, dtype=bool)
        active[signals.who[recent]] = True
        score = np.full(size, -1, dtype=np.int8)
        answered, scores = _survey_scores(store, signals, self.as_of, self.settings.window_days)
        score[answered] = scores
        if whole:
            self.levels, self.buying, self.active, self.score = levels, buying, active, score
            self.present[:] = False
            self.appeared[:] = _ALWAYS
            self.group[:] = -1
        else:
            self.levels[ids] = levels[ids]
            self.buying[ids], self.active[ids], self.score[ids] = buying[ids], active[ids], score[ids]
            self.present[ids] = False
            self.appeared[ids] = _ALWAYS
            self.group[ids] = -1
        self.present[contacts.ids] = True
        late = np.fromiter(contacts.appeared, dtype=np.int64, count=len(contacts.appeared))
        self.appeared[late] = np.fromiter(contacts.appeared.values(), dtype=np.int64, count=late.size)
        for source, tags, members in contacts.groups:
            index = self.group_of.setdefault((source, tags), len(self.groups))
            if index == len(self.groups):
                self.groups.append((source, tags))
            self.group[members] = index
        # the activity chart's rows: those of these contacts replaced
        first = day_number(self.activity_start)
        rows = signals.day >= first
        code = (signals.kind[rows] * ACTIVITY_WEEKS + (signals.day[rows] - first) // 7).astype(np.int32)
        who = signals.who[rows].astype(np.int32)  # half the memory: ids and codes are small
        if whole:
            self.activity_who, self.activity_code = who, code
        else:
            keep = ~np.isin(self.activity_who, ids)
            self.activity_who = np.r_[self.activity_who[keep], who]
            self.activity_code = np.r_[self.activity_code[keep], code]


def _kinds_key(store: Store) -> tuple[tuple[int, str, int, int | None], ...]:
    return tuple((k.id, k.name, int(k.stage), k.promoter_stage) for k in store.kinds().values())


def dashboard_numbers(store: Store, as_of: date) -> DashboardData:
    """Everything the dashboard shows but the follow-ups, as of a date (the caller's today), from one scan of one
    state of the file."""
    return _data(_whole_state(store, as_of))


def _whole_state(store: Store, as_of: date) -> _State:
    beside = _second_reader(store)
    try:
        with store.reading():
            return _read_state(store, as_of, beside)
    finally:
        if beside is not None:
            beside[0].close()


class DashboardCache:
    """The dashboard's numbers kept per contact between refreshes of one database (a worker's store is a new
    connection each time): a refresh after a few contacts or interactions changed recomputes only those contacts'
    parts, and everything when it cannot tell what changed (see migrations m009 to m011: deletes or rows put back by
    undo of more than one contact, a row put back below the highest id; another day, other settings or kinds; more
    than FOLD_LIMIT contacts; a team database). Either way the numbers equal dashboard_numbers'. One caller at a
    time."""

    def __init__(self) -> None:
        self.state: _State | None = None
        self.database: object = None
        self.folded = 0  # refreshes that folded changes in (for tests and the bench)

    def numbers(self, store: Store, as_of: date) -> DashboardData:
        database = store.url or (str(store.path) if store.path is not None else id(store.conn))
        if self.state is not None and self.database == database and not store.conn.in_transaction:
            try:
                with store.reading():
                    if self._fold(store, as_of, self.state):
                        return _data(self.state)
            except BaseException:
                self.state = None  # it may be half folded: the next refresh recomputes
                raise
        self.state = None
        state = _whole_state(store, as_of)
        if state.marks is not None and not store.conn.in_transaction:  # not a state that may be rolled back
            self.state, self.database = state, database
        return _data(state)

    def _fold(self, store: Store, as_of: date, state: _State) -> bool:
        """Fold what changed since `state` into it; False when it cannot be told (nothing is changed then)."""
        if state.marks is None or as_of != state.as_of or store.settings() != state.settings:
            return False
        if _kinds_key(store) != state.kinds:
            return False
        marks = store.dashboard.change_marks()
        if marks is None:
            return False
        if marks == state.marks:
            return True
        count, same, since, contacts_deleted, interactions_deleted = marks[:5]
        before = state.marks
        if any(now < then for now, then in zip(marks[3:7], before[3:7], strict=True)) or count < before[0]:
            return False
        changed: set[int] = set()
        if count != before[0]:  # deletes or rows put back by undo since: folded when they were one contact's
            if same < 0 or before[0] < since:
                return False
            changed.add(same)
        # no row new below the highest id known: the rows are those known, less the deleted, plus those above it
        contact_id, contacts, interaction_id, interactions = before[7:]
        above = store.dashboard.rows_above(contact_id, interaction_id)
        if (marks[8], marks[10]) != (
            contacts - (contacts_deleted - before[3]) + above[0],
            interactions - (interactions_deleted - before[4]) + above[1],
        ):
            return False
        changed |= store.dashboard.changed_contacts(contact_id, before[5], interaction_id, before[6])
        if len(changed) > FOLD_LIMIT:
            return False
        ids = np.array(sorted(changed), dtype=np.int64)
        rows = store.dashboard.interactions_of(changed, state.scan_start, as_of)
        signals = parse(Scan(state.scan_start, None, rows, list(store.kinds().values())))
        state.fill(store, ids, signals, _some_contacts(store, sorted(changed)), whole=False)
        state.marks = marks
        self.folded += 1
        return True


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
    return _data(_read_state(store, as_of, beside))


def _read_state(store: Store, as_of: date, beside: tuple[Store, int] | None = None) -> _State:
    settings = store.settings()  # the first read: this transaction's state of the file
    marks = store.dashboard.change_marks()
    state = _State.empty(as_of, settings, _kinds_key(store), 0)
    state.marks = marks
    ends = state.ends
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The contacts' queries on a second connection during the interactions' scan; else on this connection (in
        # the same read transaction) while numpy parses the scan. SQLite lets go of the GIL: either way they overlap.
        loading = pool.submit(_contacts_beside, beside, ends[0]) if beside is not None else None
        scan = scan_period(store, state.scan_start, as_of)
        if loading is None:
            loading = pool.submit(_load_contacts, store, ends[0])
        signals = parse(scan)
        contacts = loading.result() or _load_contacts(store, ends[0])
    top = max(int(contacts.ids.max()) if contacts.ids.size else 0, int(signals.who.max()) if signals.who.size else 0)
    state.fill(store, np.arange(top + 1), signals, contacts, whole=True)
    return state


def _data(state: _State) -> DashboardData:
    """The numbers of a state."""
    as_of, settings, present = state.as_of, state.settings, state.present
    dates = len(state.ends)
    # every contact's level at every date counted at once: (level + 7 * date index) in one bincount
    codes = state.levels[present].astype(np.intp) + 7 * np.arange(dates)
    tally = np.bincount(codes.ravel(), minlength=7 * dates).reshape(dates, 7)
    # not there yet at a date before the last: neither evidence nor a record of them by then, so at Awareness then
    appeared = state.appeared[present & (state.appeared > _ALWAYS)]
    appeared.sort()
    before = np.array([day_number(end) for end in state.ends[:-1]], dtype=np.int64)
    tally[:-1, int(Level.AWARENESS)] -= appeared.size - np.searchsorted(appeared, before, side="right")
    history = {level: [int(n) for n in tally[:, int(level)]] for level in Level}
    total = int(np.count_nonzero(present))
    buyers = int(np.count_nonzero(state.buying >= 1))
    scores = state.score[present & (state.score >= 0)]
    funnel = {level: history[level][-1] for level in Level}
    converted = sum(funnel[level] for level in Level if level >= Level.CONVERSION)
    headline = Headline(
        contacts=total,
        active=int(np.count_nonzero(state.active & present)),
        conversion_rate=converted / total if total else None,
        repeat_rate=int(np.count_nonzero(state.buying >= settings.repeat_days)) / buyers if buyers else None,
        promoters=int(np.count_nonzero(scores >= PROMOTER_MIN)),
        passives=int(np.count_nonzero((scores > DETRACTOR_MAX) & (scores < PROMOTER_MIN))),
        detractors=int(np.count_nonzero(scores <= DETRACTOR_MAX)),
    )
    data = DashboardData(as_of, headline, funnel, month_ends=list(state.ends), history=history)
    data.workload_days = [as_of + timedelta(days=d) for d in range(WORKLOAD_DAYS)]
    _activity(state, data)
    data.sources = _sources(state)
    return data


def _survey_scores(store: Store, signals: Signals, as_of: date, days: int) -> tuple[np.ndarray, np.ndarray]:
    """(contact ids, scores): each contact's latest NPS answer within `days` of `as_of` (what latest_survey_scores
    gives), from the signals; of two answers on a contact's latest day the later one counts, which only the ids in
    SQL tell: those few contacts are asked there."""
    none = np.zeros(0, dtype=np.int64)
    survey_kinds = [k.id for k in store.kinds().values() if k.promoter_stage is not None]
    if not survey_kinds or not signals.kind.size:
        return none, none
    survey = np.zeros(max(int(signals.kind.max()), *survey_kinds) + 1, dtype=bool)
    survey[survey_kinds] = True
    end = day_number(as_of)
    rows = survey[signals.kind] & (signals.score < NO_SCORE) & (signals.day >= end - days) & (signals.day <= end)
    who, day, score = signals.who[rows], signals.day[rows], signals.score[rows]
    if not who.size:
        return none, none
    order = np.lexsort((day, who))
    who, day, score = who[order], day[order], score[order]
    last = np.flatnonzero(np.r_[who[1:] != who[:-1], True])  # each contact's latest answer (or one of them)
    before = np.maximum(last - 1, 0)
    tied = (last > 0) & (who[before] == who[last]) & (day[before] == day[last])
    scores = score[last].copy()
    ties = last[tied]
    if ties.size:
        asked = store.dashboard.last_answer_scores(list(zip(who[ties].tolist(), day[ties].tolist(), strict=True)))
        scores[tied] = asked
    return who[last], scores


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


def _activity(state: _State, data: DashboardData) -> None:
    """Interactions per week and kind over the last ACTIVITY_WEEKS weeks."""
    first = state.activity_start
    data.week_starts = [first + timedelta(days=7 * w) for w in range(ACTIVITY_WEEKS)]
    names = {kind_id: name for kind_id, name, *_ in state.kinds}
    size = max([*names, 0]) + 1
    table = np.bincount(state.activity_code, minlength=size * ACTIVITY_WEEKS).reshape(size, -1)
    by_kind = {names[int(k)]: [int(n) for n in table[k]] for k in np.flatnonzero(table.sum(axis=1))}
    data.activity = dict(sorted(by_kind.items(), key=lambda item: -sum(item[1])))


def _sources(state: _State) -> list[tuple[str, int, int]]:
    """Per source (the file a contact came from, or how it was added) and per tag: contacts and converted; the
    groups of one source and tags in their order (as SQLite's GROUP BY gives them), so that ties keep one order."""
    member = state.present & (state.group >= 0)
    group = state.group[member]
    converted = state.levels[member, -1] >= int(Level.CONVERSION)
    size = len(state.groups)
    counts = np.bincount(group, minlength=size)
    done = np.bincount(group[converted], minlength=size)
    totals: Counter[str] = Counter()
    won: Counter[str] = Counter()
    for index in sorted(range(size), key=state.groups.__getitem__):
        if not counts[index]:
            continue
        source, tags = state.groups[index]
        for label in [source or "added by hand", *(f"#{tag}" for tag in split_tags(tags))]:
            totals[label] += int(counts[index])
            won[label] += int(done[index])
    return [(label, totals[label], won[label]) for label, _ in totals.most_common()]
