"""The Dashboard tab's charts given new numbers in place (LiveChart) show the picture a fresh drawing of the same
numbers shows, pixel for pixel; a new shape (other kinds, sources, follow-ups counted) is drawn afresh."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from test_dashboard_layout import big_data

from tracker.core.charts import chart_axes, styled_figure
from tracker.core.dashboard import DashboardData
from tracker.core.levels import Level
from tracker.core.live_charts import KINDS, PARTS, LiveChart

NAMES = list(KINDS)


def other_numbers(data: DashboardData) -> DashboardData:
    """The same shape (kinds, sources, days, the follow-ups counted) with other numbers, some ten times bigger (the
    axes' margins grow with the figures)."""
    history = {lv: [n * 7 + 3 * int(lv) for n in values] for lv, values in data.history.items()}
    return dataclasses.replace(
        data,
        funnel={lv: history[lv][-1] for lv in Level},
        history=history,
        activity={k: [v * 9 + w for w, v in enumerate(values)] for k, values in data.activity.items()},
        sources=[(label, total * 11, converted * 3) for label, total, converted in data.sources],
        workload=[n * 13 for n in data.workload],
        overdue=data.overdue * 17,
    )


def pixels(chart: LiveChart, figure, *data: DashboardData) -> np.ndarray:
    canvas = FigureCanvasAgg(figure)
    ax = figure.axes[0]
    for one in data:
        chart(ax, one)
        canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def fresh(name: str, data: DashboardData, size=(5, 3)) -> np.ndarray:
    figure = styled_figure(*size, layout=None)
    chart_axes(figure)
    return pixels(LiveChart(name), figure, data)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", [(5, 3), (3.6, 2.7)], ids=["tab", "narrow"])
def test_new_numbers_in_place_draw_what_a_fresh_chart_draws(name, size):
    before, after = big_data(), other_numbers(big_data())
    assert PARTS[name](before) != PARTS[name](after)
    figure = styled_figure(*size, layout=None)
    chart_axes(figure)
    chart = LiveChart(name)
    updated = pixels(chart, figure, before, after)
    assert (chart.redrawn, chart.updated) == (1, 1)  # the second one in place
    assert np.array_equal(updated, fresh(name, after, size))
    back = pixels(chart, figure, before)  # and back again
    assert np.array_equal(back, fresh(name, before, size))


def test_a_new_shape_is_drawn_afresh():
    data = big_data()
    changes = {
        "funnel": None,  # always the six levels
        "history": dataclasses.replace(data, month_ends=[*data.month_ends[1:], data.month_ends[-1]]),
        "activity": dataclasses.replace(data, activity={"call": [1] * 26}),
        "sources": dataclasses.replace(data, sources=[*data.sources, ("#new", 1, 0)]),
        "workload": dataclasses.replace(data, workload_days=[d + timedelta(days=1) for d in data.workload_days]),
    }
    for name, changed in changes.items():
        if changed is None:
            continue
        figure = styled_figure(5, 3, layout=None)
        chart_axes(figure)
        chart = LiveChart(name)
        shown = pixels(chart, figure, data, changed)
        assert (chart.redrawn, chart.updated) == (2, 0), name
        assert np.array_equal(shown, fresh(name, changed)), name


def visible_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_visible()]


def test_follow_ups_figures_and_message_change_in_place():
    """Overdue and today's figures move with their bars; 'Counting follow-ups…' while the list is worked out after
    a change, 'Nothing due' once it says so: all in place, each the picture a fresh drawing makes."""
    data = big_data()
    counting = dataclasses.replace(data, follow_ups_counted=False)
    quiet = dataclasses.replace(data, workload=[0] * 14, overdue=0)
    today_only = dataclasses.replace(data, overdue=0)
    figure = styled_figure(5, 3, layout=None)
    ax = chart_axes(figure)
    chart = LiveChart("workload")
    pixels(chart, figure, data, other_numbers(data))
    assert visible_texts(ax) == [f"{data.overdue * 17:,}", f"{data.workload[0] * 13:,}"]
    for then, said in [
        (counting, ["Counting follow-ups…"]),
        (quiet, ["Nothing due in the next two weeks"]),
        (today_only, [f"{data.workload[0]:,}"]),
        (data, [f"{data.overdue:,}", f"{data.workload[0]:,}"]),
    ]:
        assert np.array_equal(pixels(chart, figure, then), fresh("workload", then)), said
        assert visible_texts(ax) == said
    assert (chart.redrawn, chart.updated) == (1, 5)
