"""The dashboard tells what the rest of the app tells: follow-ups due as the Follow-ups tab lists them, and contacts
in the level history only from when they were there."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from tracker.core.charts import chart_axes, dashboard_figure, draw_workload, styled_figure
from tracker.core.dashboard import WORKLOAD_DAYS, build_dashboard, dashboard_numbers, follow_ups_due
from tracker.core.engagement import level_counts
from tracker.core.followups import suggest_follow_ups
from tracker.core.levels import Level

AS_OF = date(2026, 11, 23)


def day(n: int) -> str:
    return (AS_OF - timedelta(days=n)).isoformat()


def created_on(store, when: str, *emails: str) -> None:
    with store.transaction() as conn:
        conn.executemany("UPDATE contacts SET created_at = ? WHERE email = ?", [(when, e) for e in emails])


def texts(figure) -> list[str]:
    FigureCanvasAgg(figure).draw()
    return [t.get_text() for t in figure.findobj(Text) if t.get_visible()]


def test_follow_ups_due_are_the_follow_ups_tab_list_counted_by_day(store, add_contact, log):
    """Suggestions (win back, call a detractor, nurture) are due today: no 'Nothing due' while the list has them."""
    for n in range(5):
        drifting = add_contact(f"drift{n}@example.com")
        log(drifting, "purchase", day(150 + n))
    unhappy = add_contact("unhappy@example.com")
    log(unhappy, "nps", day(3), score=2)
    promised = add_contact("promised@example.com")
    store.follow_ups.schedule(promised.id, AS_OF + timedelta(days=5), "Send the quote")
    late = add_contact("late@example.com")
    store.follow_ups.schedule(late.id, AS_OF - timedelta(days=4), "Call back")

    listed = suggest_follow_ups(store, AS_OF, upcoming_days=WORKLOAD_DAYS - 1)
    by_day = Counter(s.due for s in listed)
    assert by_day[AS_OF] >= 6  # five to win back and one detractor, none of them scheduled

    data = build_dashboard(store, AS_OF)
    assert data.follow_ups_counted
    assert data.workload == [by_day[d] for d in data.workload_days]
    assert data.overdue == sum(n for d, n in by_day.items() if d < AS_OF) == 1
    assert data.workload[5] == 1
    figure = styled_figure(5, 3, layout=None)
    draw_workload(chart_axes(figure), data)
    shown = texts(figure)
    assert "Nothing due in the next two weeks" not in shown and str(by_day[AS_OF]) in shown
    assert "Nothing due in the next two weeks" not in texts(dashboard_figure(data))  # the PDF report's page


def test_an_empty_list_says_nothing_is_due_and_an_uncounted_one_says_it_is_being_counted(store, add_contact):
    add_contact("quiet@example.com")
    counted = build_dashboard(store, AS_OF)
    assert sum(counted.workload) == counted.overdue == 0
    figure = styled_figure(5, 3, layout=None)
    draw_workload(chart_axes(figure), counted)
    assert "Nothing due in the next two weeks" in texts(figure)
    pending = dashboard_numbers(store, AS_OF)
    assert not pending.follow_ups_counted
    figure = styled_figure(5, 3, layout=None)
    draw_workload(chart_axes(figure), pending)
    shown = texts(figure)
    assert "Counting follow-ups…" in shown and "Nothing due in the next two weeks" not in shown
    assert pending.with_follow_ups(follow_ups_due(store, AS_OF)) == counted


def test_contacts_count_in_the_history_from_their_first_interaction_or_creation(store, add_contact, log):
    old = add_contact("old@example.com")  # added long ago, never engaged: Awareness all year
    created_on(store, "2024-03-01T10:00:00", "old@example.com")
    for n in range(50):  # imported today without history: not there before today
        add_contact(f"new{n}@example.com")
    created_on(store, f"{AS_OF.isoformat()}T09:00:00", *(f"new{n}@example.com" for n in range(50)))
    imported = add_contact("history@example.com")  # imported today with its past: there from its first interaction
    created_on(store, f"{AS_OF.isoformat()}T09:00:00", "history@example.com")
    log(imported, "email_open", "2026-03-10")
    log(imported, "purchase", "2026-06-10", amount=10)

    data = build_dashboard(store, AS_OF)
    ends = data.month_ends
    assert ends[2] == date(2026, 2, 28) and ends[3] == date(2026, 3, 31)
    totals = [sum(data.history[lv][i] for lv in Level) for i in range(len(ends))]
    assert totals[:3] == [1, 1, 1]  # only the old contact before March
    assert totals[3:-1] == [2] * 8  # and the one whose history starts in March
    assert totals[-1] == 52 and data.history[Level.AWARENESS][-1] == 51  # today: everyone, as classify() counts
    assert {lv: data.history[lv][-1] for lv in Level} == level_counts(store, AS_OF) == data.funnel
    assert data.history[Level.INTEREST][3] == 1 and data.history[Level.CONVERSION][6] == 1
    assert old.id is not None


def test_reported_orders_count_from_the_contact_s_creation(store, add_contact):
    buyer = add_contact("buyer@example.com")
    with store.transaction() as conn:
        conn.execute(
            "UPDATE contacts SET orders_reported = 3, created_at = '2026-07-15T10:00:00' WHERE id = ?", (buyer.id,)
        )
    data = build_dashboard(store, AS_OF)
    assert [data.history[Level.RETENTION][i] for i in range(len(data.month_ends))] == [0] * 7 + [1] * 5
    assert data.funnel == level_counts(store, AS_OF)


def test_history_of_a_busy_shop_equals_classifying_at_each_month_end(store, add_contact):
    """Many contacts with many interactions of every kind, in random order: each month end's counts are what
    classify() says that day (all contacts created before the year shown)."""
    import random

    rng = random.Random(16)
    kinds = ["email_open", "website_visit", "purchase", "call", "nps", "referral", "review", "note", "inquiry"]
    contacts = [add_contact(f"c{n}@example.com") for n in range(120)]
    with store.transaction() as conn:
        conn.execute("UPDATE contacts SET created_at = '2024-01-01T09:00:00'")
        conn.execute("UPDATE contacts SET orders_reported = 1 WHERE id % 17 = 0")
    for _ in range(900):
        contact = rng.choice(contacts)
        kind = rng.choice(kinds)
        when = AS_OF - timedelta(days=rng.randrange(0, 720))
        score = rng.randrange(11) if kind == "nps" else None
        store.interactions.log(contact.id, kind, datetime.combine(when, time(10)), score=score)
    data = build_dashboard(store, AS_OF)
    for position, end in enumerate(data.month_ends):
        assert {lv: data.history[lv][position] for lv in Level} == level_counts(store, end), end
    latest = sorted(store.dashboard.latest_survey_scores(AS_OF, store.settings().window_days))  # in SQL
    h = data.headline
    assert h.promoters + h.passives + h.detractors == len(latest) > 10
    assert (h.promoters, h.detractors) == (sum(s >= 9 for s in latest), sum(s <= 6 for s in latest))


def test_of_two_answers_on_one_day_the_later_one_counts(store, add_contact, log):
    changed_mind = add_contact("changed@example.com")
    log(changed_mind, "nps", day(5) + "T09:00:00", score=10)
    log(changed_mind, "nps", day(5) + "T17:00:00", score=2)
    h = build_dashboard(store, AS_OF).headline
    assert (h.promoters, h.detractors) == (0, 1)


def test_the_later_answer_counts_whatever_its_score_and_only_on_the_latest_day(store, add_contact, log):
    """Two answers on a contact's latest day: the later one counts, whether its score is higher or lower; two on an
    earlier day do not matter; as the SQL of latest_survey_scores says."""
    raised = add_contact("raised@example.com")
    log(raised, "nps", day(4) + "T09:00:00", score=1)
    log(raised, "nps", day(4) + "T17:00:00", score=10)
    settled = add_contact("settled@example.com")
    log(settled, "nps", day(30) + "T09:00:00", score=0)
    log(settled, "nps", day(30) + "T17:00:00", score=10)
    log(settled, "nps", day(3), score=8)
    once = add_contact("once@example.com")
    log(once, "nps", day(2), score=3)
    h = build_dashboard(store, AS_OF).headline
    assert (h.promoters, h.passives, h.detractors) == (1, 1, 1)
    latest = sorted(store.dashboard.latest_survey_scores(AS_OF, store.settings().window_days))
    assert latest == [3, 8, 10]
