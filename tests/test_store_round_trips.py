"""What the team database's speed-ups keep the same on both engines (issue 18's bench_team): an import's lookups
through the index, and its new contacts written by COPY."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.core.store import Store, dialect


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path: Path) -> Path | str:
    return request.getfixturevalue("team_url") if request.param == "postgresql" else tmp_path / "tracker.db"


@pytest.fixture
def store(target: Path | str):
    with Store.open(target) as opened:
        yield opened


def _records(start: int, end: int, *, upper: bool = False) -> list:
    return [
        ({"first_name": f"P{i}", "email": (f"P{i}@Example.com" if upper else f"p{i}@example.com")}, ())
        for i in range(start, end)
    ]


def _version(store: Store) -> int:
    return int(store.conn.execute("SELECT version FROM tracker_state").fetchone()[0])


def test_an_import_finds_what_its_earlier_chunks_made(store: Store) -> None:
    with store.transaction():
        batch = store.imports.begin("contacts", "x.csv")
        assert store.contacts.write_batch(_records(0, 700), batch) == (700, 0)
        # the next chunk: 300 of its addresses (in another case) belong to contacts the first one made
        created, changed = store.contacts.write_batch(_records(400, 1000, upper=True), batch)
        assert (created, changed) == (300, 0)
        if store.engine == "postgresql":  # the planner's setting is as it was once the lookups are done
            assert store.conn.execute("SELECT current_setting('enable_seqscan')").fetchone()[0] == "on"
    assert store.contacts.count() == 1000
    assert store.contacts.ids_for_emails(["p450@example.com", "p999@example.com", "nobody@example.com"]).keys() == {
        "p450@example.com",
        "p999@example.com",
    }


def test_lookups_inside_a_transaction_read_the_index(store: Store) -> None:
    with store.transaction():
        batch = store.imports.begin("contacts", "x.csv")
        store.contacts.write_batch(_records(0, 3000), batch)  # no statistics yet: the table was filled just now
        keys = [f"p{i}@example.com" for i in range(0, 3000, 6)]
        marks = ", ".join("?" for _ in keys)
        sql = f"SELECT id FROM contacts WHERE email IS NOT NULL AND lower(email) IN ({marks})"
        explain = "EXPLAIN QUERY PLAN" if store.engine == "sqlite" else "EXPLAIN"
        with dialect.by_index(store.conn):
            plan = " ".join(str(row[-1]) for row in store.conn.execute(f"{explain} {sql}", keys))
        assert "contacts_email" in plan
        assert "Seq Scan" not in plan
        assert "SCAN contacts" not in plan


def test_a_chunk_with_nothing_new_sends_no_copy(store: Store, team_url: str) -> None:
    if store.engine != "postgresql":
        pytest.skip("COPY is the team database's")
    with store.transaction():
        batch = store.imports.begin("contacts", "x.csv")
        store.contacts.write_batch(_records(0, 10), batch)
    before = _version(store)
    with store.transaction():
        batch = store.imports.begin("contacts", "x.csv")
        assert store.contacts.write_batch(_records(0, 10), batch) == (0, 0)  # the same people, nothing to fill
        after = _version(store)
    assert after == before + 1  # the batch record only: no empty COPY fired the contacts' trigger
