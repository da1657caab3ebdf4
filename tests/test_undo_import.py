"""Undoing an import says what else it would remove (work done by hand since, edits made since) before it removes
anything, counts everything it removed, and restores only what the import itself changed."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.core.errors import InvalidInput
from tracker.core.importing import import_contacts, import_interactions
from tracker.core.store import Store
from tracker.core.store.migrations import migrate

PEOPLE = "Name,Email,Company\nAnna Berg,anna@example.com,\nBob Lund,bob@example.com,\nCleo Dahl,cleo@example.com,\n"
DAY = datetime(2026, 11, 2, 10, 0)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def everything(store: Store) -> tuple[int, int, int]:
    """(contacts, interactions, follow-ups) in the database."""
    follow_ups = store.conn.execute("SELECT count(*) FROM follow_ups").fetchone()[0]
    return store.contacts.count(), store.interactions.count(), follow_ups


@pytest.fixture
def imported(store, tmp_path):
    """Three contacts from one import; returns its batch id."""
    return import_contacts(store, write(tmp_path, "people.csv", PEOPLE)).batch_id


# Core: the preview -----------------------------------------------------------------------------------------


def test_preview_of_an_untouched_import_has_no_later_work(store, imported):
    preview = store.imports.undo_preview(imported)
    assert (preview.contacts_removed, preview.interactions_removed, preview.follow_ups_removed) == (3, 0, 0)
    assert not preview.later_work
    result, _ = store.imports.undo(imported)
    assert result["contacts_removed"] == 3 and everything(store) == (0, 0, 0)


def test_preview_names_work_done_by_hand_since_the_import(store, imported):
    anna = store.contacts.require("anna@example.com")
    bob = store.contacts.require("bob@example.com")
    store.interactions.log(anna.id, "purchase", DAY, amount=35)
    store.follow_ups.schedule(anna.id, date(2026, 12, 1), "Send the quote")
    store.contacts.update(bob.id, notes="Prefers phone calls")  # in the same second as the import

    preview = store.imports.undo_preview(imported)
    assert preview.contacts_removed == 3
    assert (preview.interactions_by_hand, preview.follow_ups_removed, preview.contacts_edited) == (1, 1, 1)
    assert preview.interactions_removed == 1 and preview.later_work
    assert preview.warning() == (
        f"Undoing import {imported} would also remove 1 interaction and 1 follow-up added "
        "by hand, and 1 contact edited since"
    )


def test_undo_refuses_to_remove_later_work_unless_told_and_changes_nothing(store, imported):
    anna = store.contacts.require("anna@example.com")
    store.interactions.log(anna.id, "purchase", DAY, amount=35)
    with pytest.raises(InvalidInput, match="would also remove 1 interaction added by hand"):
        store.imports.undo(imported)
    assert everything(store) == (3, 1, 0)
    assert store.imports.get(imported).undone_at is None


def test_undo_counts_everything_it_removed_including_cascaded_rows(store, imported, tmp_path):
    anna = store.contacts.require("anna@example.com")
    store.interactions.log(anna.id, "purchase", DAY, amount=35)
    store.interactions.log(anna.id, "call", DAY)
    store.follow_ups.schedule(anna.id, date(2026, 12, 1))
    store.contacts.update(store.contacts.require("cleo@example.com").id, notes="Met at the fair")
    preview = store.imports.undo_preview(imported)

    result, changes = store.imports.undo(imported, accept=preview)
    assert result["contacts_removed"] == 3
    assert result["interactions_removed"] == 2 and result["interactions_by_hand"] == 2
    assert result["follow_ups_removed"] == 1 and result["contacts_edited"] == 1
    assert everything(store) == (0, 0, 0)
    assert changes.contacts and changes.interactions and changes.follow_ups


def test_undo_with_an_accepted_preview_refuses_when_more_was_done_meanwhile(store, imported):
    anna = store.contacts.require("anna@example.com")
    store.interactions.log(anna.id, "purchase", DAY, amount=35)
    preview = store.imports.undo_preview(imported)
    store.follow_ups.schedule(anna.id, date(2026, 12, 1))  # after the user was asked
    with pytest.raises(InvalidInput, match="1 follow-up"):
        store.imports.undo(imported, accept=preview)
    assert everything(store) == (3, 1, 1)
    result, _ = store.imports.undo(imported, force=True)
    assert (result["interactions_removed"], result["follow_ups_removed"]) == (1, 1)


def test_interactions_of_a_later_import_on_its_contacts_are_named(store, imported, tmp_path):
    log = write(
        tmp_path, "log.csv", "email,date,type\nanna@example.com,2026-10-01,purchase\nbob@example.com,2026-10-02,call\n"
    )
    import_interactions(store, log)
    preview = store.imports.undo_preview(imported)
    assert (preview.interactions_from_later_imports, preview.interactions_by_hand) == (2, 0)
    assert "2 interactions from later imports" in preview.warning()


def test_interactions_the_batch_imported_onto_existing_contacts_are_its_own(store, add_contact, fixtures):
    hiroshi = add_contact("hiroshi@satoramen.example")
    store.interactions.log(hiroshi.id, "call", DAY)  # before the import: stays, and is no later work
    report = import_interactions(store, fixtures / "activity_log_sample.csv")
    preview = store.imports.undo_preview(report.batch_id)
    assert not preview.later_work
    result, _ = store.imports.undo(report.batch_id)
    assert result["interactions_removed"] == 5 and store.interactions.count() == 1


# Core: contacts the import merged into -------------------------------------------------------------------


def test_undo_restores_only_the_fields_the_import_changed(store, tmp_path):
    anna = store.contacts.add(first_name="Anna", email="anna@example.com")
    report = import_contacts(store, write(tmp_path, "p.csv", "Name,Email,Company\nAnna,anna@example.com,Berg AB\n"))
    assert store.contacts.get(anna.id).company == "Berg AB"
    store.contacts.update(anna.id, notes="Call after lunch")  # a field the import did not touch

    preview = store.imports.undo_preview(report.batch_id)
    assert (preview.contacts_restored, preview.contacts_overwritten) == (1, 0) and not preview.later_work
    store.imports.undo(report.batch_id)
    after = store.contacts.get(anna.id)
    assert (after.company, after.notes) == ("", "Call after lunch")


def test_a_field_the_import_changed_and_someone_edited_again_is_named(store, tmp_path):
    anna = store.contacts.add(first_name="Anna", email="anna@example.com")
    report = import_contacts(store, write(tmp_path, "p.csv", "Name,Email,Company\nAnna,anna@example.com,Berg AB\n"))
    store.contacts.update(anna.id, company="Berg & Dahl AB")

    preview = store.imports.undo_preview(report.batch_id)
    assert preview.contacts_overwritten == 1 and preview.later_work
    assert preview.warning() == (
        f"Undoing import {report.batch_id} would also overwrite later edits of 1 contact it had updated"
    )
    with pytest.raises(InvalidInput):
        store.imports.undo(report.batch_id)
    assert store.contacts.get(anna.id).company == "Berg & Dahl AB"
    result, _ = store.imports.undo(report.batch_id, force=True)
    assert result["contacts_overwritten"] == 1 and store.contacts.get(anna.id).company == ""


def test_a_database_from_before_edit_tracking_still_names_edited_contacts(tmp_path):
    """Schema 2 kept no edit marks: a contact whose updated_at differs from created_at counts as edited."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=2)
    conn.execute(
        "INSERT INTO imports (id, kind, source, started_at) VALUES (1, 'contacts', 'p.csv', '2026-11-01T09:00:00')"
    )
    conn.executemany(
        "INSERT INTO contacts (email, import_id, created_at, updated_at) VALUES (?, 1, '2026-11-01T09:00:00', ?)",
        [("a@example.com", "2026-11-01T09:00:00"), ("b@example.com", "2026-11-05T12:00:00")],
    )
    conn.close()
    with Store.open(path) as store:
        preview = store.imports.undo_preview(1)
        assert (preview.contacts_removed, preview.contacts_edited) == (2, 1)


# CLI -----------------------------------------------------------------------------------------------------


def run(capsys, db_path: Path, *args: object) -> tuple[int, str, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), *(str(a) for a in args)])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_cli_undo_import_asks_for_yes_when_hand_work_would_go(capsys, db_path, tmp_path):
    """The issue's case: a purchase logged by hand and a note edited on imported contacts."""
    people = write(tmp_path, "people.csv", PEOPLE)
    code, out, _ = run(capsys, db_path, "import", "contacts", people, "--json")
    batch = json.loads(out)["batch_id"]
    assert run(capsys, db_path, "log", "anna@example.com", "purchase", "--amount", "35", "--at", "2026-11-02")[0] == 0
    assert run(capsys, db_path, "followup", "anna@example.com", "--due", "2026-12-01")[0] == 0
    assert run(capsys, db_path, "edit", "bob@example.com", "--notes", "Prefers phone calls")[0] == 0

    code, out, err = run(capsys, db_path, "undo-import", batch)
    assert (code, out) == (2, "")
    assert err == (
        f"tracker: Undoing import {batch} would also remove 1 interaction and 1 follow-up added by hand, "
        "and 1 contact edited since; run again with --yes to go ahead.\n"
    )
    with Store.open(db_path) as store:
        assert everything(store) == (3, 1, 1) and store.imports.get(batch).undone_at is None

    code, out, err = run(capsys, db_path, "undo-import", batch, "--yes", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert (result["contacts_removed"], result["interactions_removed"], result["follow_ups_removed"]) == (3, 1, 1)
    assert (result["interactions_by_hand"], result["contacts_edited"]) == (1, 1)
    with Store.open(db_path) as store:
        assert everything(store) == (0, 0, 0)


def test_cli_undo_import_reports_every_count_in_text(capsys, db_path, tmp_path):
    people = write(tmp_path, "people.csv", PEOPLE)
    batch = json.loads(run(capsys, db_path, "import", "contacts", people, "--json")[1])["batch_id"]
    run(capsys, db_path, "log", "anna@example.com", "purchase", "--amount", "35", "--at", "2026-11-02")
    code, out, err = run(capsys, db_path, "undo-import", batch, "--yes")
    assert code == 0, err
    assert out == (
        f"Undid import {batch}: removed 3 contacts, 1 interaction and 0 follow-ups, restored 0 contacts "
        "(this included work done since: 1 interaction added by hand).\n"
    )
