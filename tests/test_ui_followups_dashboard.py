"""The Dashboard and Follow-ups tabs and the settings dialog, driven as a user would."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from tracker.core.followups import Priority, follow_up_order
from tracker.core.levels import Level
from tracker.ui.main_window import FOLLOW_UPS_TAB, MainWindow

TODAY = date.today()


@pytest.fixture
def window(qtbot, store, tmp_path, log):
    drifting = store.contacts.add(first_name="Drifting", email="drift@example.com")
    log(drifting, "purchase", (TODAY - timedelta(days=120)).isoformat())
    promised = store.contacts.add(first_name="Promised", email="promised@example.com", phone="+44 7700 900123")
    store.follow_ups.schedule(promised.id, TODAY - timedelta(days=2), "Send the quote")
    store.contacts.add(first_name="Quiet", email="quiet@example.com")
    made = MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(made)
    made.show()
    qtbot.waitUntil(lambda: made.contacts_tab.model.total() == 3)
    qtbot.waitUntil(lambda: made.followups_tab.model.rowCount() == 2)
    errors: list[str] = []
    made.undo.report = errors.append
    made.errors = errors
    return made


def rows_by_name(tab):
    return {tab.model.item_at(r).contact.name: tab.model.item_at(r) for r in range(tab.model.rowCount())}


def select(tab, name):
    row = next(r for r in range(tab.model.rowCount()) if tab.model.item_at(r).contact.name == name)
    tab.table.selectRow(row)


def test_followups_are_grouped_and_counted_on_the_tab(window):
    entries = rows_by_name(window.followups_tab)
    assert entries["Promised"].priority is Priority.OVERDUE and entries["Drifting"].priority is Priority.WIN_BACK
    assert window.followups_tab.model.index(0, 0).data() == "Overdue"
    assert window.tabs.tabText(FOLLOW_UPS_TAB) == "Follow-ups (2)"


def test_done_logs_a_call_clears_the_entry_and_undo_restores_it(qtbot, window, store):
    tab = window.followups_tab
    select(tab, "Promised")
    tab.mark_done()
    promised = store.contacts.require("promised@example.com")
    assert [i.kind for i in store.interactions.list(contact_id=promised.id)] == ["call"]
    qtbot.waitUntil(lambda: "Promised" not in rows_by_name(tab))
    assert window.tabs.tabText(FOLLOW_UPS_TAB) == "Follow-ups (1)"
    window.undo_action.trigger()
    assert store.interactions.list(contact_id=promised.id) == []
    qtbot.waitUntil(lambda: "Promised" in rows_by_name(tab))


def test_snoozing_a_suggestion_for_a_week_hides_it_until_then(qtbot, window, store):
    tab = window.followups_tab
    select(tab, "Drifting")
    tab.snooze(7)
    qtbot.waitUntil(
        lambda: "Drifting" not in rows_by_name(tab) or rows_by_name(tab)["Drifting"].priority is Priority.THIS_WEEK
    )
    drifting = store.contacts.require("drift@example.com")
    (follow_up,) = store.follow_ups.for_contact(drifting.id)
    assert follow_up.due == (TODAY + timedelta(days=7)).isoformat() and "drifting away" in follow_up.reason


def test_copy_emails_and_export_csv_and_vcard(window, tmp_path, monkeypatch):
    tab = window.followups_tab
    tab.copy_emails()
    assert QGuiApplication.clipboard().text() == "promised@example.com, drift@example.com"
    targets = iter([str(tmp_path / "list.csv"), str(tmp_path / "list.vcf")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (next(targets), "")))
    tab.export_csv()
    tab.export_vcard()
    csv_text = (tmp_path / "list.csv").read_bytes().decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "name,email,phone,reason,action,due,priority,level"
    assert "Send the quote" in csv_text
    assert (tmp_path / "list.vcf").read_bytes().count(b"BEGIN:VCARD") == 2


def test_open_contact_jumps_to_the_contacts_tab(window):
    tab = window.followups_tab
    select(tab, "Drifting")
    tab._open_selected()
    assert window.tabs.currentIndex() == 1
    assert window.contacts_tab.panel.title.text() == "Drifting"


def test_dashboard_is_not_built_before_the_window_shows(qtbot, store, tmp_path):
    store.contacts.add(first_name="Anna", email="anna@example.com")  # not empty: the tabs show, not the welcome
    made = MainWindow(store, QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(made)
    assert made.dashboard_tab.widget is None
    made.show()
    qtbot.waitUntil(lambda: made.dashboard_tab.widget is not None)
    made.close()


def test_dashboard_refreshes_after_an_edit(qtbot, window, store, log):
    window.show_tab(0)
    qtbot.waitUntil(lambda: window.dashboard_tab.widget is not None and window.dashboard_tab.widget.data is not None)
    dashboard = window.dashboard_tab.widget
    assert dashboard.data.funnel[Level.CONVERSION] == 1
    assert dashboard.numbers[0][0].text() == "3"
    quiet = store.contacts.require("quiet@example.com")
    window.undo.run(
        "log",
        lambda: log(quiet, "purchase", TODAY.isoformat()) and None,
        lambda: store.interactions.delete([i.id for i in store.interactions.list(contact_id=quiet.id)]),
    )
    qtbot.waitUntil(lambda: dashboard.data.funnel[Level.CONVERSION] == 2)


def test_dashboard_exports_a_pdf_report(qtbot, window, tmp_path, monkeypatch):
    window.show_tab(0)
    dashboard = lambda: window.dashboard_tab.widget  # noqa: E731
    qtbot.waitUntil(lambda: dashboard() is not None and dashboard().data is not None)
    qtbot.waitUntil(lambda: dashboard().data.follow_ups_counted)  # the report waits for the follow-up list
    target = tmp_path / "report.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    window.export_report()
    assert target.read_bytes().startswith(b"%PDF")


def test_settings_change_reclassifies_everywhere(qtbot, window, store, monkeypatch):
    from tracker.ui.settings_dialog import SettingsDialog

    def change(dialog_store, parent=None):
        dialog = SettingsDialog(dialog_store, parent)
        dialog.spins["drifting_days"].setValue(200)  # 120 days without contact is no longer drifting
        dialog.new_name.setText("tasting")
        dialog.new_level.setCurrentText("Conversion")
        dialog._add_kind()
        dialog.save()
        return dialog.outcome

    monkeypatch.setattr(SettingsDialog, "edit", staticmethod(change))
    window.edit_settings()
    assert store.settings().drifting_days == 200
    assert store.kind("tasting").stage is Level.CONVERSION
    qtbot.waitUntil(lambda: "Drifting" not in rows_by_name(window.followups_tab))


def test_settings_dialog_reports_a_bad_value_and_writes_nothing(qtbot, store):
    from tracker.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.kinds.rows.append(("bad name!", Level.INTEREST))
    dialog.spins["window_days"].setValue(30)
    dialog.save()
    assert "cannot be a kind name" in dialog.error.text()
    assert store.settings().window_days == 365  # the whole save rolled back


def test_the_tab_shows_the_list_in_its_order_counts_headings_and_keeps_the_selection(window):
    """The window's list comes in follow_up_order and is shown as it comes (not sorted again on the GUI thread);
    the summary counts each heading in the list's order of headings, the tab's title what needs doing today (all but
    'This week'), and rows selected before a new list stay selected."""
    tab = window.followups_tab
    promised, drifting = rows_by_name(tab)["Promised"], rows_by_name(tab)["Drifting"]
    mixed = [
        replace(promised if i % 2 else drifting, priority=priority, value=float(i))
        for i, priority in enumerate([*Priority, Priority.DETRACTOR, Priority.THIS_WEEK, Priority.OVERDUE])
    ]
    items = sorted(mixed, key=follow_up_order)
    select(tab, "Drifting")
    tab._loaded(items)
    assert tab.model.items() == items
    headings: dict[str, int] = {}
    for item in items:
        headings[item.priority.group] = headings.get(item.priority.group, 0) + 1
    assert list(headings) == ["Overdue", "Due today", "This week", "Suggested"]
    assert tab.summary.text() == " · ".join(f"{n} {name.lower()}" for name, n in headings.items())
    assert tab.summary.text() == "2 overdue · 1 due today · 2 this week · 6 suggested"
    assert window.tabs.tabText(FOLLOW_UPS_TAB) == "Follow-ups (9)"
    assert {item.contact.name for item in tab.selected()} == {"Drifting"}
