"""A contact's details besides its name, e-mail and phone, in words: what the window's contact panel lists."""

from __future__ import annotations

from datetime import date

from tracker.core.models import Contact

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
#: How each important date is labelled; dates under other names are shown with their name capitalised.
DATE_LABELS = {"birthday": "Birthday", "anniversary": "Anniversary"}
CONSENT_WORDS = {True: "Agreed to marketing e-mail", False: "Opted out of marketing e-mail"}


def date_words(value: str) -> str:
    """'1 January 1980' for 1980-01-01, '25 December' for the year-less --12-25; anything else as written."""
    try:
        if value.startswith("--"):
            month, day = int(value[2:4]), int(value[5:7])
            date(2000, month, day)  # a leap year: 29 February is a day
            return f"{day} {MONTHS[month - 1]}"
        day_of = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day_of.day} {MONTHS[day_of.month - 1]} {day_of.year}"


def reported_words(contact: Contact) -> str:
    """'3 orders, 250.00 spent — from shopify_customers.csv': a customers export's totals and where they came
    from; '' when no export reported any."""
    if contact.orders_reported is None and contact.spent_reported is None:
        return ""
    parts = []
    if contact.orders_reported is not None:
        parts.append("1 order" if contact.orders_reported == 1 else f"{contact.orders_reported} orders")
    if contact.spent_reported is not None:
        parts.append(f"{contact.spent_reported:,.2f} spent")
    text = ", ".join(parts)
    return f"{text} — from {contact.source}" if contact.source else text


def detail_rows(contact: Contact) -> list[tuple[str, str]]:
    """(label, text) for every detail the contact has, in a fixed order; details it lacks are left out (an
    unknown consent too)."""
    rows = [("Address", contact.address)]
    named = [(DATE_LABELS.get(name, name.replace("_", " ").capitalize()), name) for name in contact.dates]
    rows += [(label, date_words(contact.dates[name])) for label, name in sorted(named, key=_date_order)]
    rows += [
        ("Marketing", CONSENT_WORDS[contact.consent] if contact.consent is not None else ""),
        ("Customer no.", contact.customer_no or ""),
        ("Other e-mails", "\n".join(contact.more_emails)),
        ("Other phones", "\n".join(contact.more_phones)),
        ("Reported", reported_words(contact)),
    ]
    return [(label, text) for label, text in rows if text]


def _date_order(item: tuple[str, str]) -> tuple[int, str]:
    known = list(DATE_LABELS)
    return (known.index(item[1]) if item[1] in known else len(known), item[0])
