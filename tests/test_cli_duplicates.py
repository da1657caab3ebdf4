"""`tracker duplicates` lists contacts that look like one person; `tracker merge KEEP OTHER` merges two after
asking (or with --yes). Outcomes are checked in the database and the JSON documents; refusals are one line, exit 2,
nothing merged."""

from __future__ import annotations

import io
from datetime import datetime

from test_cli import assert_usage_error, opened, run, run_json, run_ok


def seed(db_path):
    """Anna twice (one number in two spellings, two addresses), and Carl on Anna's office number."""
    with opened(db_path) as store:
        anna = store.contacts.add(first_name="Anna", last_name="Berg", email="anna@example.com", phone="07700 900004")
        again = store.contacts.add(first_name="Anna", last_name="Berg", email="anna.berg@work.example",
                                   phone="+44 7700 900004", company="Flowers Ltd")  # fmt: skip
        store.contacts.add(first_name="Carl", last_name="Olsen", email="carl@example.com", phone="+44 7700 900004")
        store.interactions.log(again.id, "purchase", datetime(2026, 5, 1, 12), amount=20)
        return anna.id, again.id


def test_duplicates_lists_the_pair_with_reasons_and_never_the_colleague(capsys, db_path):
    anna, again = seed(db_path)
    document = run_json(capsys, db_path, "duplicates")
    (pair,) = document["pairs"]
    assert pair["ids"] == [anna, again]
    assert pair["names"] == ["Anna Berg", "Anna Berg"]
    assert pair["reasons"][0] == "same phone +44 7700 900004"
    assert 0 < pair["score"] <= 100
    text = run_ok(capsys, db_path, "duplicates")
    assert f"#{anna} #{again}" in text and "same phone +44 7700 900004" in text and "Carl" not in text
    assert f"tracker merge #{anna} #{again}" in text


def test_duplicates_says_so_when_there_are_none(capsys, db_path):
    with opened(db_path) as store:
        store.contacts.add(first_name="Anna", email="anna@example.com")
    assert run_ok(capsys, db_path, "duplicates").strip() == "No duplicates found."
    assert run_json(capsys, db_path, "duplicates") == {"pairs": []}


def test_merge_by_id_email_or_phone_moves_the_purchase(capsys, db_path):
    anna, again = seed(db_path)
    document = run_json(capsys, db_path, "merge", "anna@example.com", f"#{again}", "--take", "company", "--yes")
    assert document["merged"] == again
    assert document["contact"]["id"] == anna
    assert document["contact"]["company"] == "Flowers Ltd"
    assert "anna.berg@work.example" in document["contact"]["emails"]
    with opened(db_path) as store:
        assert [i.contact_id for i in store.interactions.list()] == [anna]
        assert store.contacts.count() == 2
    assert run_json(capsys, db_path, "duplicates") == {"pairs": []}


def test_merge_asks_first_and_merges_nothing_on_no(capsys, db_path, monkeypatch):
    anna, again = seed(db_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    line = assert_usage_error(run(capsys, db_path, "merge", f"#{anna}", f"#{again}"), prompted=True)
    assert line == "tracker: Nothing merged."
    with opened(db_path) as store:
        assert store.contacts.count() == 3
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    out = run_ok(capsys, db_path, "merge", f"#{anna}", f"#{again}")
    assert (
        out.strip().split("[y/N]: ")[-1]
        == f"Merged Anna Berg (id {again}) into Anna Berg (id {anna}); 1 interaction and 0 follow-ups moved."
    )


def test_merge_refusals_are_one_sentence_and_merge_nothing(capsys, db_path):
    anna, again = seed(db_path)
    line = assert_usage_error(run(capsys, db_path, "merge", f"#{anna}", "anna@example.com", "--yes"))
    assert "are the same contact" in line
    line = assert_usage_error(run(capsys, db_path, "merge", f"#{anna}", "#99", "--yes"))
    assert line == "tracker: There is no contact with id 99."
    line = assert_usage_error(run(capsys, db_path, "merge", f"#{anna}", "+44 7700 900004", "--yes"))
    assert "contacts have the phone number" in line  # Anna's second record and Carl share it
    assert_usage_error(run(capsys, db_path, "merge", f"#{anna}", f"#{again}", "--take", "tags", "--yes"))
    with opened(db_path) as store:
        assert store.contacts.count() == 3
