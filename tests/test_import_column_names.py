"""Header slips (`column_names._near`): each index keeps the spaceless headers it compares a slip against, so an
index made after another was dropped (which may get the dropped one's id) never answers with the other's fields."""

from __future__ import annotations

from tracker.core.importing.column_names import CONTACT_INDEX, HeaderIndex, known_field

EMAILS = {"email": ["email address"]}
PHONES = {"phone": ["phone number"]}


def test_a_slip_is_read_against_its_own_index():
    assert known_field("Emial Address", CONTACT_INDEX) == "email"
    assert known_field("Telephon", CONTACT_INDEX) == "phone"
    for _ in range(50):  # each index dropped at once: the next one often gets its id (a cache keyed by id did)
        assert known_field("emial address", HeaderIndex(EMAILS)) == "email"
        assert known_field("emial address", HeaderIndex(PHONES)) is None
        assert known_field("phone numbr", HeaderIndex(PHONES)) == "phone"
