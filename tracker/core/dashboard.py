"""The numbers behind the dashboard, computed in one go so the charts and the PDF report show the same thing."""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from tracker.core.dates import day_number
from tracker.core.levels import DETRACTOR_MAX, PROMOTER_MIN, Level
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

    who: np.ndarray  # position of the contact in `ids`
    day: np.ndarray
    kind: np.ndarray
    stage: np.ndarray
    ids: np.ndarray


def load_signals(store: Store, first: date, last: date) -> Signals:
    """One indexed scan of the period's interactions; stages are worked out in numpy from the kinds table."""
    ids = np.array(store.dashboard.contact_ids(), dtype=np.int64)
    rows = np.array(store.dashboard.interactions_between(first, last), dtype=np.int64).reshape(-1, 4)
    contact, day, kind, score = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
    kinds = list(store.kinds().values())
    size = max([k.id for k in kinds] + [0]) + 1
    base = np.zeros(size, dtype=np.int64)
    promoter = np.zeros(size, dtype=np.int64)
    for k in kinds:
        base[k.id] = int(k.stage) if k.stage > Level.AWARENESS else 0
        promoter[k.id] = int(k.promoter_stage) if k.promoter_stage else 0
    stage = np.where((promoter[kind] > 0) & (score >= PROMOTER_MIN) & (base[kind] > 0), promoter[kind], base[kind])
    return Signals(np.searchsorted(ids, contact), day, kind, stage, ids)


def level_history(store: Store, ends: list[date], signals: Signals | None = None) -> dict[Level, list[int]]:
    """Contacts per level as of each date, with the same rules as classify(), vectorised over all dates.

    One scan fetches the period's signals; numpy then re-applies the window for each date, far cheaper than
    classifying the database twelve times.
    """
    return _levels_over_time(store, ends, signals)[0]


def _levels_over_time(
    store: Store, ends: list[date], signals: Signals | None = None
) -> tuple[dict[Level, list[int]], np.ndarray, np.ndarray]:
    """(counts per level at each date, every contact's level at the last date, its conversion days then)."""
    settings = store.settings()
    if signals is None:
        signals = load_signals(store, ends[0] - timedelta(days=settings.window_days), ends[-1])
    counts: dict[Level, list[int]] = {level: [] for level in Level}
    real = signals.stage > 0
    who, day, stage = signals.who[real], signals.day[real], signals.stage[real]
    conversion = stage == int(Level.CONVERSION)
    pairs = np.unique(np.stack([who[conversion], day[conversion]], axis=1), axis=0).reshape(-1, 2)
    population = len(signals.ids)
    level = np.ones(population, dtype=np.int64)
    conversion_days = np.zeros(population, dtype=np.int64)
    for end in ends:
        last = day_number(end)
        first = last - settings.window_days
        inside = (day >= first) & (day <= last)
        level = np.ones(population, dtype=np.int64)
        np.maximum.at(level, who[inside], stage[inside])
        in_window = (pairs[:, 1] >= first) & (pairs[:, 1] <= last)
        repeat = np.bincount(pairs[in_window, 0], minlength=population) >= settings.repeat_days
        level = np.maximum(level, np.where(repeat, int(Level.RETENTION), 1))
        tally = np.bincount(level, minlength=7)
        for lv in Level:
            counts[lv].append(int(tally[int(lv)]))
        conversion_days = np.bincount(pairs[in_window, 0], minlength=population)
    return counts, level, conversion_days


def build_dashboard(store: Store, as_of: date) -> DashboardData:
    """Everything the dashboard shows, as of a date (the caller's today), from one scan of the interactions."""
    settings = store.settings()
    ends = month_ends(as_of)
    activity_start = as_of - timedelta(days=7 * ACTIVITY_WEEKS - 1)
    signals = load_signals(store, min(ends[0] - timedelta(days=settings.window_days), activity_start), as_of)
    history, levels, conversion_days = _levels_over_time(store, ends, signals)
    total = len(signals.ids)
    recent = (signals.stage > 0) & (signals.day > day_number(as_of) - ACTIVE_DAYS)
    buyers = int(np.count_nonzero(conversion_days >= 1))
    scores = store.dashboard.latest_survey_scores(as_of, settings.window_days)
    funnel = {level: history[level][-1] for level in Level}
    converted = sum(funnel[level] for level in Level if level >= Level.CONVERSION)
    headline = Headline(
        contacts=total,
        active=int(np.unique(signals.who[recent]).size),
        conversion_rate=converted / total if total else None,
        repeat_rate=int(np.count_nonzero(conversion_days >= settings.repeat_days)) / buyers if buyers else None,
        promoters=sum(1 for s in scores if s >= PROMOTER_MIN),
        passives=sum(1 for s in scores if DETRACTOR_MAX < s < PROMOTER_MIN),
        detractors=sum(1 for s in scores if s <= DETRACTOR_MAX),
    )
    data = DashboardData(as_of, headline, funnel, month_ends=ends, history=history)
    _activity(store, activity_start, signals, data)
    converted_ids = set(signals.ids[levels >= int(Level.CONVERSION)].tolist())
    data.sources = _sources(store, converted_ids)
    _workload(store, as_of, data)
    return data


def _activity(store: Store, first: date, signals: Signals, data: DashboardData) -> None:
    """Interactions per week and kind over the last ACTIVITY_WEEKS weeks, from the signals already loaded."""
    data.week_starts = [first + timedelta(days=7 * w) for w in range(ACTIVITY_WEEKS)]
    recent = signals.day >= day_number(first)
    week = (signals.day[recent] - day_number(first)) // 7
    names = {k.id: k.name for k in store.kinds().values()}
    by_kind: dict[str, list[int]] = {}
    for kind_id in np.unique(signals.kind[recent]):
        weeks = np.bincount(week[signals.kind[recent] == kind_id], minlength=ACTIVITY_WEEKS)
        by_kind[names[int(kind_id)]] = [int(n) for n in weeks[:ACTIVITY_WEEKS]]
    data.activity = dict(sorted(by_kind.items(), key=lambda item: -sum(item[1])))


def _sources(store: Store, converted_ids: set[int]) -> list[tuple[str, int, int]]:
    """Per source (the file a contact came from, or how it was added) and per tag: contacts and converted."""
    totals: Counter[str] = Counter()
    converted: Counter[str] = Counter()
    for contact_id, source, tags in store.dashboard.sources():
        converted_here = contact_id in converted_ids
        for label in [source or "added by hand", *(f"#{tag}" for tag in split_tags(tags))]:
            totals[label] += 1
            converted[label] += converted_here
    return [(label, totals[label], converted[label]) for label, _ in totals.most_common()]


def _workload(store: Store, as_of: date, data: DashboardData) -> None:
    data.workload_days = [as_of + timedelta(days=d) for d in range(WORKLOAD_DAYS)]
    per_day = dict(store.dashboard.follow_ups_due(as_of + timedelta(days=WORKLOAD_DAYS - 1)))
    data.overdue = sum(n for day, n in per_day.items() if day < as_of.isoformat())
    data.workload = [per_day.get(day.isoformat(), 0) for day in data.workload_days]
