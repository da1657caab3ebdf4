"""The purchase outlook in the window: the contact panel's words and order strip, the Dashboard's outlook box and
the backtest dialog, each worked out on a worker and checked against the core's own figures."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QSettings

from tracker.core.outlook.backtest import backtest
from tracker.core.outlook.forecast import forecast
from tracker.ui.backtest_dialog import BacktestDialog
from tracker.ui.main_window import MainWindow

TODAY = date.today()


def days_ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


@pytest.fixture
def shop(store, log):
    """40 customers with seeded rhythms over the last year, plus Rita (every 20 days, last 10 days ago) and a
    lead who never bought."""
    rng = random.Random(3)
    for n in range(40):
        customer = store.contacts.add(first_name=f"Customer{n}", email=f"c{n}@example.com")
        day, gap = rng.randrange(60, 400), rng.randrange(10, 90)
        while day > 0:
            log(customer, "purchase", days_ago(day), amount=round(rng.uniform(10, 60), 2))
            day -= gap
    rita = store.contacts.add(first_name="Rita", last_name="Regular", email="rita@example.com")
    for k in range(6):
        log(rita, "purchase", days_ago(10 + 20 * k), amount=30)
    store.contacts.add(first_name="Lee", last_name="Lead", email="lee@example.com")
    return store


@pytest.fixture
def window(qtbot, shop, tmp_path):
    made = MainWindow(shop, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(made)
    made.show()
    qtbot.waitUntil(lambda: made.contacts_tab.model.total() == 42)
    return made


def select_contact(qtbot, window, name: str):
    tab = window.contacts_tab
    row = next(r for r in range(tab.model.rowCount()) if tab.model.index(r, 0).data() == name)
    tab.table.selectRow(row)
    return tab.panel


def test_contact_panel_says_the_outlook_and_draws_the_orders(qtbot, window, shop):
    panel = select_contact(qtbot, window, "Rita Regular")
    qtbot.waitUntil(lambda: "chance of an order" in panel.outlook_text.text(), timeout=10000)
    text = panel.outlook_text.text()
    assert text.startswith("Usually orders every 20 days; last order 10 days ago (0.5×).")
    expected = forecast(shop, TODAY).get(shop.contacts.require("rita@example.com").id)
    assert f"{100 * expected.p_purchase:.0f} % chance of an order in the next 90 days" in text
    strip = panel.order_timeline
    assert len(strip.orders) == 6 and strip.today == TODAY
    assert strip.next_order == expected.expected_next_purchase  # within the 90 days: shown as a hollow dot


def test_contact_panel_for_someone_who_never_bought(qtbot, window):
    panel = select_contact(qtbot, window, "Lee Lead")
    qtbot.waitUntil(lambda: panel.outlook_text.text().startswith("No purchases yet"), timeout=10000)
    assert panel.order_timeline.orders == []


def test_dashboard_shows_expected_orders_and_customers_at_risk(qtbot, window, shop):
    window.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: window.dashboard_tab.widget is not None, timeout=10000)
    box = window.dashboard_tab.widget.outlook
    qtbot.waitUntil(lambda: box.numbers[0][0].text() not in ("…", ""), timeout=10000)
    outlook = forecast(shop, TODAY)
    assert box.numbers[0][0].text() == f"{outlook.expected_orders:,.0f}"
    assert box.numbers[1][0].text() == f"{outlook.expected_revenue:,.0f}"
    at_risk = outlook.at_risk(shop.settings().winback_percent / 100)
    assert box.numbers[2][0].text() == f"{len(at_risk):,}"
    if at_risk:
        assert at_risk[0].name in box.at_risk.text()
    assert box.model.text().startswith("An early estimate")  # 41 buyers: fewer than 200


def test_dashboard_button_opens_the_backtest(qtbot, shop, tmp_path, monkeypatch):
    opened: list[bool] = []
    monkeypatch.setattr(MainWindow, "show_backtest", lambda self: opened.append(True))  # exec() would block
    window = MainWindow(shop, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: window.dashboard_tab.widget is not None, timeout=10000)
    box = window.dashboard_tab.widget.outlook
    qtbot.waitUntil(lambda: box.backtest_button.isEnabled() and box.model.text() != "", timeout=10000)
    box.backtest_button.click()
    assert opened == [True]


def test_backtest_dialog_shows_the_core_backtest(qtbot, shop):
    dialog = BacktestDialog(shop, today=TODAY)
    qtbot.addWidget(dialog)
    # the result arrives, then (a separate queued signal) the job's end gives the button back
    qtbot.waitUntil(lambda: dialog.outcome is not None and dialog.run_button.isEnabled(), timeout=10000)
    expected = backtest(shop, TODAY - timedelta(days=90), 90, today=TODAY)
    assert dialog.summary.text().splitlines() == expected.sentences()
    assert dialog.model.rowCount() == len(expected.by_past_orders)
    assert dialog.model.index(0, 1).data() == f"{expected.by_past_orders[0].customers:,}"
    assert len(dialog.canvas.figure.axes) == 2
    assert dialog.progress.isHidden()


def test_backtest_dialog_explains_too_little_data(qtbot, store, log):
    anna = store.contacts.add(first_name="Anna", email="anna@example.com")
    log(anna, "purchase", days_ago(200), amount=10)
    dialog = BacktestDialog(store, today=TODAY)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.summary.text().startswith("Too few customers"), timeout=10000)
    assert dialog.model.rowCount() == 0 and dialog.outcome is None
