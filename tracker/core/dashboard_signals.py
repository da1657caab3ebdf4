"""The one scan of a period's interactions that the dashboard's numbers need, as numpy columns: who, which day,
which kind, what score, and the engagement stage each counts for (a promoter's survey answer counts for the kind's
promoter stage). Read in one query, packed into one text where the store can, and parsed apart with no query, so a
second connection can read the contacts meanwhile (tracker.core.dashboard)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from tracker.core.dates import day_number
from tracker.core.levels import PROMOTER_MIN, Level
from tracker.core.models import Kind
from tracker.core.store import Store

NO_SCORE = 11  # packed for an interaction without a score


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
class Scan:
    """What the database gave for a period's signals; parsed apart, with no query (see dashboard._read_state)."""

    first: date
    packed: tuple[str, int, int] | None  # (text, days radix, kinds radix), or None for `rows`
    rows: list[tuple[int, int, int, int]] | None
    kinds: list[Kind]


def scan_period(store: Store, first: date, last: date) -> Scan:
    """One scan of the period's interactions (packed into one text, else rows), and the kinds."""
    kinds = list(store.kinds().values())
    packed = store.dashboard.packed_interactions(first, last)
    rows = store.dashboard.interactions_between(first, last) if packed is None else None
    return Scan(first, packed, rows, kinds)


def parse(scan: Scan) -> Signals:
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
