"""Text from the user's data is drawn as written in charts: a `$` never starts matplotlib's mathtext, which would
fail the whole drawing (a blank chart, a PDF report that is not written)."""

from __future__ import annotations

from datetime import date

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from tracker.core.charts import dashboard_figure, draw_sources, save_figure, styled_figure
from tracker.core.dashboard import build_dashboard

AS_OF = date(2026, 11, 23)
SOURCES = ["$\\foo$", "$x^2$", "a$b", "$5 and $10.csv"]
TAG = "$\\frac{1}{0}$"


@pytest.fixture
def data(store):
    for n, source in enumerate(SOURCES):
        store.contacts.add(first_name=f"C{n}", email=f"c{n}@example.com", source=source, tags=TAG)
    return build_dashboard(store, AS_OF)


def drawn_texts(figure) -> set[str]:
    return {t.get_text() for t in figure.findobj(Text) if t.get_visible()}


def test_sources_chart_with_dollar_labels_draws_them_as_written(data):
    figure = styled_figure(5, 3)
    draw_sources(figure.add_subplot(), data)
    FigureCanvasAgg(figure).draw()  # mathtext would raise ValueError here
    assert {*SOURCES, f"#{TAG}"} <= drawn_texts(figure)
    assert all(not t.get_parse_math() for t in figure.findobj(Text) if "$" in t.get_text())


@pytest.mark.parametrize("name", ["report.pdf", "report.png", "report.svg"])
def test_report_with_dollar_labels_and_note_saves(data, store, tmp_path, name):
    note = "Purchase outlook: $x^2$ orders from a$b"
    figure = dashboard_figure(data, note)
    target = save_figure(figure, tmp_path / name, database=store.path)
    assert target.stat().st_size > 1000
    assert {*SOURCES, f"#{TAG}", note} <= drawn_texts(figure)
