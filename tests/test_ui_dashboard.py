"""The Dashboard tab: the Follow-ups tab's figures, drawn once per state of the data, never 'nothing due' early."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from matplotlib.text import Text

from tracker.core.dashboard import WORKLOAD_DAYS
from tracker.core.followups import suggest_follow_ups
from tracker.ui import clock
from tracker.ui.dashboard_tab import DashboardTab

AS_OF = date(2026, 11, 23)


@pytest.fixture
def fixed_day():
    clock.set_fixed(AS_OF)
    yield AS_OF
    clock.set_fixed(None)


@pytest.fixture
def shop(store, add_contact, log):
    for n in range(4):
        drifting = add_contact(f"drift{n}@example.com")
        log(drifting, "purchase", (AS_OF - timedelta(days=140 + n)).isoformat())
    promised = add_contact("promised@example.com")
    store.follow_ups.schedule(promised.id, AS_OF + timedelta(days=2), "Send the quote")
    return store


@pytest.fixture
def tab(qtbot, shop, fixed_day):
    errors: list[str] = []
    made = DashboardTab(shop, SimpleNamespace(report=errors.append))
    qtbot.addWidget(made)
    made.resize(1200, 900)
    made.show()
    qtbot.waitUntil(lambda: made.data is not None and made.data.follow_ups_counted, timeout=20_000)
    qtbot.waitUntil(lambda: made.outlook.summary is not None or made.outlook_job.shown is not None, timeout=20_000)
    made.errors = errors
    return made


def chart_texts(canvas) -> list[str]:
    canvas.draw()
    return [t.get_text() for t in canvas.figure.findobj(Text) if t.get_visible()]


def test_follow_ups_chart_counts_the_follow_ups_list_by_day(tab, shop):
    listed = Counter(s.due for s in suggest_follow_ups(shop, AS_OF, upcoming_days=WORKLOAD_DAYS - 1))
    assert listed[AS_OF] == 4  # four customers to win back, due today
    assert tab.data.workload == [listed[d] for d in tab.data.workload_days]
    assert tab.data.workload[2] == 1
    shown = chart_texts(tab.canvases["workload"])
    assert "Nothing due in the next two weeks" not in shown and "4" in shown
    assert not tab.errors


def test_the_same_data_on_the_same_day_is_not_computed_again(qtbot, tab, shop, add_contact):
    drawn = tab.data
    tab.reload()
    assert tab.numbers_job.refresher._job is None and not tab.due_job.busy()  # nothing started
    assert tab.data is drawn
    add_contact("new@example.com")  # a write on this connection
    tab.reload()
    qtbot.waitUntil(lambda: tab.data is not drawn and tab.data.follow_ups_counted, timeout=20_000)
    assert tab.data.headline.contacts == drawn.headline.contacts + 1


def test_while_the_follow_ups_are_counted_the_chart_says_so(qtbot, shop, fixed_day, monkeypatch):
    import tracker.ui.follow_up_work as module

    slow = lambda store, day, upcoming_days: (_ for _ in ()).throw(RuntimeError("slow"))  # noqa: E731
    monkeypatch.setattr(module, "suggest_follow_ups", slow)
    made = DashboardTab(shop, SimpleNamespace(report=lambda message: None))
    qtbot.addWidget(made)
    qtbot.waitUntil(lambda: made.data is not None, timeout=20_000)
    shown = chart_texts(made.canvases["workload"])
    assert "Counting follow-ups…" in shown and "Nothing due in the next two weeks" not in shown
    assert not made.data.follow_ups_counted
    qtbot.waitUntil(lambda: made.outlook_job.refresher._job is None and not made.due_job.busy())


def test_only_the_charts_whose_data_changed_are_drawn_again(qtbot, tab, add_contact):
    drawn: list[str] = []

    def counted(name, draw):
        def draw_and_count(ax, data):
            drawn.append(name)
            draw(ax, data)

        return draw_and_count

    for name, canvas in tab.canvases.items():
        canvas.draw_chart = counted(name, canvas.draw_chart)
    before = tab.data
    add_contact("quiet@example.com", source="walk-in")  # no interactions: the activity chart stays as it is
    tab.reload()
    qtbot.waitUntil(lambda: tab.data is not before and tab.data.follow_ups_counted, timeout=20_000)
    assert {"funnel", "sources"} <= set(drawn) and "activity" not in drawn


def test_new_numbers_move_the_bars_of_the_chart_on_screen(qtbot, tab, add_contact):
    """A new contact changes the funnel's numbers, not its shape: the same bars take the new counts (no fresh
    drawing), and they are the counts of the new data."""
    funnel = tab.canvases["funnel"]
    chart = funnel.draw_chart
    before = tab.data
    add_contact("walk-in@example.com")
    tab.reload()
    qtbot.waitUntil(lambda: tab.data is not before and tab.data.follow_ups_counted, timeout=20_000)
    assert (chart.redrawn, chart.updated) == (1, 1)
    widths = [bar.get_width() for bar in funnel.axes.patches]
    assert widths == [tab.data.funnel[level] for level in tab.data.funnel]
    assert sum(widths) == before.headline.contacts + 1
