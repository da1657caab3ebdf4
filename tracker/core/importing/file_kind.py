"""Whether a file holds contacts or interactions (an activity log, a shop's or till's orders), from its header and
first rows: what the window's welcome page and a file dropped on it open the import as."""

from __future__ import annotations

from typing import Literal

from tracker.core.importing.activity import builtin_kind_for
from tracker.core.importing.columns import is_order_export, normalise_header, suggest_mapping

FileKind = Literal["contacts", "interactions"]

#: Headers of a customers export (one row per customer, with totals): contacts, even with a date and an amount.
_CUSTOMER_TOTALS = frozenset(
    {
        "total spent",
        "total orders",
        "orders count",
        "number of orders",
        "accepts marketing",
        "accepts email marketing",
        "lifetime value",
        "customer lifetime value",
    }
)


def file_kind(header: list[str], sample: list[list[str]]) -> FileKind:
    """ "interactions" for an order export (Shopify's, WooCommerce's, a till's: an order or invoice number, no type
    column) or an activity log (a date and a type most of whose values are kinds Tracker knows, or a date and an
    amount in a file that is not a customers export); "contacts" otherwise."""
    if not header:
        return "contacts"
    if is_order_export(header):
        return "interactions"
    mapping = suggest_mapping(header, sample, interactions=True)
    fields = set(mapping.values())
    if "date" not in fields:
        return "contacts"
    if "kind" in fields:
        position = min(p for p, f in mapping.items() if f == "kind")
        values = [row[position].strip() for row in sample[:200] if position < len(row) and row[position].strip()]
        if not values or sum(builtin_kind_for(v) is not None for v in values) >= 0.5 * len(values):
            return "interactions"
    titles = {normalise_header(title) for title in header}
    if "amount" in fields and not titles & _CUSTOMER_TOTALS:
        return "interactions"
    return "contacts"
