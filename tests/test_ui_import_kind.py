"""The welcome page's import and a dropped file open the wizard as what the file holds (issue 15): an orders
export or an activity log as interactions — never as contacts named "#13519" — and a customers export as contacts."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog

from tracker.core.store import Store
from tracker.ui.import_wizard import ImportWizard
from tracker.ui.main_window import MainWindow

ORDERS = Path(__file__).parent / "fixtures" / "orders"


@pytest.fixture
def welcome(qtbot, tmp_path):
    with Store.open(tmp_path / "empty.db") as empty:
        made = MainWindow(empty, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(made)
        made.show()
        assert made.stack.currentWidget() is made.empty
        yield made
        made.close()


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("shopify_orders_statuses.csv", "interactions"),
        ("uci_online_retail.csv", "interactions"),
        ("hubspot_activities.csv", "interactions"),
        ("shopify_customers.csv", "contacts"),
    ],
)
def test_the_welcome_pages_import_opens_the_wizard_as_what_the_file_holds(welcome, monkeypatch, name, kind):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(ORDERS / name), ""))
    welcome.empty.import_button.click()
    wizard = welcome.findChild(ImportWizard)
    assert wizard is not None and wizard.kind == kind
    if kind == "interactions":  # the order number is the order, not a name
        mapping = wizard.columns_page._preset(wizard.table)
        assert "name" not in {mapping.get(i) for i, title in enumerate(wizard.table.header) if title == "Name"}
    wizard.close()


def test_a_dropped_hubspot_activity_export_leaves_the_owners_column_out(welcome):
    welcome.import_dropped(ORDERS / "hubspot_activities.csv")
    wizard = welcome.findChild(ImportWizard)
    assert wizard is not None and wizard.kind == "interactions"
    wizard.next()  # to the Columns page
    chosen = {title: wizard.columns_page.combo_for(title).currentData() for title in wizard.table.header}
    assert chosen["Activity Owner"] == "ignore" and chosen["Associated Contact Email"] == "email"
    assert chosen["Activity Date"] == "date" and chosen["Activity Type"] == "kind"
    assert chosen["Activity ID"] == "ignore"
    wizard.close()


def test_a_dropped_cash_on_delivery_export_imports_as_orders(qtbot, welcome):
    welcome.store.set_phone_region("IN")
    welcome.import_dropped(ORDERS / "shopify_orders_cod_phones.csv")
    wizard = welcome.findChild(ImportWizard)
    assert wizard is not None and wizard.kind == "interactions"
    report = wizard.work(dry_run=True)(welcome.store)
    assert (report.created, report.skipped, report.rejected) == (3, {"pending order": 1}, 1)
    wizard.close()


def test_cancelling_the_file_choice_opens_nothing(welcome, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: ("", ""))
    welcome.empty.import_button.click()
    assert welcome.findChild(ImportWizard) is None
