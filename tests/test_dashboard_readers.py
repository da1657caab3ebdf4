"""The dashboard's numbers read with two connections (the contacts on a second one while the first scans the
interactions) are those of one state of the file: the same as with one connection, and never a mix when another
connection commits between the two reads."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

import tracker.core.dashboard as dashboard
from tracker.core.dashboard import dashboard_numbers
from tracker.core.store import Store

AS_OF = date(2026, 11, 23)


@pytest.fixture
def shop(store, add_contact, log):
    if not isinstance(store.conn, sqlite3.Connection):
        pytest.skip("a team database is read on one connection")
    for n in range(30):
        contact = add_contact(f"c{n}@example.com", source="shop.csv" if n % 3 else "fair", tags="vip" if n % 5 else "")
        for k in range(n % 4):
            log(contact, ["purchase", "call", "email_open"][k % 3], (AS_OF - timedelta(days=20 * k + n)).isoformat())
    return store


@pytest.fixture
def readers(monkeypatch):
    """What each read on the second connection gave: the contacts, or None when it could not be used."""
    seen: list[object] = []
    original = dashboard._contacts_beside

    def spy(beside, since):
        result = original(beside, since)
        seen.append(result)
        return result

    monkeypatch.setattr(dashboard, "_contacts_beside", spy)
    return seen


def one_connection(store: Store):
    with store.reading():
        return dashboard._numbers(store, AS_OF, None)


def test_two_connections_give_what_one_gives(shop, readers):
    data = dashboard_numbers(shop, AS_OF)
    assert len(readers) == 1 and readers[0] is not None  # the contacts came from the second connection
    alone = one_connection(shop)
    assert data.headline == alone.headline and data.sources == alone.sources and data.history == alone.history
    assert data.headline.contacts == 30


def test_a_commit_between_the_two_reads_is_not_mixed_in(shop, readers, monkeypatch):
    """Another process adds a contact after the first connection took its state and before the second takes
    its own: the second connection's contacts are left aside, the numbers are of the first state throughout."""
    original = dashboard._contacts_beside  # the spy of `readers`

    def commit_first(beside, since):
        with Store.open(shop.path) as other:
            other.contacts.add(email="late@example.com", first_name="Late", source="late.csv")
        return original(beside, since)

    monkeypatch.setattr(dashboard, "_contacts_beside", commit_first)
    data = dashboard_numbers(shop, AS_OF)
    assert data.headline.contacts == 30 and "late.csv" not in [label for label, _, _ in data.sources]
    assert readers == [None]  # the second connection saw the commit and was left aside
    monkeypatch.setattr(dashboard, "_contacts_beside", original)
    assert dashboard_numbers(shop, AS_OF).headline.contacts == 31  # the next refresh sees it


def test_inside_a_transaction_one_connection_reads_everything(shop, readers):
    """Rows written but not committed yet are seen only by their own connection: no second one then."""
    with shop.transaction() as conn:
        conn.execute(
            "INSERT INTO contacts (first_name, source, created_at, updated_at) VALUES ('New', 'x.csv', ?, ?)",
            (f"{AS_OF}T09:00:00", f"{AS_OF}T09:00:00"),
        )
        data = dashboard_numbers(shop, AS_OF)
    assert readers == [] and data.headline.contacts == 31
