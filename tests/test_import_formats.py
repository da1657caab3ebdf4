"""Importing the formats people have besides CSV: vCard, .xlsx/.ods workbooks and a Mailchimp export .zip.

Each format is recognised by its content (not its name), read as a table the column mapper understands, and goes
through the same report, rejects and undo as a CSV. The fixtures in tests/fixtures/formats/ are real-shaped exports
made by make_vcards.py and make_spreadsheets.py beside them.
"""

from __future__ import annotations

import base64
import codecs
import csv
import importlib.util
import io
import json
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from tracker.core.errors import ImportRejected
from tracker.core.importing import archive as archive_module
from tracker.core.importing import import_contacts, import_interactions
from tracker.core.importing.reading import read_table
from tracker.core.importing.sources import detect_format, open_table
from tracker.core.importing.table_source import UnreadableRow
from tracker.core.importing.vcard import unescape, vcard_date
from tracker.core.operations import imports as import_ops

FORMATS = Path(__file__).parent / "fixtures" / "formats"


def table(name: str | Path, **options: object) -> tuple[list[str], list[tuple[int, list[str]]], object]:
    """The header, every (line, row) and the opened source of a fixture, as the importers read it."""
    with open_table(FORMATS / name if isinstance(name, str) else name, **options) as opened:  # type: ignore[arg-type]
        return opened.header, list(opened.rows()), opened


def with_phone(store, phone: str):
    """The one contact whose phone is written `phone`."""
    ids = [row[0] for row in store.conn.execute("SELECT id FROM contacts")]
    found = [c for c in map(store.contacts.get, ids) if c.phone == phone]
    assert len(found) == 1, found
    return found[0]


def column(header: list[str], rows: list[tuple[int, list[str]]], title: str) -> list[str]:
    position = header.index(title)
    return [row[position] if position < len(row) else "" for _, row in rows]


# vCard -------------------------------------------------------------------------------------------------------------


def test_apple_icloud_vcard_with_item_groups_and_a_photo(store):
    header, rows, opened = table("apple_icloud_3.0.vcf")
    assert opened.format == "vcard" and opened.encoding == "utf-8"
    assert [line for line, _ in rows] == [1, 132, 143]  # each card's BEGIN:VCARD line
    assert max(len(cell) for _, row in rows for cell in row) < 200  # the multi-KB photos are nowhere
    assert column(header, rows, "Phone 1 - Label") == ["Mobile", "Main", "Mobile"]  # item3.X-ABLabel

    report = import_contacts(store, FORMATS / "apple_icloud_3.0.vcf")
    assert (report.rows, report.created, report.rejected) == (3, 3, 0)
    johnny = store.contacts.require("johnny@appleseed.example")  # type=pref first
    assert (johnny.first_name, johnny.last_name, johnny.company) == ("Johnny", "Appleseed", "Appleseed Orchards")
    assert johnny.more_emails == ("j.appleseed@home.example",)
    assert johnny.phone == "+44 7700 900004"  # the preferred number, not the first written
    assert set(johnny.more_phones) == {"020 7946 0018", "01632 960001"}
    assert johnny.tags == ("Customers", "Wholesale")
    assert johnny.notes == "Likes russet apples, not Galas.\nCall after 5pm."
    assert johnny.address == "1 Orchard Lane\nFlat 2\nCupertino, CA 95014\nUnited States"
    assert johnny.dates == {"birthday": "--12-25", "anniversary": "2004-06-12"}  # X-APPLE-OMIT-YEAR, X-ABDATE
    bakery = store.contacts.require("info@baeckerei-schmidt.example")  # X-ABShowAs:COMPANY, N empty
    assert (bakery.first_name, bakery.last_name, bakery.company) == ("", "", "Bäckerei Schmidt")
    chiamaka = with_phone(store, "+234 803 123 4567")
    assert (chiamaka.first_name, chiamaka.last_name) == ("Chiamaka", "Okafor")


def test_google_vcard_escapes_categories_and_year_less_birthday(store):
    report = import_contacts(store, FORMATS / "google_3.0.vcf")
    assert (report.rows, report.created, report.rejected) == (3, 3, 0)
    marta = store.contacts.require("marta@nowakflorist.example")
    assert (marta.company, marta.phone, marta.more_emails) == (
        "Nowak Florist",
        "+48 600 100 200",
        ("orders@nowakflorist.example",),
    )
    assert marta.notes == "Prefers tulips, not roses.\nCall before noon; never on Sundays."
    assert marta.tags == ("Customers",)  # Google's own myContacts group is not a tag
    assert marta.address == "ul. Kwiatowa 5\n30-001 Kraków\nPolska"
    assert marta.dates == {"birthday": "1985-03-14", "anniversary": "2010-06-19"}
    sam = with_phone(store, "07700 900123")
    assert sam.dates == {"birthday": "--12-25"}
    assert store.contacts.require("newsletter-only@example.com").first_name == ""


def test_outlook_vcard_21_quoted_printable_and_windows_1252(store):
    header, rows, _ = table("outlook_2.1_cp1252.vcf")
    assert len(rows) == 2
    phones = [column(header, rows, f"Phone {i} - Label")[0] for i in (1, 2, 3)]
    assert phones == ["Work", "Mobile", "Work Fax"]  # a fax comes last, never the contact's phone

    report = import_contacts(store, FORMATS / "outlook_2.1_cp1252.vcf")
    assert (report.rows, report.created, report.rejected) == (2, 2, 0)
    juergen = store.contacts.require("juergen@mueller-baeckerei.example")
    assert (juergen.first_name, juergen.last_name, juergen.company) == ("Jürgen", "Müller", "Bäckerei Müller")
    assert juergen.phone == "+49 89 1234567"
    assert juergen.address == "Hauptstraße 1\n80331 München\nDeutschland"  # QP with a soft line break
    assert juergen.notes == "Liefert montags Brötchen.\nZahlt bar, immer pünktlich."
    assert juergen.dates == {"birthday": "1980-01-01"}  # BDAY:19800101
    assert set(juergen.tags) == {"Lieferanten", "Stammkunden"}
    zoe = store.contacts.require("zoe@weiss.example")
    assert (zoe.first_name, zoe.last_name, zoe.dates) == ("Zoë", "Weiß", {"anniversary": "2012-09-15"})


def test_android_vcard_21_utf8_quoted_printable_and_a_name_only_card(store):
    report = import_contacts(store, FORMATS / "android_2.1.vcf")
    assert (report.rows, report.created, report.rejected) == (2, 2, 0)
    zofia = store.contacts.require("zofia@lodz.example")
    assert (zofia.first_name, zofia.last_name, zofia.phone) == ("Zofia", "Łódź", "+48 501 234 567")
    assert zofia.notes == "Постоянный клиент"  # QUOTED-PRINTABLE UTF-8 across a soft line break
    dave = with_phone(store, "07700 900456")  # N empty: FN is the name
    assert (dave.first_name, dave.last_name) == ("Plumber", "Dave")


def test_vcard_40_uris_quoted_types_and_a_formatted_label(store):
    report = import_contacts(store, FORMATS / "rfc6350_4.0.vcf")
    assert (report.rows, report.created) == (2, 2)
    simon = store.contacts.require("simon.perreault@viagenie.example")
    assert (simon.first_name, simon.last_name, simon.company) == ("Simon", "Perreault", "Viagenie")
    assert (simon.phone, simon.more_phones) == ("+1-418-656-9254", ("+1-418-262-6501",))  # tel: URIs, PREF=1
    assert simon.address == "2875 boul. Laurier, suite D2-630\nQuebec, QC G1V 2M2\nCanada"
    assert simon.dates == {"birthday": "--02-03", "anniversary": "2009-08-08"}
    org = store.contacts.require("info@viagenie.example")  # KIND:org, FN = ORG: a company, not a person
    assert (org.first_name, org.last_name, org.company) == ("", "", "Viagenie Inc.")


def test_vcard_40_label_with_rfc_6868_escapes_and_a_comma(store, tmp_path):
    path = tmp_path / "one.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ute Kraus\r\nN:Kraus;Ute;;;\r\nEMAIL:ute@kraus.example\r\n"
        "ADR;TYPE=work;LABEL=Kurhausstr. 1^n61348 Bad Homburg, Hessen^nGERMANY:;;Kurhausstr. 1;Bad Homburg;Hessen;"
        "61348;Germany\r\nEND:VCARD\r\n"
    )
    import_contacts(store, path)
    ute = store.contacts.require("ute@kraus.example")
    assert ute.address == "Kurhausstr. 1\n61348 Bad Homburg, Hessen\nGERMANY"


def test_utf16_vcard(store):
    _, _, opened = table("windows_utf16.vcf")
    assert opened.encoding == "utf-16"
    report = import_contacts(store, FORMATS / "windows_utf16.vcf")
    assert (report.rows, report.created) == (2, 2)
    eleni = store.contacts.require("eleni@papadopoulou.example")
    assert (eleni.first_name, eleni.last_name) == ("Ελένη", "Παπαδοπούλου")
    assert store.contacts.require("hanako@sato.example").last_name == "佐藤"


def test_damaged_cards_are_rejected_with_reasons_and_the_rest_imported(store, tmp_path):
    report = import_contacts(store, FORMATS / "damaged.vcf")
    assert (report.rows, report.created, report.rejected) == (5, 2, 3)
    assert store.contacts.require("first@good.example").first_name == "First"
    assert with_phone(store, "+44 20 7946 0958").first_name == "Second"
    rejects = {p.line: p.reason for p in report.rejects}
    assert "no END:VCARD" in rejects[6]
    assert "line 14 is not a vCard property" in rejects[10]
    assert "not inside a vCard" in rejects[21]
    assert store.contacts.by_email("cut@short.example") is None
    assert store.contacts.by_email("garbled@card.example") is None
    # the rejected row saved for the user holds the card's own lines
    saved = tmp_path / "rejected.csv"
    report.write_rejects(saved, database=store.path)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    garbled = next(row for row in rows[1:] if row[-2] == "10")
    assert garbled[:3] == ["BEGIN:VCARD", "VERSION:3.0", "N:Garbled;Card;;;"]


def test_a_large_photo_in_vcard_21_without_folding_is_skipped(store, tmp_path):
    blob = base64.b64encode(bytes(range(256)) * 800).decode()  # 200 KB, as some phones write it: bare lines
    lines = [blob[i : i + 76] for i in range(0, len(blob), 76)]
    text = "BEGIN:VCARD\nVERSION:2.1\nN:Ray;Ada\nTEL;CELL:07700 900777\nPHOTO;ENCODING=BASE64;TYPE=JPEG:\n"
    text += "\n".join(lines) + "\n\nEMAIL:ada@ray.example\n"
    text += "X-MS-CARDPICTURE;TYPE=JPEG;ENCODING=BASE64:\n " + "\n ".join(lines[:300]) + "\n\nEND:VCARD\n"
    path = tmp_path / "phone.vcf"
    path.write_text(text.replace("\n", "\r\n"))
    with open_table(path) as opened:
        assert max(len(cell) for _, row in opened.rows() for cell in row) < 100  # neither blob is anywhere
    report = import_contacts(store, path)
    assert (report.rows, report.created, report.rejected) == (1, 1, 0)
    ada = store.contacts.require("ada@ray.example")
    assert (ada.first_name, ada.phone) == ("Ada", "07700 900777")


def test_vcard_is_recognised_by_content_not_name(store, tmp_path):
    renamed = tmp_path / "contacts.csv"
    renamed.write_bytes((FORMATS / "google_3.0.vcf").read_bytes())
    assert detect_format(renamed) == "vcard"
    assert import_contacts(store, renamed).created == 3
    csv_named_vcf = tmp_path / "list.vcf"
    csv_named_vcf.write_text("Name,Email\nAnna Berg,anna@berg.example\n")
    assert detect_format(csv_named_vcf) == "csv"
    assert import_contacts(store, csv_named_vcf).created == 1


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", codecs.BOM_UTF8), ("utf-8", b"\r\n\r\n"), ("utf-16-le", b""), ("utf-16-be", b""), ("cp1252", b"")],
)
def test_vcard_in_any_encoding_is_recognised(store, tmp_path, encoding, prefix):
    text = (FORMATS / "google_3.0.vcf").read_text(encoding="utf-8").replace("Nowak", "Nowák")
    path = tmp_path / "export.vcf"
    path.write_bytes(prefix + text.encode(encoding))
    assert detect_format(path) == "vcard"
    report = import_contacts(store, path)
    assert (report.rows, report.created, report.rejected) == (3, 3, 0)
    assert store.contacts.require("marta@nowakflorist.example").last_name == "Nowák"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_progress_of_a_vcard_import_moves_through_the_file(store, tmp_path, encoding):
    cards = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Last{i};First{i};;;\r\nEMAIL:c{i}@example.com\r\nEND:VCARD\r\n"
        for i in range(5000)
    )
    path = tmp_path / "many.vcf"
    path.write_bytes(cards.encode(encoding))
    seen: list[tuple[int, int]] = []
    report = import_contacts(store, path, progress=lambda done, total: seen.append((done, total)))
    assert report.created == 5000
    size = path.stat().st_size
    assert all(total == size and 0 < done <= size for done, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen) and seen[-1] == (size, size)
    assert seen[0][0] < size * 0.6  # after 2,000 of 5,000 cards, not at the end already
    preview = read_table(path, limit=100)
    assert preview.total_rows is None and 3500 < preview.estimated_rows < 7000


def test_an_imported_vcard_is_undone_whole(store):
    result = import_ops.import_file(store, FORMATS / "apple_icloud_3.0.vcf", "contacts")
    assert store.contacts.count() == 3
    undone = import_ops.undo_import(store, result.ids[0])
    assert undone.counts["contacts_removed"] == 3 and store.contacts.count() == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1980-01-01", "1980-01-01"),
        ("19800101", "1980-01-01"),
        ("1980-01-01T00:00:00Z", "1980-01-01"),
        ("--1225", "--12-25"),
        ("--12-25", "--12-25"),
        ("circa 1800", "circa 1800"),
    ],
)
def test_vcard_dates_become_iso_text(value, expected):
    assert vcard_date(value) == expected


def test_vcard_unescaping():
    assert unescape(r"a\,b\;c\nd\\e") == ["a,b;c\nd\\e"]
    assert unescape(r"Doe\; Jr;John;;;", ";") == ["Doe; Jr", "John", "", "", ""]
    assert unescape(r"C:\Temp") == [r"C:\Temp"]  # an unknown escape keeps its backslash


# Workbooks ---------------------------------------------------------------------------------------------------------


def test_xlsx_reads_the_first_sheet_as_csv_text(store):
    header, rows, opened = table("customers.xlsx")
    assert (opened.format, opened.sheets, opened.sheet) == ("xlsx", ("Customers", "Orders"), "Customers")
    assert opened.header_line == 3  # below the title row and an empty row
    assert [line for line, _ in rows] == [4, 6, 7, 8]  # the empty row 5 is skipped
    assert column(header, rows, "Phone") == ["447700900004", "07700 900123", "4915112345678", ""]
    assert column(header, rows, "Birthday") == ["1980-01-01", "", "1975-12-24", ""]
    assert column(header, rows, "Customer since")[0] == "2024-03-05 14:30:00"
    assert column(header, rows, "Spent") == ["123.5", "80.3", "1234567", ""]
    assert column(header, rows, "Newsletter")[:2] == ["TRUE", "FALSE"]

    report = import_contacts(store, FORMATS / "customers.xlsx")
    assert (report.rows, report.created, report.rejected) == (4, 4, 0)
    assert report.encoding == "xlsx"
    anna = store.contacts.require("anna@berg.example")
    assert anna.phone_key == "+447700900004" and anna.tags == ("VIP",)
    ben = store.contacts.require("ben@okoro.example")
    assert (ben.company, ben.notes) == ("Okoro Ltd", "Pays by card\nno cash")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (447700900004.0, "447700900004"),
        (1e22, "1e+22"),
        (0.1 + 0.2, "0.3"),
        (-12.5, "-12.5"),
        (7, "7"),
        (True, "TRUE"),
        (datetime(2024, 3, 5), "2024-03-05"),
        (datetime(2024, 3, 5, 14, 30, 5, 250), "2024-03-05 14:30:05"),
        (date(1980, 1, 1), "1980-01-01"),
        (time(9, 15), "09:15:00"),
        (timedelta(hours=1, minutes=30), "1:30:00"),
        ("  kept as is ", "  kept as is "),
    ],
)
def test_workbook_cells_read_as_a_csv_export_would_write_them(value, text):
    from tracker.core.importing.spreadsheet import _BY_TYPE, cell_text

    assert cell_text(value) == text
    assert _BY_TYPE.get(type(value), cell_text)(value) == text  # the fast path the reader takes agrees


def test_ods_reads_like_the_xlsx(store):
    header, rows, opened = table("customers.ods")
    assert (opened.format, opened.sheets) == ("ods", ("Customers", "Orders"))
    xlsx_header, xlsx_rows, _ = table("customers.xlsx")
    assert header == xlsx_header
    assert [row for _, row in rows] == [row for _, row in xlsx_rows]  # LibreOffice's million empty rows skipped
    report = import_contacts(store, FORMATS / "customers.ods")
    assert (report.rows, report.created) == (4, 4)
    assert store.contacts.require("anna@berg.example").phone_key == "+447700900004"


def test_an_old_binary_xls_workbook_is_read(store):
    _, rows, opened = table("kunden.xls")
    assert (opened.format, opened.sheets, opened.header_line) == ("xls", ("Kunden", "Leer"), 3)
    assert [row for _, row in rows] == [
        ["Jürgen", "Weiß", "juergen@weiss.example", "491712345678", "1980-01-01", "12.5"],
        ["Zoë", "Müller", "zoe@mueller.example", "0171 2345678", "", "1000"],
    ]
    report = import_contacts(store, FORMATS / "kunden.xls")
    assert (report.rows, report.created, report.rejected) == (2, 2, 0)
    juergen = store.contacts.require("juergen@weiss.example")
    assert (juergen.first_name, juergen.last_name, juergen.phone_key) == ("Jürgen", "Weiß", "+491712345678")
    with pytest.raises(ImportRejected, match=r"Leer' of kunden\.xls is empty"):
        import_contacts(store, FORMATS / "kunden.xls", sheet="Leer")


@pytest.mark.parametrize("name", ["customers.xlsx", "customers.ods"])
@pytest.mark.parametrize("sheet", ["Orders", "orders", "2"])
def test_a_chosen_sheet_imports_as_interactions(store, name, sheet):
    report = import_interactions(store, FORMATS / name, sheet=sheet)
    assert (report.rows, report.created, report.rejected) == (3, 3, 0)
    anna = store.contacts.require("anna@berg.example")
    kinds = sorted(i.kind for i in store.interactions.list(contact_id=anna.id))
    assert kinds == ["call", "purchase"]


def make_spreadsheets():
    """tests/fixtures/formats/make_spreadsheets.py as a module (its writers make workbooks for single tests)."""
    spec = importlib.util.spec_from_file_location("make_spreadsheets", FORMATS / "make_spreadsheets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_empty_first_sheet_is_passed_over_unless_chosen(store, tmp_path):
    path = tmp_path / "with-cover.xlsx"
    orders = [["Email", "Date", "Type"], ["anna@berg.example", date(2026, 5, 1), "purchase"]]
    make_spreadsheets().write_xlsx(path, [("Cover", [None, None]), ("Orders", orders), ("Empty", [])])
    with open_table(path) as opened:
        assert (opened.sheet, opened.header) == ("Orders", ["Email", "Date", "Type"])
    assert import_interactions(store, path).created == 1
    with pytest.raises(ImportRejected, match=r"Sheet 'Cover' of with-cover\.xlsx is empty"):
        import_contacts(store, path, sheet="Cover")
    blank = tmp_path / "blank.xlsx"
    make_spreadsheets().write_xlsx(blank, [("One", []), ("Two", [None])])
    with pytest.raises(ImportRejected, match=r"Every sheet of blank\.xlsx is empty"):
        import_contacts(store, blank)


def test_a_missing_sheet_or_a_sheet_of_a_csv_is_one_sentence(store, fixtures):
    with pytest.raises(ImportRejected, match=r"has no sheet 'Kunden' \(sheets: Customers, Orders\)"):
        import_contacts(store, FORMATS / "customers.xlsx", sheet="Kunden")
    with pytest.raises(ImportRejected, match="is not a workbook"):
        import_contacts(store, fixtures / "google_contacts_sample.csv", sheet="Orders")
    assert store.contacts.count() == 0


def test_damaged_workbooks_are_refused_in_one_sentence(store, tmp_path):
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not xml at all")
    with pytest.raises(ImportRejected, match="cannot be read as an Excel workbook") as refused:
        import_contacts(store, broken)
    assert "\n" not in str(refused.value)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(ImportRejected, match=r"old Excel \.xls workbook .*Save As"):
        import_contacts(store, old)
    word = tmp_path / "letter.docx"
    with zipfile.ZipFile(word, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ImportRejected, match="is a Word document"):
        import_contacts(store, word)
    assert store.contacts.count() == 0 and store.imports.list() == []


def test_a_workbook_zipped_with_backslashes_is_read_and_a_protected_one_explained(store, tmp_path):
    source = zipfile.ZipFile(FORMATS / "customers.xlsx")
    windows = tmp_path / "from-a-windows-tool.xlsx"
    with zipfile.ZipFile(windows, "w") as archive:  # some Windows tools write xl\\worksheets\\sheet1.xml
        for info in source.infolist():
            archive.writestr(info.filename.replace("/", "\\"), source.read(info))
    assert detect_format(windows) == "xlsx"
    assert import_contacts(store, windows).created == 4
    protected = tmp_path / "protected.xlsx"  # Excel keeps a password-protected workbook in an OLE2 container
    protected.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000) + "EncryptedPackage".encode("utf-16-le"))
    with pytest.raises(ImportRejected, match="is password-protected; open it in Excel, remove the password"):
        import_contacts(store, protected)


def test_preview_of_a_workbook_counts_its_rows_and_names_its_sheets():
    preview = read_table(FORMATS / "customers.xlsx", limit=2)
    assert (preview.format, preview.sheets, preview.sheet) == ("xlsx", ("Customers", "Orders"), "Customers")
    assert (len(preview.rows), preview.total_rows, preview.line_numbers) == (2, 4, [4, 6])
    assert read_table(FORMATS / "customers.xlsx", sheet="Orders").header == ["Email", "Date", "Type", "Amount", "Note"]


# ZIP archives ------------------------------------------------------------------------------------------------------


def test_mailchimp_export_is_one_table_with_the_status_kept(store, tmp_path):
    header, rows, opened = table("mailchimp_members_export.zip")
    assert opened.format == "zip"
    assert header[-1] == "Mailchimp Status" and "UNSUB_REASON" in header and "CLEAN_TIME" in header
    assert column(header, rows, "Mailchimp Status") == ["subscribed", "subscribed", "unsubscribed", "cleaned"]
    assert column(header, rows, "Email Address")[2] == "ben@okoro.example"
    assert column(header, rows, "UNSUB_REASON") == ["", "", "NORMAL", ""]  # under its own column

    folder = tmp_path / "downloads"
    folder.mkdir()
    source = folder / "members_export_2c5b9a1f0e.zip"
    source.write_bytes((FORMATS / "mailchimp_members_export.zip").read_bytes())
    report = import_contacts(store, source)
    assert list(folder.iterdir()) == [source]  # nothing unpacked beside it
    assert (report.rows, report.created, report.rejected) == (4, 4, 0)
    assert report.mapping["Email Address"] == "email"
    anna = store.contacts.require("anna@berg.example")
    assert (anna.first_name, anna.phone, anna.tags) == ("Anna", "+44 7700 900004", ("VIP",))
    assert store.contacts.require("bounced@nowhere.example").last_name == "Unce"


def test_mailchimp_status_becomes_consent(store):
    from tracker.core.importing.columns import CONTACT_FIELDS

    if "consent" not in CONTACT_FIELDS:
        pytest.skip("the contact mapping has no consent field")
    import_contacts(store, FORMATS / "mailchimp_members_export.zip")
    consent = {e: store.contacts.require(e).consent for e in ("anna@berg.example", "ben@okoro.example")}
    assert consent == {"anna@berg.example": True, "ben@okoro.example": False}
    assert store.contacts.require("bounced@nowhere.example").consent is False


def test_csv_files_with_the_same_columns_in_any_order_are_one_table(store):
    report = import_contacts(store, FORMATS / "same_columns.zip")
    assert (report.rows, report.created) == (2, 2)
    assert store.contacts.require("ben@okoro.example").last_name == "Okoro"


def test_csv_files_with_different_columns_are_refused_naming_them(store):
    with pytest.raises(ImportRejected, match=r"different columns \(shop_a\.csv, shop_b\.csv\)"):
        import_contacts(store, FORMATS / "two_lists.zip")
    assert store.imports.list() == []


def test_a_zip_without_csv_files_is_refused_naming_what_it_holds(store, tmp_path):
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("__MACOSX/._a.jpg", b"x")
        archive.writestr("holiday/a.jpg", b"\xff\xd8\xff" + bytes(50))
        archive.writestr("holiday/readme.pdf", b"%PDF-1.4")
    with pytest.raises(ImportRejected, match=r"without a CSV file \(it holds a\.jpg, readme\.pdf\)"):
        import_contacts(store, path)


def test_a_zip_bomb_is_refused_before_it_is_read(store, tmp_path, monkeypatch):
    bomb = tmp_path / "members.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("subscribed_members_export_1.csv", b"Email Address\n" + b"\0" * (8 << 20))
    with pytest.raises(ImportRejected, match="zip bomb"):
        import_contacts(store, bomb)
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("list.csv", "Email\n" + "anna@berg.example\n" * 1000)
    monkeypatch.setattr(archive_module, "MAX_UNPACKED", 10_000)
    with pytest.raises(ImportRejected, match="would unpack to"):
        import_contacts(store, big)
    assert store.imports.list() == []


def test_a_truncated_zip_is_one_sentence(store, tmp_path):
    whole = (FORMATS / "mailchimp_members_export.zip").read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImportRejected, match=r"ZIP archive .* cannot be read") as refused:
        import_contacts(store, cut)
    assert str(refused.value).count(".") <= 4 and "\n" not in str(refused.value)


# Command line ------------------------------------------------------------------------------------------------------


def run(capsys, db_path: Path, *args: object) -> tuple[int, str, str]:
    from tracker.cli import main

    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), *(str(a) for a in args)])
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_cli_imports_a_vcard_and_a_chosen_sheet(capsys, db_path):
    code, out, err = run(capsys, db_path, "import", "contacts", FORMATS / "damaged.vcf", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["rows"], report["created"], report["rejected"]) == (5, 2, 3)
    assert report["rejects"][0] == {"line": 6, "reason": report["rejects"][0]["reason"]}
    assert "no END:VCARD" in report["rejects"][0]["reason"]

    code, out, err = run(capsys, db_path, "import", "interactions", FORMATS / "customers.xlsx", "--sheet", "Orders")
    assert code == 0, err
    assert "Read as xlsx;" in out and "delimiter" not in out
    code, out, err = run(capsys, db_path, "contacts", "--json")
    emails = {c["email"] for c in json.loads(out)["contacts"]}
    assert {"first@good.example", "anna@berg.example", "ben@okoro.example"} <= emails


def test_cli_refuses_a_sheet_of_a_csv_and_an_unreadable_zip(capsys, db_path, fixtures, tmp_path):
    code, out, err = run(capsys, db_path, "import", "contacts", fixtures / "google_contacts_sample.csv", "--sheet", "x")
    assert (code, out) == (2, "") and err.count("\n") == 1 and "is not a workbook" in err
    broken = tmp_path / "export.zip"
    broken.write_bytes(b"PK\x03\x04" + bytes(100))
    code, out, err = run(capsys, db_path, "import", "contacts", broken)
    assert (code, out) == (2, "") and err.count("\n") == 1 and "export.zip" in err and "Traceback" not in err


# The window --------------------------------------------------------------------------------------------------------


def test_the_wizard_previews_a_workbook_and_its_chosen_sheet(qtbot, store):
    from tracker.ui.import_wizard import ImportWizard

    wizard = ImportWizard(store, FORMATS / "customers.xlsx", "interactions")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    preview = wizard.preview_page
    assert preview.sheet.isVisible() and not preview.delimiter.isVisible() and not preview.encoding.isVisible()
    assert [preview.sheet.itemText(i) for i in range(preview.sheet.count())] == ["Customers", "Orders"]
    assert "Excel workbook" in preview.file_label.text()
    preview.sheet.setCurrentIndex(1)
    assert wizard.table is not None and wizard.table.sheet == "Orders"
    assert wizard.table.header == ["Email", "Date", "Type", "Amount", "Note"]
    report = wizard.work(dry_run=True)(store)
    assert (report.rows, report.created, report.rejected) == (3, 3, 0)
    assert store.interactions.count() == 0  # a dry run


def test_the_wizard_offers_the_sheets_again_after_an_empty_one(qtbot, store):
    from PySide6.QtWidgets import QWizard

    from tracker.ui.import_wizard import ImportWizard

    wizard = ImportWizard(store, FORMATS / "kunden.xls", "contacts")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    preview = wizard.preview_page
    preview.sheet.setCurrentIndex(preview.sheet.findText("Leer"))
    assert wizard.table is None and "is empty" in preview.error.text()
    assert preview.sheet.isVisible() and not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    preview.sheet.setCurrentIndex(preview.sheet.findText("Kunden"))
    assert wizard.table is not None and wizard.table.sheet == "Kunden" and not preview.error.isVisible()
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_the_wizard_previews_a_vcard_with_its_encoding_only(qtbot, store):
    from tracker.ui.import_wizard import ImportWizard

    wizard = ImportWizard(store, FORMATS / "outlook_2.1_cp1252.vcf", "contacts")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    preview = wizard.preview_page
    assert preview.encoding.isVisible() and not preview.delimiter.isVisible() and not preview.sheet.isVisible()
    assert wizard.table is not None and wizard.table.rows[0][:2] == ["Jürgen", "Müller"]
    report = wizard.work(dry_run=False)(store)
    assert (report.rows, report.created) == (2, 2)
    assert store.contacts.require("zoe@weiss.example").first_name == "Zoë"


@pytest.mark.parametrize("name", ["a.vcf", "b.xlsx", "c.ods", "d.zip", "e.csv"])
def test_the_window_accepts_these_files_dropped_on_it(qtbot, store, tmp_path, name):
    from PySide6.QtCore import QMimeData, QPoint, QSettings, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent

    from tracker.ui.main_window import MainWindow

    window = MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(tmp_path / name))])
    event = QDragEnterEvent(
        QPoint(5, 5), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    event.ignore()
    window.dragEnterEvent(event)
    assert event.isAccepted()


def test_a_dropped_vcard_opens_the_contacts_wizard(qtbot, store, tmp_path):
    from PySide6.QtCore import QSettings

    from tracker.ui.import_wizard import ImportWizard
    from tracker.ui.main_window import MainWindow

    window = MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.import_dropped(FORMATS / "google_3.0.vcf")
    wizard = window.findChild(ImportWizard)
    assert wizard is not None and wizard.kind == "contacts"
    assert wizard.table is not None and wizard.table.format == "vcard" and len(wizard.table.rows) == 3
    wizard.close()


def test_unreadable_row_keeps_its_cells_and_reason():
    row = UnreadableRow(["BEGIN:VCARD", "N:X"], "the card has no END:VCARD")
    assert list(row) == ["BEGIN:VCARD", "N:X"] and row.reason == "the card has no END:VCARD"
