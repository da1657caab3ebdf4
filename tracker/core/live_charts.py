"""The dashboard's charts kept on screen: drawn once, then given new numbers in place (no Qt).

Clearing an Axes and drawing a chart again remade its axes, ticks, spines, bars, texts and legend, and the next
canvas draw measured all of them anew: about half of a chart's time at 100k contacts, the other half being the
rendering itself. A LiveChart draws with the same function as the PDF report the first time and whenever the
chart's shape changes (other kinds in the activity, other sources, another month or day); for new numbers in the
same shape it moves the bars, rewrites the figures, shows or hides the follow-ups chart's figures and message
("Counting follow-ups…" while the list is worked out after a change), and sets the limits and margins as the
drawing function would, so the picture is the one a fresh drawing makes (tests/test_live_charts.py compares the
pixels).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.patches import Rectangle

from tracker.core.chart_layout import place
from tracker.core.charts import (
    LABEL_SIZE,
    LEGEND_HANDLE,
    SMALL,
    TICK_ROOM,
    TITLE_ROOM,
    _width,
    _y_room,
    activity_series,
    chart_style,
    draw_activity,
    draw_funnel,
    draw_history,
    draw_sources,
    draw_workload,
    funnel_figures,
    source_rows,
    workload_bars,
    workload_message,
)
from tracker.core.dashboard import DashboardData
from tracker.core.levels import LEVEL_COLOURS, Level

#: What each chart draws from: a chart whose part is unchanged is not drawn again (a logged call leaves the
#: sources alone, a new contact the activity).
PARTS: dict[str, Callable[[DashboardData], object]] = {
    "funnel": lambda d: d.funnel,
    "history": lambda d: (d.month_ends, d.history),
    "workload": lambda d: (d.as_of, d.workload_days, d.workload, d.overdue, d.follow_ups_counted),
    "activity": lambda d: (d.week_starts, d.activity),
    "sources": lambda d: d.sources,
}


def _bars(ax: Axes) -> list[Rectangle]:
    return [patch for patch in ax.patches if isinstance(patch, Rectangle)]


# Shapes: what must be equal for new numbers to fit the artists drawn -----------------------------------------


def _funnel_shape(data: DashboardData) -> Hashable:
    return ()  # always the six levels


def _history_shape(data: DashboardData) -> Hashable:
    return (tuple(data.month_ends), data.as_of)


def _activity_shape(data: DashboardData) -> Hashable:
    names, _ = activity_series(data)
    return (tuple(names), tuple(data.week_starts))


def _sources_shape(data: DashboardData) -> Hashable:
    return tuple(label for label, _, _ in source_rows(data))


def _workload_shape(data: DashboardData) -> Hashable:
    return tuple(workload_bars(data)[0])  # the days; the figures and the message are shown or hidden in place


# Updates: the same numbers, limits and margins the drawing function sets -------------------------------------


def _update_funnel(ax: Axes, data: DashboardData) -> None:
    levels = list(Level)
    counts = [data.funnel[level] for level in levels]
    figures = funnel_figures(counts)
    for bar, count in zip(_bars(ax), counts, strict=True):
        bar.set_width(count)
    for text, figure in zip(ax.texts, figures, strict=True):
        text.set_text(figure)
    ax.set_xlim(0, max([*counts, 1]))
    left = _width([lv.label for lv in levels], LABEL_SIZE) + 0.12
    place(ax, left, 0.1, _width(figures, LABEL_SIZE) + 0.15, TITLE_ROOM)


def _update_history(ax: Axes, data: DashboardData) -> None:
    for collection in list(ax.collections):  # the stacked areas; the legend keeps its own handles
        collection.remove()
    ax.stackplot(
        range(len(data.month_ends)),
        *[data.history[lv] for lv in Level],
        colors=[LEVEL_COLOURS[lv] for lv in Level],
        alpha=0.9,
    )
    ax.set_ylim(0, max([sum(column) for column in zip(*data.history.values(), strict=True)] + [1]) * 1.05)
    top = ax.get_ylim()[1]
    place(ax, _y_room(top), TICK_ROOM, _width([lv.label for lv in Level], SMALL) + LEGEND_HANDLE, TITLE_ROOM)


def _update_activity(ax: Axes, data: DashboardData) -> None:
    names, series = activity_series(data)
    weeks = len(data.week_starts)
    x = np.arange(weeks, dtype=float)
    bottom = np.zeros(weeks)
    collections = [c for c in ax.collections if isinstance(c, PolyCollection)]
    for collection, values in zip(collections, series, strict=True):
        tops = bottom + np.asarray(values, dtype=float)
        corners = np.stack([x - 0.42, bottom, x - 0.42, tops, x + 0.42, tops, x + 0.42, bottom], axis=1)
        collection.set_verts(list(corners.reshape(-1, 4, 2)))
        bottom = tops
    ax.set_ylim(0, max([*bottom.tolist(), 1.0]) * 1.05)
    place(ax, _y_room(ax.get_ylim()[1]), TICK_ROOM, _width(names, SMALL) + LEGEND_HANDLE, TITLE_ROOM)


def _update_sources(ax: Axes, data: DashboardData) -> None:
    rows = source_rows(data)
    bars = _bars(ax)
    for bar, (_, total, _) in zip(bars[: len(rows)], rows, strict=True):
        bar.set_width(total)
    for bar, (_, _, converted) in zip(bars[len(rows) :], rows, strict=True):
        bar.set_width(converted)
    figures = [f"{converted:,}/{total:,}" for _, total, converted in rows]
    for text, figure in zip(ax.texts[: len(rows)], figures, strict=True):  # the figures' column comes first
        text.set_text(figure)
    ax.set_xlim(0, max([total for _, total, _ in rows] + [1]))
    labels = [text.get_text() for text in ax.texts[len(rows) :]]
    place(ax, _width(labels, LABEL_SIZE) + 0.12, 0.3, _width(figures, LABEL_SIZE) + 0.15, TITLE_ROOM)


def _update_workload(ax: Axes, data: DashboardData) -> None:
    _, positions, values = workload_bars(data)
    for bar, value in zip(_bars(ax), values, strict=True):
        bar.set_height(value)
    *figures, message = ax.texts  # as draw_workload made them: overdue's and today's figures, then the message
    for text, x, value in zip(figures, positions[:2], values[:2], strict=True):
        text.set_text(f"{value:,}")
        text.set_position((x, value))
        text.set_visible(bool(value))
    said = workload_message(data, values)
    message.set_text(said)
    message.set_visible(bool(said))
    ax.set_ylim(0, max([*values, 1]) * 1.2)
    place(ax, _y_room(ax.get_ylim()[1]), TICK_ROOM, 0.12, TITLE_ROOM)


@dataclass(frozen=True, slots=True)
class ChartKind:
    draw: Callable[[Axes, DashboardData], None]
    shape: Callable[[DashboardData], Hashable]
    update: Callable[[Axes, DashboardData], None]


KINDS = {
    "funnel": ChartKind(draw_funnel, _funnel_shape, _update_funnel),
    "history": ChartKind(draw_history, _history_shape, _update_history),
    "activity": ChartKind(draw_activity, _activity_shape, _update_activity),
    "sources": ChartKind(draw_sources, _sources_shape, _update_sources),
    "workload": ChartKind(draw_workload, _workload_shape, _update_workload),
}


class LiveChart:
    """One dashboard chart on one Axes: called with new data, it updates in place when the shape is the same and
    draws afresh (clear and draw) otherwise. `redrawn` counts the fresh drawings, `updated` the updates."""

    def __init__(self, name: str):
        self.name, self.kind = name, KINDS[name]
        self.ax: Axes | None = None
        self.shape: Hashable = None
        self.redrawn = self.updated = 0

    def __call__(self, ax: Axes, data: DashboardData) -> None:
        shape = self.kind.shape(data)
        with chart_style():
            if ax is self.ax and shape == self.shape:
                self.kind.update(ax, data)
                self.updated += 1
                return
            ax.clear()
            self.kind.draw(ax, data)
        self.ax, self.shape = ax, shape
        self.redrawn += 1
