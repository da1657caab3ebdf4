"""What contacts keep from real exports besides names, e-mail and phone (issue 15, schema 5): addresses, important
dates, consent, customer numbers, reported order totals, custom columns, other e-mails and phones — and phones
matched in any spelling through the phone region."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.core.engagement import explain
from tracker.core.followups import suggest_follow_ups
from tracker.core.importing.columns import map_columns
from tracker.core.importing.contacts import import_contacts, important_date, yearless_order
from tracker.core.levels import Level
from tracker.core.normalize import phone_key
from tracker.core.operations.imports import undo_import
from tracker.core.store import Store
from tracker.core.store.connection import connect
from tracker.core.store.migrations import migrate

DETAILS = Path(__file__).parent / "fixtures" / "details"
AS_OF = date(2026, 11, 23)


def json_out(capsys, db: Path, *args: str) -> dict:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db), *args, "--json"])
    out, err = capsys.readouterr()
    assert exit_info.value.code == 0, err
    return json.loads(out)


def test_shopify_customers_export_keeps_consent_totals_address_and_custom_columns(store):
    report = import_contacts(store, DETAILS / "shopify_customers_2024.csv")
    assert (report.rows, report.created, report.rejected) == (4, 4, 0)
    olivia = store.contacts.require("olivia.hart@example.com")
    assert olivia.consent is True
    assert olivia.customer_no == "7106543210001"  # Shopify's apostrophe gone
    assert (olivia.orders_reported, olivia.spent_reported) == (4, 312.40)
    assert olivia.address == "12 Mill Lane, Bristol, GB, BS1 4DJ"
    assert olivia.fields == {"Accepts SMS Marketing": "no", "Tax Exempt": "no"}
    assert olivia.phone_key == "+447700900101"
    noah = store.contacts.require("noah.price@example.com")
    assert (noah.consent, noah.orders_reported) == (False, 1)
    amelia = store.contacts.require("amelia.wood@example.com")
    assert (amelia.orders_reported, amelia.spent_reported) == (0, 0.0)
    (jack,) = [c for c in store.contacts.with_phone("+447700900104")]
    assert (jack.company, jack.orders_reported, jack.spent_reported) == ("Turner Builders Ltd", 12, 1250.0)


def test_reported_totals_are_evidence_for_the_level_with_a_reason_naming_the_file(store):
    import_contacts(store, DETAILS / "shopify_customers_2024.csv")
    levels = {
        row.contact.email: row.engagement.level
        for row in store.engagement.contact_rows(AS_OF, store.settings())
        if row.contact.email
    }
    assert levels["olivia.hart@example.com"] is Level.RETENTION
    assert levels["noah.price@example.com"] is Level.CONVERSION
    assert levels["amelia.wood@example.com"] is Level.AWARENESS  # 0 orders
    reasons = explain(store, store.contacts.require("olivia.hart@example.com"), AS_OF).reasons
    assert reasons[0] == "4 orders, 312.40 spent reported by shopify_customers_2024.csv (no dates) → Retention"


def test_opted_out_customers_get_no_marketing_suggestions(store):
    import_contacts(store, DETAILS / "shopify_customers_2024.csv")
    suggested = {s.contact.email for s in suggest_follow_ups(store, AS_OF)}
    assert "olivia.hart@example.com" in suggested  # a repeat customer: ask for a referral
    store.contacts.update(store.contacts.require("olivia.hart@example.com").id, consent=False)
    assert "olivia.hart@example.com" not in {s.contact.email for s in suggest_follow_ups(store, AS_OF)}


def test_google_export_keeps_dates_addresses_other_values_and_custom_columns(store):
    import_contacts(store, DETAILS / "google_contacts_2024.csv")
    grace = store.contacts.require("grace@okafor.example")
    assert grace.dates == {"birthday": "1985-03-14"}
    assert grace.address == "5 Garden Row\nLondon\nN1 2AB\nUnited Kingdom"  # the formatted one wins over parts
    assert grace.more_emails == ("g.okafor@studio.example",)
    assert (grace.phone, grace.more_phones) == ("+44 7700 900201", ("+44 20 7946 0201",))
    assert grace.notes == "Allergic to nuts"
    assert grace.fields["Nickname"] == "Gracie"
    assert grace.fields["Organization Title"] == "Owner"
    assert grace.fields["Event 1 - Value"] == "2012-06-09"
    assert "Photo" not in grace.fields and "E-mail 1 - Label" not in grace.fields
    tom = store.contacts.require("tom.baker@example.com")
    assert tom.dates == {"birthday": "--12-25"}  # Google's year-less birthday
    lena = store.contacts.require("lena@fischer.example")
    assert lena.address == "12 Hauptstraße, Berlin, 10115, Germany"  # no formatted address: the parts


def test_phones_in_any_spelling_are_one_person_in_the_phone_region(store):
    store.set_phone_region("GB")
    report = import_contacts(store, DETAILS / "phones_gb.csv")
    assert report.rows == 5
    priya = store.contacts.with_phone(phone_key("07700 900004", "GB") or "")
    assert [c.name for c in priya] == ["Priya Shah"]
    assert priya[0].notes == "first visit\nasked about cakes"
    coles = store.contacts.with_phone("+442079460018")
    assert sorted(c.name for c in coles) == ["Ben Cole", "Sara Cole"]  # one shop phone, two people
    assert store.contacts.count() == 3


def test_contacts_json_carries_the_contract_fields(capsys, db_path):
    with Store.open(db_path) as store:
        store.set_phone_region("GB")
        import_contacts(store, DETAILS / "phones_gb.csv")
        import_contacts(store, DETAILS / "google_contacts_2024.csv")
        import_contacts(store, DETAILS / "shopify_customers_2024.csv")
    contacts = json_out(capsys, db_path, "contacts", "--as-of", AS_OF.isoformat())["contacts"]
    by_name = {f"{c['first_name']} {c['last_name']}": c for c in contacts}
    priya = by_name["Priya Shah"]
    assert (priya["phone"], priya["phones"], priya["email"], priya["emails"]) == (
        "+447700900004",
        ["+447700900004"],
        None,
        [],
    )
    grace = by_name["Grace Okafor"]
    assert grace["emails"] == ["grace@okafor.example", "g.okafor@studio.example"]
    assert grace["phones"] == ["+447700900201", "+442079460201"]
    assert grace["dates"] == {"birthday": "1985-03-14"}
    assert grace["fields"]["Nickname"] == "Gracie"
    assert grace["consent"] is None
    olivia = by_name["Olivia Hart"]
    assert (olivia["purchases"], olivia["consent"], olivia["level"]) == (4, True, "Retention")
    assert by_name["Noah Price"]["consent"] is False
    found = json_out(capsys, db_path, "contacts", "--search", "7700900004")["contacts"]
    assert [c["first_name"] for c in found] == ["Priya"]
    marketing = json_out(capsys, db_path, "contacts", "--marketing")["contacts"]
    assert "noah.price@example.com" not in {c["email"] for c in marketing}
    assert "olivia.hart@example.com" in {c["email"] for c in marketing}


def test_misspelt_headers_and_a_company_in_the_name_column(store):
    store.set_phone_region("DE")
    import_contacts(store, DETAILS / "misspelt_headers.csv")
    jonas = store.contacts.require("jonas@weber.example")
    assert (jonas.first_name, jonas.last_name, jonas.phone_key) == ("Jonas", "Weber", "+491512345678")
    assert (jonas.dates, jonas.customer_no) == ({"birthday": "1980-02-23"}, "K-1001")
    steiner = store.contacts.require("info@steiner.example")
    assert (steiner.company, steiner.first_name, steiner.last_name, steiner.dates) == (
        "Steiner Mechanik AG",
        "",
        "",
        {},  # Outlook's 0/0/00 is no date, not a warning
    )


def test_outlook_dates_and_a_date_that_is_not_one(store):
    report = import_contacts(store, DETAILS / "outlook_de_dates.csv")
    juergen = store.contacts.require("juergen@weiss.example")
    assert juergen.dates == {"birthday": "1980-02-23"}
    assert juergen.address == "Hauptstr. 5, München, 80331"
    assert store.contacts.require("petra@lang.example").dates == {"anniversary": "2010-06-14"}
    karl = store.contacts.require("karl@roth.example")
    assert karl.dates == {}
    assert [w.reason for w in report.warnings if w.line == 4] == [
        "'31.02.1975' is not a date; the birthday is left out"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1980-01-31", "1980-01-31"),
        (" --12-25", "--12-25"),
        ("--02-29", "--02-29"),
        ("25.12.", "--12-25"),
        ("23.02.1980", "1980-02-23"),
        ("0/0/00", None),
        ("12/25", "--12-25"),  # Mailchimp's MM/DD in a month-first column
        ("--13-01", None),
        ("sometime", None),
    ],
)
def test_important_dates(text, expected):
    assert important_date(text, "day-first" if text != "12/25" else "month-first") == expected


def test_year_less_slashed_birthdays_are_month_first_unless_a_day_says_otherwise(store, tmp_path):
    assert yearless_order(["01/01", "12/05", ""]) == "month-first"
    assert yearless_order(["01/01", "25/12"]) == "day-first"
    source = tmp_path / "mailchimp.csv"
    source.write_text("Email Address,Birthday\na@x.example,01/02\nb@x.example,12/25\n", encoding="utf-8")
    report = import_contacts(store, source)
    assert report.warnings == []
    assert store.contacts.require("a@x.example").dates == {"birthday": "--01-02"}
    assert store.contacts.require("b@x.example").dates == {"birthday": "--12-25"}


def test_merging_a_second_file_adds_without_replacing_and_undo_puts_everything_back(store, tmp_path):
    import_contacts(store, DETAILS / "google_contacts_2024.csv")
    before = store.contacts.require("tom.baker@example.com")
    source = DETAILS.parent.parent / "fixtures" / "details" / "tom_again.csv"
    source = tmp_path / "tom_again.csv"
    source.write_text(
        "Email,Phone,Birthday,Anniversary,Accepts Email Marketing,Customer ID,Loyalty Card,Address\n"
        "tom.baker@example.com,020 7946 0999,1970-12-25,2001-05-05,no,C-77,L123,1 New Street\n",
        encoding="utf-8",
    )
    report = import_contacts(store, source)
    assert (report.created, report.updated) == (0, 1)
    tom = store.contacts.require("tom.baker@example.com")
    assert tom.dates == {"birthday": "--12-25", "anniversary": "2001-05-05"}  # the stored birthday is kept
    assert tom.more_phones == ("020 7946 0999",)  # a different number: kept as another phone
    assert (tom.consent, tom.customer_no, tom.address) == (False, "C-77", "1 New Street")
    assert tom.fields == {"Website 1 - Value": "https://tombaker.example", "Loyalty Card": "L123"}
    assert report.batch_id is not None
    undo_import(store, report.batch_id, agreed=True)
    after = store.contacts.require("tom.baker@example.com")
    assert (after.dates, after.more_phones, after.consent, after.customer_no, after.address, after.fields) == (
        before.dates,
        before.more_phones,
        before.consent,
        before.customer_no,
        before.address,
        before.fields,
    )


def test_reimporting_the_same_file_changes_nothing(store):
    import_contacts(store, DETAILS / "google_contacts_2024.csv")
    first = [c.to_dict() for c in (store.contacts.require("grace@okafor.example"),)]
    report = import_contacts(store, DETAILS / "google_contacts_2024.csv")
    assert (report.created, report.updated) == (0, 3)
    assert [c.to_dict() for c in (store.contacts.require("grace@okafor.example"),)] == first


def test_an_sms_consent_column_is_not_taken_for_email_consent():
    mapping = map_columns(["Email", "Accepts SMS Marketing", "Accepts Email Marketing", "FIRSNAME"])
    assert mapping == {0: "email", 1: "custom", 2: "consent", 3: "first_name"}


def test_schema_4_database_gets_phones_keyed_in_its_region_without_counting_an_edit(tmp_path):
    path = tmp_path / "v4.db"
    conn = connect(path)
    migrate(conn, target=4)
    conn.execute("INSERT INTO settings (key, value) VALUES ('phone_region', '\"GB\"')")
    conn.execute(
        "INSERT INTO contacts (first_name, phone, phone_key, created_at, updated_at) "
        "VALUES ('Priya', '07700 900004', '07700900004', 'x', 'x')"
    )
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        (priya,) = store.contacts.with_phone("+447700900004")
        assert priya.phone_key == "+447700900004"
        revision = store.conn.execute("SELECT revision FROM contacts").fetchone()[0]
        assert revision == 0
        assert store.phone_region() == "GB"


def test_changing_the_region_rekeys_national_numbers(store):
    store.set_phone_region("US")
    contact = store.contacts.add(first_name="Priya", phone="07700 900004")
    assert store.contacts.get(contact.id).phone_key == "07700900004"
    store.set_phone_region("gb")
    assert store.contacts.get(contact.id).phone_key == "+447700900004"
    with pytest.raises(Exception, match="not a country code"):
        store.set_phone_region("Narnia")
    assert store.phone_region() == "GB"


def test_new_columns_refuse_bad_values(store):
    with pytest.raises(Exception, match="not a date for birthday"):
        store.contacts.add(first_name="A", dates={"birthday": "1980-02-30"})
    with pytest.raises(Exception, match="not a consent"):
        store.contacts.add(first_name="A", consent="perhaps")
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO contacts (first_name, consent, created_at, updated_at) VALUES ('A', 7, 'x', 'x')"
        )


@pytest.mark.parametrize(
    ("text", "region", "key"),
    [
        ("+44 7700 900004", "US", "+447700900004"),
        ("07700 900004", "GB", "+447700900004"),
        ("0044 7700 900004", "DE", "+447700900004"),
        ("7700 900004", "GB", "+447700900004"),  # the trunk 0 Excel dropped
        ("(415) 555-0100", "US", "+14155550100"),
        ("1 415 555 0100", "US", "+14155550100"),
        ("011 44 7700 900004", "US", "+447700900004"),
        ("06 1234 5678", "IT", "+390612345678"),  # Italy keeps the leading 0
        ("0151 2345678", "US", "01512345678"),  # not how the US writes a number: digits only
        ("4915112345678", "US", "+4915112345678"),  # 13 digits: an international number that lost its +
        ("'+31612345678", "NL", "+31612345678"),
        ("1234", "GB", None),
    ],
)
def test_phone_keys(text, region, key):
    assert phone_key(text, region) == key


def test_a_customer_number_of_just_an_apostrophe_is_no_number(store, tmp_path):
    source = tmp_path / "apostrophe.csv"
    source.write_bytes(b"Kundennummer,Name\n',Ola Berg\n")  # found by the fuzz run: stored '' broke the CHECK
    report = import_contacts(store, source)
    assert (report.created, report.rejected) == (1, 0)
    assert store.contacts.get(1).customer_no is None


def test_a_header_slip_is_one_letter_not_a_longer_header():
    mapping = map_columns(["Activity ID", "FIRSNAME", "Telephon", "Nachnahme"])
    assert mapping == {0: "custom", 1: "first_name", 2: "phone", 3: "last_name"}


def test_an_order_export_imported_as_contacts_names_no_one_after_an_order_number(store):
    report = import_contacts(store, Path(__file__).parent / "fixtures" / "shopify_orders_sample.csv")
    assert report.rejected == 0
    names = {c.name for c in (store.contacts.get(i) for i in range(1, store.contacts.count() + 1))}
    assert not any(name.startswith("#") for name in names)
    assert "Name" not in report.mapping
