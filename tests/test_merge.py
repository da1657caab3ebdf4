"""Merging two contacts that are one person (tracker.core.operations.merge): interactions and follow-ups move, empty
fields fill, the other's addresses and numbers are kept, and undo puts both contacts back exactly, with the same
ids; redo merges again."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tracker.core.errors import ContactNotFound, InvalidInput
from tracker.core.operations.merge import merge_contacts
from tracker.core.store import Store

TABLES = ("contacts", "interactions", "follow_ups", "import_changes")


def dump(store: Store) -> dict[str, list[tuple]]:
    return {table: store.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in TABLES}


@pytest.fixture
def pair(store, tmp_path):
    """Anna twice: #1 with an e-mail, a phone and a purchase; #2 (imported) with another address, the phone in
    another spelling, a company, a call and an open follow-up."""
    kept = store.contacts.add(first_name="Anna", last_name="Berg", email="anna@example.com", phone="07700 900004",
                              tags="vip", notes="Likes tulips")  # fmt: skip
    source = tmp_path / "other.csv"
    source.write_text(
        "First Name,Last Name,Email,Phone,Company,Labels,Notes\n"
        "Anna,Berg,anna.berg@work.example,+44 7700 900004,Flowers Ltd,wedding; VIP,Pays by card\n",
        encoding="utf-8",
    )
    from tracker.core.importing import import_contacts

    import_contacts(store, source)
    other = store.contacts.by_email("anna.berg@work.example")
    store.interactions.log(kept.id, "purchase", datetime(2026, 5, 1, 12), amount=35.5)
    call = store.interactions.log(other.id, "call", datetime(2026, 6, 1, 9), note="Asked about roses")
    follow_up = store.follow_ups.schedule(other.id, date(2026, 12, 1), "Send the quote")
    return {"keep": kept.id, "other": other.id, "call": call.id, "follow_up": follow_up.id}


def test_a_merge_moves_everything_to_the_kept_contact_and_fills_its_empty_fields(store, pair):
    result = merge_contacts(store, pair["keep"], pair["other"])
    kept = store.contacts.get(pair["keep"])
    assert (kept.email, kept.phone, kept.company) == ("anna@example.com", "07700 900004", "Flowers Ltd")
    assert kept.tags == ("vip", "wedding")
    assert kept.more_emails == ("anna.berg@work.example",)
    assert kept.more_phones == ()  # the other's phone is the same number
    assert kept.notes == "Likes tulips\nPays by card"
    assert store.interactions.get(pair["call"]).contact_id == pair["keep"]
    assert store.follow_ups.get(pair["follow_up"]).contact_id == pair["keep"]
    assert len(store.interactions.list(contact_id=pair["keep"])) == 2
    with pytest.raises(ContactNotFound):
        store.contacts.get(pair["other"])
    assert result.ids == (pair["keep"], pair["other"])
    assert result.summary == "Merged Anna Berg (id 2) into Anna Berg (id 1); 1 interaction and 1 follow-up moved."


def test_undo_puts_both_back_exactly_and_redo_merges_again(store, pair):
    before = dump(store)
    result = merge_contacts(store, pair["keep"], pair["other"])
    after = dump(store)
    undone = result.undo.apply(store)
    assert dump(store) == before
    assert undone.summary == "Undone: Merge Anna Berg into Anna Berg."
    redone = undone.undo.apply(store)
    assert dump(store) == after
    redone.undo.apply(store)
    assert dump(store) == before


def test_the_users_choices_win_and_what_is_not_kept_is_kept_as_other_ones(store, pair):
    store.contacts.update(pair["other"], phone="+33 6 12 34 56 78")
    before = dump(store)
    result = merge_contacts(store, pair["other"], pair["keep"], fields={"email": "other", "phone": "other"})
    kept = store.contacts.get(pair["other"])
    assert (kept.id, kept.email, kept.phone) == (pair["other"], "anna@example.com", "07700 900004")
    assert kept.more_emails == ("anna.berg@work.example",)
    assert kept.more_phones == ("+33 6 12 34 56 78",)
    assert len(store.interactions.list(contact_id=pair["other"])) == 2
    result.undo.apply(store)  # the kept contact gives the address back before the other one returns with it
    assert dump(store) == before


def test_dates_custom_fields_and_consent_are_joined(store):
    one = store.contacts.add(first_name="Ola", dates={"birthday": "1980-01-31"}, fields={"Shoe size": "41"},
                             consent=True)  # fmt: skip
    two = store.contacts.add(first_name="Ola", last_name="Nordmann", dates={"birthday": "1981-02-02",
                             "anniversary": "--06-12"}, fields={"Loyalty card": "L-77"}, consent=False,
                             customer_no="C-1001")  # fmt: skip
    merge_contacts(store, one.id, two.id)
    kept = store.contacts.get(one.id)
    assert kept.dates == {"birthday": "1980-01-31", "anniversary": "--06-12"}
    assert kept.fields == {"Shoe size": "41", "Loyalty card": "L-77"}
    assert kept.consent is False  # withdrawn by either: withdrawn
    assert (kept.last_name, kept.customer_no) == ("Nordmann", "C-1001")


@pytest.mark.parametrize(
    ("keep", "other", "fields", "error", "message"),
    [
        (1, 1, None, InvalidInput, "cannot be merged with itself"),
        (1, 99, None, ContactNotFound, "There is no contact with id 99."),
        (99, 1, None, ContactNotFound, "There is no contact with id 99."),
        (1, 2, {"tags": "other"}, InvalidInput, "'tags' is not a field a merge chooses"),
        (1, 2, {"phone": "mine"}, InvalidInput, "Choose 'keep' or 'other' for phone"),
    ],
)
def test_refusals_are_one_sentence_and_change_nothing(store, pair, keep, other, fields, error, message):
    before = dump(store)
    with pytest.raises(error, match=message) as raised:
        merge_contacts(store, keep, other, fields=fields)
    assert str(raised.value).count(". ") == 0 and str(raised.value).endswith(".")
    assert dump(store) == before


def test_without_other_addresses_in_the_schema_the_notes_keep_them(store):
    from tracker.core.operations.merge import merged_values

    keep = {"first_name": "Anna", "email": "anna@example.com", "phone": "07700 900004", "tags": "", "notes": ""}
    other = {"first_name": "Anna", "email": "anna@work.example", "phone": "+33 6 12 34 56 78", "tags": "",
             "notes": "Pays by card"}  # fmt: skip
    assert merged_values(keep, other, {}) == {
        "notes": "Pays by card\nAlso: e-mail anna@work.example, phone +33 6 12 34 56 78"
    }
