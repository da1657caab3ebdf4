"""A shop owner reads every follow-up's whole reason: in the list (two wrapped lines, a tooltip, the current row's
reason whole under the list) and in the schedule dialog's reason field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt

from tracker.core.followups import suggest_follow_ups
from tracker.ui import clock
from tracker.ui.commands import Undoable
from tracker.ui.dialogs import FollowUpDialog
from tracker.ui.followups_model import COLUMNS
from tracker.ui.followups_tab import UPCOMING_DAYS, FollowUpsTab

DAY = date(2026, 11, 23)
LONG_REASON = (
    "Send the quote for the wedding flowers: two bridal bouquets, six buttonholes and the table arrangements (14)"
)
REASON = COLUMNS.index("Reason")


@pytest.fixture
def fixed_day():
    clock.set_fixed(DAY)
    yield DAY
    clock.set_fixed(None)


@pytest.fixture
def tab(qtbot, store, log, fixed_day):
    bride = store.contacts.add(first_name="Beatriz", last_name="Fernández-Oyelaran", email="bea@example.com")
    store.follow_ups.schedule(bride.id, DAY - timedelta(days=3), LONG_REASON)
    regular = store.contacts.add(first_name="Rita", email="rita@example.com")
    for days_ago in (160, 150, 140, 130, 120):  # a regular every ten days, silent for four months
        log(regular, "purchase", (DAY - timedelta(days=days_ago)).isoformat(), amount=42.5)
    store.contacts.add(first_name="Quiet", email="quiet@example.com")
    errors: list[str] = []
    made = FollowUpsTab(store, Undoable(lambda changes: None, errors.append))
    qtbot.addWidget(made)
    made.resize(1000, 500)
    made.show()
    made.reload()
    qtbot.waitUntil(lambda: made.model.rowCount() == 2)
    assert errors == []
    return made


def test_every_row_carries_the_core_reason_whole(tab, store):
    expected = {s.contact.name: s.reason for s in suggest_follow_ups(store, DAY, upcoming_days=UPCOMING_DAYS)}
    assert any(len(reason) > 120 for reason in expected.values())
    for row in range(tab.model.rowCount()):
        item = tab.model.item_at(row)
        index = tab.model.index(row, REASON)
        assert index.data(Qt.ItemDataRole.DisplayRole) == expected[item.contact.name]
        assert expected[item.contact.name] in index.data(Qt.ItemDataRole.ToolTipRole)


def test_the_current_rows_whole_reason_shows_under_the_list(tab):
    for row in range(tab.model.rowCount()):
        tab.table.selectRow(row)
        item = tab.model.item_at(row)
        assert item.reason in tab.detail.text() and item.contact.name in tab.detail.text()
        assert tab.detail.isVisible()


def test_rows_are_two_wrapped_lines_high_all_alike(tab):
    line = tab.table.fontMetrics().lineSpacing()
    assert tab.table.wordWrap()
    assert all(tab.table.rowHeight(row) >= 2 * line for row in range(tab.model.rowCount()))
    assert len({tab.table.rowHeight(row) for row in range(tab.model.rowCount())}) == 1  # no per-row measuring


def test_the_schedule_dialog_shows_a_120_character_reason_without_cutting(qtbot, fixed_day):
    dialog = FollowUpDialog(None, "Beatriz Fernández-Oyelaran")
    qtbot.addWidget(dialog)
    reason = (LONG_REASON + " and two cards")[:120]
    assert len(reason) == 120
    dialog.reason.setPlainText(reason)
    dialog.show()
    qtbot.waitExposed(dialog)
    edit = dialog.reason
    qtbot.waitUntil(lambda: edit.document().firstBlock().layout().lineCount() > 0)  # laid out
    qtbot.waitUntil(lambda: not edit.horizontalScrollBar().isVisible())  # wrapped at the field's width
    layout = edit.document().firstBlock().layout()
    lines = layout.lineCount()
    assert 1 <= lines <= FollowUpDialog.REASON_LINES
    assert lines * edit.fontMetrics().lineSpacing() <= edit.viewport().height()
    assert not edit.verticalScrollBar().isVisible()
    # every line fits the field's width, by the font's own measure
    text = layout.lineAt(0).textLength()
    assert text > 0 and all(layout.lineAt(i).naturalTextWidth() <= edit.viewport().width() for i in range(lines))
    assert dialog.value() == (DAY + timedelta(days=7), reason)


def test_a_reason_typed_on_several_lines_is_kept_as_one(qtbot, fixed_day):
    dialog = FollowUpDialog(None, "Rita")
    qtbot.addWidget(dialog)
    dialog.reason.setPlainText("Call about\nthe  order")
    assert dialog.value()[1] == "Call about the order"


def test_rescheduling_asks_only_for_the_day(qtbot, fixed_day):
    dialog = FollowUpDialog(None, "3 contacts", with_reason=False)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.reason.isVisible() and dialog.due.isVisible()
