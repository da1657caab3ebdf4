"""Matplotlib figures for the dashboard and the PDF report, drawn on Axes they are given (no pyplot, no Qt)."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

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


_STYLE: dict[RcKeyType, Any] = {
    "font.family": font_family(),
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


def styled_figure(width: float, height: float) -> Figure:
    with chart_style():
        return Figure(figsize=(width, height), dpi=100, layout="constrained")


def plain_text(artist: Axes | Figure) -> None:
    """Every text of a drawn chart shown as written: sources, tags and names come from the user's data, and a `$` in
    them must not start matplotlib's mathtext (`$\\foo$` fails the whole drawing). Called after drawing, since tick
    labels and legend entries are made then and do not all follow the rc setting in chart_style."""
    for text in artist.findobj(Text):
        text.set_parse_math(False)


def _finish(ax: Axes, title: str) -> None:
    ax.set_title(title, loc="left")
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    plain_text(ax)


def draw_funnel(ax: Axes, data: DashboardData) -> None:
    """Contacts per level, Awareness at the top, with count and share."""
    levels = list(Level)
    counts = [data.funnel[level] for level in levels]
    total = sum(counts) or 1
    bars = ax.barh([lv.label for lv in levels], counts, color=[LEVEL_COLOURS[lv] for lv in levels])
    ax.invert_yaxis()
    for bar, count in zip(bars, counts, strict=True):
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f"  {count:,} ({100 * count / total:.0f} %)",
            va="center",
            color=INK,
            fontsize=8,
        )
    ax.set_xlim(0, max([*counts, 1]) * 1.35)
    ax.set_title("Engagement funnel", loc="left")
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    plain_text(ax)


def draw_history(ax: Axes, data: DashboardData) -> None:
    """Contacts per level at each month end, stacked, so a warming base shows as the warm colours growing."""
    labels = [d.strftime("%b") if d != data.as_of else "now" for d in data.month_ends]
    ax.stackplot(
        range(len(labels)),
        *[data.history[lv] for lv in Level],
        labels=[lv.label for lv in Level],
        colors=[LEVEL_COLOURS[lv] for lv in Level],
        alpha=0.9,
    )
    ticks = list(range(len(labels) - 1, -1, -2))[::-1]  # every second month, always ending on "now"
    ax.set_xticks(ticks, [labels[t] for t in ticks])
    ax.margins(x=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False, reverse=True)
    _finish(ax, "Levels over the last 12 months")


def draw_activity(ax: Axes, data: DashboardData, top: int = 6) -> None:
    """Interactions per week by kind, the `top` most frequent kinds, the rest as 'other'."""
    kinds = list(data.activity)
    shown = kinds[:top]
    series = [data.activity[k] for k in shown]
    rest = [sum(values) for values in zip(*(data.activity[k] for k in kinds[top:]), strict=True)] if kinds[top:] else []
    if rest:
        shown, series = [*shown, "other"], [*series, rest]
    bottom = [0] * len(data.week_starts)
    for index, (kind, values) in enumerate(zip(shown, series, strict=True)):
        ax.bar(
            range(len(values)),
            values,
            bottom=bottom,
            label=kind.replace("_", " "),
            color=KIND_COLOURS[index % len(KIND_COLOURS)],
            width=0.85,
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ticks = list(range(0, len(data.week_starts), max(4, len(data.week_starts) // 4)))
    ax.set_xticks(ticks, [data.week_starts[t].strftime("%d %b") for t in ticks])
    if shown:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    _finish(ax, "Activity per week (last 6 months)")


def draw_sources(ax: Axes, data: DashboardData, top: int = 8) -> None:
    """Per source (import file or tag): contacts, and how many reached Conversion or above."""
    rows = data.sources[:top][::-1]
    labels = [label if len(label) <= 28 else label[:27] + "…" for label, _, _ in rows]
    ax.barh(labels, [total for _, total, _ in rows], color=GRID, label="contacts")
    ax.barh(
        labels,
        [converted for _, _, converted in rows],
        color=LEVEL_COLOURS[Level.CONVERSION],
        label="Conversion or above",
    )
    for position, (_, total, converted) in enumerate(rows):
        ax.text(total, position, f"  {converted}/{total}", va="center", fontsize=8, color=INK)
    ax.set_xlim(0, max([total for _, total, _ in rows] + [1]) * 1.3)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    ax.set_title("Where customers come from", loc="left")
    plain_text(ax)


def draw_workload(ax: Axes, data: DashboardData) -> None:
    """Follow-ups due per day for the next two weeks; the overdue ones in red on the left."""
    labels = ["overdue"] + [d.strftime("%a %d") if d != data.as_of else "today" for d in data.workload_days]
    values = [data.overdue, *data.workload]
    colours = [OVERDUE_COLOUR] + [LEVEL_COLOURS[Level.INTERACTION]] * len(data.workload)
    ax.bar(range(len(values)), values, color=colours)
    ax.set_xticks(range(len(values)), labels, rotation=45, ha="right", fontsize=7)
    ax.set_ylim(0, max([*values, 1]) * 1.15)
    # the default y locator is an AutoLocator, a MaxNLocator, which takes integer=; the stub knows only Locator's
    ax.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    if not any(values):
        ax.text(0.5, 0.55, "Nothing due in the next two weeks", transform=ax.transAxes, ha="center", color=MUTED)
    _finish(ax, "Follow-ups due")


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
        (f"{h.promoters} / {h.detractors}", f"promoters / detractors (NPS {nps})"),
    ]


def dashboard_figure(data: DashboardData, note: str = "") -> Figure:
    """The whole dashboard on one landscape A4 page, for the PDF report; `note` (e.g. the purchase outlook in a
    sentence) goes under the title."""
    with chart_style():
        figure = Figure(figsize=(11.69, 8.27), dpi=100, layout="constrained")
        _report_page(figure, data, note)
    return figure


def _report_page(figure: Figure, data: DashboardData, note: str = "") -> None:
    grid = figure.add_gridspec(3, 3, height_ratios=[0.35, 1, 1])
    header = figure.add_subplot(grid[0, :])
    header.axis("off")
    header.text(0, 0.95, f"Tracker report — {data.as_of:%d %B %Y}", fontsize=16, fontweight="bold", color=INK, va="top")
    if note:
        header.text(0, 0.68, note, fontsize=9, color=INK, va="top")
    for index, (value, label) in enumerate(headline_text(data)):
        x = index / 5
        header.text(x, 0.35, value, fontsize=18, fontweight="bold", color=INK)
        header.text(x, 0.05, label, fontsize=9, color=MUTED)
    draw_funnel(figure.add_subplot(grid[1, 0]), data)
    draw_history(figure.add_subplot(grid[1, 1:]), data)
    draw_activity(figure.add_subplot(grid[2, 0]), data)
    draw_sources(figure.add_subplot(grid[2, 1]), data)
    draw_workload(figure.add_subplot(grid[2, 2]), data)
    plain_text(figure)


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
