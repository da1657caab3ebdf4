"""The window on a team database (issue 18): it opens on a postgresql:// address, loads its lists on workers
with connections of their own, saves through the same operations, and shows what another client (a CLI process
of a colleague) commits by itself, without F5 — the server's notification moves its data version."""

from __future__ import annotations

from datetime import datetime

import pytest
from cli_helpers import as_user, process
from PySide6.QtCore import Qt
from window_helpers import open_window

from tracker.core.store import Store
from tracker.ui import main_window as main_window_module
from tracker.ui.dialogs import ContactDialog


@pytest.fixture
def window(qtbot, team_url, tmp_path, monkeypatch):
    monkeypatch.setattr(main_window_module, "WATCH_INTERVAL_MS", 50)
    with Store.open(team_url) as store:
        store.contacts.add(first_name="Anna", email="anna@example.com")
    with open_window(qtbot, team_url, tmp_path, monkeypatch, contacts=1) as made:
        yield made


def test_another_clients_change_shows_in_the_window_by_itself(qtbot, window, team_url, monkeypatch):
    done = process(team_url, "add", "--email", "ben@example.com", "--first-name", "Ben")
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: window.contacts_tab.model.total() == 2, timeout=30_000)
    monkeypatch.setattr(
        ContactDialog, "ask", classmethod(lambda cls, parent, contact=None: {"first_name": "Cleo", "email": "c@x.io"})
    )
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # and it saves its own
    qtbot.waitUntil(lambda: window.contacts_tab.model.total() == 3, timeout=30_000)
    with Store.open(team_url) as other:
        assert set(other.contacts.ids_by_email()) == {"anna@example.com", "ben@example.com", "c@x.io"}
    assert window.errors == []


def test_file_menu_connects_to_a_team_database_and_names_it(qtbot, tmp_path, team_url, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    with open_window(qtbot, tmp_path / "mine.db", tmp_path, monkeypatch) as made:
        answers = iter([("not an address", True), (team_url, True)])
        monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *args, **kwargs: next(answers)))
        made.connect_team()
        assert made.errors and "postgresql://" in made.errors[0] and made.store.url is None  # refused in one sentence
        made.connect_team()
        assert made.store.url == team_url
        assert made.windowTitle().startswith("The team database")
        qtbot.waitUntil(lambda: "team database" in made.status.text())
        assert made.recent_paths()[0] == team_url and made.settings.value("database/last") == team_url


def test_the_timeline_and_the_import_history_say_who(qtbot, tmp_path, team_url, pg_cluster):
    from tracker.core.importing import import_contacts
    from tracker.ui.import_history import ImportHistoryDialog, ImportsModel
    from tracker.ui.interactions_model import TIMELINE_COLUMNS, InteractionsModel

    member = f"clerk_{tmp_path.name[-8:].replace('-', '_')}"
    pg_cluster.admin(f"CREATE ROLE {member} LOGIN SUPERUSER")
    source = tmp_path / "c.csv"
    source.write_text("Email,First Name\nanna@example.com,Anna\n", encoding="utf-8")
    with Store.open(as_user(team_url, member)) as as_member:
        import_contacts(as_member, source)
        anna = as_member.contacts.require("anna@example.com")
        as_member.interactions.log(anna.id, "call", datetime(2026, 11, 20, 10, 0), note="Asked about roses")
    with Store.open(team_url) as store:
        model = InteractionsModel(TIMELINE_COLUMNS)
        model.set_items(store.interactions.list(contact_id=anna.id))
        assert model.data(model.index(0, TIMELINE_COLUMNS.index("About"))) == f"Asked about roses · by {member}"
        dialog = ImportHistoryDialog(store)
        qtbot.addWidget(dialog)
        by = ImportsModel.columns.index("By")
        assert dialog.model.data(dialog.model.index(0, by)) == member and not dialog.table.isColumnHidden(by)
    with Store.open(tmp_path / "file.db") as on_file:
        dialog = ImportHistoryDialog(on_file)
        qtbot.addWidget(dialog)
        assert dialog.table.isColumnHidden(by)  # a file has one user: no column of empty cells
