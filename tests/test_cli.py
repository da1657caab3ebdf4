"""The `tracker` command line, run in-process through `tracker.cli.main`.

Every test checks an outcome in the database or in a JSON document (not only the printed text), and every error
path checks the contract of `main`: exit code 2, exactly one line on stderr starting with 'tracker: ', no traceback,
and nothing written.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click
import pytest
from cli_helpers import ROOT as REPO
from cli_helpers import ok as run_ok
from cli_helpers import run, run_json

from tracker.cli import CONTACT_EXPORT_COLUMNS, FOLLOW_UP_EXPORT_COLUMNS, cli
from tracker.core.store import Store

AS_OF = "2026-11-23"  # the same day as conftest.AS_OF
LEVELS = ["Awareness", "Interest", "Interaction", "Conversion", "Retention", "Advocacy"]


# Helpers ---------------------------------------------------------------------------------------------


@pytest.fixture
def db_path(db_target):
    """The database every command here runs on: a file, and (conftest.BOTH_ENGINES) a team database; tests about
    files as such (backups, damage, paths) are marked file_only."""
    return db_target


def assert_usage_error(result: tuple[int, str, str], *, prompted: bool = False) -> str:
    """Exit 2, one line on stderr starting with 'tracker: ', no traceback, nothing on stdout; return that line."""
    code, out, err = result
    assert code == 2, f"exit {code}, stderr {err!r}"
    if not prompted:
        assert out == "", f"an error also printed to stdout: {out!r}"
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {err!r}"
    assert lines[0].startswith("tracker: ")
    assert "Traceback" not in out + err
    return lines[0]


@contextmanager
def opened(db_path: Path):
    with Store.open(db_path) as store:
        yield store


def counts(db_path: Path) -> tuple[int, int, int]:
    """(contacts, interactions, follow-ups) in the database."""
    with opened(db_path) as store:
        follow_ups = store.conn.execute("SELECT count(*) FROM follow_ups").fetchone()[0]
        return store.contacts.count(), store.interactions.count(), follow_ups


def contact(db_path: Path, email: str):
    with opened(db_path) as store:
        return store.contacts.by_email(email)


def interactions_of(db_path: Path, email: str):
    with opened(db_path) as store:
        found = store.contacts.by_email(email)
        assert found is not None, f"no contact {email}"
        return store.interactions.list(contact_id=found.id)


def write_csv_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def read_export(path: Path) -> tuple[bytes, list[dict[str, str]], list[str]]:
    data = path.read_bytes()
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    return data, rows, list(reader.fieldnames or [])


def assert_excel_csv(data: bytes) -> None:
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM"
    assert b"\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n"), "a line ends without CR"


# Importing contacts ----------------------------------------------------------------------------------


def test_import_google_contacts_json_counts_and_names(capsys, db_path, fixtures):
    report = run_json(capsys, db_path, "import", "contacts", fixtures / "google_contacts_sample.csv")
    assert report["rows"] == 4
    assert report["rows"] == report["created"] + report["updated"] + report["rejected"]
    assert (report["created"], report["updated"], report["rejected"]) == (4, 0, 0)
    assert isinstance(report["batch_id"], int)
    assert report["dry_run"] is False

    assert counts(db_path)[0] == 4
    benoit = contact(db_path, "benoit.girard@mail.example")
    assert (benoit.first_name, benoit.last_name) == ("Benoît", "Girard")
    chloe = contact(db_path, "chloe.m@mail.example")
    assert (chloe.first_name, chloe.last_name) == ("Chloé", "Martin")
    marta = contact(db_path, "marta@nowakflorist.example")
    assert marta.company == "Nowak Florist"
    assert marta.phone == "+48 600 100 200"
    assert marta.tags == ("Customers",)  # Google's "* myContacts" label is dropped


def test_import_utf8_bom_contacts(capsys, db_path, fixtures):
    report = run_json(capsys, db_path, "import", "contacts", fixtures / "excel_utf8_bom_sample.csv")
    assert (report["rows"], report["created"], report["updated"], report["rejected"]) == (2, 2, 0, 0)
    sipho = contact(db_path, "sipho@dlamini.example")
    assert (sipho.first_name, sipho.last_name, sipho.company) == ("Sipho", "Dlamini", "Dlamini Crafts")
    assert sipho.phone == "+27 82 123 4567"
    ana = contact(db_path, "ana@souza.example")
    assert (ana.first_name, ana.last_name) == ("Ana", "Souza")
    # The BOM must not end up in the first column's name (it would no longer be recognised as a name).
    assert "Full Name" in report["mapping"]


def test_import_french_semicolon_cp1252_contacts(capsys, db_path, fixtures):
    report = run_json(capsys, db_path, "import", "contacts", fixtures / "excel_fr_semicolon_cp1252.csv")
    assert (report["rows"], report["created"], report["updated"], report["rejected"]) == (2, 2, 0, 0)
    assert report["delimiter"] == ";"
    assert report["encoding"] == "cp1252"
    elodie = contact(db_path, "elodie@lemaitre.example")
    assert (elodie.first_name, elodie.last_name) == ("Élodie", "Lemaître")
    assert elodie.company == "Boulangerie Lemaître"
    gael = contact(db_path, "gael@fournier.example")
    assert gael.first_name == "Gaël"


def test_import_counts_add_up_with_rejected_rows(capsys, db_path, tmp_path):
    source = write_csv_file(
        tmp_path / "mixed.csv",
        "First Name,Email\nAnna,anna@example.com\n,not-an-email\nBen,ben@example.com\nAnna again,ANNA@example.com\n",
    )
    report = run_json(capsys, db_path, "import", "contacts", source)
    assert report["rows"] == 4
    assert report["rows"] == report["created"] + report["updated"] + report["rejected"]
    assert report["rejected"] == 1
    assert report["created"] == 2  # the second Anna row merges into the first by e-mail
    assert [r["line"] for r in report["rejects"]] == [3]
    assert counts(db_path)[0] == 2


def test_import_dry_run_writes_nothing_but_reports_same_counts(capsys, db_path, fixtures):
    source = fixtures / "google_contacts_sample.csv"
    dry = run_json(capsys, db_path, "import", "contacts", source, "--dry-run")
    assert dry["dry_run"] is True
    assert dry["batch_id"] is None
    assert counts(db_path)[0] == 0
    assert run_json(capsys, db_path, "imports")["imports"] == []

    real = run_json(capsys, db_path, "import", "contacts", source)
    keys = ("rows", "created", "updated", "rejected")
    assert {k: dry[k] for k in keys} == {k: real[k] for k in keys}
    assert counts(db_path)[0] == real["created"] == 4


def test_import_dry_run_on_existing_contacts_leaves_them_unchanged(capsys, db_path, fixtures):
    run_ok(capsys, db_path, "add", "--email", "marta@nowakflorist.example")
    report = run_json(capsys, db_path, "import", "contacts", fixtures / "google_contacts_sample.csv", "--dry-run")
    assert (report["created"], report["updated"]) == (3, 1)
    assert counts(db_path)[0] == 1
    assert contact(db_path, "marta@nowakflorist.example").first_name == ""


def test_reimporting_the_same_contacts_creates_nothing_and_updates_every_row(capsys, db_path, fixtures):
    source = fixtures / "excel_fr_semicolon_cp1252.csv"
    first = run_json(capsys, db_path, "import", "contacts", source)
    again = run_json(capsys, db_path, "import", "contacts", source)
    assert again["created"] == 0
    assert again["updated"] == again["rows"] == first["rows"]
    assert again["rejected"] == 0
    assert counts(db_path)[0] == 2


def test_imports_lists_batches_newest_first(capsys, db_path, fixtures):
    first = run_json(capsys, db_path, "import", "contacts", fixtures / "google_contacts_sample.csv")
    second = run_json(capsys, db_path, "import", "interactions", fixtures / "activity_log_sample.csv")
    batches = run_json(capsys, db_path, "imports")["imports"]
    assert [b["id"] for b in batches] == [second["batch_id"], first["batch_id"]]
    assert [b["kind"] for b in batches] == ["interactions", "contacts"]
    assert batches[1]["created"] == 4
    assert batches[1]["rows"] == 4
    assert batches[0]["rows"] == 5
    assert all(b["undone_at"] is None for b in batches)
    assert Path(batches[1]["source"]).name == "google_contacts_sample.csv"


def test_undo_import_removes_exactly_what_that_batch_created(capsys, db_path, fixtures):
    run_ok(capsys, db_path, "add", "--first-name", "Manual", "--email", "manual@example.com")
    google = run_json(capsys, db_path, "import", "contacts", fixtures / "google_contacts_sample.csv")
    bom = run_json(capsys, db_path, "import", "contacts", fixtures / "excel_utf8_bom_sample.csv")
    assert counts(db_path)[0] == 7

    result = run_json(capsys, db_path, "undo-import", bom["batch_id"])
    assert result["contacts_removed"] == 2
    assert result["interactions_removed"] == 0

    with opened(db_path) as store:
        emails = {c.email for c in (store.contacts.get(i) for (i,) in store.conn.execute("SELECT id FROM contacts"))}
    assert emails == {
        "manual@example.com",
        "marta@nowakflorist.example",
        "benoit.girard@mail.example",
        "hiroshi@satoramen.example",
        "chloe.m@mail.example",
    }
    batches = {b["id"]: b for b in run_json(capsys, db_path, "imports")["imports"]}
    assert batches[bom["batch_id"]]["undone_at"] is not None
    assert batches[google["batch_id"]]["undone_at"] is None

    # A batch cannot be undone twice, and nothing changes when that is refused.
    assert_usage_error(run(capsys, db_path, "undo-import", bom["batch_id"]))
    assert counts(db_path)[0] == 5


def test_undo_import_restores_contacts_the_batch_changed(capsys, db_path, fixtures):
    run_ok(capsys, db_path, "add", "--email", "marta@nowakflorist.example", "--tags", "vip")
    report = run_json(capsys, db_path, "import", "contacts", fixtures / "google_contacts_sample.csv")
    marta = contact(db_path, "marta@nowakflorist.example")
    assert (marta.first_name, marta.company) == ("Marta", "Nowak Florist")
    assert set(marta.tags) == {"vip", "Customers"}

    result = run_json(capsys, db_path, "undo-import", report["batch_id"])
    assert (result["contacts_removed"], result["contacts_restored"]) == (3, 1)
    marta = contact(db_path, "marta@nowakflorist.example")
    assert (marta.first_name, marta.company, marta.tags) == ("", "", ("vip",))
    assert counts(db_path)[0] == 1


def test_undo_import_of_unknown_batch_is_an_input_error(capsys, db_path):
    line = assert_usage_error(run(capsys, db_path, "undo-import", 42))
    assert "42" in line


# Importing interactions --------------------------------------------------------------------------------


def test_import_activity_log(capsys, db_path, fixtures):
    report = run_json(capsys, db_path, "import", "interactions", fixtures / "activity_log_sample.csv")
    assert (report["rows"], report["created"], report["updated"], report["rejected"]) == (5, 5, 0, 0)
    assert report["contacts_created"] == 3
    assert counts(db_path)[:2] == (3, 5)

    marta = interactions_of(db_path, "marta@nowakflorist.example")
    assert [(i.kind, i.occurred_at[:10], i.amount) for i in marta] == [
        ("referral", "2026-10-20", None),
        ("purchase", "2026-10-02", 20.0),
        ("purchase", "2026-08-14", 35.0),
    ]
    assert marta[-1].note == "Wedding bouquet"
    assert [i.kind for i in interactions_of(db_path, "chloe.m@mail.example")] == ["email_reply"]


def test_reimporting_an_activity_log_adds_no_duplicates(capsys, db_path, fixtures):
    source = fixtures / "activity_log_sample.csv"
    run_json(capsys, db_path, "import", "interactions", source)
    again = run_json(capsys, db_path, "import", "interactions", source)
    assert again["created"] == 0
    assert again["rows"] == again["created"] + again["updated"] + again["rejected"] == 5
    assert counts(db_path)[:2] == (3, 5)


def test_import_shopify_orders_groups_line_items_into_purchases(capsys, db_path, fixtures):
    run_ok(capsys, db_path, "add", "--first-name", "Kenji", "--last-name", "Sato", "--email", "kenji@sato.example")
    report = run_json(capsys, db_path, "import", "interactions", fixtures / "shopify_orders_sample.csv")
    assert report["rows"] == 7
    assert report["rows"] == report["created"] + report["updated"] + report["rejected"]
    assert (report["created"], report["rejected"]) == (4, 0)
    assert report["contacts_created"] == 2  # kenji was known; marta and ayo are new

    with opened(db_path) as store:
        purchases = store.interactions.list()
        assert store.contacts.count() == 3
    assert {i.kind for i in purchases} == {"purchase"}
    assert sorted(i.amount for i in purchases) == [18.0, 25.0, 38.5, 52.0]
    by_email = {}
    for item in purchases:
        by_email.setdefault(item.contact_email, []).append(item.amount)
    assert by_email == {
        "marta@kwiaty.example": [25.0, 38.5],
        "kenji@sato.example": [18.0],
        "ayo@okafor.example": [52.0],
    }

    marta = contact(db_path, "marta@kwiaty.example")
    assert (marta.first_name, marta.last_name) == ("Marta", "Kowalska")
    assert contact(db_path, "kenji@sato.example").first_name == "Kenji"
    first_order = interactions_of(db_path, "marta@kwiaty.example")[-1]
    assert first_order.occurred_at == "2026-04-02T16:10:05"


def test_import_interactions_dry_run_creates_no_contacts(capsys, db_path, fixtures):
    report = run_json(capsys, db_path, "import", "interactions", fixtures / "shopify_orders_sample.csv", "--dry-run")
    assert (report["rows"], report["created"], report["contacts_created"]) == (7, 4, 3)
    assert report["batch_id"] is None
    assert counts(db_path) == (0, 0, 0)


def test_undo_interactions_import_removes_its_interactions_and_new_contacts(capsys, db_path, fixtures):
    run_ok(capsys, db_path, "add", "--email", "hiroshi@satoramen.example")
    run_ok(capsys, db_path, "log", "hiroshi@satoramen.example", "call", "--at", "2026-01-05")
    report = run_json(capsys, db_path, "import", "interactions", fixtures / "activity_log_sample.csv")
    assert counts(db_path)[:2] == (3, 6)
    result = run_json(capsys, db_path, "undo-import", report["batch_id"])
    assert (result["contacts_removed"], result["interactions_removed"]) == (2, 5)
    assert counts(db_path)[:2] == (1, 1)
    assert [i.kind for i in interactions_of(db_path, "hiroshi@satoramen.example")] == ["call"]


# Contacts -----------------------------------------------------------------------------------------------


def test_contacts_json_shape(capsys, db_path):
    run_ok(
        capsys,
        db_path,
        "add",
        "--first-name",
        "Anna",
        "--last-name",
        "Kowalska",
        "--email",
        "anna@example.com",
        "--phone",
        "+48 600 000 000",
        "--company",
        "Kwiaty",
        "--tags",
        "wedding, vip",
    )
    run_ok(capsys, db_path, "log", "anna@example.com", "purchase", "--at", "2026-11-01", "--amount", "35")
    document = run_json(capsys, db_path, "contacts", "--as-of", AS_OF)
    assert list(document) == ["contacts"]
    (row,) = document["contacts"]
    required = {"id", "first_name", "last_name", "email", "phone", "company", "tags", "level", "score"}
    assert required <= set(row)
    assert row["id"] == contact(db_path, "anna@example.com").id
    assert (row["first_name"], row["last_name"], row["email"]) == ("Anna", "Kowalska", "anna@example.com")
    assert (row["phone"], row["phone_text"], row["company"]) == ("+48600000000", "+48 600 000 000", "Kwiaty")
    assert row["phones"] == ["+48600000000"] and row["emails"] == ["anna@example.com"]
    assert (row["purchases"], row["dates"], row["fields"], row["consent"]) == (1, {}, {}, None)
    assert row["tags"] == ["wedding", "vip"]
    assert row["level"] == "Conversion"
    assert isinstance(row["score"], int)
    assert 0 < row["score"] <= 100


def test_contacts_level_filter(capsys, db_path):
    for day in ("2026-05-01", "2026-09-01"):
        run_ok(capsys, db_path, "log", "regular@example.com", "purchase", "--at", day)
    run_ok(capsys, db_path, "log", "once@example.com", "purchase", "--at", "2026-09-01")
    run_ok(capsys, db_path, "add", "--email", "quiet@example.com")

    retention = run_json(capsys, db_path, "contacts", "--level", "Retention", "--as-of", AS_OF)["contacts"]
    assert [r["email"] for r in retention] == ["regular@example.com"]
    assert retention[0]["level"] == "Retention"
    lower = run_json(capsys, db_path, "contacts", "--level", "conversion", "--as-of", AS_OF)["contacts"]
    assert [r["email"] for r in lower] == ["once@example.com"]
    everyone = run_json(capsys, db_path, "contacts", "--as-of", AS_OF)["contacts"]
    assert len(everyone) == 3


def test_contacts_unknown_level_is_an_input_error(capsys, db_path):
    line = assert_usage_error(run(capsys, db_path, "contacts", "--level", "Bogus", "--json"))
    assert "Bogus" in line


def test_contacts_export_writes_excel_csv(capsys, db_path, fixtures, tmp_path):
    run_json(capsys, db_path, "import", "contacts", fixtures / "google_contacts_sample.csv")
    target = tmp_path / "out" / "contacts.csv"
    target.parent.mkdir()
    run_ok(capsys, db_path, "contacts", "--export", target, "--as-of", AS_OF)
    data, rows, header = read_export(target)
    assert_excel_csv(data)
    assert header == list(CONTACT_EXPORT_COLUMNS)
    assert len(rows) == 4
    names = {(r["first_name"], r["last_name"]) for r in rows}
    assert ("Benoît", "Girard") in names
    assert ("Chloé", "Martin") in names
    marta = next(r for r in rows if r["email"] == "marta@nowakflorist.example")
    assert (marta["company"], marta["level"], marta["tags"]) == ("Nowak Florist", "Awareness", "Customers")


def test_contacts_export_respects_level_filter(capsys, db_path, tmp_path):
    run_ok(capsys, db_path, "log", "buyer@example.com", "purchase", "--at", "2026-11-01")
    run_ok(capsys, db_path, "add", "--email", "quiet@example.com")
    target = tmp_path / "buyers.csv"
    run_ok(capsys, db_path, "contacts", "--level", "Conversion", "--as-of", AS_OF, "--export", target)
    _, rows, _ = read_export(target)
    assert [r["email"] for r in rows] == ["buyer@example.com"]


def test_add_contact_json_and_database(capsys, db_path):
    added = run_json(capsys, db_path, "add", "--first-name", "Anna", "--email", "anna@example.com")
    stored = contact(db_path, "anna@example.com")
    assert stored is not None
    assert added["id"] == stored.id
    assert stored.first_name == "Anna"


def test_add_invalid_email_is_an_input_error(capsys, db_path):
    assert_usage_error(run(capsys, db_path, "add", "--email", "bad"))
    assert counts(db_path)[0] == 0


@pytest.mark.parametrize("second", ["anna@example.com", "ANNA@example.com"])
def test_add_duplicate_email_is_an_input_error(capsys, db_path, second):
    run_ok(capsys, db_path, "add", "--first-name", "Anna", "--email", "anna@example.com")
    line = assert_usage_error(run(capsys, db_path, "add", "--first-name", "Other", "--email", second))
    assert "already exists" in line
    assert counts(db_path)[0] == 1
    assert contact(db_path, "anna@example.com").first_name == "Anna"


def test_edit_changes_fields_of_the_contact(capsys, db_path):
    run_ok(capsys, db_path, "add", "--first-name", "Anna", "--email", "anna@example.com")
    edited = run_json(capsys, db_path, "edit", "ANNA@example.com", "--phone", "+31 6 1234 5678", "--company", "Bloem")
    stored = contact(db_path, "anna@example.com")
    assert (stored.phone, stored.company, stored.first_name) == ("+31 6 1234 5678", "Bloem", "Anna")
    assert edited["id"] == stored.id
    assert (edited["phone"], edited["phone_text"]) == ("+31612345678", "+31 6 1234 5678")


def test_edit_unknown_contact_is_an_input_error(capsys, db_path):
    assert_usage_error(run(capsys, db_path, "edit", "nobody@example.com", "--phone", "123456"))
    assert counts(db_path)[0] == 0


def test_edit_email_option_changes_the_email(capsys, db_path):
    run_ok(capsys, db_path, "add", "--first-name", "Anna", "--email", "anna@example.com")
    run_ok(capsys, db_path, "edit", "anna@example.com", "--email", "anna.new@example.com")
    assert contact(db_path, "anna@example.com") is None
    assert contact(db_path, "anna.new@example.com").first_name == "Anna"


def test_delete_removes_the_contact_its_interactions_and_follow_ups(capsys, db_path):
    run_ok(capsys, db_path, "log", "gone@example.com", "purchase", "--at", "2026-05-01")
    run_ok(capsys, db_path, "log", "gone@example.com", "call", "--at", "2026-06-01")
    run_ok(capsys, db_path, "followup", "gone@example.com", "--due", "2026-12-01")
    run_ok(capsys, db_path, "log", "stays@example.com", "purchase", "--at", "2026-05-01")
    gone_id = contact(db_path, "gone@example.com").id

    run_ok(capsys, db_path, "delete", "gone@example.com", "--yes")
    assert contact(db_path, "gone@example.com") is None
    assert counts(db_path) == (1, 1, 0)
    with opened(db_path) as store:
        orphans = store.conn.execute("SELECT count(*) FROM interactions WHERE contact_id = ?", (gone_id,)).fetchone()
    assert orphans[0] == 0
    assert [i.kind for i in interactions_of(db_path, "stays@example.com")] == ["purchase"]


def test_delete_with_one_unknown_email_deletes_nothing(capsys, db_path):
    run_ok(capsys, db_path, "add", "--email", "known@example.com")
    assert_usage_error(run(capsys, db_path, "delete", "known@example.com", "nobody@example.com", "--yes"))
    assert contact(db_path, "known@example.com") is not None


def test_delete_asks_first_and_keeps_the_contact_on_no(capsys, db_path, monkeypatch):
    run_ok(capsys, db_path, "add", "--email", "known@example.com")
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    line = assert_usage_error(run(capsys, db_path, "delete", "known@example.com"), prompted=True)
    assert "Nothing deleted" in line
    assert contact(db_path, "known@example.com") is not None
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    run_ok(capsys, db_path, "delete", "known@example.com")
    assert contact(db_path, "known@example.com") is None


# Interactions and logging -------------------------------------------------------------------------------


def test_interactions_json_newest_first(capsys, db_path):
    run_ok(
        capsys,
        db_path,
        "log",
        "anna@example.com",
        "purchase",
        "--at",
        "2026-05-01",
        "--amount",
        "35.5",
        "--note",
        "Wedding bouquet",
    )
    run_ok(capsys, db_path, "log", "anna@example.com", "nps", "--at", "2026-10-20 14:30", "--score", "9")
    run_ok(capsys, db_path, "log", "anna@example.com", "email_open", "--at", "2026-07-01")
    run_ok(capsys, db_path, "log", "other@example.com", "call", "--at", "2026-11-01")

    document = run_json(capsys, db_path, "interactions", "--contact", "anna@example.com")
    assert list(document) == ["interactions"]
    items = document["interactions"]
    assert [i["kind"] for i in items] == ["nps", "email_open", "purchase"]
    assert {i["contact_email"] for i in items} == {"anna@example.com"}
    moments = [datetime.fromisoformat(i["occurred_at"]) for i in items]
    assert moments == sorted(moments, reverse=True)
    assert items[0]["occurred_at"] == "2026-10-20T14:30:00"
    assert (items[0]["score"], items[0]["amount"]) == (9, None)
    assert (items[2]["amount"], items[2]["note"], items[2]["score"]) == (35.5, "Wedding bouquet", None)

    # The e-mail is matched without regard to case.
    upper = run_json(capsys, db_path, "interactions", "--contact", "ANNA@EXAMPLE.COM")["interactions"]
    assert [i["id"] for i in upper] == [i["id"] for i in items]


def test_interactions_for_unknown_contact_is_an_input_error(capsys, db_path):
    assert_usage_error(run(capsys, db_path, "interactions", "--contact", "nobody@example.com", "--json"))


def test_log_records_one_interaction_for_a_known_contact(capsys, db_path):
    run_ok(capsys, db_path, "add", "--first-name", "Anna", "--email", "anna@example.com")
    logged = run_json(
        capsys,
        db_path,
        "log",
        "anna@example.com",
        "purchase",
        "--at",
        "2026-05-01",
        "--amount",
        "35.5",
        "--score",
        "8",
        "--note",
        "Wedding bouquet",
    )
    assert logged["contact_created"] is False
    (stored,) = interactions_of(db_path, "anna@example.com")
    assert stored.id == logged["id"]
    assert (stored.kind, stored.occurred_at, stored.amount, stored.score, stored.note) == (
        "purchase",
        "2026-05-01T00:00:00",
        35.5,
        8,
        "Wedding bouquet",
    )
    assert counts(db_path)[:2] == (1, 1)


def test_log_unknown_email_creates_the_contact(capsys, db_path):
    logged = run_json(capsys, db_path, "log", "New@Example.com", "call", "--at", "2026-06-01")
    assert logged["contact_created"] is True
    created = contact(db_path, "new@example.com")
    assert created is not None
    assert created.email == "New@Example.com"
    assert [i.kind for i in interactions_of(db_path, "new@example.com")] == ["call"]
    assert counts(db_path)[:2] == (1, 1)


@pytest.mark.parametrize("email", ["new@example.com", "known@example.com"])
@pytest.mark.parametrize(
    "args",
    [
        ["workshop"],
        ["purchase", "--amount", "-5"],
        ["purchase", "--amount", "abc"],
        ["purchase", "--amount", "nan"],
        ["nps", "--score", "11"],
        ["nps", "--score", "-1"],
        ["purchase", "--at", "notadate"],
        ["purchase", "--at", "1800-01-01"],
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else v,
)
def test_log_bad_input_writes_nothing(capsys, db_path, args, email):
    run_ok(capsys, db_path, "add", "--email", "known@example.com")
    before = counts(db_path)
    assert_usage_error(run(capsys, db_path, "log", email, *args))
    assert counts(db_path) == before
    assert contact(db_path, "new@example.com") is None


def test_log_unknown_kind_names_the_kind(capsys, db_path):
    line = assert_usage_error(run(capsys, db_path, "log", "new@example.com", "workshop"))
    assert "workshop" in line
    assert counts(db_path)[0] == 0


# Follow-ups -----------------------------------------------------------------------------------------------


def followups(capsys, db_path, as_of: str) -> list[dict]:
    return run_json(capsys, db_path, "followups", "--as-of", as_of)["followups"]


def scheduled(capsys, db_path, as_of: str, follow_up_id: int) -> list[dict]:
    return [f for f in followups(capsys, db_path, as_of) if f["follow_up_id"] == follow_up_id]


def test_followup_is_listed_when_due_and_overdue_after(capsys, db_path):
    run_ok(capsys, db_path, "add", "--first-name", "Anna", "--email", "anna@example.com")
    made = run_json(capsys, db_path, "followup", "anna@example.com", "--due", "2026-11-20", "--reason", "Send quote")
    with opened(db_path) as store:
        stored = store.follow_ups.get(made["id"])
    assert (stored.due, stored.reason, stored.status) == ("2026-11-20", "Send quote", "open")

    assert scheduled(capsys, db_path, "2026-11-19", made["id"]) == []
    (today,) = scheduled(capsys, db_path, "2026-11-20", made["id"])
    assert today["priority"] == 3

    (item,) = scheduled(capsys, db_path, AS_OF, made["id"])
    assert {"email", "name", "reason", "action", "due", "priority"} <= set(item)
    assert (item["email"], item["name"], item["due"]) == ("anna@example.com", "Anna", "2026-11-20")
    assert "Send quote" in item["reason"]
    assert "overdue" in item["reason"]
    assert "3 days" in item["reason"]
    assert item["priority"] == 1
    assert "overdue" in item["action"].lower()


def test_done_removes_the_followup_from_the_list(capsys, db_path):
    run_ok(capsys, db_path, "add", "--email", "anna@example.com")
    made = run_json(capsys, db_path, "followup", "anna@example.com", "--due", "2026-11-20", "--reason", "Call")
    assert len(scheduled(capsys, db_path, AS_OF, made["id"])) == 1
    run_ok(capsys, db_path, "done", made["id"])
    assert scheduled(capsys, db_path, AS_OF, made["id"]) == []
    with opened(db_path) as store:
        assert store.follow_ups.get(made["id"]).status == "done"


def test_snooze_hides_the_followup_until_the_date(capsys, db_path):
    run_ok(capsys, db_path, "add", "--email", "anna@example.com")
    made = run_json(capsys, db_path, "followup", "anna@example.com", "--due", "2026-11-20", "--reason", "Call")
    run_ok(capsys, db_path, "snooze", made["id"], "--until", "2026-12-01")
    with opened(db_path) as store:
        stored = store.follow_ups.get(made["id"])
    assert (stored.snoozed_until, stored.status) == ("2026-12-01", "open")
    assert scheduled(capsys, db_path, AS_OF, made["id"]) == []
    assert scheduled(capsys, db_path, "2026-11-30", made["id"]) == []
    (back,) = scheduled(capsys, db_path, "2026-12-01", made["id"])
    assert back["email"] == "anna@example.com"


@pytest.mark.parametrize("command", [["done", "999"], ["snooze", "999", "--until", "2026-12-01"]])
def test_done_or_snooze_unknown_followup_is_an_input_error(capsys, db_path, command):
    assert_usage_error(run(capsys, db_path, *command))


def test_followup_for_unknown_contact_is_an_input_error(capsys, db_path):
    assert_usage_error(run(capsys, db_path, "followup", "nobody@example.com", "--due", "2026-12-01"))
    assert counts(db_path) == (0, 0, 0)


def test_followups_export_writes_csv(capsys, db_path, tmp_path):
    run_ok(capsys, db_path, "add", "--first-name", "Élodie", "--email", "elodie@example.com", "--phone", "0612345678")
    run_ok(capsys, db_path, "followup", "elodie@example.com", "--due", "2026-11-20", "--reason", "=Send quote")
    target = tmp_path / "calls.csv"
    run_ok(capsys, db_path, "followups", "--as-of", AS_OF, "--export", target)
    data, rows, header = read_export(target)
    assert_excel_csv(data)
    assert header == list(FOLLOW_UP_EXPORT_COLUMNS)
    (row,) = rows
    assert (row["name"], row["email"], row["due"], row["phone"]) == (
        "Élodie",
        "elodie@example.com",
        "2026-11-20",
        "0612345678",
    )
    assert "Send quote" in row["reason"]
    assert not row["reason"].startswith("=")  # no formula for a spreadsheet to run


# Engagement ------------------------------------------------------------------------------------------------


def test_explain_two_purchases_is_retention_with_both_dates(capsys, db_path):
    for day in ("2026-05-01", "2026-09-01"):
        run_ok(capsys, db_path, "log", "anna@example.com", "purchase", "--at", day, "--amount", "20")
    document = run_json(capsys, db_path, "explain", "anna@example.com", "--as-of", AS_OF)
    assert document["level"] == "Retention"
    assert isinstance(document["score"], int)
    assert 0 < document["score"] <= 100
    assert isinstance(document["reasons"], list)
    assert any("2026-05-01" in r and "2026-09-01" in r for r in document["reasons"]), document["reasons"]


def test_explain_as_of_before_the_second_purchase_is_conversion(capsys, db_path):
    for day in ("2026-05-01", "2026-09-01"):
        run_ok(capsys, db_path, "log", "anna@example.com", "purchase", "--at", day)
    document = run_json(capsys, db_path, "explain", "anna@example.com", "--as-of", "2026-06-01")
    assert document["level"] == "Conversion"


def test_explain_unknown_email_is_an_input_error(capsys, db_path):
    assert_usage_error(run(capsys, db_path, "explain", "nobody@example.com", "--as-of", AS_OF, "--json"))


def test_levels_counts_every_level_and_sums_to_the_contacts(capsys, db_path):
    run_ok(capsys, db_path, "add", "--email", "awareness@example.com")
    run_ok(capsys, db_path, "log", "interest@example.com", "email_open", "--at", "2026-11-01")
    run_ok(capsys, db_path, "log", "interaction@example.com", "call", "--at", "2026-11-01")
    run_ok(capsys, db_path, "log", "conversion@example.com", "purchase", "--at", "2026-11-01")
    run_ok(capsys, db_path, "log", "retention@example.com", "purchase", "--at", "2026-05-01")
    run_ok(capsys, db_path, "log", "retention@example.com", "purchase", "--at", "2026-09-01")
    run_ok(capsys, db_path, "log", "advocacy@example.com", "referral", "--at", "2026-11-01")
    run_ok(capsys, db_path, "add", "--email", "awareness2@example.com")

    document = run_json(capsys, db_path, "levels", "--as-of", AS_OF)
    assert list(document) == ["levels"]
    levels = document["levels"]
    assert set(levels) == set(LEVELS)
    assert sum(levels.values()) == counts(db_path)[0] == 7
    assert levels == {"Awareness": 2, "Interest": 1, "Interaction": 1, "Conversion": 1, "Retention": 1, "Advocacy": 1}


def test_levels_on_an_empty_database_has_all_six_keys_at_zero(capsys, db_path):
    assert run_json(capsys, db_path, "levels", "--as-of", AS_OF) == {"levels": dict.fromkeys(LEVELS, 0)}


def test_kinds_add_makes_a_new_kind_count_toward_its_level(capsys, db_path):
    run_ok(capsys, db_path, "kinds", "add", "workshop", "--stage", "Interaction")
    kinds = {k["name"]: k for k in run_json(capsys, db_path, "kinds")["kinds"]}
    assert kinds["workshop"]["level"] == "Interaction"
    assert kinds["workshop"]["builtin"] is False
    assert kinds["purchase"]["builtin"] is True
    with opened(db_path) as store:
        assert store.kind("workshop").stage.label == "Interaction"

    run_ok(capsys, db_path, "log", "anna@example.com", "workshop", "--at", "2026-11-01")
    assert [i.kind for i in interactions_of(db_path, "anna@example.com")] == ["workshop"]
    assert run_json(capsys, db_path, "explain", "anna@example.com", "--as-of", AS_OF)["level"] == "Interaction"


def test_kinds_add_with_unknown_level_is_an_input_error(capsys, db_path):
    assert_usage_error(run(capsys, db_path, "kinds", "add", "workshop", "--stage", "Bogus"))
    with opened(db_path) as store:
        assert "workshop" not in store.kinds()


def test_settings_set_window_days_changes_classification(capsys, db_path):
    run_ok(capsys, db_path, "log", "anna@example.com", "purchase", "--at", "2026-09-01")
    assert run_json(capsys, db_path, "explain", "anna@example.com", "--as-of", AS_OF)["level"] == "Conversion"

    run_ok(capsys, db_path, "settings", "set", "window_days", "30")
    with opened(db_path) as store:
        assert store.settings().window_days == 30
    assert run_json(capsys, db_path, "settings")["settings"]["window_days"] == 30
    assert run_json(capsys, db_path, "explain", "anna@example.com", "--as-of", AS_OF)["level"] == "Awareness"
    assert run_json(capsys, db_path, "levels", "--as-of", AS_OF)["levels"]["Awareness"] == 1


@pytest.mark.parametrize("args", [["bogus", "3"], ["window_days", "0"], ["window_days", "abc"]])
def test_settings_set_bad_input_is_an_input_error(capsys, db_path, args):
    before = run_json(capsys, db_path, "settings")["settings"]
    assert_usage_error(run(capsys, db_path, "settings", "set", *args))
    assert run_json(capsys, db_path, "settings")["settings"] == before
    with opened(db_path) as store:
        assert store.conn.execute("SELECT count(*) FROM settings WHERE key <> 'phone_region'").fetchone()[0] == 0


# Error paths ------------------------------------------------------------------------------------------------


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "no-such-file.csv"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "a-folder.csv"
    folder.mkdir()
    return folder


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    return path


def _blank(tmp_path: Path) -> Path:
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\r\n  \r\n\r\n")
    return path


def _zip(tmp_path: Path) -> Path:
    path = tmp_path / "customers.xlsx"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 4)
    return path


def _binary(tmp_path: Path) -> Path:
    path = tmp_path / "data.csv"
    path.write_bytes(bytes(range(256)) * 8)
    return path


BAD_FILES = {"missing": _missing, "folder": _folder, "empty": _empty, "blank": _blank, "zip": _zip, "binary": _binary}


@pytest.mark.parametrize("what", ["contacts", "interactions"])
@pytest.mark.parametrize("bad", list(BAD_FILES))
def test_import_of_unusable_file_is_an_input_error(capsys, db_path, tmp_path, what, bad):
    source = BAD_FILES[bad](tmp_path)
    line = assert_usage_error(run(capsys, db_path, "import", what, source, "--json"))
    assert source.name in line
    assert counts(db_path) == (0, 0, 0)
    assert run_json(capsys, db_path, "imports")["imports"] == []


def test_import_of_a_zip_says_what_it_is(capsys, db_path, tmp_path):
    line = assert_usage_error(run(capsys, db_path, "import", "contacts", _zip(tmp_path)))
    assert "ZIP" in line or "xlsx" in line


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["import", "frobnicate", "x.csv"],
        ["log"],
        ["log", "anna@example.com"],
        ["followup", "anna@example.com"],
        ["import", "contacts"],
        ["kinds", "add", "workshop"],
        ["settings", "set", "window_days"],
        ["done"],
        ["contacts", "--no-such-option"],
    ],
    ids=" ".join,
)
def test_usage_errors_are_one_line(capsys, db_path, args):
    line = assert_usage_error(run(capsys, db_path, *args))
    assert "--help" in line or "No such" in line


@pytest.mark.parametrize(
    "args",
    [
        ["contacts", "--json"],
        ["log", "anna@example.com", "purchase", "--amount", "5"],
        ["add", "--email", "anna@example.com"],
        ["import", "contacts", "FIXTURE"],
        ["settings", "set", "window_days", "30"],
        ["levels", "--json"],
    ],
    ids=lambda v: v[0],
)
def test_db_that_is_not_sqlite_is_refused_and_left_unchanged(capsys, tmp_path, fixtures, args):
    db = tmp_path / "notes.db"
    original = b"These are my notes, not a database.\nLine two \xe2\x80\x94 keep me.\n"
    db.write_bytes(original)
    args = [str(fixtures / "google_contacts_sample.csv") if a == "FIXTURE" else a for a in args]
    line = assert_usage_error(run(capsys, db, *args))
    assert "notes.db" in line
    assert db.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]  # no -wal / -shm / journal left behind


def test_db_that_is_a_folder_is_refused(capsys, tmp_path):
    folder = tmp_path / "tracker.db"
    folder.mkdir()
    assert_usage_error(run(capsys, folder, "contacts", "--json"))
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["undo-import", "99999999999999999999999"],
        ["done", "99999999999999999999999"],
        ["snooze", "99999999999999999999999", "--until", "2026-12-01"],
        ["interactions", "--limit", "99999999999999999999999"],
    ],
    ids=lambda v: v[0],
)
def test_out_of_range_numbers_are_input_errors(capsys, db_path, args):
    assert_usage_error(run(capsys, db_path, *args))


# Help ---------------------------------------------------------------------------------------------------------


def command_paths() -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for name, command in cli.commands.items():
        paths.append((name,))
        if isinstance(command, click.Group):
            paths.extend((name, sub) for sub in command.commands)
    return paths


def test_command_list_includes_the_sub_groups():
    paths = command_paths()
    for expected in [
        ("import", "contacts"),
        ("import", "interactions"),
        ("kinds", "add"),
        ("settings", "set"),
        ("contacts",),
        ("log",),
        ("followups",),
        ("explain",),
        ("levels",),
    ]:
        assert expected in paths


def test_python_m_tracker_help_lists_the_commands():
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--help"], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout
    missing = [name for name in cli.commands if name not in result.stdout]
    assert missing == [], f"commands not listed by --help: {missing}"


def test_every_command_has_help_text(capsys, db_path):
    without = []
    for path in command_paths():
        code, out, _ = run(capsys, db_path, *path, "--help")
        command = cli
        for name in path:
            command = command.commands[name]
        if code != 0 or not (command.help or "").strip() or "Usage: tracker " + " ".join(path) not in out:
            without.append(" ".join(path))
    assert without == [], f"commands without help: {without}"


@pytest.mark.parametrize("path", command_paths(), ids=lambda path: " ".join(path))
def test_command_help_has_an_example(capsys, db_path, path):
    code, out, err = run(capsys, db_path, *path, "--help")
    assert code == 0, err
    assert "Example" in out, f"`tracker {' '.join(path)} --help` shows no example"


def test_version_exits_zero(capsys, db_path):
    code, out, _ = run(capsys, db_path, "--version")
    assert code == 0
    assert out.startswith("tracker")
