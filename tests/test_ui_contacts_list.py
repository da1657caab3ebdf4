"""The contacts list over ids (issue 16): its compact columns agree with contact_rows, it loads in phases (rows, then
the search index, then the levels) and stays a well-behaved model at each, searches typed while it loads, sorts
every column with ties in name order, and updates or drops a few contacts in place."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import QSettings, Qt

from tracker.core import search
from tracker.core.levels import Level
from tracker.ui import clock, contacts_tab
from tracker.ui.contacts_model import COLUMNS, ContactsModel, due_column, prepare_listing
from tracker.ui.main_window import CONTACTS_TAB, MainWindow

AS_OF = date(2026, 11, 23)


@pytest.fixture
def shop(store, add_contact, log):
    anna = add_contact("anna@example.com", first_name="Anna", last_name="Berg", company="Berg Bakery", tags="vip")
    bo = add_contact("bo@example.com", first_name="Bo", last_name="Berg", company="Berg Bakery", phone="07700 900004")
    add_contact("wang@example.cn", first_name="王伟", tags="vip, wholesale")
    cleo = add_contact("cleo@example.com", first_name="Cleo", company="Atlas")
    add_contact(None, first_name="", last_name="", company="Zebra Ltd")
    for day in ("2026-11-01", "2026-10-01", "2026-09-01"):
        log(anna, "purchase", day)
    log(bo, "email_open", "2026-11-20")
    store.interactions.log(cleo.id, "call", datetime(2026, 11, 2, 10), note="Asked about a gluten-free cake")
    store.follow_ups.schedule(bo.id, date(2026, 12, 1), "Call back")
    return store


def shown(model, column: int = 0) -> list:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def full_model(store) -> ContactsModel:
    model = ContactsModel()
    model.set_listing(
        prepare_listing(store.engagement.listing()),
        store.engagement.engagement_columns(AS_OF, store.settings()),
        search.index_stored(store),
    )
    return model


def test_the_columns_agree_with_contact_rows(shop):
    rows = shop.engagement.contact_rows(AS_OF, shop.settings())
    model = full_model(shop)
    by_name = sorted(rows, key=lambda r: (r.contact.name.lower(), r.contact.id))
    expected = [
        [
            r.contact.name,
            r.contact.company,
            r.contact.email or "",
            r.contact.phone,
            r.engagement.level.label,
            r.engagement.score,
            r.engagement.last_engaged or "",
            r.next_follow_up or "",
            ", ".join(r.contact.tags),
        ]
        for r in by_name
    ]
    assert [[model.index(row, c).data() for c in range(len(COLUMNS))] for row in range(len(rows))] == expected
    assert model.index(0, 4).data(Qt.ItemDataRole.UserRole) == by_name[0].engagement.level
    assert [model.id_at(r) for r in range(model.rowCount())] == [r.contact.id for r in by_name]


def test_the_stored_index_is_the_one_the_command_line_searches(shop):
    rows = sorted(shop.engagement.contact_rows(AS_OF, shop.settings()), key=lambda r: r.contact.id)
    texts, digits = search.index_rows(shop, rows)
    index = search.index_stored(shop)
    assert (index.ids, index.texts, index.digits) == ([r.contact.id for r in rows], texts, digits)
    few = search.index_stored(shop, [rows[3].contact.id])
    assert (few.ids, few.texts) == ([rows[3].contact.id], [texts[3]])  # with its interaction note


def test_each_phase_is_a_well_behaved_model_and_a_search_typed_while_loading_waits_for_the_index(qtmodeltester, shop):
    model = ContactsModel()
    qtmodeltester.check(model)
    model.set_listing(prepare_listing(shop.engagement.listing()))  # rows only: no levels, no index yet
    qtmodeltester.check(model)
    assert model.rowCount() == 5 and set(shown(model, 4)) == {""} and set(shown(model, 5)) == {""}
    model.set_filter("gluten")
    assert model.searching and model.rowCount() == 0
    model.set_index(search.index_stored(shop))
    assert not model.searching and shown(model) == ["Cleo"]
    qtmodeltester.check(model)
    model.set_filter(level=Level.RETENTION)  # levels not in yet: nobody is at Retention
    assert model.rowCount() == 0
    model.set_engagement(shop.engagement.engagement_columns(AS_OF, shop.settings()))
    assert shown(model) == ["Anna Berg"] and model.classified
    qtmodeltester.check(model)
    model.set_filter("")
    assert model.rowCount() == 5


def test_every_column_sorts_both_ways_with_ties_in_name_order(shop):
    model = full_model(shop)
    model.sort(1, Qt.SortOrder.AscendingOrder)  # Company: Atlas, Berg Bakery ×2 (by name), then none
    assert shown(model) == ["王伟", "Cleo", "Anna Berg", "Bo Berg", "Zebra Ltd"]
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert shown(model) == ["Zebra Ltd", "Bo Berg", "Anna Berg", "Cleo", "王伟"]
    model.sort(5, Qt.SortOrder.DescendingOrder)  # Score
    assert shown(model)[0] == "Anna Berg" and shown(model, 5) == sorted(shown(model, 5), reverse=True)
    model.sort(7, Qt.SortOrder.AscendingOrder)  # Next follow-up: the one due first, then the rest by name
    assert shown(model, 7)[0] == "2026-12-01" and shown(model)[1:] == ["Anna Berg", "Cleo", "Zebra Ltd", "王伟"]
    for column in range(len(COLUMNS)):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            model.sort(column, order)
            assert sorted(shown(model)) == sorted(["Anna Berg", "Bo Berg", "王伟", "Cleo", "Zebra Ltd"])
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert shown(model) == ["Anna Berg", "Bo Berg", "Cleo", "Zebra Ltd", "王伟"]


def test_a_few_contacts_update_in_place_and_leave(shop, add_contact):
    model = full_model(shop)
    anna = shop.contacts.by_email("anna@example.com")
    shop.contacts.update(anna.id, first_name="Zoe", tags="")
    dora = add_contact("dora@example.com", first_name="Dora", notes="likes tulips")
    ids = [anna.id, dora.id]
    model.update(
        prepare_listing(shop.engagement.listing(ids)),
        shop.engagement.engagement_columns(AS_OF, shop.settings(), ids),
        search.index_stored(shop, ids),
    )
    assert shown(model) == ["Bo Berg", "Cleo", "Dora", "Zebra Ltd", "Zoe Berg", "王伟"]
    model.set_filter("tulips")
    assert shown(model) == ["Dora"]
    model.set_filter("")
    model.remove_ids([dora.id])
    assert model.total() == 5 and model.row_of(dora.id) is None and shown(model)[-2:] == ["Zoe Berg", "王伟"]


def test_a_long_list_loads_in_phases_in_the_window_and_finds_what_was_typed_meanwhile(
    qtbot, shop, tmp_path, monkeypatch
):
    monkeypatch.setattr(contacts_tab, "PHASED_FROM", 1)
    clock.set_fixed(AS_OF)
    try:
        window = MainWindow(shop, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        window.show_tab(CONTACTS_TAB)
        tab = window.contacts_tab
        tab.search.setText("gluten")  # typed before anything has loaded
        with qtbot.waitSignal(tab.loaded):
            window.show()
        assert shown(tab.model) == ["Cleo"] and tab.count.text() == "1 of 5 contacts"
        tab.search.clear()
        expected = shop.engagement.contact_rows(AS_OF, shop.settings())
        assert {(r.contact.id, r.engagement.level) for r in tab.model.visible_rows()} == {
            (r.contact.id, r.engagement.level) for r in expected
        }
        window.close()
    finally:
        clock.set_fixed(None)


def test_the_compact_columns_behave_like_the_lists_they_replace(shop, add_contact):
    """Ids in a C array, ranks in a C array, no lower-case names kept, the id → position map made on first use."""
    from array import array

    from tracker.ui.contacts_model import name_order, ranks_of

    names = ["bo", "Anna", "anna", "Cleo", "", "ánna"]
    order = name_order(names)
    assert order == sorted(range(len(names)), key=lambda i: (names[i].lower(), i))
    ranks = ranks_of(order)
    assert isinstance(ranks, array) and [order[r] for r in ranks] == list(range(len(names)))
    assert [ranks[i] for i in order] == list(range(len(names)))

    model = full_model(shop)
    assert model._pos_map is None  # a whole list never needed it
    assert isinstance(model._ids, array)
    ids = [model.id_at(r) for r in range(model.rowCount())]
    assert [model.row_of(cid) for cid in ids] == list(range(len(ids)))
    # a few found among many are put in the shown order through the ranks: the same as filtering the whole order
    model.sort(1, Qt.SortOrder.DescendingOrder)
    model.set_filter("berg")
    assert shown(model) == ["Bo Berg", "Anna Berg"]
    model.set_filter("")
    # a contact whose id is lower than the last one (as an undone delete brings back) joins and is found by id
    bo = shop.contacts.by_email("bo@example.com")
    model.remove_ids([bo.id])
    assert model.row_of(bo.id) is None and "Bo Berg" not in shown(model)
    dora = add_contact("dora@example.com", first_name="Dora")
    model.update(
        prepare_listing(shop.engagement.listing([dora.id, bo.id])),
        shop.engagement.engagement_columns(AS_OF, shop.settings(), [dora.id, bo.id]),
        search.index_stored(shop, [dora.id, bo.id]),
    )
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert shown(model) == ["Anna Berg", "Bo Berg", "Cleo", "Dora", "Zebra Ltd", "王伟"]
    assert model.id_at(model.row_of(bo.id)) == bo.id and model.id_at(model.row_of(dora.id)) == dora.id
    assert model.index(model.row_of(bo.id), 0).data(Qt.ItemDataRole.UserRole) == bo.id
    model.set_filter("07700")
    assert shown(model) == ["Bo Berg"]


def test_contacts_last_engaged_on_the_same_day_share_one_number(shop, add_contact, log):
    for k in range(3):
        log(add_contact(f"p{k}@example.com", first_name=f"P{k}"), "purchase", "2026-11-01")
    columns = shop.engagement.engagement_columns(AS_OF, shop.settings())
    rows = {r.contact.id: r for r in shop.engagement.contact_rows(AS_OF, shop.settings())}
    from tracker.core.dates import from_day_number
    from tracker.core.store.engagement import NEVER

    for cid, day in zip(columns.ids, columns.last_days, strict=True):
        assert (None if day == NEVER else from_day_number(day).isoformat()) == rows[cid].engagement.last_engaged
    same = [day for day in columns.last_days if day != NEVER and from_day_number(day) == date(2026, 11, 1)]
    assert len(same) >= 4 and all(day is same[0] for day in same)


def test_the_due_column_made_on_the_worker_is_the_one_the_model_makes(shop):
    """The loading worker makes the next-follow-up column (due_column) so the GUI thread does not: the model shows
    the same cells either way."""
    engagement = shop.engagement.engagement_columns(AS_OF, shop.settings())
    made_here, given = ContactsModel(), ContactsModel()
    for model in (made_here, given):
        model.set_listing(prepare_listing(shop.engagement.listing()))
    made_here.set_engagement(engagement)
    given.set_engagement(engagement, due_column(engagement))
    assert shown(given, 7) == shown(made_here, 7) and "2026-12-01" in shown(given, 7)
    assert [shown(given, c) for c in range(len(COLUMNS))] == [shown(made_here, c) for c in range(len(COLUMNS))]


def test_the_styles_types_are_made_before_the_first_levels_arrive(tmp_path):
    """PySide6 makes QStyle's Python enum classes (~23 ms) when the level badges first ask for the view's style: the
    tab has them made in a turn of its own right after it is built, not when the levels arrive (a fresh interpreter:
    another test may have made them already)."""
    import subprocess
    import sys

    from tracker.core.store import Store

    db = tmp_path / "one.db"
    with Store.open(db) as store:
        store.contacts.add(first_name="Anna", email="anna@example.com")
    code = (
        "import enum, gc, os, sys, threading\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from tracker.core.store import Store\n"
        "from tracker.ui import contacts_tab\n"
        "from tracker.ui.commands import Undoable\n"
        "app = QApplication([])\n"
        "hold = threading.Event()\n"
        "real = contacts_tab.load_contacts\n"
        "contacts_tab.load_contacts = lambda *a: (hold.wait(30), real(*a))[1]\n"
        "store = Store.open(sys.argv[1])\n"
        "tab = contacts_tab.ContactsTab(store, Undoable(lambda c: None, print))\n"
        "tab.reload()\n"
        "app.processEvents()\n"
        "made = {c.__qualname__ for c in gc.get_objects() if isinstance(c, type) and issubclass(c, enum.Enum)}\n"
        "print(tab.model.classified, 'QStyle.PrimitiveElement' in made)\n"
        "hold.set()\n"
        "os._exit(0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]
