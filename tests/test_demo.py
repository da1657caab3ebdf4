"""The demo data ends on the day it is loaded, whatever that day is, and shows every level."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.core.demo import load_demo
from tracker.core.engagement import level_counts
from tracker.core.levels import Level
from tracker.ui import resources


@pytest.mark.parametrize("today", [date(2026, 11, 23), date(2027, 12, 15), date(2031, 2, 28)])
def test_the_demo_ends_on_the_day_it_is_loaded_and_shows_every_level(store, today):
    report = load_demo(store, resources.DEMO_CONTACTS, resources.DEMO_INTERACTIONS, today)
    assert report.rejected == 0 and report.created > 1000
    (newest,) = store.conn.execute("SELECT max(occurred_at) FROM interactions").fetchone()
    assert newest.startswith(today.isoformat())
    counts = level_counts(store, today)
    assert all(counts[level] > 0 for level in Level), counts
    assert len(store.imports.list()) == 2  # two batches the user can undo
