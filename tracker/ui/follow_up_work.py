"""The follow-up list of a day, worked out on a pool thread, or in a helper process for a long list (no Qt here:
the helper imports this module).

From OFFLOAD_FROM contacts the list is worked out in a helper process (tracker.ui.offload): classifying 100,000
contacts, numpy's and scipy's imports and the purchase fit held the GIL for seconds on a pool thread, stalling the
GUI thread up to 130 ms at a time, and numpy and scipy stay out of the window's memory (~60 MB) until the Dashboard
needs them. The suggestions come back as tuples of plain values, a chunk at a time (pickled dataclasses and enums
took 0.35 s to unpickle at 21,000 suggestions), and are made into the same Suggestions here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

from tracker.core.followups import Priority, Suggestion, suggest_follow_ups
from tracker.core.levels import Level
from tracker.core.models import Contact
from tracker.core.store import Store
from tracker.ui import offload

#: From this many contacts the list is worked out in a helper process (see the module).
OFFLOAD_FROM = 5_000
_CHUNK = 2_000  # suggestions a frame from the helper process
_CONTACT_FIELDS = tuple(f.name for f in dataclasses.fields(Contact))
_PRIORITIES = {int(p): p for p in Priority}
_LEVELS: dict[int | None, Level | None] = {None: None, **{int(level): level for level in Level}}


def work_out(store: Store, today: date) -> list[Suggestion]:
    """The follow-up list of `today` with the Dashboard's horizon (on a pool thread; see the module)."""
    database = offload.database_of(store)
    if database is not None and offload.has_at_least(store, OFFLOAD_FROM):
        items: list[Suggestion] = []
        offload.run("tracker.ui.follow_up_work:send_list", database, (today,), lambda part: items.extend(decoded(part)))
        return items
    return _suggest(store, today)


def _suggest(store: Store, today: date) -> list[Suggestion]:
    from tracker.core.dashboard import WORKLOAD_DAYS  # numpy: on a worker or a helper, never before the first paint

    return suggest_follow_ups(store, today, upcoming_days=WORKLOAD_DAYS - 1)


def send_list(store: Store, send: Callable[[object], None], today: date) -> None:
    """In the helper process: the list, a chunk of plain tuples at a time (see `decoded`)."""
    items = _suggest(store, today)
    for start in range(0, len(items), _CHUNK):
        send(
            [
                (
                    tuple([getattr(s.contact, name) for name in _CONTACT_FIELDS]), int(s.priority), s.reason,
                    s.action, s.due.toordinal(), s.follow_up_id, None if s.level is None else int(s.level), s.score,
                    s.value, s.by,
                )
                for s in items[start : start + _CHUNK]
            ]
        )  # fmt: skip


def decoded(part: list[tuple[Any, ...]]) -> list[Suggestion]:
    """The Suggestions of a chunk `send_list` sent."""
    day, priorities, levels = date.fromordinal, _PRIORITIES, _LEVELS
    return [
        Suggestion(Contact(*fields), priorities[p], reason, action, day(due), fid, levels[level], score, value, by)
        for fields, p, reason, action, due, fid, level, score, value, by in part
    ]
