"""The files users really bring (tests/fixtures/import, made by make_import_corpus.py): each imports exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.core.errors import ImportRejected
from tracker.core.importing import import_contacts

CORPUS = Path(__file__).parent / "fixtures" / "import"

# file → (encoding, delimiter, created, rejected, {email: (first, last, phone, company, tags)})
EXPECTED = {
    "outlook_de_cp1252.csv": (
        "cp1252",
        ",",
        2,
        0,
        {
            "zoe@mueller.example": ("Zoë", "Müller", "0171 2345678", "Bäckerei Müller", ("Kunden", "VIP")),
            "juergen@weiss.example": ("Jürgen", "Weiß", "", "", ("Kunden",)),
        },
    ),
    "outlook_fr_cp1252.csv": (
        "cp1252",
        ",",
        2,
        0,
        {
            "elodie@lemaitre.example": ("Élodie", "Lemaître", "06 12 34 56 78", "Boulangerie Lemaître", ()),
            "francois@nunez.example": ("François", "Núñez", "", "", ()),
        },
    ),
    "google_legacy.csv": (
        "utf-8",
        ",",
        1,
        0,
        {"anna@berg.example": ("Anna", "Berg", "+46 70 123 45 67", "", ("Customers",))},
    ),
    "mailchimp_subscribed.csv": (
        "utf-8",
        ",",
        1,
        0,
        {"sipho@dlamini.example": ("Sipho", "Dlamini", "+27 82 123 4567", "", ("Newsletter", "Wholesale"))},
    ),
    "hubspot.csv": (
        "utf-8",
        ",",
        1,
        0,
        {"kwame@mensah.example": ("Kwame", "Mensah", "+233 20 123 4567", "Mensah Motors", ())},
    ),
    "shopify_customers.csv": (
        "utf-8",
        ",",
        1,
        0,
        {"kenji@sato.example": ("Kenji", "Sato", "+81 90 1234 5678", "", ("vip", "wedding"))},
    ),
    "russian_cp1251.csv": (
        "cp1251",
        ";",
        1,
        0,
        {"dmitry@ivanov.example": ("Дмитрий", "Иванов", "+7 912 345-67-89", "", ())},
    ),
    "chinese_gb18030.csv": (
        "gb18030",
        ",",
        2,
        0,
        {"wang.wei@example.cn": ("王伟", "", "138 0013 8000", "", ()), "li.na@example.cn": ("李娜", "", "", "", ())},
    ),
    "japanese_shift_jis.csv": ("cp932", ",", 1, 0, {"hanako@sato.example": ("花子", "佐藤", "", "佐藤商店", ())}),
    "excel_unicode_text_utf16le.txt": (
        "utf-16",
        "\t",
        2,
        0,
        {"zoe2@mueller.example": ("Zoë", "Müller", "", "", ()), "wang2@example.cn": ("王", "伟", "", "", ())},
    ),
    "utf16_be_bom.csv": ("utf-16", ",", 1, 0, {"petrov@example.ru": ("Дмитрий", "Петров", "", "", ())}),
    "linkedin_connections.csv": (
        "utf-8",
        ",",
        2,
        0,
        {"ayo@okafor.example": ("Ayo", "Okafor", "", "Okafor Events", ())},
    ),
    "excel_sep_line.csv": ("utf-8", ";", 1, 0, {"jan@devries.example": ("Jan", "de Vries", "", "De Vries BV", ())}),
    "excel_mac_cr_macroman.csv": (
        "mac_roman",
        ",",
        2,
        0,
        {
            "zoe3@mueller.example": ("Zoë", "Müller", "", "", ()),
            "francois@leger.example": ("François", "Léger", "", "", ()),
        },
    ),
    "pipe_delimited.csv": ("utf-8", "|", 1, 0, {"ola@nordmann.example": ("Ola", "Nordmann", "+47 912 34 567", "", ())}),
    "embedded_newlines_quotes.csv": (
        "utf-8",
        ",",
        2,
        0,
        {
            "chloe@martin.example": ("Chloé", "Martin", "", "", ()),
            "marie@dupont.example": ("Marie", "Dupont", "", "", ()),
        },
    ),
    "ragged_rows.csv": (
        "utf-8",
        ",",
        3,
        0,
        {
            "short@example.com": ("Anna", "Short", "", "", ()),
            "long@example.com": ("Bob", "Long", "+1 555 0100", "", ()),
        },
    ),
    "huge_field.csv": ("utf-8", ",", 2, 0, {"small@example.com": ("Small", "", "", "", ())}),
    "nul_bytes.csv": ("utf-8", ",", 2, 1, {"good2@example.com": ("Good", "Two", "", "", ())}),
    "unknown_headers_inferred.csv": (
        "utf-8",
        ",",
        2,
        0,
        {"marta@nowak.example": ("Marta", "Nowak", "+48 600 100 200", "", ())},
    ),
    "angle_bracket_emails.csv": (
        "utf-8",
        ",",
        2,
        0,
        {"jane@doe.example": ("Jane", "Doe", "", "", ()), "john@doe.example": ("John", "", "", "", ())},
    ),
    "duplicate_headers.csv": (
        "utf-8",
        ",",
        2,
        0,
        {"rita@example.com": ("Rita", "", "", "", ()), "rob@example.com": ("Rob", "", "", "", ())},
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_imports_exactly(store, name):
    encoding, delimiter, created, rejected, contacts = EXPECTED[name]
    report = import_contacts(store, CORPUS / name)
    assert (report.encoding, report.delimiter) == (encoding, delimiter)
    assert (report.created, report.rejected) == (created, rejected)
    assert report.rows == report.created + report.updated + report.rejected
    for email, (first, last, phone, company, tags) in contacts.items():
        contact = store.contacts.require(email)
        assert (contact.first_name, contact.last_name, contact.phone, contact.company, contact.tags) == (
            first,
            last,
            phone,
            company,
            tags,
        )


def test_every_corpus_file_has_an_expectation():
    files = {p.name for p in CORPUS.iterdir()} - {"header_only.csv", "not_really.csv.xlsx"}
    files -= {p.name for p in CORPUS.glob("evidence_*")}  # checked by tests/test_import_evidence.py
    assert files == set(EXPECTED)


def test_second_values_are_kept_as_other_emails_and_phones(store):
    import_contacts(store, CORPUS / "google_legacy.csv")
    import_contacts(store, CORPUS / "outlook_de_cp1252.csv")
    anna = store.contacts.require("anna@berg.example")
    assert (anna.more_emails, anna.more_phones, anna.notes) == (("anna.work@berg.example",), ("+46 8 123 456",), "")
    assert "j.weiss@privat.example" in store.contacts.require("juergen@weiss.example").more_emails


def test_huge_field_is_kept_whole(store):
    import_contacts(store, CORPUS / "huge_field.csv")
    assert store.contacts.by_email("big@example.com") is not None


def test_japanese_name_shows_family_name_first(store):
    import_contacts(store, CORPUS / "japanese_shift_jis.csv")
    assert store.contacts.require("hanako@sato.example").name == "佐藤 花子"


def test_nul_row_is_reported_and_the_rest_imports(store):
    report = import_contacts(store, CORPUS / "nul_bytes.csv")
    assert [(p.line, "NUL" in p.reason) for p in report.rejects] == [(3, True)]


def test_encoding_override_is_obeyed(store):
    report = import_contacts(store, CORPUS / "outlook_fr_cp1252.csv", encoding="cp1250")
    assert report.encoding == "cp1250"
    with pytest.raises(ImportRejected, match="not valid utf-8"):
        import_contacts(store, CORPUS / "outlook_fr_cp1252.csv", encoding="utf-8")


def test_renamed_workbook_and_header_only_file(store):
    with pytest.raises(ImportRejected, match="Excel"):
        import_contacts(store, CORPUS / "not_really.csv.xlsx")
    report = import_contacts(store, CORPUS / "header_only.csv")
    assert (report.rows, report.created, store.contacts.count()) == (0, 0, 0)


def test_interactions_name_people_the_way_contacts_do(store):
    import_contacts(store, CORPUS / "japanese_shift_jis.csv")
    hanako = store.contacts.require("hanako@sato.example")
    from datetime import datetime

    store.interactions.log(hanako.id, "call", datetime(2026, 11, 1, 10))
    assert store.interactions.list()[0].contact_name == hanako.name == "佐藤 花子"
