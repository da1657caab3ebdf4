"""One follow-up list per state of the data: the Follow-ups tab's week and the Dashboard's two weeks are views
of one `suggest_follow_ups` run (worked out twice they classified every contact twice)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QSettings

import tracker.ui.follow_up_work as follow_up_work
from tracker.core.dashboard import WORKLOAD_DAYS, count_due, follow_ups_due
from tracker.core.followups import due_by, suggest_follow_ups
from tracker.ui import clock
from tracker.ui.main_window import DASHBOARD_TAB, EVERYTHING, FOLLOW_UPS_TAB, MainWindow

AS_OF = date(2026, 3, 2)


@pytest.fixture
def shop(store, log):
    for n in range(3):
        drifting = store.contacts.add(first_name=f"Drift{n}", email=f"drift{n}@example.com")
        log(drifting, "purchase", (AS_OF - timedelta(days=120 + n)).isoformat())
    for days in (-3, 0, 2, 7, 8, 13, 20):  # overdue, today, this week, the week's last day, beyond it, the end
        promised = store.contacts.add(first_name=f"Promised{days}", email=f"p{days}@example.com")
        store.follow_ups.schedule(promised.id, AS_OF + timedelta(days=days), f"Call ({days})")
    snoozed = store.contacts.add(first_name="Snoozed", email="snoozed@example.com")
    follow_up = store.follow_ups.schedule(snoozed.id, AS_OF - timedelta(days=1), "Snoozed call")
    store.follow_ups.snooze([follow_up.id], AS_OF + timedelta(days=9))
    return store


@pytest.mark.parametrize("days", [0, 1, 7, 12, 13])
def test_the_longer_list_cut_at_a_day_is_the_list_made_up_to_that_day(shop, days):
    longer = suggest_follow_ups(shop, AS_OF, upcoming_days=WORKLOAD_DAYS - 1)
    assert due_by(longer, AS_OF + timedelta(days=days)) == suggest_follow_ups(shop, AS_OF, upcoming_days=days)


def test_the_dashboards_counts_are_the_shared_list_counted(shop):
    counted = count_due(suggest_follow_ups(shop, AS_OF, upcoming_days=WORKLOAD_DAYS - 1), AS_OF)
    assert counted == follow_ups_due(shop, AS_OF)
    # today: three to win back and one promised; then days 2, 7, 8, 9 (snoozed), 13; not the one in 20 days
    assert counted.overdue == 1 and counted.per_day[0] == 4 and sum(counted.per_day) == 9


def test_the_window_works_the_list_out_once_for_both_tabs(qtbot, shop, tmp_path, monkeypatch):
    clock.set_fixed(AS_OF)
    runs: list[date] = []

    def counted(store, as_of, upcoming_days):
        runs.append(as_of)
        return suggest_follow_ups(store, as_of, upcoming_days=upcoming_days)

    monkeypatch.setattr(follow_up_work, "suggest_follow_ups", counted)
    window = MainWindow(shop, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    try:
        window.show_tab(FOLLOW_UPS_TAB)
        tab = window.followups_tab
        qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=20_000)
        window.show_tab(DASHBOARD_TAB)
        dashboard = window.dashboard_tab.build()
        qtbot.waitUntil(lambda: dashboard.data is not None and dashboard.data.follow_ups_counted, timeout=20_000)
        assert runs == [AS_OF]  # one run served both tabs
        week = {s.contact.name for s in tab.model.items()}
        assert "Promised7" in week and "Promised8" not in week and "Snoozed" not in week  # the tab shows a week
        assert sum(dashboard.data.workload) + dashboard.data.overdue >= len(week) + 2  # the chart two weeks
        shop.contacts.add(first_name="New", email="new@example.com")  # a change: worked out once more, for both
        window.on_changes(EVERYTHING)
        qtbot.waitUntil(lambda: dashboard.data.headline.contacts == 12, timeout=20_000)
        qtbot.waitUntil(lambda: window.follow_ups.refresher._job is None and dashboard.due_job.shown is not None)
        qtbot.waitUntil(lambda: dashboard.due_job.shown == window.follow_ups.state, timeout=20_000)
        assert runs == [AS_OF, AS_OF]
    finally:
        clock.set_fixed(None)
