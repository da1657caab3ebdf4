"""Evidence before a guess (issue 15): dates, IPs, money, ids and null-words never become phones, rows of different
people are never merged silently, and a company name in a name column stays a company."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.core.importing import import_contacts
from tracker.core.importing.columns import infer_from_values, map_columns
from tracker.core.importing.names import looks_like_company

CORPUS = Path(__file__).parent / "fixtures" / "import"


def people(store) -> list[tuple[str, str, str | None, str, str, str]]:
    """(first, last, email, phone, company, notes) of every contact, in the order they were made."""
    return list(
        store.conn.execute("SELECT first_name, last_name, email, phone, company, notes FROM contacts ORDER BY id")
    )


def accounted(report) -> bool:
    return report.rows == report.created + report.updated + report.rejected


def phone_columns(report) -> set[str]:
    return {column for column, field in report.mapping.items() if field == "phone"}


# Values that are not phone numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        ["2026-02-23", "2026-02-24", "2025-12-01"],
        ["23.02.2026", "01.07.1975", "31.12.1999"],
        ["2/23/2025", "12/1/2024", "1/31/2025"],
        ["2025-02-23 09:12:00", "2025-02-24 10:00:00"],
        ["2/23/2025, 9:12:00 AM", "2/24/2025, 10:00:00 PM"],
        ["192.168.10.21", "10.0.0.5", "203.0.113.7"],
        ["2001:db8::1", "fe80::1ff:fe23:4567:890a"],
        ["12.50", "1234.50", "99.99"],
        ["€12,50", "€1.234,00", "€8,00"],
        ["1,234.00", "12,345.50", "999.00"],
        ["59817261401", "59817261402", "59817261403"],
        ["000123", "000124", "000125", "000126"],
        ["null", "NULL", "none", "n/a"],
    ],
)
def test_values_that_are_not_phone_numbers_are_never_inferred_as_phones(values):
    assert infer_from_values(values) != "phone"


@pytest.mark.parametrize(
    "values",
    [
        ["+48 600 100 200", "+81 90 1234 5678", "+1 (415) 555-0123"],
        ["0151 1234567", "030 1234567", "0171 2345678"],
        ["'+447700900004", "'+447700900005", "'+31612345678"],
        ["06 12 34 56 78", "07700 900004", "null"],
    ],
)
def test_phone_numbers_are_still_inferred(values):
    assert infer_from_values(values) == "phone"


@pytest.mark.parametrize(
    ("title", "value"),
    [
        ("Subscription Date", "2024-03-01"),
        ("Create Date", "2025-02-23 09:12"),
        ("Geburtstag", "23.02.1980"),
        ("Date de naissance", "2/23/1985"),
        ("Birthday", "1980-02-23"),
        ("CONFIRM_IP", "192.168.10.21"),
        ("ip", "203.0.113.7"),
        ("Subtotal", "1234.50"),
        ("Lineitem price", "1234.50"),
        ("Outstanding Balance", "1234.50"),
        ("Total Spent", "1234.50"),
        # headers that say what the column is, even when its values could be dialled
        ("Birthday", "19800223"),
        ("Total Spent", "0151 1234567"),
        ("Customer ID", "0151 1234567"),
    ],
)
def test_named_columns_that_are_not_phones_are_never_mapped_to_phone(title, value):
    mapping = map_columns(["Email", title], sample=[["a@b.example", value]] * 5)
    assert mapping.get(1) != "phone"


@pytest.mark.parametrize("title", ["Mobil", "Mobile", "Handy", "Téléphone", "Phone 1 - Value"])
def test_headers_that_say_phone_are_mapped_to_phone(title):
    assert map_columns(["Email", title]) == {0: "email", 1: "phone"}


# Real-shaped exports ------------------------------------------------------------------------------------------------


def test_mailchimp_ips_and_dates_are_not_phones(store):
    report = import_contacts(store, CORPUS / "evidence_mailchimp.csv")
    assert phone_columns(report) == set()
    assert (report.rows, report.created, report.rejected) == (3, 3, 0)
    assert [(p[0], p[3]) for p in people(store)] == [("Ana", ""), ("Ben", ""), ("Chloé", "")]


def test_mautic_rows_sharing_an_ip_address_stay_four_people(store):
    report = import_contacts(store, CORPUS / "evidence_mautic.csv")
    assert phone_columns(report) == set()
    assert (report.rows, report.created, report.updated, report.rejected) == (4, 4, 0, 0)
    assert [(p[0], p[1], p[3]) for p in people(store)] == [
        ("Lena", "Vogel", ""),
        ("Tomás", "Reyes", ""),
        ("Ines", "Haas", ""),
        ("Omar", "Said", ""),
    ]


def test_hubspot_literal_null_phones_are_dropped_with_a_warning(store):
    report = import_contacts(store, CORPUS / "evidence_hubspot.csv")
    assert phone_columns(report) == {"Phone Number"}
    assert (report.rows, report.created, report.updated, report.rejected) == (5, 5, 0, 0)
    assert sorted((p[0], p[3]) for p in people(store)) == [
        ("Ada", ""),
        ("Alan", ""),
        ("Barbara", "+1 415 555 0123"),
        ("Edsger", ""),
        ("Grace", ""),
    ]
    assert [(w.line, "is not a phone number" in w.reason) for w in report.warnings] == [
        (2, True),
        (3, True),
        (4, True),
        (5, True),
    ]


def test_german_export_two_people_with_the_same_birthday_stay_two(store):
    report = import_contacts(store, CORPUS / "evidence_german.csv")
    assert report.mapping["Mobil"] == "phone"
    assert report.mapping.get("Geburtstag") != "phone"
    assert (report.rows, report.created, report.updated, report.rejected) == (3, 3, 0, 0)
    assert sorted((p[0], p[1], p[3]) for p in people(store)) == [
        ("Jürgen", "Weiß", "0151 1234567"),
        ("Lukas", "Schäfer", ""),  # his "Mobil" cell held a date
        ("Sabine", "Krüger", ""),
    ]
    assert [(w.line, "'23.02.2026' is not a phone number" in w.reason) for w in report.warnings] == [(4, True)]


def test_french_export_birth_dates_are_not_phones(store):
    report = import_contacts(store, CORPUS / "evidence_french.csv")
    assert phone_columns(report) == {"Téléphone"}
    assert (report.rows, report.created) == (2, 2)
    assert sorted((p[0], p[3]) for p in people(store)) == [("Hugo", ""), ("Élodie", "06 12 34 56 78")]


def test_shopify_money_and_customer_ids_are_not_phones(store):
    report = import_contacts(store, CORPUS / "evidence_shopify.csv")
    assert phone_columns(report) == {"Phone"}
    assert (report.rows, report.created, report.rejected) == (3, 3, 0)
    phones = sorted((p[0], p[3]) for p in people(store))
    assert phones == [("Mia", "+447700900005"), ("Priya", "+447700900004"), ("Tom", "")]


# No silent merge of different people -----------------------------------------------------------------------------


def test_a_shared_phone_does_not_merge_different_people(store):
    report = import_contacts(store, CORPUS / "evidence_shared_phone.csv")
    assert accounted(report)
    assert (report.rows, report.created, report.updated) == (5, 4, 1)  # the second Anna Berg row is a duplicate
    assert sorted((p[0], p[1], p[4], p[3]) for p in people(store)) == [
        ("", "", "Fjord Café AB", "+46 8 123 456 78"),
        ("", "", "Nordic Bikes AB", "+46 8 123 456 78"),
        ("Anna", "Berg", "", "+46 70 123 45 67"),
        ("Erik", "Lund", "", "+46 70 123 45 67"),
    ]
    assert [(w.line, "+46 70 123 45 67" in w.reason or "+46 8 123 456 78" in w.reason) for w in report.warnings] == [
        (3, True),
        (6, True),
    ]


def test_a_shared_phone_does_not_merge_with_a_different_person_already_stored(store, tmp_path):
    import_contacts(store, CORPUS / "evidence_shared_phone.csv")
    later = tmp_path / "later.csv"
    later.write_text("First Name,Last Name,Phone\nErik,Lund,+46701234567\nMaja,Holm,+46701234567\n", encoding="utf-8")
    report = import_contacts(store, later)
    assert accounted(report)
    assert (report.created, report.updated) == (1, 1)  # Erik merges with himself, Maja is new
    assert [(p[0], p[1]) for p in people(store)][-1] == ("Maja", "Holm")
    assert [(w.line, "different name" in w.reason) for w in report.warnings] == [(3, True)]


def test_ten_companies_sharing_one_office_email_stay_ten(store):
    report = import_contacts(store, CORPUS / "evidence_odoo.csv")
    assert accounted(report)
    assert (report.rows, report.created, report.updated, report.rejected) == (10, 10, 0, 0)
    contacts = people(store)
    assert [c[4] for c in contacts] == [
        "Steiner Mechanik AG",
        "Müller Bau GmbH",
        "Acme Ltd",
        "Bäckerei Schmidt",
        "Nordlicht Design Oy",
        "Brightway Solutions LLC",
        "Initech Inc.",
        "Lumière SARL",
        "Van Dijk Logistiek BV",
        "Rossi Impianti S.r.l.",
    ]
    assert {(c[0], c[1]) for c in contacts} == {("", "")}  # no company was split into a first and a last name
    assert contacts[0][2] == "office@gewerbepark.example"
    assert [c[2] for c in contacts[1:]] == [None] * 9  # the address stays unique to one contact…
    assert all("office@gewerbepark.example" in c[5] for c in contacts[1:])  # …and is kept in the others' notes
    assert len(report.warnings) == 9
    assert all("office@gewerbepark.example" in w.reason for w in report.warnings)


def test_a_shared_email_does_not_merge_a_different_company_already_stored(store, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("Name,Email\nSteiner Mechanik AG,office@gewerbepark.example\n", encoding="utf-8")
    second = tmp_path / "second.csv"
    second.write_text(
        "Name,Email\nMüller Bau GmbH,office@gewerbepark.example\nSteiner Mechanik AG,Office@gewerbepark.example\n",
        encoding="utf-8",
    )
    import_contacts(store, first)
    report = import_contacts(store, second)
    assert (report.created, report.updated) == (1, 1)
    assert [(c[4], c[2]) for c in people(store)] == [
        ("Steiner Mechanik AG", "office@gewerbepark.example"),
        ("Müller Bau GmbH", None),
    ]
    assert [(w.line, "office@gewerbepark.example" in w.reason) for w in report.warnings] == [(2, True)]


def test_the_same_person_still_merges_by_email_and_by_phone(store, tmp_path):
    path = tmp_path / "same.csv"
    path.write_text(
        "Name,Email,Phone\nAnna Berg,anna@berg.example,\nA. Berg,ANNA@berg.example,+46 70 123 45 67\n"
        "Ola,,+47 912 34 567\nOla Nordmann,,'+4791234567\n",
        encoding="utf-8",
    )
    report = import_contacts(store, path)
    assert (report.created, report.updated, report.warnings) == (2, 2, [])


def test_json_report_lists_warnings_with_their_row(capsys, db_path):
    with pytest.raises(SystemExit):
        main(["--db", str(db_path), "import", "contacts", str(CORPUS / "evidence_shared_phone.csv"), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert [w["row"] for w in report["warnings"]] == [3, 6]
    assert all(w["reason"] for w in report["warnings"])


# Company names in a name column -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Steiner Mechanik AG",
        "Müller Bau GmbH",
        "Acme Ltd",
        "Acme Ltd.",
        "Bäckerei Schmidt",
        "Brightway Solutions LLC",
        "Initech, Inc.",
        "Lumière SA",
        "Lumière SARL",
        "Van Dijk Logistiek B.V.",
        "Rossi Impianti S.r.l.",
        "Nordlicht Design Oy",
        "Nordic Bikes AB",
        "Müller & Söhne GmbH & Co. KG",
        "Acme Sp. z o.o.",
    ],
)
def test_company_names_are_recognised(name):
    assert looks_like_company(name)


@pytest.mark.parametrize("name", ["Anna Berg", "Jan de Vries", "Kowalska, Marta", "Sa Li", "Ab Lund", "佐藤 花子"])
def test_personal_names_are_not_taken_for_companies(name):
    assert not looks_like_company(name)
