"""The dashboard's charts and the PDF report page have room for their texts: no two tick labels overprint, no legend
covers a figure, no chart's texts run into another chart (read from the renderer's text extents)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import combinations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from tracker.core.charts import (
    chart_axes,
    dashboard_figure,
    draw_activity,
    draw_funnel,
    draw_history,
    draw_sources,
    draw_workload,
    styled_figure,
)
from tracker.core.dashboard import DashboardData, Headline, month_ends
from tracker.core.levels import Level

AS_OF = date(2026, 11, 23)
CHARTS = [draw_funnel, draw_history, draw_activity, draw_sources, draw_workload]


def big_data() -> DashboardData:
    """A shop at 100k contacts: six-figure counts, long source names, more kinds than colours, work every day."""
    ends = month_ends(AS_OF)
    history = {lv: [4_000 * int(lv) + 500 * i for i in range(len(ends))] for lv in Level}
    kinds = ["website_visit", "email_open", "purchase", "content_view", "email_reply", "inquiry", "call", "review"]
    weeks = [AS_OF - timedelta(days=7 * (25 - w) + 6) for w in range(26)]
    data = DashboardData(
        AS_OF,
        Headline(100_000, 45_210, 0.374, 0.52, 1_200, 800, 400),
        {lv: history[lv][-1] for lv in Level},
        month_ends=ends,
        history=history,
        week_starts=weeks,
        activity={k: [9_000 - 900 * n + (w * 37) % 500 for w in range(26)] for n, k in enumerate(kinds)},
        sources=[
            ("Google contacts export 2026 (all).csv", 100_000, 37_400),
            ("#newsletter", 64_000, 25_000),
            ("#vip", 3_000, 2_950),
            ("added by hand", 120, 3),
            ("#wholesale", 40, 40),
        ],
        workload_days=[AS_OF + timedelta(days=d) for d in range(14)],
        workload=[6_812, 40, 3, 120, 0, 7, 1_024, 0, 0, 2, 55, 0, 9, 300],
        overdue=1_431,
        follow_ups_counted=True,
    )
    return data


def drawn(figure):
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return canvas.get_renderer()


def overlaps(a, b) -> bool:
    return a.x0 < b.x1 - 0.5 and b.x0 < a.x1 - 0.5 and a.y0 < b.y1 - 0.5 and b.y0 < a.y1 - 0.5


def drawn_ticks(axis, labels) -> list[Text]:
    """The tick labels matplotlib draws: of a visible axis, within its view (it makes a few more)."""
    if not axis.get_visible():
        return []
    low, high = sorted(axis.get_view_interval())
    places = axis.get_majorticklocs()
    return [t for t, at in zip(labels, places, strict=False) if low - 1e-9 <= at <= high + 1e-9 and t.get_text()]


def tick_labels(ax, renderer):
    return [t.get_window_extent(renderer) for t in drawn_ticks(ax.xaxis, ax.get_xticklabels()) if t.get_visible()]


def title(ax):
    return ax._left_title  # the charts' titles are on the left (matplotlib keeps three)


def shown_texts(ax) -> list[Text]:
    """The texts drawn for an Axes: title, tick labels of visible axes, its own texts and legend entries."""
    found = [title(ax), *ax.texts]
    found += drawn_ticks(ax.xaxis, ax.get_xticklabels()) + drawn_ticks(ax.yaxis, ax.get_yticklabels())
    if ax.get_legend() is not None:
        found += ax.get_legend().get_texts()
    return [t for t in found if t.get_visible() and t.get_text()]


def report_axes(figure):
    return [ax for ax in figure.axes if ax.axison]


@pytest.mark.parametrize("size", [(11.69, 8.27), (8.27, 5.8)], ids=["A4", "A5"])
def test_report_tick_labels_never_overprint(size):
    figure = dashboard_figure(big_data())
    figure.set_size_inches(*size)
    renderer = drawn(figure)
    for ax in report_axes(figure):
        for a, b in combinations(tick_labels(ax, renderer), 2):
            assert not overlaps(a, b), ax.get_title(loc="left")
    activity = next(ax for ax in figure.axes if ax.get_title(loc="left").startswith("Activity"))
    workload = next(ax for ax in figure.axes if ax.get_title(loc="left") == "Follow-ups due")
    least = 3 if size[0] > 10 else 2
    assert len(tick_labels(activity, renderer)) >= least and len(tick_labels(workload, renderer)) >= least
    assert "today" in [t.get_text() for t in workload.get_xticklabels() if t.get_visible()]


@pytest.mark.parametrize("size", [(11.69, 8.27), (5, 3), (3.6, 2.7)], ids=["report", "tab", "narrow"])
def test_sources_legend_covers_no_bar_figure(size):
    if size == (11.69, 8.27):
        figure = dashboard_figure(big_data())
        ax = next(ax for ax in figure.axes if ax.get_title(loc="left") == "Where customers come from")
    else:
        figure = styled_figure(*size, layout=None)
        ax = chart_axes(figure)
        draw_sources(ax, big_data())
    renderer = drawn(figure)
    legend = ax.get_legend().get_window_extent(renderer)
    for text in ax.texts:
        assert not overlaps(legend, text.get_window_extent(renderer)), text.get_text()


def test_report_charts_keep_to_their_own_space():
    """The funnel's figures ran into the history chart's title; nothing of one chart may touch another."""
    figure = dashboard_figure(big_data(), "Purchase outlook: 1,234 orders and 56,789 expected in the next 90 days.")
    renderer = drawn(figure)
    page = figure.bbox
    charts = [ax for ax in figure.axes if ax.axison]
    for one, other in combinations(charts, 2):
        for a in [one.get_window_extent(renderer), *(t.get_window_extent(renderer) for t in shown_texts(one))]:
            for b in [other.get_window_extent(renderer), *(t.get_window_extent(renderer) for t in shown_texts(other))]:
                assert not overlaps(a, b), (one.get_title(loc="left"), other.get_title(loc="left"))
    header = figure.texts
    for text in [*header, *(t for ax in charts for t in shown_texts(ax))]:
        box = text.get_window_extent(renderer)
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, text
    for a, b in combinations(header, 2):
        assert not overlaps(a.get_window_extent(renderer), b.get_window_extent(renderer)), (a, b)
    for text in header:  # the header stays above the charts
        for ax in charts:
            assert not overlaps(text.get_window_extent(renderer), ax.get_tightbbox(renderer)), text


@pytest.mark.parametrize("draw", CHARTS, ids=lambda d: d.__name__)
@pytest.mark.parametrize("size", [(5, 3), (3.6, 2.7), (8, 2.7)], ids=["tab", "narrow", "wide"])
def test_each_chart_fits_its_canvas(draw, size):
    """As in the Dashboard tab at any size it is given: texts inside the canvas, tick labels apart, and the plot's
    texts clear of the title."""
    figure = styled_figure(*size, layout=None)
    ax = chart_axes(figure)
    draw(ax, big_data())
    renderer = drawn(figure)
    for a, b in combinations(tick_labels(ax, renderer), 2):
        assert not overlaps(a, b)
    heading = title(ax).get_window_extent(renderer)
    assert figure.bbox.x0 - 1 <= heading.x0 and heading.x1 <= figure.bbox.x1 + 1  # the title is not cut off
    for text in shown_texts(ax)[1:]:
        box = text.get_window_extent(renderer)
        assert figure.bbox.x0 - 1 <= box.x0 and box.x1 <= figure.bbox.x1 + 1, text.get_text()
        assert box.y0 >= figure.bbox.y0 - 1 and box.y1 <= figure.bbox.y1 + 1, text.get_text()
        assert not overlaps(heading, box), text.get_text()
