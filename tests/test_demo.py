"""The demo data ends on the day it is loaded, whatever that day is, shows every level, and is one import batch
the user can undo."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.core.demo import DEMO_KIND, load_demo
from tracker.core.engagement import level_counts
from tracker.core.errors import InvalidInput
from tracker.core.levels import Level
from tracker.ui import resources


def _load(store, today):
    return load_demo(store, resources.DEMO_CONTACTS, resources.DEMO_INTERACTIONS, today)


@pytest.mark.parametrize("today", [date(2026, 11, 23), date(2027, 12, 15), date(2031, 2, 28)])
def test_the_demo_ends_on_the_day_it_is_loaded_and_shows_every_level(store, today):
    loaded = _load(store, today)
    assert loaded.contacts == 300 and loaded.interactions > 3000
    (newest,) = store.conn.execute("SELECT max(occurred_at) FROM interactions").fetchone()
    assert newest.startswith(today.isoformat())
    counts = level_counts(store, today)
    assert all(counts[level] > 0 for level in Level), counts


def test_the_demo_is_one_import_batch_that_undo_removes_entirely(store):
    loaded = _load(store, date(2026, 11, 23))
    (batch,) = store.imports.list()
    assert batch.id == loaded.batch_id and batch.kind == DEMO_KIND
    assert batch.counts["rows"] == batch.counts["created"] == loaded.contacts + loaded.interactions
    preview = store.imports.undo_preview(batch.id)
    assert preview.contacts_removed == 300 and preview.interactions_imported == loaded.interactions
    assert not preview.later_work  # its own interactions are no later work: the undo needs no forcing
    store.imports.undo(batch.id)
    assert store.conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM interactions").fetchone()[0] == 0


def test_the_demo_keeps_the_files_contacts_as_an_import_would(store):
    _load(store, date(2026, 11, 23))
    jose = store.contacts.by_email("jose87@cafelumiere.example")
    assert (jose.name, jose.company, jose.tags) == ("José Gómez", "Café Lumière", ("corporate", "newsletter"))
    assert jose.phone == "+34 616 678 584" and jose.phone_key == "+34616678584"


def test_loading_the_demo_twice_is_refused_and_writes_nothing(store):
    _load(store, date(2026, 11, 23))
    with pytest.raises(InvalidInput, match="new database"):
        _load(store, date(2026, 11, 23))
    assert len(store.imports.list()) == 1
    assert store.conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 300
