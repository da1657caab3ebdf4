"""Import, undo-import and restore as core operations (issue 14): what each returns (changes, ids, one sentence), and
the command line and the window reporting the same counts for the same undo."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.core.errors import InvalidInput, UndoWouldRemoveLaterWork
from tracker.core.models import Changes
from tracker.core.operations import imports as import_ops
from tracker.core.store import Store

EVERYTHING = Changes(contacts=True, interactions=True, follow_ups=True, kinds=True, settings=True)


def import_with_work_since(store: Store, fixtures: Path) -> int:
    """One contact typed in, google_contacts_sample.csv imported (4 contacts), then a purchase logged by hand on one
    of them: undoing the import takes that purchase too. Returns the batch id."""
    store.contacts.add(first_name="Own", email="own@example.com")
    batch_id = import_ops.import_file(store, fixtures / "google_contacts_sample.csv", "contacts").ids[0]
    marta = store.contacts.require("marta@nowakflorist.example")
    store.interactions.log(marta.id, "purchase", datetime(2026, 11, 2, 10, 0), amount=35)
    return batch_id


def test_import_file_says_what_it_changed_per_kind(store, fixtures):
    contacts = import_ops.import_file(store, fixtures / "google_contacts_sample.csv", "contacts")
    assert contacts.changes == Changes(contacts=True) and contacts.undo is None
    assert contacts.ids == (contacts.report.batch_id,) and contacts.report.created == 4
    assert contacts.summary == contacts.report.summary()
    assert contacts.summary.startswith("Imported 4 rows from ")

    interactions = import_ops.import_file(store, fixtures / "activity_log_sample.csv", "interactions")
    assert interactions.changes == Changes(contacts=True, interactions=True)
    assert interactions.ids == (interactions.report.batch_id,) != contacts.ids
    assert interactions.summary == interactions.report.summary()
    assert [b.id for b in store.imports.list()] == [*interactions.ids, *contacts.ids]


def test_a_dry_run_import_changes_nothing_and_names_no_batch(store, fixtures):
    result = import_ops.import_file(store, fixtures / "google_contacts_sample.csv", "contacts", dry_run=True)
    assert (result.changes, result.ids) == (Changes(), ())
    assert result.summary.startswith("Would import 4 rows") and store.contacts.count() == 0


def test_import_file_refuses_an_unknown_kind(store, fixtures):
    with pytest.raises(InvalidInput, match="contacts, interactions"):
        import_ops.import_file(store, fixtures / "google_contacts_sample.csv", "orders")
    assert store.imports.list() == []


def test_undo_import_refuses_later_work_unless_agreed_then_says_what_went(store, fixtures):
    batch_id = import_with_work_since(store, fixtures)
    preview = import_ops.undo_preview(store, batch_id)
    with pytest.raises(UndoWouldRemoveLaterWork) as refused:
        import_ops.undo_import(store, batch_id)
    assert str(refused.value) == f"{preview.warning()}; nothing was undone."
    assert (store.contacts.count(), store.interactions.count()) == (5, 1)

    result = import_ops.undo_import(store, batch_id, agreed=preview)
    assert result.changes == Changes(contacts=True, interactions=True, follow_ups=True) and result.undo is None
    assert result.ids == (batch_id,)
    assert result.counts == preview.to_dict()
    assert result.summary == (
        f"Undid import {batch_id}: removed 4 contacts, 1 interaction and 0 follow-ups, restored 0 contacts "
        "(this included work done since: 1 interaction added by hand)."
    )
    assert (store.contacts.count(), store.interactions.count()) == (1, 0)
    with pytest.raises(InvalidInput, match="already undone"):
        import_ops.undo_import(store, batch_id, force=True)


def test_undo_import_without_later_work_needs_no_agreement(store, fixtures):
    batch_id = import_ops.import_file(store, fixtures / "google_contacts_sample.csv", "contacts").ids[0]
    result = import_ops.undo_import(store, batch_id)
    assert result.summary == f"Undid import {batch_id}: removed 4 contacts, 0 interactions and 0 follow-ups, " + (
        "restored 0 contacts."
    )
    assert store.contacts.count() == 0


@pytest.mark.file_only  # a team database has no backup files beside it
def test_restore_says_how_many_contacts_and_which_backup_holds_the_state_before(store):
    store.contacts.add(first_name="Anna", email="anna@example.com")
    saved = store.safety_backup("manual")
    store.contacts.add(first_name="Bob", email="bob@example.com")

    result = import_ops.restore(store, saved.id)
    assert result.changes == EVERYTHING and result.ids == () and result.undo is None
    assert result.contacts == store.contacts.count() == 1
    assert result.before is not None and result.before.reason == "before restore" and result.before.contacts == 2
    assert (
        result.summary
        == f"Restored {saved.path.name}: 1 contacts. The state before was backed up as {result.before.id}."
    )

    taken_back = import_ops.restore(store, result.before.id)  # a restore is undone by restoring what it took first
    assert taken_back.contacts == 2


def test_restore_refuses_a_backup_that_does_not_exist(store):
    store.contacts.add(first_name="Anna", email="anna@example.com")
    with pytest.raises(InvalidInput, match="no backup"):
        import_ops.restore(store, "no-such-backup")
    assert store.contacts.count() == 1


def test_the_command_line_and_the_window_give_the_same_counts_for_the_same_undo(
    qtbot, capsys, tmp_path, fixtures, monkeypatch
):
    from tracker.ui.import_history import ImportHistoryDialog
    from tracker.ui.import_undo import undone_sentence

    (tmp_path / "cli").mkdir()
    (tmp_path / "window").mkdir()
    cli_db, window_db = tmp_path / "cli" / "tracker.db", tmp_path / "window" / "tracker.db"
    for path in (cli_db, window_db):
        with Store.open(path) as made:
            batch_id = import_with_work_since(made, fixtures)

    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(cli_db), "undo-import", str(batch_id), "--yes", "--json"])
    assert exited.value.code == 0
    from_cli = json.loads(capsys.readouterr().out)

    undone = []
    real_undo = import_ops.undo_import

    def recorded(*args, **kwargs):
        undone.append(real_undo(*args, **kwargs))
        return undone[-1]

    monkeypatch.setattr(import_ops, "undo_import", recorded)
    with Store.open(window_db) as store:
        dialog = ImportHistoryDialog(store, report=pytest.fail)
        qtbot.addWidget(dialog)
        dialog.confirm = lambda parent, preview: True
        dialog.select_batch(batch_id)
        with qtbot.waitSignal(dialog.changed, timeout=10_000) as changed:
            dialog.undo_selected()
        qtbot.waitUntil(lambda: dialog.job is None)
        (result,) = undone
        assert result.counts == from_cli and changed.args == [result.changes]
        assert dialog.status.text() == undone_sentence(from_cli)
        assert (store.contacts.count(), store.interactions.count()) == (1, 0)
    with Store.open(cli_db) as store:
        assert (store.contacts.count(), store.interactions.count()) == (1, 0)
