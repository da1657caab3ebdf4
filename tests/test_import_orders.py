"""Order exports (issue 15): order status respected, every row accounted for, the right contact gets each order —
by e-mail, phone or the shop's customer number — and the welcome page's file kind.

The fixtures in tests/fixtures/orders/ are shaped like the real exports: Shopify orders (one row per line item,
order-level columns on the first row only), a cash-on-delivery Shopify export with phones and no e-mails, a Shopify
customers export, the UCI Online Retail file, a bakery's own export and a WooCommerce export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.core.importing import import_contacts, import_interactions
from tracker.core.importing.columns import suggest_mapping
from tracker.core.importing.file_kind import file_kind
from tracker.core.importing.reading import read_table
from tracker.core.store import Store

ORDERS = Path(__file__).parent / "fixtures" / "orders"


def all_contacts(store: Store) -> list:
    return [store.contacts.get(i) for (i,) in store.conn.execute("SELECT id FROM contacts ORDER BY id")]


def accounted_for(report) -> bool:
    return report.rows == report.created + report.updated + report.rejected + report.skipped_rows


def purchases_by_customer(store: Store) -> dict[str, list[tuple[str, float | None]]]:
    """Each contact's purchases as (day, amount), the contact named by e-mail, else customer number, else phone."""
    out: dict[str, list[tuple[str, float | None]]] = {}
    for item in store.interactions.list(kinds=["purchase"]):
        contact = store.contacts.get(item.contact_id)
        name = contact.email or contact.customer_no or contact.phone_key or ""
        out.setdefault(name, []).append((item.occurred_at[:10], item.amount))
    return {name: sorted(items) for name, items in out.items()}


def test_shopify_voided_refunded_pending_and_cancelled_orders_are_not_purchases(store):
    report = import_interactions(store, ORDERS / "shopify_orders_statuses.csv")
    assert accounted_for(report)
    assert (report.rows, report.created, report.updated, report.rejected) == (13, 4, 3, 0)
    assert report.skipped == {
        "voided order": 1,
        "refunded order": 2,  # both line items of #1003
        "pending order": 1,
        "cancelled order": 1,  # paid, but "Cancelled at" is filled
        "expired order": 1,
    }
    assert purchases_by_customer(store) == {
        "anna.berg@example.com": [("2026-03-02", 54.0)],  # #1001; #1003 refunded and #1008 expired are not
        "ben.okoro@example.com": [("2026-03-08", 80.0)],  # partially refunded still counts; #1002 voided does not
        "carla.reyes@example.com": [("2026-03-12", 12.5)],  # authorised; #1004 pending is not
        "erik.holm@example.com": [("2026-05-14", 38.5)],
    }
    ben = store.contacts.require("ben.okoro@example.com")
    (order,) = store.interactions.list(contact_id=ben.id)
    assert order.note == "Rose bouquet; Vase; Ribbon"  # three line items, one purchase
    # nobody is named after an order number, and an order never seen paid makes no contact
    assert all(not (c.first_name + c.last_name).startswith("#") for c in all_contacts(store))
    assert store.contacts.by_email("dora.lind@example.com") is None
    document = report.to_dict()
    assert document["skipped"] == 6 and document["skipped_by_reason"]["refunded order"] == 2
    assert "2 skipped (refunded order)" in report.summary()


def test_reimporting_an_orders_export_adds_nothing(store):
    import_interactions(store, ORDERS / "shopify_orders_statuses.csv")
    again = import_interactions(store, ORDERS / "shopify_orders_statuses.csv")
    assert (again.created, again.rejected, again.skipped_rows) == (0, 0, 6)
    assert accounted_for(again)
    assert store.interactions.count() == 4


def test_cash_on_delivery_orders_attach_by_phone_in_any_spelling(store):
    store.set_phone_region("IN")
    report = import_interactions(store, ORDERS / "shopify_orders_cod_phones.csv")
    assert accounted_for(report)
    assert (report.rows, report.created, report.updated, report.rejected) == (6, 3, 1, 1)
    assert report.skipped == {"pending order": 1}  # COD not yet delivered: not paid
    assert [p.reason for p in report.rejects] == ["no e-mail address or phone number"]  # the walk-in, no phone
    assert purchases_by_customer(store) == {
        "+919876543210": [("2026-04-02", 899.0), ("2026-04-09", 320.0)],  # "+91 98765 43210" and "98765 43210"
        "+919988776655": [("2026-04-05", 1250.0)],
    }
    priya = store.contacts.get(store.contacts.ids_for_phone_keys(["+919876543210"])["+919876543210"])
    assert (priya.first_name, priya.last_name, priya.email) == ("Priya", "Sharma", None)
    assert report.contacts_created == 2


def test_cod_orders_attach_to_contacts_already_known_by_phone(store):
    store.set_phone_region("IN")
    known = store.contacts.add(first_name="Priya", last_name="Sharma", phone="098765 43210")
    report = import_interactions(store, ORDERS / "shopify_orders_cod_phones.csv")
    assert report.contacts_created == 1  # only Rahul is new
    assert [i.amount for i in store.interactions.list(contact_id=known.id)] == [320.0, 899.0]


def test_uci_online_retail_orders_keyed_by_customer_number(store):
    report = import_interactions(store, ORDERS / "uci_online_retail.csv")
    assert accounted_for(report)
    assert (report.rows, report.created, report.updated, report.rejected) == (24, 11, 7, 3)
    assert report.skipped == {"cancelled order": 3}  # C536379, C536383, C536625
    assert {p.reason for p in report.rejects} == {"no e-mail address or customer number"}  # no CustomerID
    bought = purchases_by_customer(store)
    # 12/1/2010 … 12/9/2010 read either way: month first keeps them within days of each other (not 12 Jan … 12 Sep)
    assert bought["17850"] == [
        ("2010-12-01", 22.2),
        ("2010-12-01", 57.64),  # 6 × 2.55 + 6 × 3.39 + 8 × 2.75: the invoice's lines added up
        ("2010-12-02", 11.7),
        ("2010-12-02", 15.0),
    ]
    assert bought["12583"] == [("2010-12-01", 144.0), ("2010-12-05", 10.2)]
    assert bought["15311"] == [("2010-12-01", 38.16)]
    assert set(bought) == {"17850", "13047", "12583", "15311", "14527"}
    assert all(c.customer_no for c in all_contacts(store))


def test_orders_by_customer_number_attach_to_the_customers_imported_before(store, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("CustomerID,First Name,Last Name\n17850,Ada,Brook\n'13047,Cy,Dale\n", encoding="utf-8")
    import_contacts(store, path)
    report = import_interactions(store, ORDERS / "uci_online_retail.csv")
    assert report.contacts_created == 3  # 12583, 15311, 14527
    ada = next(c for c in all_contacts(store) if c.customer_no == "17850")
    assert (ada.first_name, len(store.interactions.list(contact_id=ada.id))) == ("Ada", 4)


def test_an_unknown_address_with_a_known_customer_number_goes_to_that_customer(store, tmp_path):
    known = store.contacts.add(first_name="Ada", customer_no="17850")
    path = tmp_path / "orders.csv"
    path.write_text("Order,Date,Email,Customer ID,Total\n1,2026-01-05,ada@new.example,17850,9.50\n", encoding="utf-8")
    report = import_interactions(store, path)
    assert (report.created, report.contacts_created) == (1, 0)
    assert [i.amount for i in store.interactions.list(contact_id=known.id)] == [9.5]


def test_two_customer_numbers_on_one_phone_are_two_customers(store, tmp_path):
    store.set_phone_region("GB")
    path = tmp_path / "till.csv"
    path.write_text(
        "Invoice,Date,Customer No,Phone,Total\n1,2026-01-05,A-1,07700 900004,5\n2,2026-01-06,A-2,07700 900004,6\n",
        encoding="utf-8",
    )
    report = import_interactions(store, path)
    assert report.contacts_created == 2
    assert purchases_by_customer(store) == {"A-1": [("2026-01-05", 5.0)], "A-2": [("2026-01-06", 6.0)]}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (["07700 900004", "+44 7700 900123"], "phone"),
        (["17850", "13047"], "customer_no"),
        (["#1001", "#1002"], "order"),
        (["ann@example.com", "bo@example.com"], "email"),
        (["Ann Lee", "Bo Li"], "name"),
    ],
)
def test_a_customer_column_is_what_its_values_are(values, field):
    rows = [["2026-01-01", value, "5"] for value in values]
    assert suggest_mapping(["Date", "Customer", "Total"], rows, interactions=True)[1] == field


def test_a_till_export_with_float_customer_numbers(store, tmp_path):
    path = tmp_path / "till.csv"
    path.write_text(
        "InvoiceNo,InvoiceDate,Quantity,UnitPrice,CustomerID\n"
        "1,2026-01-05 10:00,2,3.50,17850.0\n"
        "2,2026-01-06 10:00,1,4.00,17850\n",
        encoding="utf-8",
    )
    report = import_interactions(store, path)
    assert (report.created, report.contacts_created) == (2, 1)
    assert purchases_by_customer(store) == {"17850": [("2026-01-05", 7.0), ("2026-01-06", 4.0)]}


def test_rows_without_an_address_join_the_new_customer_with_it_by_phone_or_number(store, tmp_path):
    """In one file, a customer's first order has their e-mail, later ones only their phone or number: one contact."""
    store.set_phone_region("GB")
    path = tmp_path / "till.csv"
    path.write_text(
        "Order,Date,Email,Phone,Customer No,Total\n"
        "1,2026-01-05,ann@example.com,07700 900004,,10\n"
        "2,2026-01-06,,+44 7700 900004,,11\n"
        "3,2026-01-07,,07700 900005,C-77,12\n"
        "4,2026-01-08,,,C-77,13\n"
        "5,2026-01-09,,07700 900005,,14\n",
        encoding="utf-8",
    )
    report = import_interactions(store, path)
    assert (report.created, report.contacts_created) == (5, 2)
    assert purchases_by_customer(store) == {
        "ann@example.com": [("2026-01-05", 10.0), ("2026-01-06", 11.0)],
        "C-77": [("2026-01-07", 12.0), ("2026-01-08", 13.0), ("2026-01-09", 14.0)],
    }
    assert all(store.interactions.list(contact_id=c.id) for c in all_contacts(store))  # no contact left empty


def test_bakery_export_with_us_dates_times_and_cart_total_needs_no_mapping(store):
    report = import_interactions(store, ORDERS / "bakery_orders.csv")
    assert accounted_for(report)
    assert report.mapping["Cart Total"] == "amount" and report.mapping["Order #"] == "order"
    assert report.skipped == {"refunded order": 1}
    assert purchases_by_customer(store) == {
        "maria.lopez@example.com": [("2025-02-03", 18.5), ("2025-02-14", 42.0)],
        "tom.becker@example.com": [("2025-02-03", 14.0), ("2025-02-23", 55.0)],
        "jin.park@example.com": [("2025-02-23", 4.5)],  # B-2304 was refunded
    }
    moments = sorted(i.occurred_at for i in store.interactions.list())
    assert moments[-2:] == ["2025-02-23T09:12:00", "2025-02-23T12:05:30"]  # 9:12:00 AM, 12:05:30 PM
    maria = store.contacts.require("maria.lopez@example.com")
    assert (maria.first_name, maria.last_name) == ("Maria", "Lopez")


def test_woocommerce_statuses(store):
    report = import_interactions(store, ORDERS / "woocommerce_orders.csv")
    assert accounted_for(report)
    assert report.skipped == {
        "refunded order": 1,
        "cancelled order": 1,
        "pending order": 1,
        "on-hold order": 1,
        "failed order": 1,
    }
    assert purchases_by_customer(store) == {
        "lena.vogel@example.com": [("2026-01-10", 64.0), ("2026-02-02", 51.0)],  # 2058: two lines, one order
        "jonas.weber@example.com": [("2026-01-11", 23.9)],  # processing counts
    }
    lena = store.contacts.require("lena.vogel@example.com")
    assert (lena.first_name, lena.last_name) == ("Lena", "Vogel")
    assert store.contacts.by_email("mia.schulz@example.com") is None


def test_an_etsy_orders_export_without_buyer_emails(store, tmp_path):
    """Etsy: MM/DD/YY dates, no buyer e-mail; the buyer's user id is their customer number."""
    path = tmp_path / "EtsySoldOrders2026.csv"
    path.write_text(
        "Sale Date,Order ID,Buyer User ID,Full Name,First Name,Last Name,Number of Items,Order Value,Order Total\n"
        "01/04/26,3001,555001,Ann Lee,Ann,Lee,1,20.00,24.50\n"
        "01/15/26,3002,555002,Bo Li,Bo,Li,2,30.00,35.00\n"
        "02/01/26,3003,555001,Ann Lee,Ann,Lee,1,10.00,12.00\n",
        encoding="utf-8",
    )
    report = import_interactions(store, path)
    assert (report.created, report.contacts_created, report.rejected) == (3, 2, 0)
    assert purchases_by_customer(store) == {
        "555001": [("2026-01-04", 24.5), ("2026-02-01", 12.0)],
        "555002": [("2026-01-15", 35.0)],
    }


def test_an_unknown_status_is_taken_as_paid_with_a_warning_once(store, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,order_date,status,order_total,billing_email\n"
        "1,2026-01-10,shipped,10,a@example.com\n"
        "2,2026-01-11,shipped,12,a@example.com\n"
        "3,2026-01-12,Canceled,12,a@example.com\n",
        encoding="utf-8",
    )
    report = import_interactions(store, path)
    assert (report.created, report.skipped) == (2, {"cancelled order": 1})
    assert [w.reason for w in report.warnings] == ["order status 'shipped' is not one Tracker knows; taken as paid"]


def test_dates_decided_month_first_by_a_value_after_the_sample(store, tmp_path):
    """Ambiguous dates (12/1/2010) in the first 2,000 rows wait until a later value (12/13/2010) says the order."""
    lines = ["InvoiceNo,InvoiceDate,Quantity,UnitPrice,CustomerID"]
    lines += [f"{n},12/{1 + n % 9}/2010 8:26,1,1.00,{n % 3}" for n in range(1, 2501)]
    lines.append("9999,12/13/2010 9:00,1,1.00,1")
    path = tmp_path / "till.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_interactions(store, path)
    assert report.created == 2501
    days = {i.occurred_at[:10] for i in store.interactions.list()}
    assert days == {f"2010-12-{d:02d}" for d in [*range(1, 10), 13]}


def test_no_column_to_find_the_customer_by(store, tmp_path):
    from tracker.core.errors import ImportRejected

    path = tmp_path / "o.csv"
    path.write_text("order,date,total\n1,2026-01-01,5\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="e-mail addresses, phone numbers or customer numbers"):
        import_interactions(store, path)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("shopify_orders_statuses.csv", "interactions"),
        ("shopify_orders_cod_phones.csv", "interactions"),
        ("uci_online_retail.csv", "interactions"),
        ("bakery_orders.csv", "interactions"),
        ("woocommerce_orders.csv", "interactions"),
        ("hubspot_activities.csv", "interactions"),
        ("shopify_customers.csv", "contacts"),
    ],
)
def test_file_kind_for_the_welcome_page_and_drops(name, kind):
    table = read_table(ORDERS / name, limit=200)
    assert file_kind(table.header, table.rows) == kind


@pytest.mark.parametrize(
    "text",
    [
        "First Name,Last Name,Email,Phone\nAnna,Berg,anna@example.com,0701234567\n",
        "Name,Email,Type,Created\nBerg AB,info@berg.example,Supplier,2026-01-01\n",  # a type that is no kind
        "Email,Created At (UTC+0),Total Spent,Total Orders\nanna@example.com,2026-01-01,12.50,1\n",
        "Record ID,First Name,Email,Create Date,Last Activity Date\n1,Anna,anna@example.com,2026-01-01,2026-02-01\n",
    ],
)
def test_contact_files_stay_contacts(tmp_path, text):
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    table = read_table(path, limit=200)
    assert file_kind(table.header, table.rows) == "contacts"


def run_cli(capsys, db_path: Path, *args: object) -> dict:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), *(str(a) for a in args), "--json"])
    out, err = capsys.readouterr()
    assert exit_info.value.code == 0, err
    return json.loads(out)


def test_cli_imports_orders_keyed_by_phone_and_customer_number(capsys, db_path):
    with Store.open(db_path) as store:
        store.set_phone_region("IN")
    report = run_cli(capsys, db_path, "import", "interactions", ORDERS / "shopify_orders_cod_phones.csv")
    assert (report["created"], report["skipped"], report["skipped_by_reason"]) == (3, 1, {"pending order": 1})
    assert report["rows"] == report["created"] + report["updated"] + report["rejected"] + report["skipped"]
    report = run_cli(capsys, db_path, "import", "interactions", ORDERS / "uci_online_retail.csv")
    assert (report["created"], report["contacts_created"]) == (11, 5)
    items = run_cli(capsys, db_path, "interactions")["interactions"]
    with Store.open(db_path) as store:
        by_number = {c.customer_no: c.id for c in all_contacts(store) if c.customer_no}
    assert {i["contact_id"] for i in items if i["note"].startswith("WHITE HANGING")} == {by_number["17850"]}
    assert all(isinstance(i["contact_id"], int) for i in items)
