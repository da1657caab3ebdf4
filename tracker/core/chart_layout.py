"""Room for a chart's texts without a layout engine: margins in inches around an Axes, and tick labels thinned so
that they never overprint, both worked out from the Axes' size each time it is drawn (a layout engine measured
every text of the page twice: most of the report's time)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

from matplotlib.axes import Axes
from matplotlib.axes._base import _AxesBase
from matplotlib.axis import Axis
from matplotlib.backend_bases import RendererBase
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path
from matplotlib.ticker import FuncFormatter, Locator
from matplotlib.transforms import Bbox

#: Clear space between two tick labels, in points.
TICK_GAP = 6.0


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, family: tuple[str, ...] = ("DejaVu Sans",)) -> float:
    """How wide `text` is at `size` points, in points (read from the font, no renderer needed)."""
    font = FontProperties(family=list(family), size=size)
    width, _, _ = text_to_path.get_text_width_height_descent(text, font, False)
    return float(width)


def place(ax: Axes, left: float, bottom: float, right: float, top: float) -> None:
    """Keep `ax` inside its grid cell with margins in inches (for tick labels, a title, a legend beside it), at
    whatever size the figure is drawn."""
    spec = ax.get_subplotspec()

    def locate(axes: _AxesBase, renderer: RendererBase) -> Bbox:
        figure = axes.get_figure(root=True)
        assert figure is not None  # an Axes being drawn is on a figure
        cell = spec.get_position(figure) if spec is not None else Bbox.unit()
        width, height = figure.get_size_inches()
        x0, y0 = cell.x0 + left / width, cell.y0 + bottom / height
        x1, y1 = cell.x1 - right / width, cell.y1 - top / height
        return Bbox.from_extents(x0, y0, max(x1, x0 + 0.01), max(y1, y0 + 0.01))

    ax.set_axes_locator(locate)


class SpacedTicks(Locator):
    """Ticks at `positions` with their `labels`, as many as fit side by side: the `keep` ones (indexes, in order of
    importance; the first is the anchor) when they fit, then every n-th one counted from the anchor both ways, n as
    small as fits."""

    def __init__(
        self,
        positions: Sequence[float],
        labels: Sequence[str],
        size: float,
        keep: Sequence[int] = (),
        family: Sequence[str] = ("DejaVu Sans",),
    ):
        self.positions = [float(p) for p in positions]
        self.widths = [text_width(label, size, tuple(family)) for label in labels]
        self.keep = list(keep) or [len(self.positions) - 1]

    def _fits(self, chosen: list[int], points_per_unit: float) -> bool:
        ordered = sorted(set(chosen), key=lambda i: self.positions[i])
        return all(
            (self.positions[b] - self.positions[a]) * points_per_unit
            >= (self.widths[a] + self.widths[b]) / 2 + TICK_GAP
            for a, b in pairwise(ordered)
        )

    def __call__(self) -> Sequence[float]:
        if not self.positions or not isinstance(self.axis, Axis):  # an Axis once given to one
            return []
        axes = self.axis.axes
        figure = axes.get_figure(root=True)
        assert figure is not None  # an Axes being drawn is on a figure
        low, high = sorted(self.axis.get_view_interval())
        points = axes.bbox.width * 72 / figure.dpi
        per_unit = points / (high - low) if high > low else 0.0
        kept: list[int] = []
        for index in self.keep:
            if self._fits([*kept, index], per_unit):
                kept.append(index)
        anchor = self.keep[0]
        for step in range(1, len(self.positions) + 1):
            chosen = {*kept, *range(anchor % step, len(self.positions), step)}
            if self._fits(list(chosen), per_unit):
                return sorted(self.positions[i] for i in chosen)
        return sorted(self.positions[i] for i in kept)


def spaced_ticks(
    ax: Axes,
    positions: Sequence[float],
    labels: Sequence[str],
    size: float,
    keep: Sequence[int] = (),
    family: Sequence[str] = ("DejaVu Sans",),
) -> None:
    """Label the x axis with as many of `labels` as fit without overprinting (see SpacedTicks)."""
    text = {round(p, 3): label for p, label in zip(positions, labels, strict=True)}
    ax.xaxis.set_major_locator(SpacedTicks(positions, labels, size, keep, family))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: text.get(round(x, 3), "")))
    ax.tick_params(axis="x", labelsize=size, length=0)
