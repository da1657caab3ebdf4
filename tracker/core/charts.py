"""Matplotlib figures for the dashboard and the PDF report, drawn on Axes they are given (no pyplot, no Qt)."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator, StrMethodFormatter
from matplotlib.transforms import BboxTransformTo, TransformedBbox, offset_copy

from tracker.core.chart_layout import place, spaced_ticks, text_width
from tracker.core.dashboard import DashboardData
from tracker.core.errors import InvalidInput
from tracker.core.levels import LEVEL_COLOURS, OVERDUE_COLOUR, Level
from tracker.core.safe_write import check_target, write_whole

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

    from tracker.core.outlook.backtest import Backtest

# A CJK fallback font without a bold face is fine (regular is used); matplotlib would log it for every title.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
INK = "#2d3436"
MUTED = "#8a949c"
GRID = "#e6e9ec"
KIND_COLOURS = ("#3d7ebf", "#5fa8d3", "#2a9d8f", "#e9a23b", "#d1495b", "#7b6fb0", "#9aa5b1")
_FALLBACK_FONTS = (
    "DejaVu Sans",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "Noto Sans",
    "Arial Unicode MS",
    "Microsoft YaHei",
    "Meiryo",
)


def font_family() -> list[str]:
    """Installed fonts, Latin first, then ones with Cyrillic and CJK glyphs, so no name renders as boxes."""
    found = []
    for name in _FALLBACK_FONTS:
        try:
            font_manager.findfont(name, fallback_to_default=False)
        except ValueError:
            continue
        found.append(name)
    return found or ["sans-serif"]


_FAMILY = tuple(font_family())
_STYLE: dict[RcKeyType, Any] = {
    "font.family": list(_FAMILY),
    "font.size": 9,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlecolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "text.parse_math": False,  # see plain_text
}


def chart_style() -> AbstractContextManager[None]:
    """Context for building figures and axes in the app's style (rc settings apply when an Axes is made)."""
    import matplotlib

    return matplotlib.rc_context(_STYLE)


def styled_figure(width: float, height: float, layout: Literal["constrained"] | None = "constrained") -> Figure:
    """A figure in the app's style; the dashboard's charts place themselves (layout=None, see chart_layout)."""
    with chart_style():
        return Figure(figsize=(width, height), dpi=100, layout=layout)


def chart_axes(figure: Figure) -> Axes:
    """One Axes filling `figure`, for a dashboard chart to place itself in (margins in inches, see place)."""
    with chart_style():
        return figure.add_subplot(figure.add_gridspec(1, 1, left=0, right=1, bottom=0, top=1)[0, 0])


def plain_text(artist: Axes | Figure) -> None:
    """Every text of a drawn chart shown as written: sources, tags and names come from the user's data, and a `$` in
    them must not start matplotlib's mathtext (`$\\foo$` fails the whole drawing). Called after drawing, since tick
    labels and legend entries are made then and do not all follow the rc setting in chart_style."""
    for text in artist.findobj(Text):
        text.set_parse_math(False)


TITLE_ROOM = 0.34  # inches above an Axes for its title
TICK_ROOM = 0.26  # inches below it for one line of tick labels
LABEL_SIZE = 8
SMALL = 7
LEGEND_HANDLE = 0.42  # inches a legend entry needs besides its text


def _width(texts: list[str], size: float) -> float:
    """Inches the widest of `texts` needs at `size` points (0 for none)."""
    return max((text_width(t, size, _FAMILY) for t in texts), default=0.0) / 72


def _finish(ax: Axes, title: str, *, scan: bool = True) -> None:
    """Title and grid; `scan=False` for charts that made every text from the user's data plain themselves (a scan
    of all texts makes every tick of both axes: a third of the report's time)."""
    ax.set_title(title, loc="left", y=1.0)  # a fixed place: finding one measured the whole Axes at every draw
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    if scan:
        plain_text(ax)


def _legend(ax: Axes, **options: Any) -> None:
    """A legend whose entries (kind names from the user's data) are shown as written."""
    for text in ax.legend(**options).get_texts():
        text.set_parse_math(False)


def _counts_axis(ax: Axes) -> None:
    """Small y tick labels with thousands separated, as every other figure of the dashboard."""
    ax.tick_params(axis="y", labelsize=SMALL)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))  # each tick is a label and two lines to draw
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _title_over_names(ax: Axes, title: str, left: float) -> None:
    """The title of a bar chart with names on its left starts over the names, where the cell starts (over the bars
    a long title ran off a narrow canvas)."""
    figure = ax.get_figure(root=True)
    assert figure is not None  # charts draw on an Axes of a figure
    text = ax.set_title(title, loc="left", y=1.0)  # y given: matplotlib leaves its place alone
    text.set_transform(offset_copy(ax.transAxes, fig=figure, x=-left * 72 + 4, y=6, units="points"))


def _y_room(top: float) -> float:
    """Inches for the y tick labels of an axis reaching `top` (thousands separated)."""
    return _width([f"{round(top * 1.05):,}"], SMALL) + 0.14


def _column(ax: Axes, items: list[str], *, left: bool) -> None:
    """A column of texts beside a horizontal bar chart, one per bar (bar i at y = i): figures on the right, names on
    the left, in the margin kept for them; shown as written (names come from the user's data)."""
    figure = ax.get_figure(root=True)
    assert figure is not None  # charts draw on an Axes of a figure
    side = offset_copy(ax.get_yaxis_transform(), fig=figure, x=-4 if left else 4, units="points")
    for position, text in enumerate(items):
        ax.text(
            0.0 if left else 1.0,
            position,
            text,
            transform=side,
            ha="right" if left else "left",
            va="center",
            fontsize=LABEL_SIZE,
            parse_math=False,
        )


def funnel_figures(counts: list[int]) -> list[str]:
    """Count and share of each level, as the funnel's column on the right shows them."""
    total = sum(counts) or 1
    return [f"{count:,} ({100 * count / total:.0f} %)" for count in counts]


def draw_funnel(ax: Axes, data: DashboardData) -> None:
    """Contacts per level, Awareness at the top, with count and share in a column on the right."""
    levels = list(Level)
    counts = [data.funnel[level] for level in levels]
    labels = [lv.label for lv in levels]
    figures = funnel_figures(counts)
    ax.barh(range(len(levels)), counts, color=[LEVEL_COLOURS[lv] for lv in levels], height=0.7)
    ax.set_yticks(range(len(levels)), labels, fontsize=LABEL_SIZE)
    ax.tick_params(axis="y", length=0)
    _column(ax, figures, left=False)
    ax.set_xlim(0, max([*counts, 1]))
    ax.set_ylim(len(levels) - 0.5, -0.5)  # Awareness at the top
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    left = _width(labels, LABEL_SIZE) + 0.12
    place(ax, left, 0.1, _width(figures, LABEL_SIZE) + 0.15, TITLE_ROOM)
    _title_over_names(ax, "Engagement funnel", left)


def draw_history(ax: Axes, data: DashboardData) -> None:
    """Contacts per level at each month end, stacked, so a warming base shows as the warm colours growing; a contact
    counts from its first interaction or its creation (see level_history)."""
    labels = [d.strftime("%b") if d != data.as_of else "now" for d in data.month_ends]
    ax.stackplot(
        range(len(labels)),
        *[data.history[lv] for lv in Level],
        labels=[lv.label for lv in Level],
        colors=[LEVEL_COLOURS[lv] for lv in Level],
        alpha=0.9,
    )
    spaced_ticks(ax, range(len(labels)), labels, SMALL, keep=[len(labels) - 1], family=_FAMILY)
    _counts_axis(ax)
    ax.margins(x=0)
    ax.set_ylim(0, max([sum(column) for column in zip(*data.history.values(), strict=True)] + [1]) * 1.05)
    _legend(ax, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=SMALL, frameon=False, reverse=True)
    top = ax.get_ylim()[1]
    place(ax, _y_room(top), TICK_ROOM, _width([lv.label for lv in Level], SMALL) + LEGEND_HANDLE, TITLE_ROOM)
    _finish(ax, "Levels over the last 12 months", scan=False)


def activity_series(data: DashboardData, top: int = 6) -> tuple[list[str], list[list[int]]]:
    """(names, weekly counts) of the `top` most frequent kinds, then the rest as 'other'."""
    kinds = list(data.activity)
    shown = kinds[:top]
    series = [data.activity[k] for k in shown]
    rest = [sum(values) for values in zip(*(data.activity[k] for k in kinds[top:]), strict=True)] if kinds[top:] else []
    if rest:
        shown, series = [*shown, "other"], [*series, rest]
    return [kind.replace("_", " ") for kind in shown], series


def draw_activity(ax: Axes, data: DashboardData, top: int = 6) -> None:
    """Interactions per week by kind, the `top` most frequent kinds, the rest as 'other'; one artist per kind."""
    names, series = activity_series(data, top)
    weeks = len(data.week_starts)
    x = np.arange(weeks, dtype=float)
    bottom = np.zeros(weeks)
    for index, (name, values) in enumerate(zip(names, series, strict=True)):
        heights = np.asarray(values, dtype=float)
        tops = bottom + heights
        corners = np.stack([x - 0.42, bottom, x - 0.42, tops, x + 0.42, tops, x + 0.42, bottom], axis=1)
        colour = KIND_COLOURS[index % len(KIND_COLOURS)]
        bars = list(corners.reshape(-1, 4, 2))
        ax.add_collection(PolyCollection(bars, facecolors=colour, edgecolors="none", label=name))
        bottom = tops
    ax.set_xlim(-0.6, weeks - 0.4)
    ax.set_ylim(0, max([*bottom.tolist(), 1.0]) * 1.05)
    labels = [d.strftime("%d %b") for d in data.week_starts]
    spaced_ticks(ax, range(weeks), labels, SMALL, keep=[weeks - 1] if weeks else [], family=_FAMILY)
    _counts_axis(ax)
    if names:
        _legend(ax, fontsize=SMALL, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    place(ax, _y_room(ax.get_ylim()[1]), TICK_ROOM, _width(names, SMALL) + LEGEND_HANDLE, TITLE_ROOM)
    _finish(ax, "Activity per week (last 6 months)", scan=False)


def source_rows(data: DashboardData, top: int = 8) -> list[tuple[str, int, int]]:
    """The sources chart's rows: the `top` biggest sources and tags."""
    return data.sources[:top]


def draw_sources(ax: Axes, data: DashboardData, top: int = 8) -> None:
    """Per source (import file or tag): contacts, and how many reached Conversion or above; the figures in a
    column on the right, the legend under the bars (it covered a bar's figure inside them)."""
    rows = source_rows(data, top)
    labels = [label if len(label) <= 28 else label[:27] + "…" for label, _, _ in rows]
    positions = range(len(rows))
    ax.barh(positions, [total for _, total, _ in rows], color=GRID, label="contacts", height=0.7)
    ax.barh(
        positions,
        [converted for _, _, converted in rows],
        color=LEVEL_COLOURS[Level.CONVERSION],
        label="Conversion or above",
        height=0.7,
    )
    figures = [f"{converted:,}/{total:,}" for _, total, converted in rows]
    _column(ax, figures, left=False)
    _column(ax, labels, left=True)  # texts, not tick labels: ticks are made when drawn, with mathtext on
    ax.set_yticks([])
    ax.set_xlim(0, max([total for _, total, _ in rows] + [1]))
    ax.set_ylim(max(len(rows), 1) - 0.5, -0.5)  # the biggest at the top
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    _legend(ax, fontsize=SMALL, frameon=False, loc="upper right", bbox_to_anchor=(1.0, 0.0), ncol=2, borderaxespad=0.2)
    right = _width(figures, LABEL_SIZE) + 0.15
    left = _width(labels, LABEL_SIZE) + 0.12
    place(ax, left, 0.3, right, TITLE_ROOM)
    _title_over_names(ax, "Where customers come from", left)


def workload_bars(data: DashboardData) -> tuple[list[str], list[float], list[int]]:
    """(labels, x positions, heights) of the follow-ups chart's bars: overdue, then each day (0 until counted)."""
    labels = ["overdue"] + [d.strftime("%a %d") if d != data.as_of else "today" for d in data.workload_days]
    values = [data.overdue, *data.workload] if data.follow_ups_counted else [0] * len(labels)
    positions = [0.0] + [2.8 + d for d in range(len(data.workload_days))]  # room for "overdue" beside "today"
    return labels, positions, values


def workload_message(data: DashboardData, values: list[int]) -> str:
    """What the follow-ups chart says over its bars: that the list is still being counted, never 'nothing due'
    before it is; that nothing is due; or nothing."""
    if not data.follow_ups_counted:
        return "Counting follow-ups…"
    return "" if any(values) else "Nothing due in the next two weeks"


def draw_workload(ax: Axes, data: DashboardData) -> None:
    """The follow-up list by the day each is due, for the next two weeks (suggestions are due today); the overdue
    ones in red on the left. Until the list is counted it says so, never 'nothing due'."""
    labels, positions, values = workload_bars(data)
    colours = [OVERDUE_COLOUR] + [LEVEL_COLOURS[Level.INTERACTION]] * len(data.workload_days)
    ax.bar(positions, values, color=colours, width=0.8)
    # the figures over overdue and today (two bars apart, never crowded), then the message: always made, shown when
    # they say something, so that new numbers change them in place (see live_charts)
    for x, value in zip(positions[:2], values[:2], strict=False):
        ax.text(x, value, f"{value:,}", ha="center", va="bottom", fontsize=SMALL, color=INK, visible=bool(value))
    message = workload_message(data, values)
    ax.text(0.5, 0.55, message, transform=ax.transAxes, ha="center", color=MUTED, visible=bool(message))
    ax.set_xlim(-0.6, positions[-1] + 0.6)
    spaced_ticks(ax, positions, labels, SMALL, keep=[1, 0] if len(labels) > 1 else [0], family=_FAMILY)
    _counts_axis(ax)
    ax.set_ylim(0, max([*values, 1]) * 1.2)
    place(ax, _y_room(ax.get_ylim()[1]), TICK_ROOM, 0.12, TITLE_ROOM)
    _finish(ax, "Follow-ups due", scan=False)


def headline_text(data: DashboardData) -> list[tuple[str, str]]:
    """(value, label) pairs shown above the charts."""
    h = data.headline

    def percent(value: float | None) -> str:
        return "—" if value is None else f"{100 * value:.0f} %"

    nps = "—" if h.nps is None else f"{h.nps:+d}"
    return [
        (f"{h.contacts:,}", "contacts"),
        (f"{h.active:,}", "active in 30 days"),
        (percent(h.conversion_rate), "converted"),
        (percent(h.repeat_rate), "buyers who came back"),
        (f"{h.promoters:,} / {h.detractors:,}", f"promoters / detractors (NPS {nps})"),
    ]


def dashboard_figure(data: DashboardData, note: str = "") -> Figure:
    """The whole dashboard on one landscape A4 page, for the PDF report; `note` (e.g. the purchase outlook in a
    sentence) goes under the title."""
    with chart_style():
        figure = Figure(figsize=(11.69, 8.27), dpi=100)
        _report_page(figure, data, note)
    return figure


def _report_page(figure: Figure, data: DashboardData, note: str = "") -> None:
    grid = figure.add_gridspec(
        3, 3, height_ratios=[0.3, 1, 1], left=0.03, right=0.98, bottom=0.03, top=0.96, wspace=0.1, hspace=0.12
    )
    # the header is texts on the page, placed in its grid cell (an Axes for it cost as much as a chart)
    cell = BboxTransformTo(TransformedBbox(grid[0, :].get_position(figure), figure.transFigure))
    title = f"Tracker report — {data.as_of:%d %B %Y}"
    figure.text(0, 1.0, title, fontsize=16, fontweight="bold", color=INK, va="top", transform=cell)
    if note:
        figure.text(0, 0.7, note, fontsize=9, color=INK, va="top", parse_math=False, transform=cell)
    for index, (value, label) in enumerate(headline_text(data)):
        x = index / 5
        figure.text(x, 0.22, value, fontsize=18, fontweight="bold", color=INK, transform=cell)
        figure.text(x, -0.04, label, fontsize=9, color=MUTED, transform=cell)
    draw_funnel(figure.add_subplot(grid[1, 0]), data)
    draw_history(figure.add_subplot(grid[1, 1:]), data)
    draw_activity(figure.add_subplot(grid[2, 0]), data)
    draw_sources(figure.add_subplot(grid[2, 1]), data)
    draw_workload(figure.add_subplot(grid[2, 2]), data)


def save_figure(figure: Figure, path: Path | str, *, database: Path | str | None) -> Path:
    """Save as PNG, SVG or PDF by the file's extension (a clear error for anything else), whole or not at all and
    never over the live `database`, its backups or anything not a regular file."""
    target = Path(path)
    check_target(target, database=database)  # what the path is comes first: a .db must not read as a wrong type
    kind = target.suffix.lower()
    if kind not in (".png", ".svg", ".pdf"):
        raise InvalidInput(f"Save as .png, .svg or .pdf, not '{target.suffix or target.name}'.")
    write_whole(
        target,
        lambda handle: figure.savefig(handle, format=kind[1:], dpi=150 if kind == ".png" else None, facecolor="white"),
        database=database,
    )
    return target


# The purchase outlook's backtest ------------------------------------------------------------------


def draw_backtest_orders(ax: Axes, backtest: Backtest) -> None:
    """Mean orders after the cut-off by orders before it: what happened beside what was predicted."""
    rows = backtest.by_past_orders
    positions = range(len(rows))
    ax.bar([p - 0.2 for p in positions], [r.actual_mean for r in rows], width=0.4, color=MUTED, label="actual")
    ax.bar(
        [p + 0.2 for p in positions],
        [r.predicted_mean for r in rows],
        width=0.4,
        color=LEVEL_COLOURS[Level.CONVERSION],
        label="predicted",
    )
    ax.set_xticks(list(positions), [r.label for r in rows])
    ax.set_xlabel("orders before the cut-off")
    ax.set_ylabel(f"orders in the {backtest.days} days after (mean)")
    ax.legend(frameon=False, loc="upper left")
    _finish(ax, "Predicted and actual orders")


def draw_calibration(ax: Axes, backtest: Backtest) -> None:
    """For each band of predicted chance, the share who really ordered; on the diagonal is right."""
    bins = [b for b in backtest.calibration if b.customers]
    ax.plot([0, 100], [0, 100], color=MUTED, linewidth=1, linestyle="--", label="perfect")
    ax.plot(
        [100 * b.predicted for b in bins],
        [100 * b.actual for b in bins],
        marker="o",
        color=LEVEL_COLOURS[Level.CONVERSION],
        label="this shop",
    )
    for b in bins:
        ax.annotate(
            f"{b.customers:,}",
            (100 * b.predicted, 100 * b.actual),
            textcoords="offset points",
            xytext=(6, -10),
            fontsize=8,
            color=MUTED,
        )
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel("predicted chance of an order (%)")
    ax.set_ylabel("customers who ordered (%)")
    ax.legend(frameon=False, loc="upper left")
    _finish(ax, "Were the chances right?")


def draw_backtest(figure: Figure, backtest: Backtest) -> None:
    """Both backtest charts side by side on a (cleared) figure."""
    figure.clear()
    with chart_style():
        draw_backtest_orders(figure.add_subplot(1, 2, 1), backtest)
        draw_calibration(figure.add_subplot(1, 2, 2), backtest)
