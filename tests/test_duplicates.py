"""The duplicate finder (tracker.core.duplicates): one person under two e-mails or phone spellings is found, with
the evidence in words; people whose names clearly differ are never paired, and contacts are compared only within
buckets, never all pairs."""

from __future__ import annotations

import pytest

from tracker.core import duplicates
from tracker.core.duplicates import SearchCancelled, find_duplicates
from tracker.core.store import Store


def pairs_of(store: Store) -> dict[tuple[int, int], tuple[str, ...]]:
    return {pair.ids: pair.reasons for pair in find_duplicates(store)}


def test_one_number_in_two_spellings_is_one_person(store):
    anna = store.contacts.add(first_name="Anna", last_name="Berg", email="anna@example.com", phone="07700 900004")
    again = store.contacts.add(first_name="Anna", phone="+44 7700 900004")
    (pair,) = find_duplicates(store)
    assert pair.ids == (anna.id, again.id)
    assert pair.reasons == ("same phone +44 7700 900004",)
    assert 0 < pair.score <= 100


def test_two_addresses_on_one_domain_with_the_same_name(store):
    one = store.contacts.add(first_name="Anna", last_name="Berg", email="anna.berg@florist.example")
    two = store.contacts.add(first_name="ANNA", last_name="Berg", email="anna@florist.example")
    store.contacts.add(first_name="Anna", last_name="Berg", email="a.b@elsewhere.example")  # another Anna Berg
    assert pairs_of(store) == {
        (one.id, two.id): ("e-mail anna.berg@florist.example vs anna@florist.example with the same name",)
    }


def test_one_mailbox_written_with_dots_or_a_tag(store):
    one = store.contacts.add(first_name="Anna", email="anna.berg@gmail.example")
    two = store.contacts.add(email="AnnaBerg+shop@gmail.example")
    assert pairs_of(store) == {
        (one.id, two.id): ("e-mail anna.berg@gmail.example and annaberg+shop@gmail.example are one mailbox",)
    }


def test_an_other_address_of_one_is_the_others_address(store):
    one = store.contacts.add(first_name="Jürgen", last_name="Weiss", email="jw@garage.example")
    two = store.contacts.add(first_name="Jurgen", email="juergen@home.example")
    store.contacts.update(one.id, more_emails="juergen@home.example")
    (pair,) = find_duplicates(store)
    assert pair.ids == (one.id, two.id)
    assert pair.reasons == ("other e-mail of one is the other's e-mail (juergen@home.example)",)


def test_the_same_name_needs_a_company_a_phone_or_a_missing_address(store):
    a = store.contacts.add(first_name="Lin", last_name="Chen", company="Acme", email="lin@acme.example")
    b = store.contacts.add(first_name="lin", last_name="chen", company="ACME", email="lchen@other.example")
    c = store.contacts.add(first_name="Lin", last_name="Chen")  # no e-mail: the one a LinkedIn export gives
    store.contacts.add(first_name="Lin", last_name="Chen", email="lin.chen@bank.example")
    found = pairs_of(store)
    assert found[(a.id, b.id)] == ("same name and company",)
    assert found[(a.id, c.id)] == ("same name, one without an e-mail",)
    assert len(found) == 4  # c pairs with each of the three with an address; those three only by the company
    assert all(c.id in pair for pair in found if pair != (a.id, b.id))


def test_an_office_phone_shared_by_clearly_different_people_is_no_duplicate(store):
    store.contacts.add(first_name="Carl", last_name="Olsen", email="carl@office.example", phone="+44 20 7946 0000")
    store.contacts.add(first_name="Anna", last_name="Berg", email="anna@office.example", phone="020 7946 0000")
    store.contacts.add(company="Steiner Mechanik AG", phone="+44 20 7946 0000")
    store.contacts.add(company="Bäckerei Schmidt", phone="020 7946 0000")
    found = pairs_of(store)
    # only the companies' rows are not clearly different from the people's (no personal name to compare)
    assert all(not ({1, 2} <= set(pair)) for pair in found)
    assert (3, 4) not in found


def test_a_number_many_contacts_share_is_a_switchboard_not_evidence(store):
    for n in range(duplicates.MOST_SHARING_A_PHONE + 1):
        store.contacts.add(first_name=f"Guest{n}", phone="0800 123 456")
    assert find_duplicates(store) == []


def test_a_pair_with_several_reasons_scores_higher(store):
    store.contacts.add(first_name="Anna", last_name="Berg", email="anna.berg@x.example", phone="07700 900004")
    store.contacts.add(first_name="Anna", last_name="Berg", email="anna@x.example", phone="+44 7700 900004")
    store.contacts.add(first_name="Anna", phone="+44 7700 900004", email="a@y.example")
    best, *rest = find_duplicates(store)
    assert best.ids == (1, 2)
    assert best.reasons == (
        "same phone +44 7700 900004",
        "e-mail anna.berg@x.example vs anna@x.example with the same name",
    )
    assert all(best.score > other.score for other in rest)
    assert best.to_dict() == {"ids": [1, 2], "names": ["Anna Berg", "Anna Berg"], "score": best.score,
                              "reasons": list(best.reasons)}  # fmt: skip


def test_contacts_are_compared_only_within_buckets(store, monkeypatch):
    """2,000 contacts sharing nothing: not one comparison of names (all pairs would be two million)."""
    store.conn.executemany(
        "INSERT INTO contacts (first_name, last_name, email, phone, phone_key, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, '2026-01-01', '2026-01-01')",
        [(f"First{n}", f"Last{n}", f"p{n}@x{n}.example", f"+4420{n:07d}", f"+4420{n:07d}") for n in range(2000)],
    )
    compared = []
    real = duplicates.clearly_different
    monkeypatch.setattr(duplicates, "clearly_different", lambda a, b: compared.append(1) or real(a, b))
    assert find_duplicates(store) == []
    assert compared == []


def test_progress_is_reported_and_cancel_stops_it(store):
    store.contacts.add(first_name="Anna", phone="07700 900004")
    steps = []
    find_duplicates(store, progress=lambda done, total: steps.append((done, total)))
    assert steps[-1][0] == steps[-1][1] and len(steps) == steps[-1][1]
    with pytest.raises(SearchCancelled, match="cancelled"):
        find_duplicates(store, cancelled=lambda: True)
