"""Every table model passes Qt's model tester, on empty, one-row and non-ASCII data, and sorts/filters right."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt

from tracker.ui.contacts_model import ContactsModel
from tracker.ui.interactions_model import InteractionsModel, PagedInteractionsModel


def rows(store):
    return store.engagement.contact_rows(date(2026, 11, 23), store.settings())


def test_contacts_model_is_a_well_behaved_model(qtmodeltester, store, add_contact, log):
    model = ContactsModel()
    qtmodeltester.check(model)  # empty
    anna = add_contact("anna@example.com", first_name="Anna", last_name="Berg")
    add_contact("wang@example.cn", first_name="王伟", tags="vip")
    log(anna, "purchase", "2026-11-01", amount=5)
    model.set_rows(rows(store))
    qtmodeltester.check(model)
    model.set_filter("王")
    assert model.rowCount() == 1 and model.index(0, 0).data() == "王伟"
    qtmodeltester.check(model)


def test_contacts_model_sorts_by_score_and_filters_by_level_and_tag(store, add_contact, log):
    hot, warm, _cold = (add_contact(f"{n}@example.com", first_name=n.title()) for n in ("hot", "warm", "cold"))
    for day in ("2026-11-01", "2026-10-01", "2026-09-01"):
        log(hot, "purchase", day)
    log(warm, "email_open", "2026-11-20")
    store.contacts.update(warm.id, tags="newsletter")
    model = ContactsModel()
    model.set_rows(rows(store))
    model.sort(5, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, 0).data() for r in range(3)] == ["Hot", "Warm", "Cold"]
    from tracker.core.levels import Level

    model.set_filter(level=Level.RETENTION)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Hot"]
    model.set_filter(tag="NEWSLETTER")
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Warm"]
    model.set_filter("cold hot")  # every word must match
    assert model.rowCount() == 0


def test_interactions_models_are_well_behaved(qtmodeltester, store, add_contact, log):
    anna = add_contact("anna@example.com")
    for day in range(1, 8):
        log(anna, "call", f"2026-05-0{day}", note=f"call {day}")
    plain = InteractionsModel()
    plain.set_items(store.interactions.list())
    qtmodeltester.check(plain)
    paged = PagedInteractionsModel(lambda limit, offset: store.interactions.list(limit=limit, offset=offset))
    paged.page = 3
    paged.reload()
    assert paged.rowCount() == 3 and paged.canFetchMore()
    paged.fetchMore()
    paged.fetchMore()
    assert paged.rowCount() == 7 and not paged.canFetchMore()
    assert paged.index(0, 0).data().startswith("2026-05-07")
    qtmodeltester.check(paged)
    assert datetime.fromisoformat(paged.item_at(6).occurred_at).day == 1
