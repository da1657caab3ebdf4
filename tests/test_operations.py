"""The operations layer (tracker.core.operations): every user action validates, writes in one transaction and
returns an OpResult whose undo record puts the database back exactly, and whose redo does the action again."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tracker.core import operations as ops
from tracker.core.errors import ContactNotFound, InvalidInput
from tracker.core.importing import import_contacts
from tracker.core.levels import Level
from tracker.core.normalize import same_phone
from tracker.core.operations import OpResult, find_contact
from tracker.core.store import Store

MOMENT = datetime(2026, 11, 23, 10, 30)
DAY = date(2026, 11, 23)
TABLES = ("contacts", "interactions", "follow_ups", "kinds", "settings", "imports", "import_changes")


def dump(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table an operation may touch, in storage order."""
    return {table: store.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in TABLES}


@pytest.fixture
def seeded(store, tmp_path):
    """Anna (e-mail, phone, merged by an import), Ben (phone only), Lin (LinkedIn: a name only), interactions, one
    open and one done follow-up. Returns the ids by name."""
    anna = store.contacts.add(first_name="Anna", email="anna@example.com", phone="07700 900004", tags="vip")
    ben = store.contacts.add(first_name="Ben", phone="+33 6 12 34 56 78")
    lin = store.contacts.add(first_name="Lin", last_name="Chen", company="Acme", source="linkedin")
    source = tmp_path / "merge.csv"
    source.write_text("Email,Company\nanna@example.com,Flowers Ltd\n", encoding="utf-8")
    import_contacts(store, source)
    purchase = store.interactions.log(anna.id, "purchase", datetime(2026, 5, 1, 12), amount=35.5, note="Bouquet")
    store.interactions.log(ben.id, "call", datetime(2026, 6, 1, 9), channel="phone")
    open_one = store.follow_ups.schedule(anna.id, date(2026, 11, 20), "Send quote")
    closed = store.follow_ups.schedule(ben.id, date(2026, 10, 1), "Old")
    store.follow_ups.mark_done([closed.id], date(2026, 10, 2))
    assert store.conn.execute("SELECT count(*) FROM import_changes").fetchone()[0] == 1
    return {"anna": anna.id, "ben": ben.id, "lin": lin.id, "purchase": purchase.id, "open": open_one.id}


def round_trip(store: Store, act) -> OpResult:
    """Do it, undo, redo, undo again: each step leaves exactly the tables it should."""
    before = dump(store)
    result = act()
    after = dump(store)
    assert after != before, "the operation changed nothing"
    assert result.undo is not None and result.summary.endswith(".")
    undone = result.undo.apply(store)
    assert dump(store) == before
    assert undone.undo is not None and undone.changes == result.changes
    redone = undone.undo.apply(store)
    assert dump(store) == after
    redone.undo.apply(store)
    assert dump(store) == before
    return result


OPERATIONS = {
    "add contact": lambda s, i: ops.contacts.add(s, first_name="Cleo", email="cleo@example.com", tags="new"),
    "edit contact": lambda s, i: ops.contacts.edit(s, i["anna"], email="anna.b@example.com", company="Petals"),
    "delete contact": lambda s, i: ops.contacts.delete(s, [i["anna"]]),
    "delete contacts": lambda s, i: ops.contacts.delete(s, [i["anna"], i["ben"], i["lin"]]),
    "tag contacts": lambda s, i: ops.contacts.tag(s, [i["anna"], i["lin"]], "wedding, vip"),
    "log": lambda s, i: ops.interactions.log(s, i["lin"], "meeting", MOMENT, note="Coffee"),
    "log by phone": lambda s, i: ops.interactions.log(s, "06 12 34 56 78", "purchase", MOMENT, amount=12),
    "log new contact": lambda s, i: ops.interactions.log(
        s, "new@example.com", "call", MOMENT, new_contact_source="test"
    ),
    "edit interaction": lambda s, i: ops.interactions.edit(
        s, i["purchase"], kind="call", occurred_at=MOMENT, amount=99, score=7, channel="shop", note="Changed"
    ),
    "clear amount": lambda s, i: ops.interactions.edit(s, i["purchase"], amount=None),
    "delete interaction": lambda s, i: ops.interactions.delete(s, [i["purchase"]]),
    "schedule": lambda s, i: ops.follow_ups.schedule(s, i["ben"], date(2026, 12, 1), "Call back"),
    "done": lambda s, i: ops.follow_ups.done(s, MOMENT, follow_up_ids=[i["open"]], suggested=[(i["lin"], "Warm lead")]),
    "snooze": lambda s, i: ops.follow_ups.snooze(
        s, date(2026, 12, 5), follow_up_ids=[i["open"]], suggested=[(i["ben"], "Win back")]
    ),
    "reschedule": lambda s, i: ops.follow_ups.reschedule(s, date(2026, 12, 9), follow_up_ids=[i["open"]]),
    "settings": lambda s, i: ops.settings.update_settings(s, window_days=200, drifting_days=45),
    "new kind": lambda s, i: ops.settings.save_kind(s, "Tasting", Level.INTEREST),
    "move kind": lambda s, i: ops.settings.save_kind(s, "call", Level.CONVERSION, 3.0),
    "engagement settings": lambda s, i: ops.settings.save_engagement(
        s, {"drifting_days": 200}, {"call": Level.CONVERSION, "Tasting": Level.INTEREST}
    ),
}


@pytest.mark.parametrize("name", OPERATIONS)
def test_each_operation_is_undone_and_redone_exactly(store, seeded, name):
    result = round_trip(store, lambda: OPERATIONS[name](store, seeded))
    assert result.changes != type(result.changes)()  # it says what changed, for the screens to reload


def test_undoing_an_interaction_edit_restores_its_date_and_amount(store, seeded):
    result = ops.interactions.edit(store, seeded["purchase"], occurred_at=MOMENT, amount=99, channel="web")
    assert (
        store.interactions.get(seeded["purchase"]).occurred_at,
        store.interactions.get(seeded["purchase"]).amount,
    ) == (
        "2026-11-23T10:30:00",
        99,
    )
    result.undo.apply(store)
    back = store.interactions.get(seeded["purchase"])
    assert (back.occurred_at, back.amount, back.channel, back.note) == ("2026-05-01T12:00:00", 35.5, "", "Bouquet")


def test_undoing_a_delete_puts_back_the_import_record_too(store, seeded):
    result = ops.contacts.delete(store, [seeded["anna"]])
    assert store.conn.execute("SELECT count(*) FROM import_changes").fetchone()[0] == 0  # went with the contact
    result.undo.apply(store)
    assert store.conn.execute("SELECT count(*) FROM import_changes").fetchone()[0] == 1
    assert store.contacts.get(seeded["anna"]).company == "Flowers Ltd"
    assert len(store.interactions.list(contact_id=seeded["anna"])) == 1


def test_done_logs_a_call_with_the_reason_and_closes_the_follow_up_that_day(store, seeded):
    result = ops.follow_ups.done(store, MOMENT, follow_up_ids=[seeded["open"]], suggested=[(seeded["lin"], "Warm")])
    calls = [store.interactions.get(i) for i in result.created("interactions")]
    assert [(c.contact_id, c.kind, c.occurred_at) for c in calls] == [
        (seeded["anna"], "call", "2026-11-23T10:30:00"),
        (seeded["lin"], "call", "2026-11-23T10:30:00"),
    ]
    assert calls[0].note == "Follow-up: Send quote (due 2026-11-20, 3 days overdue)"
    assert calls[1].note == "Follow-up: Warm"
    closed = store.follow_ups.get(seeded["open"])
    assert (closed.status, closed.done_at) == ("done", "2026-11-23")
    (noted,) = [store.follow_ups.get(i) for i in result.ids if i != seeded["open"]]
    assert (noted.contact_id, noted.status, noted.done_at, noted.reason) == (
        seeded["lin"],
        "done",
        "2026-11-23",
        "Warm",
    )
    with pytest.raises(InvalidInput, match="already done"):
        ops.follow_ups.done(store, MOMENT, follow_up_ids=[seeded["open"]])


@pytest.mark.parametrize(
    "act",
    [
        lambda s, i: ops.contacts.edit(s, i["anna"], email="not an address"),
        lambda s, i: ops.contacts.add(s, email="ANNA@example.com"),
        lambda s, i: ops.interactions.log(s, i["anna"], "purchase", MOMENT, amount=-1),
        lambda s, i: ops.interactions.log(s, "nobody@example.com", "workshop", MOMENT, new_contact_source="t"),
        lambda s, i: ops.interactions.log(s, "new@example.com", "nps", MOMENT, score=11, new_contact_source="t"),
        lambda s, i: ops.interactions.edit(s, i["purchase"], score=12),
        lambda s, i: ops.follow_ups.done(s, MOMENT, follow_up_ids=[i["open"], 999]),
        lambda s, i: ops.follow_ups.schedule(s, i["ben"], date(1800, 1, 1)),
        lambda s, i: ops.settings.update_settings(s, window_days=-5),
        lambda s, i: ops.settings.save_kind(s, "no way!", Level.INTEREST),
    ],
)
def test_a_refused_operation_writes_nothing(store, seeded, act):
    before = dump(store)
    with pytest.raises(InvalidInput):
        act(store, seeded)
    assert dump(store) == before


def test_undo_is_refused_when_the_rows_changed_since(store, seeded):
    edit = ops.contacts.edit(store, seeded["ben"], company="Boulangerie")
    ops.contacts.edit(store, seeded["ben"], company="Pâtisserie")
    before = dump(store)
    with pytest.raises(InvalidInput, match="changed since"):
        edit.undo.apply(store)
    assert dump(store) == before


def test_undoing_an_add_is_refused_once_the_contact_has_interactions(store, seeded):
    added = ops.contacts.add(store, first_name="Cleo")
    ops.interactions.log(store, added.ids[0], "call", MOMENT)
    before = dump(store)
    with pytest.raises(InvalidInput, match="used since"):
        added.undo.apply(store)
    assert dump(store) == before


def test_logging_for_an_unknown_email_makes_the_contact_in_the_same_operation(store, seeded):
    result = ops.interactions.log(store, "New@Example.com", "call", MOMENT, new_contact_source="tracker log")
    (made,) = result.created("contacts")
    assert store.contacts.get(made).email == "New@Example.com" and result.changes.contacts
    assert "(new contact)" in result.summary
    result.undo.apply(store)
    assert store.contacts.by_email("new@example.com") is None


def test_a_new_kind_is_known_at_once_and_forgotten_on_undo(store, seeded):
    result = ops.settings.save_kind(store, "tasting", Level.INTEREST)
    assert store.kind("tasting").stage is Level.INTEREST
    result.undo.apply(store)
    with pytest.raises(InvalidInput):
        store.kind("tasting")


# Finding a contact ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("anna@example.com", "anna"),
        ("  ANNA@Example.COM ", "anna"),
        ("07700 900004", "anna"),
        ("07700900004", "anna"),
        ("+44 7700 900004", "anna"),
        ("0044 (0)7700-900-004", "anna"),
        ("+447700900004", "anna"),
        ("06 12 34 56 78", "ben"),
        ("+33612345678", "ben"),
        ("'0612345678", "ben"),
        ("#{lin}", "lin"),
        ("id:{lin}", "lin"),
        ("ID: {lin}", "lin"),
        ("{lin}", "lin"),
    ],
)
def test_find_contact_by_email_phone_or_id(store, seeded, text, who):
    assert find_contact(store, text.format(**seeded)).id == seeded[who]


@pytest.mark.parametrize(
    "text",
    ["nobody@example.com", "07700 900005", "+44 7700 900005", "999", "#999", "#0", "#" + "9" * 30, "", "Anna", "-1"],
)
def test_find_contact_says_when_nobody_matches(store, seeded, text):
    with pytest.raises((ContactNotFound, InvalidInput)) as raised:
        find_contact(store, text)
    assert "\n" not in str(raised.value) and str(raised.value).endswith(".")


def test_a_long_bare_number_is_a_phone_and_the_message_says_how_to_give_an_id(store, seeded):
    with pytest.raises(ContactNotFound, match="write #123456"):
        find_contact(store, "123456")


def test_a_phone_shared_by_several_contacts_asks_for_the_email_or_id(store, seeded):
    store.contacts.add(first_name="Anna's shop", phone="+44 (0)7700 900004")
    with pytest.raises(InvalidInput, match="2 contacts have the phone number") as raised:
        find_contact(store, "07700 900004")
    assert "e-mail address or id" in str(raised.value)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("07700900004", "+447700900004", True),
        ("0612345678", "+39612345678", True),
        ("0612345678", "+390612345678", True),  # Italy keeps the 0
        ("07700900004", "07700900004", True),
        ("07700900004", "+447700900005", False),
        ("07700900004", "+44217700900004", False),  # more than a country code before it
        ("+447700900004", "+337700900004", False),
        ("07700900004", "7700900004", False),
        ("12345", "+4412345", False),  # too short to match on its end
    ],
)
def test_same_phone(a, b, same):
    assert same_phone(a, b) is same
    assert same_phone(b, a) is same
