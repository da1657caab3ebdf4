"""A contact's details in words (tracker.core.details), as the contact panel lists them."""

from __future__ import annotations

from tracker.core.details import date_words, detail_rows, reported_words
from tracker.core.models import Contact


def test_dates_in_words_with_and_without_a_year():
    assert date_words("1980-01-01") == "1 January 1980"
    assert date_words("--12-25") == "25 December"
    assert date_words("--02-29") == "29 February"  # a birthday on a leap day has no year to check
    assert date_words("--13-01") == "--13-01"  # not a day: shown as written, never an error


def test_reported_totals_say_where_they_came_from():
    assert reported_words(Contact(orders_reported=1, source="customers.csv")) == "1 order — from customers.csv"
    assert reported_words(Contact(spent_reported=1234.5)) == "1,234.50 spent"
    assert reported_words(Contact(source="customers.csv")) == ""


def test_only_what_a_contact_has_is_listed_and_an_unknown_consent_not_at_all():
    assert detail_rows(Contact(first_name="Bob")) == []
    assert detail_rows(Contact(consent=True, dates={"anniversary": "--06-30", "birthday": "1990-03-07"})) == [
        ("Birthday", "7 March 1990"),
        ("Anniversary", "30 June"),
        ("Marketing", "Agreed to marketing e-mail"),
    ]
