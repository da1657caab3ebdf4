"""One search behind both front ends (issue 14): `tracker contacts --search … --json` and the window's search box
find the same contacts, by words in any field, notes and interaction notes, and by phone digits however typed."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from PySide6.QtCore import QSettings

from tracker.cli import main
from tracker.core.search import interaction_notes, parse
from tracker.core.store import Store
from tracker.core.store.connection import connect
from tracker.core.store.migrations import latest_version, migrate, schema_version
from tracker.ui.main_window import MainWindow

AS_OF = "2026-11-23"

# query → the e-mails of the contacts it finds
EXPECTED = {
    "anna bakery": {"anna@example.com"},  # two words, two fields (name and company)
    "bakery anna": {"anna@example.com"},
    "Berg, Anna": {"anna@example.com"},  # a comma after a word is left out
    "ANNA": {"anna@example.com", "anna.smith@example.com"},  # case
    "ann": {"anna@example.com", "anna.smith@example.com"},  # the start of a word: not Joanne
    "bakery": {"anna@example.com"},  # the start of a word: not Bergbakery
    "bergbakery": {"zoe@example.com"},
    "7700900004": {"anna@example.com"},  # phone digits, however they are typed
    "7700 900004": {"anna@example.com"},
    "+44 7700 900004": {"anna@example.com"},
    "07700 900004": {"anna@example.com"},
    "+447700900004": {"anna@example.com"},
    "900004": {"anna@example.com"},
    "+44 7700 900123": {"zoe@example.com"},  # stored nationally as 07700 900123
    "sourdough": {"anna@example.com"},  # the contact's notes
    "gluten": {"li@example.com"},  # an interaction's note
    "gluten cake": {"li@example.com"},  # …the same note, both words
    "wholesale": {"anna@example.com"},  # a tag
    "vip anna": {"anna@example.com"},
    "zoe": {"zoe@example.com"},  # accents folded: Zoë, Müller, Großhandel
    "MÜLLER": {"zoe@example.com"},
    "muller": {"zoe@example.com"},
    "grosshandel": {"zoe@example.com"},
    "okafor.4": {"marta.okafor.42@example.com"},  # punctuation as typed
    "anna nothing": set(),
    "qqqq": set(),
    "": {
        "anna@example.com",
        "anna.smith@example.com",
        "zoe@example.com",
        "marta.okafor.42@example.com",
        "li@example.com",
    },
}


@pytest.fixture
def shop(store):
    contacts = store.contacts
    anna = contacts.add(
        first_name="Anna",
        last_name="Berg",
        email="anna@example.com",
        phone="+44 7700 900004",
        company="Berg Bakery",
        tags="vip, wholesale",
        notes="Prefers sourdough",
    )
    contacts.add(first_name="Anna", last_name="Smith", email="anna.smith@example.com", company="Smith Flowers")
    contacts.add(
        first_name="Zoë",
        last_name="Müller",
        email="zoe@example.com",
        phone="07700 900123",
        company="Bergbakery",
        tags="Großhandel",
    )
    contacts.add(first_name="Joanne", last_name="Okafor", email="marta.okafor.42@example.com")
    li = contacts.add(first_name="Li", last_name="Wei", email="li@example.com")
    store.interactions.log(li.id, "call", datetime(2026, 11, 2, 10), note="Asked about a gluten-free cake")
    store.interactions.log(anna.id, "purchase", datetime(2026, 11, 3, 10), amount=12)
    return store


def cli_search(capsys, db_path, query: str) -> set[str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), "contacts", "--search", query, "--as-of", AS_OF, "--json"])
    out, err = capsys.readouterr()
    assert exit_info.value.code == 0, err
    return {row["email"] for row in json.loads(out)["contacts"]}


@pytest.fixture
def contacts_tab(qtbot, shop, tmp_path):
    window = MainWindow(shop, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    tab = window.contacts_tab
    qtbot.waitUntil(lambda: tab.model.total() == 5)
    yield tab
    window.close()


def type_search(qtbot, tab, query: str) -> set[str]:
    tab.search.clear()
    if query.isascii():
        qtbot.keyClicks(tab.search, query)
    else:  # QTest cannot type non-ASCII keys
        tab.search.setText(query)
    assert tab.search.text() == query
    return {row.contact.email for row in tab.model.visible_rows()}


def test_the_command_line_and_the_search_box_find_the_same_contacts(capsys, qtbot, db_path, shop, contacts_tab):
    from_cli = {query: cli_search(capsys, db_path, query) for query in EXPECTED}
    from_window = {query: type_search(qtbot, contacts_tab, query) for query in EXPECTED}
    assert from_cli == EXPECTED
    assert from_window == EXPECTED


def test_the_count_label_says_how_many_the_search_shows(qtbot, contacts_tab):
    type_search(qtbot, contacts_tab, "anna bakery")
    assert contacts_tab.count.text() == "1 of 5 contacts"
    type_search(qtbot, contacts_tab, "")
    assert contacts_tab.count.text() == "5 contacts"


def test_a_note_logged_in_the_window_is_found_after_the_contact_is_refreshed(qtbot, shop, contacts_tab):
    anna = shop.contacts.by_email("anna.smith@example.com")
    assert type_search(qtbot, contacts_tab, "birthday") == set()
    shop.interactions.log(anna.id, "call", datetime(2026, 11, 4, 10), note="Birthday order in May")
    contacts_tab.refresh_contacts([anna.id])
    assert type_search(qtbot, contacts_tab, "birthday") == {"anna.smith@example.com"}


def test_a_query_of_only_spaces_or_marks_finds_everybody_and_a_long_one_nothing(shop):
    assert not parse("   ") and not parse("")
    rows = shop.engagement.contact_rows(datetime(2026, 11, 23).date(), shop.settings(), search="x" * 100_000)
    assert rows == []


def test_a_database_from_before_the_notes_index_is_upgraded_and_its_notes_are_found(tmp_path):
    path = tmp_path / "v3.db"
    old = connect(path)
    migrate(old, target=3)
    old.execute(
        "INSERT INTO contacts (id, first_name, email, created_at, updated_at) "
        "VALUES (7, 'Olga', 'olga@example.com', 'x', 'x')"
    )
    old.execute(
        "INSERT INTO interactions (contact_id, kind_id, occurred_at, note, created_at) "
        "SELECT 7, id, '2026-11-01T10:00:00', 'Wants the rye loaf', 'x' FROM kinds WHERE name = 'call'"
    )
    old.close()
    with Store.open(path) as upgraded:
        assert schema_version(upgraded.conn) == latest_version()
        rows = upgraded.engagement.contact_rows(datetime(2026, 11, 23).date(), upgraded.settings(), search="rye")
        assert [row.contact.email for row in rows] == ["olga@example.com"]
        assert interaction_notes(upgraded) == {7: "Wants the rye loaf"}
        # the notes are read from the new index, not by scanning every interaction
        plan = " ".join(
            str(step)
            for step in upgraded.conn.execute(
                "EXPLAIN QUERY PLAN SELECT contact_id, group_concat(note, ' ') FROM interactions "
                "WHERE note <> '' GROUP BY contact_id"
            )
        )
        assert "interactions_notes" in plan
