"""An answer built from several queries reads one state of the file (Store.reading), whatever another process
changes between the queries: a merge in the window while the follow-up list was being read removed a contact the
list had already seen (KeyError in the window's refresh)."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.core.followups import suggest_follow_ups
from tracker.core.operations.merge import merge_contacts
from tracker.core.store import Store

TODAY = date(2026, 3, 2)


def test_queries_inside_reading_see_one_state_of_the_file(store, db_target):
    store.contacts.add(first_name="Anna", email="anna@example.com")
    with Store.open(db_target) as other:
        with store.reading():
            before = store.contacts.count()
            other.contacts.add(first_name="Ben", email="ben@example.com")  # another connection commits meanwhile
            assert store.contacts.count() == before == 1
        assert store.contacts.count() == 2  # after it, the change is seen


def test_reading_inside_a_write_transaction_does_not_end_it(store):
    with pytest.raises(RuntimeError), store.transaction():
        with store.reading():
            store.contacts.add(first_name="Anna", email="anna@example.com")
        raise RuntimeError("the rest of the change failed")
    assert store.contacts.count() == 0  # rolled back whole: the read did not commit the half-done write


def test_a_merge_between_the_follow_up_lists_queries_does_not_break_it(store, db_target, monkeypatch):
    keep = store.contacts.add(first_name="Anna", last_name="Berg", email="anna@example.com")
    gone = store.contacts.add(first_name="Anna", last_name="Berg", email="anna.berg@work.example")
    store.follow_ups.schedule(gone.id, TODAY, "Send the quote")
    read_first = store.follow_ups.open_until

    def open_until_then_merge(*args, **kwargs):
        found = read_first(*args, **kwargs)
        with Store.open(db_target) as window:  # the other front end merges right after the first query
            merge_contacts(window, keep.id, gone.id)
        return found

    monkeypatch.setattr(store.follow_ups, "open_until", open_until_then_merge)
    listed = suggest_follow_ups(store, TODAY)
    assert [s.contact.id for s in listed if s.follow_up_id] == [gone.id]
    monkeypatch.undo()
    after = suggest_follow_ups(store, TODAY)  # the next refresh shows the merged state
    assert [s.contact.id for s in after if s.follow_up_id] == [keep.id]
