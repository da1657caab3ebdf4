"""Contact import: reading the sample exports, merging duplicates, accounting for every row, undo."""

from __future__ import annotations

import csv

import pytest

from tracker.core.errors import ImportCancelled, ImportHint, ImportRejected
from tracker.core.importing import import_contacts


def write(tmp_path, name: str, text: str, encoding: str = "utf-8") -> object:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_google_contacts_export(store, fixtures):
    report = import_contacts(store, fixtures / "google_contacts_sample.csv")
    assert (report.rows, report.created, report.updated, report.rejected) == (4, 4, 0, 0)
    benoit = store.contacts.require("benoit.girard@mail.example")
    assert (benoit.first_name, benoit.last_name, benoit.tags) == ("Benoît", "Girard", ("Customers",))
    marta = store.contacts.require("marta@nowakflorist.example")
    assert (marta.company, marta.phone) == ("Nowak Florist", "+48 600 100 200")
    assert marta.source == "google_contacts_sample.csv"


def test_excel_semicolon_cp1252_export_with_french_headers(store, fixtures):
    report = import_contacts(store, fixtures / "excel_fr_semicolon_cp1252.csv")
    assert (report.encoding, report.delimiter, report.created) == ("cp1252", ";", 2)
    elodie = store.contacts.require("elodie@lemaitre.example")
    assert (elodie.first_name, elodie.last_name, elodie.company) == ("Élodie", "Lemaître", "Boulangerie Lemaître")
    assert store.contacts.require("gael@fournier.example").first_name == "Gaël"


def test_excel_utf8_bom_full_name_is_split(store, fixtures):
    report = import_contacts(store, fixtures / "excel_utf8_bom_sample.csv")
    assert report.mapping["Full Name"] == "name"
    sipho = store.contacts.require("sipho@dlamini.example")
    assert (sipho.first_name, sipho.last_name, sipho.phone) == ("Sipho", "Dlamini", "+27 82 123 4567")


def test_duplicates_merge_by_email_within_the_file_filling_empty_fields(store, tmp_path):
    path = write(
        tmp_path,
        "dups.csv",
        "Name,Email,Phone,Company\n"
        "Anna Berg,anna@example.com,,\n"
        ",ANNA@example.com ,+46 70 123 45 67,Berg Bakery\n"
        "Someone Else,anna@example.com,,Other Co\n",
    )
    report = import_contacts(store, path)
    # "Someone Else" is a different person sharing the address: kept apart with a warning (issue 15), not merged
    assert (report.rows, report.created, report.updated, report.rejected) == (3, 2, 1, 0)
    anna = store.contacts.require("anna@example.com")
    assert (anna.first_name, anna.phone, anna.company) == ("Anna", "+46 70 123 45 67", "Berg Bakery")
    assert [(w.line, "anna@example.com" in w.reason) for w in report.warnings] == [(4, True)]


def test_merge_against_database_never_overwrites_with_empty_or_different(store, tmp_path):
    store.contacts.add(first_name="Anna", last_name="Berg", email="anna@example.com", company="Berg Bakery")
    path = write(
        tmp_path,
        "again.csv",
        "First Name,Last Name,Email,Phone,Company\n,,Anna@Example.com,+46 70 123 45 67,Another Name\n",
    )
    report = import_contacts(store, path)
    assert (report.created, report.updated) == (0, 1)
    anna = store.contacts.require("anna@example.com")
    assert (anna.first_name, anna.last_name, anna.company, anna.phone) == (
        "Anna",
        "Berg",
        "Berg Bakery",
        "+46 70 123 45 67",
    )


def test_rows_without_email_merge_by_normalised_phone(store, tmp_path):
    path = write(tmp_path, "phones.csv", "Name,Phone\nOla,+47 912 34 567\nOla Nordmann,'+4791234567\n")
    report = import_contacts(store, path)
    assert (report.created, report.updated) == (1, 1)
    assert store.contacts.count() == 1


def test_every_row_accounted_for_with_reasons_and_rejects_file(store, tmp_path):
    path = write(
        tmp_path,
        "mixed.csv",
        "Name,Email,Phone\n"
        "Good One,good@example.com,\n"
        ",,\n"
        "Kept Person,not-an-email,\n"
        ",broken@,\n"
        "Dup,GOOD@example.com,\n",
    )
    report = import_contacts(store, path)
    # the all-empty row is a blank line and does not count as a row
    assert report.rows == 4 == report.created + report.updated + report.rejected
    # 'Dup' shares Good One's address under another first name: kept apart, with a warning to look at
    assert (report.created, report.updated, report.rejected) == (3, 0, 1)
    assert any("share the e-mail address GOOD@example.com" in w.reason for w in report.warnings)
    assert [p.line for p in report.rejects] == [5]
    assert "broken@" in report.rejects[0].reason
    assert any("not-an-email" in w.reason for w in report.warnings)
    target = tmp_path / "rejects.csv"
    report.write_rejects(target, database=store.path)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [{"Name": "", "Email": "broken@", "Phone": "", "line": "5", "reason": rows[0]["reason"]}]


def test_dry_run_counts_the_same_and_writes_nothing(store, fixtures):
    dry = import_contacts(store, fixtures / "google_contacts_sample.csv", dry_run=True)
    assert store.contacts.count() == 0 and store.imports.list() == []
    real = import_contacts(store, fixtures / "google_contacts_sample.csv")
    assert dry.counts() == real.counts()


def test_undo_removes_created_and_restores_changed(store, tmp_path):
    store.contacts.add(first_name="Anna", email="anna@example.com")
    path = write(tmp_path, "batch.csv", "Name,Email,Phone\nAnna X,anna@example.com,+46 70 1\nBob,bob@example.com,\n")
    report = import_contacts(store, path)
    assert store.contacts.count() == 2
    result, _ = store.imports.undo(report.batch_id)
    assert result["contacts_removed"] == 1 and result["contacts_restored"] == 1
    assert store.contacts.by_email("bob@example.com") is None
    anna = store.contacts.require("anna@example.com")
    assert (anna.first_name, anna.phone) == ("Anna", "")
    assert store.imports.get(report.batch_id).undone_at
    with pytest.raises(Exception, match="already undone"):
        store.imports.undo(report.batch_id)


def test_cancel_rolls_everything_back(store, tmp_path):
    lines = "".join(f"Person {i},p{i}@example.com\n" for i in range(5000))
    path = write(tmp_path, "big.csv", "Name,Email\n" + lines)
    seen = []
    with pytest.raises(ImportCancelled):
        import_contacts(
            store, path, progress=lambda done, total: seen.append((done, total)), cancelled=lambda: len(seen) >= 1
        )
    assert store.contacts.count() == 0 and store.imports.list() == []
    done, total = seen[0]  # bytes read of the file's size, after the first 2,000 rows
    assert total == path.stat().st_size and 0 < done < total


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "xlsx"),
        (bytes(range(256)) * 20, "not a text file"),
    ],
)
def test_files_that_are_not_csv_fail_with_one_clear_message(store, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImportRejected, match=message):
        import_contacts(store, path)
    assert store.contacts.count() == 0


def test_header_only_file_imports_nothing_and_says_so(store, tmp_path):
    report = import_contacts(store, write(tmp_path, "header.csv", "Name,Email\n"))
    assert (report.rows, report.created) == (0, 0)
    assert report.summary().startswith("Imported 0 rows")


def test_file_without_identity_columns_asks_for_a_mapping(store, tmp_path):
    path = write(tmp_path, "odd.csv", "Colour,Size\nred,3\n")
    with pytest.raises(ImportRejected, match="looks like a name, e-mail or phone") as rejected:
        import_contacts(store, path)
    assert (rejected.value.hint, rejected.value.field) == (ImportHint.MAPPING, "email")
    report = import_contacts(store, path, mapping={"Colour": "first_name"})
    assert report.created == 1


def test_many_rows_with_only_a_bad_email_are_rejected_once_each(store, tmp_path):
    lines = "".join(f",bad{i}@\n" for i in range(3000))
    report = import_contacts(store, write(tmp_path, "bad.csv", "Name,Email\n" + lines + "Good,good@example.com\n"))
    assert (report.rejected, report.created, len(report.warnings)) == (3000, 1, 0)


def test_non_ascii_case_variants_against_the_database_do_not_crash(store, tmp_path):
    """Found by fuzzing: an address differing from a stored one only in the case of a non-ASCII letter."""
    store.contacts.add(first_name="Ž", email="Ža@x.io")
    report = import_contacts(store, write(tmp_path, "z.csv", "Name,Email\nZa,ŽA@X.IO\nza,ža@x.io\n"))
    assert report.rows == report.created + report.updated + report.rejected == 2
    assert (report.created, report.updated) == (1, 1)  # ŽA@X.IO is Ža@x.io to the index; ža@x.io is another address


def test_a_huge_cell_of_digits_near_the_top_does_not_stall_header_detection(store, tmp_path):
    """Found by fuzzing: header matching backtracked on long data cells (a 156 KB file ran for minutes)."""
    huge = "1 " * 50_000
    path = write(tmp_path, "huge.csv", f"Name,Email,Notes\nAnna,anna@example.com,{huge}\nBob,bob@example.com,x\n")
    report = import_contacts(store, path)
    assert (report.rows, report.created) == (2, 2)


def test_rejection_names_the_columns_in_one_line(store, tmp_path):
    path = write(tmp_path, "odd.csv", 'Colour,"two\nlines",Size\nred,x,3\n')
    with pytest.raises(ImportRejected) as rejected:
        import_contacts(store, path)
    assert "\n" not in str(rejected.value) and "two lines" in str(rejected.value)
