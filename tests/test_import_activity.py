"""Activity logs from CRMs (issue 15): the customer's e-mail over the owner's, CRM type names as kinds, ISO and US
dates with times found — outcomes in the database."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tracker.core.importing import import_interactions
from tracker.core.importing.activity import builtin_kind_for, skipped_status
from tracker.core.importing.columns import suggest_mapping
from tracker.core.importing.dates import DAY_FIRST, MONTH_FIRST, order_by_span, parse_datetime
from tracker.core.levels import Level

ORDERS = Path(__file__).parent / "fixtures" / "orders"


def kinds_by_email(store) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in sorted(store.interactions.list(), key=lambda i: i.occurred_at):
        out.setdefault(item.contact_email, []).append(item.kind)
    return out


def test_hubspot_activities_go_to_the_customers_not_the_owners(store):
    report = import_interactions(store, ORDERS / "hubspot_activities.csv")
    assert (report.rows, report.created, report.rejected) == (10, 10, 0)
    assert "Activity Owner" not in report.mapping  # the salespeople's addresses
    assert report.mapping["Associated Contact Email"] == "email"
    assert kinds_by_email(store) == {
        "anna.berg@example.com": ["message", "note"],  # Email (sent by the owner), Note
        "ben.okoro@example.com": ["call", "note", "purchase"],  # Call, Task, Deal won
        "carla.reyes@example.com": ["meeting"],
        "dora.lind@example.com": ["message", "email_reply"],  # Email, Incoming Email
        "erik.holm@example.com": ["call", "meeting"],
    }
    assert store.contacts.by_email("sam.seller@shop.example") is None
    assert store.contacts.count() == 5
    carla = store.contacts.require("carla.reyes@example.com")
    (meeting,) = store.interactions.list(contact_id=carla.id)
    # "Activity Date" (2025-02-05T10:00:00Z) is when it happened; "Create Date" (2025-02-01) when it was logged
    assert meeting.occurred_at == "2025-02-05T10:00:00"
    assert (carla.first_name, carla.last_name) == ("Carla", "Reyes")


def test_the_owner_column_is_found_from_its_values_too(store, tmp_path):
    """Two e-mail columns with no telling header: the one where two addresses repeat is the owner's."""
    rows = ["Date,Type,E-mail,E-mail 2"]
    for n in range(12):
        owner = ("sam@shop.example", "lee@shop.example")[n % 2]
        rows.append(f"2026-03-{n + 1:02d},Call,{owner},customer{n}@example.com")
    path = tmp_path / "log.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = import_interactions(store, path)
    assert report.created == 12 and store.contacts.count() == 12
    assert store.contacts.by_email("sam@shop.example") is None


def test_a_user_choice_of_the_owner_column_is_kept(store, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "Activity Date,Activity Type,Activity Owner,Associated Contact Email\n"
        "2026-03-01,Call,sam@shop.example,anna@example.com\n",
        encoding="utf-8",
    )
    import_interactions(store, path, mapping={"Activity Owner": "email", "Associated Contact Email": "ignore"})
    assert store.contacts.by_email("sam@shop.example") is not None


@pytest.mark.parametrize(
    ("header", "owner"),
    [
        (["Date", "Type", "Owner Email", "Contact Email"], 2),
        (["Date", "Type", "Email", "Assigned To"], 3),
        (["Date", "Type", "Sales Rep", "Customer Email"], 2),
        (["Date", "Type", "Created by", "Email"], 2),
    ],
)
def test_owner_headers(header, owner):
    rows = [
        ["2026-01-01", "Call", "a@shop.example", "b@example.com"],
        ["2026-01-02", "Call", "a@shop.example", "c@x.example"],
    ]
    if owner == 3:
        rows = [[r[0], r[1], r[3], r[2]] for r in rows]
    mapping = suggest_mapping(header, rows, interactions=True)
    assert [p for p, f in mapping.items() if f == "email"] == [5 - owner]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Email", "message"),
        ("EMAIL", "message"),
        ("E-mail", "message"),
        ("Email sent", "message"),
        ("Email received", "email_reply"),
        ("INCOMING_EMAIL", "email_reply"),
        ("Inbound email", "email_reply"),
        ("Email reply", "email_reply"),
        ("Call", "call"),
        ("Phone call", "call"),
        ("Outbound sales call", "call"),
        ("Meeting", "meeting"),
        ("Appointment", "meeting"),
        ("Note", "note"),
        ("Task", "note"),
        ("Deal", "purchase"),
        ("Deal won", "purchase"),
        ("Closed Won", "purchase"),
        ("SMS", "message"),
        ("WhatsApp", "message"),
        ("Chat", "message"),
        ("Form submission", "inquiry"),
        ("  meeting  ", "meeting"),
        ("Deal lost", None),
        ("Teleport", None),
    ],
)
def test_crm_type_names(text, kind):
    assert builtin_kind_for(text) == kind


def test_a_kind_the_user_added_wins_over_the_synonyms(store, tmp_path):
    store.save_kind("deal", Level.INTERACTION)
    path = tmp_path / "log.csv"
    path.write_text("email,date,type\na@example.com,2026-01-01,Deal\n", encoding="utf-8")
    import_interactions(store, path)
    assert [i.kind for i in store.interactions.list()] == ["deal"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("paid", None),
        ("partially_refunded", None),
        ("Partially paid", None),
        ("authorized", None),
        ("", None),
        ("wc-completed", None),
        ("processing", None),
        ("voided", "voided order"),
        ("refunded", "refunded order"),
        ("wc-refunded", "refunded order"),
        ("pending", "pending order"),
        ("canceled", "cancelled order"),
        ("wc-on-hold", "on-hold order"),
        ("trash", "deleted order"),
    ],
)
def test_order_status_rule(text, reason):
    assert skipped_status(text) == reason


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2/23/2025, 9:12:00 AM", MONTH_FIRST, datetime(2025, 2, 23, 9, 12)),
        ("2/23/2025, 9:12:00 PM", MONTH_FIRST, datetime(2025, 2, 23, 21, 12)),
        ("2025-02-23T09:12:00Z", DAY_FIRST, datetime(2025, 2, 23, 9, 12)),
        ("2025-02-23T09:12:00.000Z", DAY_FIRST, datetime(2025, 2, 23, 9, 12)),
        ("2025-02-23 09:12", DAY_FIRST, datetime(2025, 2, 23, 9, 12)),
        ("23.02.2025 09:12", DAY_FIRST, datetime(2025, 2, 23, 9, 12)),
        ("2026-05-14 11:23:45 +0100", DAY_FIRST, datetime(2026, 5, 14, 11, 23, 45)),
        ("12/1/2010 8:26", MONTH_FIRST, datetime(2010, 12, 1, 8, 26)),
        ("2025/02/23 09:12", DAY_FIRST, datetime(2025, 2, 23, 9, 12)),
        ("Feb 23, 2025 9:12 AM", DAY_FIRST, datetime(2025, 2, 23, 9, 12)),
        ("23 Feb 2025", MONTH_FIRST, datetime(2025, 2, 23)),
    ],
)
def test_dates_with_times(text, order, expected):
    assert parse_datetime(text, order) == expected


def test_order_by_span():
    assert order_by_span(["12/1/2010 8:26", "12/2/2010 9:00", "12/9/2010 17:00"]) == MONTH_FIRST
    assert order_by_span(["01/02/2026", "02/02/2026", "03/02/2026"]) == DAY_FIRST
    assert order_by_span(["01/02/2026", "02/02/2026"]) is None


def test_a_date_column_with_an_unknown_header_is_found_by_its_values(store, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "Contact,Logged,Type\nanna@example.com,2025-02-23T09:12:00Z,Call\nben@example.com,2025-02-24T10:00:00Z,Meeting\n",
        encoding="utf-8",
    )
    report = import_interactions(store, path)
    assert report.mapping["Logged"] == "date" and report.created == 2
    assert sorted(i.occurred_at for i in store.interactions.list()) == ["2025-02-23T09:12:00", "2025-02-24T10:00:00"]
