"""The numbers behind each dashboard chart, and the figures drawn from them (their data, not their pixels)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from tracker.core.charts import (
    dashboard_figure,
    draw_activity,
    draw_funnel,
    draw_workload,
    save_figure,
    styled_figure,
)
from tracker.core.dashboard import DashboardCache, build_dashboard, dashboard_numbers, month_ends
from tracker.core.engagement import level_counts
from tracker.core.errors import InvalidInput
from tracker.core.levels import Level
from tracker.core.operations import contacts as contact_ops
from tracker.core.operations import imports as import_ops
from tracker.core.operations import interactions as interaction_ops
from tracker.core.operations import settings as settings_ops
from tracker.core.operations.merge import merge_contacts

AS_OF = date(2026, 11, 23)


def days_before(n: int) -> str:
    return (AS_OF - timedelta(days=n)).isoformat()


@pytest.fixture
def shop(store, add_contact, log):
    """A regular, a one-off buyer, a lead, a promoter, a detractor and a quiet contact."""
    regular = add_contact("regular@example.com", source="google.csv", tags="wedding")
    for n in (10, 40, 200):
        log(regular, "purchase", days_before(n), amount=20)
    once = add_contact("once@example.com", source="google.csv")
    log(once, "purchase", days_before(100), amount=15)
    lead = add_contact("lead@example.com", source="shop.csv")
    log(lead, "email_open", days_before(3))
    fan = add_contact("fan@example.com")
    log(fan, "nps", days_before(20), score=10)
    grumpy = add_contact("grumpy@example.com")
    log(grumpy, "nps", days_before(5), score=3)
    add_contact("quiet@example.com")
    store.follow_ups.schedule(once.id, AS_OF - timedelta(days=2), "overdue")
    store.follow_ups.schedule(lead.id, AS_OF + timedelta(days=3), "soon")
    return store


def test_headline_numbers(shop):
    h = build_dashboard(shop, AS_OF).headline
    assert (h.contacts, h.active) == (6, 4)  # regular, lead, fan, grumpy engaged within 30 days
    assert h.conversion_rate == pytest.approx(3 / 6)  # regular (Retention), once (Conversion), fan (Advocacy)
    assert h.repeat_rate == pytest.approx(1 / 2)  # of the two buyers, one came back
    assert (h.promoters, h.passives, h.detractors, h.nps) == (1, 0, 1, 0)


def test_funnel_matches_classification(shop):
    data = build_dashboard(shop, AS_OF)
    assert data.funnel == level_counts(shop, AS_OF)
    assert data.funnel[Level.RETENTION] == 1 and data.funnel[Level.ADVOCACY] == 1


def created_on(store, day: str, *emails: str) -> None:
    """Back-date (or move) when contacts were added; all of them without `emails`."""
    with store.transaction() as conn:
        if emails:
            conn.executemany("UPDATE contacts SET created_at = ? WHERE email = ?", [(day, e) for e in emails])
        else:
            conn.execute("UPDATE contacts SET created_at = ?", (day,))


def test_history_points_equal_classifying_at_each_month_end(shop):
    created_on(shop, "2024-01-01T09:00:00")  # all there before the year shown
    data = build_dashboard(shop, AS_OF)
    assert data.month_ends == month_ends(AS_OF) and len(data.month_ends) == 12
    assert data.month_ends[0] == date(2025, 12, 31) and data.month_ends[-1] == AS_OF
    for position, end in enumerate(data.month_ends):
        assert {lv: data.history[lv][position] for lv in Level} == level_counts(shop, end)


def test_weekly_activity_counts_each_kind_in_its_week(shop):
    data = build_dashboard(shop, AS_OF)
    assert len(data.week_starts) == 26 and data.week_starts[-1] == AS_OF - timedelta(days=6)
    assert data.activity["purchase"][-1] == 0 and data.activity["purchase"][-2] == 1  # 10 days ago
    assert sum(data.activity["nps"]) == 2
    assert sum(data.activity["purchase"]) == 3  # the one 200 days ago is outside 26 weeks


def test_sources_count_conversions_per_file_and_tag(shop):
    sources = {label: (total, converted) for label, total, converted in build_dashboard(shop, AS_OF).sources}
    assert sources["google.csv"] == (2, 2)
    assert sources["shop.csv"] == (1, 0)
    assert sources["#wedding"] == (1, 1)


def test_workload_shows_overdue_and_the_next_two_weeks(shop):
    data = build_dashboard(shop, AS_OF)
    assert data.overdue == 1
    assert len(data.workload) == 14 and data.workload[3] == 1
    assert data.workload[0] == 2  # suggestions are due today: win back the one-off buyer, call the detractor


def test_empty_database_gives_an_empty_but_valid_dashboard(store):
    data = build_dashboard(store, AS_OF)
    assert data.headline.contacts == 0 and data.headline.conversion_rate is None and data.headline.nps is None
    assert all(count == 0 for count in data.funnel.values())
    dashboard_figure(data)  # draws without data


def test_figures_carry_the_numbers(shop):
    data = build_dashboard(shop, AS_OF)
    figure = styled_figure(6, 4)
    funnel, activity, workload = figure.subplots(1, 3)
    draw_funnel(funnel, data)
    assert [round(bar.get_width()) for bar in funnel.patches] == [data.funnel[lv] for lv in Level]
    draw_workload(workload, data)
    assert [round(bar.get_height()) for bar in workload.patches] == [data.overdue, *data.workload]
    draw_activity(activity, data)
    heights = [path.vertices[1, 1] - path.vertices[0, 1] for kind in activity.collections for path in kind.get_paths()]
    assert round(sum(heights)) == sum(map(sum, data.activity.values()))  # one collection of bars per kind


def test_non_latin_labels_draw_with_latin_font_first_and_fallbacks(store, add_contact, tmp_path):
    add_contact("wang@example.cn", first_name="王伟", source="联系人.csv")
    from tracker.core.charts import font_family

    assert font_family()[0] == "DejaVu Sans"
    save_figure(dashboard_figure(build_dashboard(store, AS_OF)), tmp_path / "r.png", database=store.path)


def test_report_saves_as_pdf_png_svg_and_refuses_other_formats(shop, tmp_path):
    figure = dashboard_figure(build_dashboard(shop, AS_OF))
    for name in ("r.pdf", "r.png", "r.svg"):
        assert save_figure(figure, tmp_path / name, database=shop.path).stat().st_size > 1000
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(InvalidInput):
        save_figure(figure, tmp_path / "r.docx", database=shop.path)


def test_report_carries_the_purchase_outlook_sentence(shop):
    note = "Purchase outlook, next 90 days: 12 orders worth about 340; 2 customers at risk (rhythm rule)."
    figure = dashboard_figure(build_dashboard(shop, AS_OF), note)
    assert note in [t.get_text() for t in figure.texts]  # the page's header


# The numbers kept between refreshes (DashboardCache): after every kind of change they equal a fresh computation;
# a change to a few contacts is folded in (on a file), anything it cannot tell is recomputed whole.


def at(n: int) -> datetime:
    return datetime.combine(AS_OF - timedelta(days=n), time(10, 0))


class Refreshes:
    """A DashboardCache refreshed after each change and compared with dashboard_numbers of the same state."""

    def __init__(self, store, engine: str):
        self.store, self.engine = store, engine
        self.cache = DashboardCache()
        self.check()

    def check(self, *, folded: bool | None = None) -> None:
        before = self.cache.folded
        kept = self.cache.numbers(self.store, AS_OF)
        assert kept == dashboard_numbers(self.store, AS_OF)
        assert kept == self.cache.numbers(self.store, AS_OF)  # asked again: the same
        if folded is not None:  # only a file's stamps can say what changed
            assert self.cache.folded - before == (1 if folded and self.engine == "sqlite" else 0)


def test_logging_and_editing_fold_into_the_numbers_as_a_fresh_computation_gives_them(shop, engine):
    refreshes = Refreshes(shop, engine)
    lead = shop.contacts.by_email("lead@example.com")
    called = interaction_ops.log(shop, lead.id, "call", at(1))
    refreshes.check(folded=True)
    interaction_ops.log(shop, lead.id, "purchase", at(2), amount=30)  # the lead converts
    interaction_ops.log(shop, lead.id, "purchase", at(40), amount=30)  # and comes back: retention
    refreshes.check(folded=True)
    interaction_ops.log(shop, "fan@example.com", "nps", at(1), score=2)  # the promoter's latest answer
    refreshes.check(folded=True)
    interaction_ops.edit(shop, called.ids[0], kind="referral")  # an interaction's kind changed
    refreshes.check(folded=True)
    interaction_ops.edit(shop, called.ids[0], occurred_at=at(300))  # and its day
    refreshes.check(folded=True)
    contact_ops.edit(shop, lead.id, tags="wedding, vip", source="fair.csv")  # sources and tags
    refreshes.check(folded=True)
    contact_ops.tag(shop, [lead.id, shop.contacts.by_email("quiet@example.com").id], "vip")
    refreshes.check(folded=True)
    new = contact_ops.add(shop, email="new@example.com", first_name="New", source="fair.csv")
    interaction_ops.log(shop, new.ids[0], "purchase", at(0), amount=5)
    refreshes.check(folded=True)
    interaction_ops.log(shop, "walk-in@example.com", "inquiry", at(3), new_contact_source="walk-in")
    refreshes.check(folded=True)
    refreshes.check(folded=False)  # nothing changed: nothing to fold, the same numbers


def test_deletes_merges_imports_and_undo_give_what_a_fresh_computation_gives(shop, engine, tmp_path):
    refreshes = Refreshes(shop, engine)
    regular = shop.contacts.by_email("regular@example.com")
    once = shop.contacts.by_email("once@example.com")
    logged = interaction_ops.log(shop, once.id, "purchase", at(5), amount=12)
    refreshes.check()
    deleted = interaction_ops.delete(shop, list(logged.ids))  # one contact's: folded
    refreshes.check(folded=True)
    deleted.undo.apply(shop)  # the interaction back with its id, the highest: seen as new
    refreshes.check(folded=True)
    edited = contact_ops.edit(shop, regular.id, tags="")
    refreshes.check(folded=True)
    edited.undo.apply(shop)  # the tags back as they were, with the stamp they had: one contact's
    refreshes.check(folded=True)
    older = interaction_ops.delete(shop, [shop.interactions.list(contact_id=regular.id)[-1].id])
    refreshes.check(folded=True)
    interaction_ops.log(shop, regular.id, "call", at(0))  # a new highest id
    refreshes.check(folded=True)
    older.undo.apply(shop)  # put back below the highest id: one row more than the ids above the highest known
    refreshes.check(folded=False)
    interaction_ops.delete(shop, [logged.ids[0]])
    interaction_ops.delete(shop, [shop.interactions.list(contact_id=regular.id)[-1].id])  # two contacts' deletes
    refreshes.check(folded=False)
    merged = merge_contacts(shop, regular.id, once.id)  # interactions moved to another contact
    refreshes.check(folded=False)
    merged.undo.apply(shop)
    refreshes.check(folded=False)
    gone = contact_ops.delete(shop, [shop.contacts.by_email("grumpy@example.com").id])  # with its interactions
    refreshes.check(folded=True)
    gone.undo.apply(shop)  # back below the highest contact id
    refreshes.check(folded=False)
    contacts = tmp_path / "fair.csv"
    contacts.write_text(
        "Email,First Name,Tags\nregular@example.com,Reg,fair\n"
        + "".join(f"visitor{n}@example.com,Visitor,fair\n" for n in range(5)),
        encoding="utf-8",
    )
    batch = import_ops.import_file(shop, contacts, "contacts").ids[0]
    refreshes.check()
    activity = tmp_path / "activity.csv"
    activity.write_text(
        "Email,Type,Date\n"
        + "".join(f"visitor{n}@example.com,Purchase,{(AS_OF - timedelta(days=n)).isoformat()}\n" for n in range(5))
        + f"lead@example.com,Call,{AS_OF.isoformat()}\n",
        encoding="utf-8",
    )
    second = import_ops.import_file(shop, activity, "interactions").ids[0]
    refreshes.check()
    import_ops.undo_import(shop, second, force=True)
    refreshes.check(folded=False)
    import_ops.undo_import(shop, batch, force=True)
    refreshes.check(folded=False)


def test_other_settings_kinds_or_day_are_recomputed(shop, engine):
    refreshes = Refreshes(shop, engine)
    settings_ops.update_settings(shop, repeat_days=3)
    refreshes.check(folded=False)
    settings_ops.save_kind(shop, "call", stage=Level.CONVERSION)
    refreshes.check(folded=False)
    cache = DashboardCache()
    cache.numbers(shop, AS_OF)
    assert cache.numbers(shop, AS_OF + timedelta(days=1)) == dashboard_numbers(shop, AS_OF + timedelta(days=1))
    assert cache.folded == 0


def test_undo_and_redo_still_find_rows_as_they_left_them(shop):
    """Stamps change with a row's own counted fields only: logging for a contact does not touch the contact's row, so
    an edit of it made before can still be undone, and redone."""
    lead = shop.contacts.by_email("lead@example.com")
    edited = contact_ops.edit(shop, lead.id, tags="vip")
    interaction_ops.log(shop, lead.id, "call", at(1))
    changed = interaction_ops.edit(shop, interaction_ops.log(shop, lead.id, "call", at(2)).ids[0], kind="meeting")
    redo = changed.undo.apply(shop)
    redo.undo.apply(shop)  # redone: the stamp it had
    again = edited.undo.apply(shop)
    assert shop.contacts.get(lead.id).tags == ()
    again.undo.apply(shop)
    assert shop.contacts.get(lead.id).tags == ("vip",)


@pytest.mark.file_only
def test_stamps_move_with_counted_fields_and_the_count_with_what_stamps_cannot_show(shop):
    """Migrations 9-11's triggers: a counted field's change stamps its row with the next stamp of its table; a
    delete, a row put back by undo or an interaction moved to another contact is counted in unstamped_changes
    instead, with the one contact they all were of since same_since (-1: more than one)."""
    names = ("count", "same", "since", "contacts_deleted", "interactions_deleted", "contacts_stamped")
    names += ("interactions_stamped", "contact_id", "contacts", "interaction_id", "interactions")

    def marks():
        return dict(zip(names, shop.dashboard.change_marks(), strict=True))

    lead = shop.contacts.by_email("lead@example.com")
    start = marks()
    logged = interaction_ops.log(shop, lead.id, "call", at(1), note="Hello")
    added = start | {"interaction_id": start["interaction_id"] + 1, "interactions": start["interactions"] + 1}
    assert marks() == added  # a new id, one more row, nothing else
    interaction_ops.edit(shop, logged.ids[0], note="Hello again", amount=3)  # not counted: no stamp
    contact_ops.edit(shop, lead.id, notes="Likes tulips")
    assert marks() == added
    edited = interaction_ops.edit(shop, logged.ids[0], kind="meeting")
    tagged = contact_ops.edit(shop, lead.id, tags="vip")
    assert marks() == added | {"contacts_stamped": 1, "interactions_stamped": 1}
    interaction_ops.edit(shop, logged.ids[0], score=4)
    assert shop.conn.execute("SELECT stamp FROM interactions WHERE id = ?", logged.ids).fetchone()[0] == 2
    assert marks()["count"] == start["count"]
    tagged.undo.apply(shop)  # the contact's stamp put back as it was: counted, the stamps handed out stay
    assert marks() | {"interactions_stamped": 1} == added | {
        "count": 1,
        "same": lead.id,
        "since": 0,
        "contacts_stamped": 1,
        "interactions_stamped": 1,
    }
    with pytest.raises(Exception, match="changed since"):
        edited.undo.apply(shop)  # the score was changed after it
    interaction_ops.delete(shop, list(logged.ids))
    assert marks()["count"] == 2 and marks()["same"] == lead.id and marks()["interactions_deleted"] == 1
    fan = shop.contacts.by_email("fan@example.com")
    with shop.transaction() as conn:  # moved to another contact: the one it left is not known from the row
        conn.execute("UPDATE interactions SET contact_id = ? WHERE contact_id = ?", (lead.id, fan.id))
    assert marks()["count"] == 3 and marks()["same"] == -1 and marks()["since"] == 2


def test_a_refresh_that_fails_half_way_leaves_nothing_half_folded(shop, engine, monkeypatch):
    from tracker.core import dashboard

    cache = DashboardCache()
    cache.numbers(shop, AS_OF)
    lead = shop.contacts.by_email("lead@example.com")
    interaction_ops.log(shop, lead.id, "purchase", at(1), amount=20)
    real = dashboard._survey_scores

    def broken(*args):
        raise OSError("disk gone")

    monkeypatch.setattr(dashboard, "_survey_scores", broken)  # inside the fold, after the state has grown
    if engine == "sqlite":  # a team database recomputes whole: nothing folded, nothing to break
        with pytest.raises(OSError):
            cache.numbers(shop, AS_OF)
    monkeypatch.setattr(dashboard, "_survey_scores", real)
    assert cache.numbers(shop, AS_OF) == dashboard_numbers(shop, AS_OF)
