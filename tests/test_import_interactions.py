"""Interaction import: activity logs, shop orders spread over line items, dates in local formats, undo."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tracker.core.engagement import classify
from tracker.core.importing import import_interactions
from tracker.core.importing.dates import DAY_FIRST, MONTH_FIRST, decide_order, parse_datetime
from tracker.core.importing.interactions import parse_amount
from tracker.core.levels import Level


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_activity_log_creates_contacts_and_interactions(store, fixtures):
    report = import_interactions(store, fixtures / "activity_log_sample.csv")
    assert (report.rows, report.created, report.updated, report.rejected, report.contacts_created) == (5, 5, 0, 0, 3)
    marta = store.contacts.require("marta@nowakflorist.example")
    assert marta.source == "activity_log_sample.csv"
    kinds = [i.kind for i in store.interactions.list(contact_id=marta.id)]
    assert kinds == ["referral", "purchase", "purchase"]
    levels = {e.contact_id: e.level for e in classify(store, date(2026, 11, 23))}
    assert levels[marta.id] is Level.ADVOCACY


def test_shopify_orders_become_one_purchase_per_order_with_the_order_total(store, fixtures):
    report = import_interactions(store, fixtures / "shopify_orders_sample.csv")
    assert (report.rows, report.created, report.updated, report.rejected) == (7, 4, 3, 0)
    purchases = sorted(store.interactions.list(kinds=["purchase"]), key=lambda i: i.occurred_at)
    assert [p.amount for p in purchases] == [38.5, 18.0, 25.0, 52.0]
    assert purchases[0].occurred_at == "2026-04-02T16:10:05"
    assert purchases[0].note == "Tulips (10); Vase"
    marta = store.contacts.require("marta@kwiaty.example")
    assert (marta.first_name, marta.last_name, marta.phone) == ("Marta", "Kowalska", "+48 600 100 200")


def test_reimporting_the_same_file_adds_nothing(store, fixtures):
    import_interactions(store, fixtures / "shopify_orders_sample.csv")
    again = import_interactions(store, fixtures / "shopify_orders_sample.csv")
    assert (again.created, again.updated, again.rejected) == (0, 7, 0)
    assert store.interactions.count() == 4


def test_bad_rows_are_rejected_with_reasons_and_the_rest_imports(store, tmp_path):
    path = write(
        tmp_path,
        "log.csv",
        "email,date,type,amount\n"
        "a@example.com,2026-05-01,purchase,10\n"
        "b@example.com,someday,purchase,10\n"
        "c@example.com,2026-05-01,teleport,\n"
        ",2026-05-01,call,\n"
        "d@example.com,2026-05-01,purchase,-4\n"
        "e@example.com,2026-05-01,purchase,lots\n",
    )
    report = import_interactions(store, path)
    assert (report.rows, report.created, report.rejected) == (6, 1, 5)
    reasons = [p.reason for p in report.rejects]
    assert "unreadable date 'someday'" in reasons[0]
    assert "unknown type 'teleport'" in reasons[1]
    assert reasons[2] == "no e-mail address"
    assert "amount" in reasons[3] and "amount" in reasons[4]
    assert store.contacts.by_email("b@example.com") is None


def test_day_first_dates_decided_per_column(store, tmp_path):
    path = write(tmp_path, "eu.csv", "email,date,type\na@example.com,03/04/2026,call\na@example.com,25/04/2026,call\n")
    import_interactions(store, path)
    assert sorted(i.occurred_at[:10] for i in store.interactions.list()) == ["2026-04-03", "2026-04-25"]


def test_month_first_dates_decided_per_column(store, tmp_path):
    path = write(tmp_path, "us.csv", "email,date,type\na@example.com,03/04/2026,call\na@example.com,04/25/2026,call\n")
    import_interactions(store, path)
    assert sorted(i.occurred_at[:10] for i in store.interactions.list()) == ["2026-03-04", "2026-04-25"]


@pytest.mark.parametrize(
    ("values", "order"),
    [
        (["01.02.2026"], DAY_FIRST),
        (["13/01/2026"], DAY_FIRST),
        (["01/13/2026"], MONTH_FIRST),
        (["2026-01-02", "05/30/2026"], MONTH_FIRST),
    ],
)
def test_decide_order(values, order):
    assert decide_order(values) == order


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-14 11:23:45 +0100", datetime(2026, 5, 14, 11, 23, 45)),
        ("2026-05-14T11:23:45Z", datetime(2026, 5, 14, 11, 23, 45)),
        ("14.05.2026", datetime(2026, 5, 14)),
        ("14/05/2026 9:05", datetime(2026, 5, 14, 9, 5)),
        ("31/02/2026", None),
        ("", None),
    ],
)
def test_parse_datetime(text, expected):
    assert parse_datetime(text, DAY_FIRST) == expected


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("35.00", 35.0),
        ("1.234,50 €", 1234.5),
        ("$1,234.50", 1234.5),
        ("12,5", 12.5),
        ("", None),
        ("1,000", 1000.0),
    ],
)
def test_parse_amount(text, amount):
    assert parse_amount(text) == amount


def test_undo_interactions_import_removes_its_interactions_and_new_contacts(store, fixtures, add_contact):
    known = add_contact("marta@nowakflorist.example")
    report = import_interactions(store, fixtures / "activity_log_sample.csv")
    result, _ = store.imports.undo(report.batch_id)
    assert result == {
        "batch_id": report.batch_id,
        "contacts_removed": 2,
        "contacts_restored": 0,
        "interactions_removed": 5,
        "follow_ups_removed": 0,
        "interactions_by_hand": 0,
        "interactions_from_later_imports": 0,
        "contacts_edited": 0,
        "contacts_overwritten": 0,
    }
    assert store.interactions.count() == 0
    assert store.contacts.count() == 1 and store.contacts.get(known.id).email == known.email


def interaction_indexes(store) -> set[str]:
    sql = (
        "SELECT indexname FROM pg_indexes WHERE tablename = 'interactions'"
        if store.engine == "postgresql"
        else "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'interactions'"
    )
    return {name for (name,) in store.conn.execute(sql)}


def test_big_batches_rebuild_secondary_indexes_and_keep_them(store, tmp_path, monkeypatch):
    monkeypatch.setattr("tracker.core.store.interactions._REBUILD_AT", 3)
    before = interaction_indexes(store)
    rows = "".join(f"p{i % 4}@example.com,2026-05-0{1 + i % 9},call,\n" for i in range(40))
    report = import_interactions(store, write(tmp_path, "big.csv", "email,date,type,amount\n" + rows))
    assert report.created == 36 and report.updated == 4  # (email, day) repeats after 36 rows
    assert interaction_indexes(store) == before
    if store.engine == "sqlite":  # PostgreSQL chooses by its statistics; the index is there (above)
        plan = store.conn.execute("EXPLAIN QUERY PLAN SELECT id FROM interactions WHERE day > 0").fetchall()
        assert "interactions_day" in str(plan)


def test_a_cancelled_big_batch_leaves_indexes_and_rows_as_they_were(store, tmp_path, monkeypatch):
    monkeypatch.setattr("tracker.core.store.interactions._REBUILD_AT", 3)
    before = interaction_indexes(store)
    rows = "".join(f"p{i}@example.com,2026-05-01,call,\n" for i in range(20))
    calls = []

    def cancel_after_writing():
        calls.append(1)
        return len(calls) > 0

    with pytest.raises(Exception, match="cancelled"):
        import_interactions(
            store, write(tmp_path, "big.csv", "email,date,type\n" + rows), cancelled=cancel_after_writing
        )
    assert interaction_indexes(store) == before
    assert store.interactions.count() == 0 and store.contacts.count() == 0


def test_iso_week_dates_are_read_as_calendar_dates(store, tmp_path):
    """Found by fuzzing: 2026-W20-1 passed the fast ISO path as text that SQLite cannot read."""
    report = import_interactions(store, write(tmp_path, "w.csv", "email,date,type\na@example.com,2026-W20-1,call\n"))
    assert report.created == 1
    assert store.interactions.list()[0].occurred_at == "2026-05-11T00:00:00"


def test_non_ascii_case_variants_of_an_address_do_not_crash(store, tmp_path):
    """Found by fuzzing: Python folds Ž to ž, SQLite's lower() does not; both sides now use SQLite's rule."""
    store.contacts.add(first_name="Žofia", email="Žofia.Szőke@x.io")
    rows = "email,date,type\nŽOFIA.SZőKE@X.IO,2026-05-01,call\nžofia.szőke@x.io,2026-05-02,call\n"
    report = import_interactions(store, write(tmp_path, "z.csv", rows))
    assert report.rows == report.created + report.updated + report.rejected == 2
    assert store.contacts.require("ŽOFIA.SZőKE@x.io").first_name == "Žofia"
    if store.engine == "sqlite":
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
