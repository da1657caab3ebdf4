"""What the team database's speed-ups keep the same on both engines (issue 18's bench_team): an import's lookups
through the index, and its new contacts written by COPY; a logged interaction in few statements, its undo record
from the INSERT itself."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import psycopg
import pytest

from tracker.core.errors import ContactNotFound, UnknownKind
from tracker.core.operations import interactions as interaction_ops
from tracker.core.store import Store, dialect, rows


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


def test_a_logged_interaction_keeps_its_row_as_stored(store: Store) -> None:
    anna = store.contacts.add(first_name="Anna", last_name="Berg", email="anna@example.com")
    for fields in ({}, {"amount": 5, "score": 7, "channel": " shop ", "note": "a note"}, {"amount": 12.345}):
        result = interaction_ops.log(store, anna.id, "Purchase", datetime(2026, 3, 1, 9, 30), **fields)
        assert result.undo is not None
        (change,) = result.undo.rows
        assert change.before is None
        assert change.after == rows.read_keys(store.conn, "interactions", [change.key])[change.key]
        assert store.interactions.get(result.ids[0]).contact_name == "Anna Berg"
    made = interaction_ops.log(store, "new@example.com", "call", datetime(2026, 3, 2), new_contact_source="phone")
    assert made.undo is not None
    assert [c.table for c in made.undo.rows] == ["contacts", "interactions"]
    for change in made.undo.rows:
        assert change.after == rows.read_keys(store.conn, change.table, [change.key])[change.key]
    made.undo.apply(store)
    assert store.contacts.by_email("new@example.com") is None
    assert store.interactions.count() == 3


def test_store_log_returns_the_interaction_as_read(store: Store) -> None:
    anna = store.contacts.add(first_name="Anna", email="anna@example.com")
    logged = store.interactions.log(anna.id, "call", datetime(2026, 3, 1, 9), amount=3, note="n", channel=" x ")
    assert logged == store.interactions.get(logged.id or 0)
    with store.transaction():  # inside another transaction too (a follow-up marked done logs its call)
        inner = store.interactions.log(anna.id, "meeting", datetime(2026, 3, 2, 9))
    assert inner == store.interactions.get(inner.id or 0)


def test_a_contact_gone_before_the_write_lock_is_not_written_to(store: Store, target: Path | str) -> None:
    anna = store.contacts.add(first_name="Anna", email="anna@example.com")
    call = store.interactions.kind_to_write("call")
    with Store.open(target) as other:
        other.contacts.delete([anna.id or 0])
    with pytest.raises(ContactNotFound):
        store.interactions.write(anna, call, datetime(2026, 3, 1))
    assert store.interactions.count() == 0


def test_a_kind_taken_back_meanwhile_is_refused_or_found_again(store: Store, target: Path | str) -> None:
    anna = store.contacts.add(first_name="Anna", email="anna@example.com")
    added = store.save_kind("tasting", 3)
    assert added.kinds
    stale = store.interactions.kind_to_write("tasting")  # as the store read the kinds
    with Store.open(target) as other, other.transaction():
        other.conn.execute("DELETE FROM kinds WHERE name = 'tasting'")
    with pytest.raises(UnknownKind):
        store.interactions.write(anna, stale, datetime(2026, 3, 1))
    assert store.interactions.count() == 0
    with Store.open(target) as other:
        other.save_kind("tasting", 3)  # made again, with another id
    logged, _, who = store.interactions.write(anna, stale, datetime(2026, 3, 1))
    assert who == anna
    assert logged.kind == "tasting"
    assert store.interactions.count() == 1


def test_a_log_on_a_team_database_is_one_round_trip(store: Store) -> None:
    if store.engine != "postgresql":
        pytest.skip("round trips are the team database's")
    anna = store.contacts.add(first_name="Anna", email="anna@example.com")
    interaction_ops.log(store, anna.id, "call", datetime(2026, 3, 1, 9))  # the first: kinds and columns read
    with Store.open(store.url or "") as other:
        other.contacts.add(first_name="Ben")  # another client's commit (notified)
    sent: list[str] = []
    execute = psycopg.Cursor.execute

    def counted(cursor, query, *args, **options):
        sent.append(str(query))
        return execute(cursor, query, *args, **options)

    psycopg.Cursor.execute = counted  # type: ignore[method-assign]
    try:
        result = interaction_ops.log(store, anna.id, "call", datetime(2026, 3, 1, 10), note="one trip")
    finally:
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
    assert len(sent) == 1
    assert sent[0].startswith("BEGIN;") and "pg_advisory_xact_lock" in sent[0] and sent[0].endswith("; COMMIT")
    assert result.summary == "Logged call for Anna at 2026-03-01T10:00:00."
    assert store.interactions.count() == 2
    assert not store.conn.in_transaction


def test_a_log_for_an_unknown_contact_writes_nothing(store: Store) -> None:
    with pytest.raises(ContactNotFound, match="no contact with id 4711"):
        interaction_ops.log(store, 4711, "call", datetime(2026, 3, 1, 10))
    with pytest.raises(ContactNotFound, match="no contact with id 4711"):  # said first, as before, even so
        interaction_ops.log(store, 4711, "call", datetime(2026, 3, 1, 10), score=11)
    assert store.interactions.count() == 0
    assert not store.conn.in_transaction


def test_a_contact_matched_twice_in_a_chunk_gets_both_records(store: Store) -> None:
    anna = store.contacts.add(first_name="Anna", phone="+44 7700 900004")
    ben = store.contacts.add(first_name="Ben", email="ben@example.com")
    records = [
        ({"first_name": "Anna", "phone": "+44 7700 900004", "company": "Acme"}, ("vip",)),
        ({"first_name": "Anna", "phone": "+447700900004", "notes": "second line"}, ("florist",)),
        ({"first_name": "Ben", "email": "BEN@example.com", "company": "Bakery"}, ()),
    ]
    with store.transaction():
        batch = store.imports.begin("contacts", "x.csv")
        assert store.contacts.write_batch(records, batch) == (0, 3)
    now = store.contacts.get(anna.id or 0)
    assert (now.company, now.notes, sorted(now.tags)) == ("Acme", "second line", ["florist", "vip"])
    assert store.contacts.get(ben.id or 0).company == "Bakery"
    store.imports.undo(batch)  # the batch remembered each contact as it was before its first change
    assert store.contacts.get(anna.id or 0).company == ""
    assert store.contacts.get(anna.id or 0).notes == ""


def test_a_busy_team_database_leaves_no_transaction_open(store: Store, monkeypatch) -> None:
    if store.engine != "postgresql":
        pytest.skip("the write lock's timeout is the team database's")
    from tracker.core.errors import StoreBusy
    from tracker.core.store import postgres

    anna = store.contacts.add(first_name="Anna", email="anna@example.com")
    short = postgres._BEGIN_WRITE.replace(f"lock_timeout = {postgres.LOCK_TIMEOUT_MS}", "lock_timeout = 200")
    monkeypatch.setattr(postgres, "_BEGIN_WRITE", short)
    with psycopg.connect(store.url or "", autocommit=True) as holder:
        holder.execute("BEGIN")
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (postgres.WRITE_LOCK,))  # another writer's transaction
        with pytest.raises(StoreBusy):  # BEGIN and the lock sent with the first statement
            store.contacts.update(anna.id or 0, company="Acme")
        assert not store.conn.in_transaction
        with pytest.raises(StoreBusy):  # BEGIN, lock, INSERT and COMMIT in one
            interaction_ops.log(store, anna.id or 0, "call", datetime(2026, 3, 1, 9))
        assert not store.conn.in_transaction
        holder.execute("ROLLBACK")
    assert store.contacts.get(anna.id or 0).company == ""
    assert store.interactions.count() == 0
    store.contacts.update(anna.id or 0, company="Acme")  # the lock free again: both work
    interaction_ops.log(store, anna.id or 0, "call", datetime(2026, 3, 1, 9))
    assert store.contacts.get(anna.id or 0).company == "Acme"
    assert store.interactions.count() == 1
