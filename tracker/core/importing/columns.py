"""Which field each column of an import holds: the mapping an import starts from (the user's choices, the
shop-export rule, the headers, then the values), the user's column choices read and checked, and whether a header
is a shop's order export or an activity log's. The vocabulary is `column_vocabulary`, reading headers
`column_names`, what the values say `column_evidence`; their names that the importers, the window and the command
line use are re-exported here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tracker.core.errors import ImportHint, ImportRejected
from tracker.core.importing.column_evidence import (
    MULTI_VALUE,
    NULL_WORDS,
    date_column,
    filled_values,
    header_rules_out_phone,
    infer_from_values,
    name_column_holds,
    not_a_phone,
    owner_columns,
)
from tracker.core.importing.column_names import (
    CONTACT_INDEX,
    INTERACTION_INDEX,
    header_recognition,
    header_score,
    keep_as_custom,
    known_field,
    normalise_header,
    shown_columns,
    slip_of_an_id,
)

__all__ = [
    "CONTACT_FIELDS",
    "DETAIL_FIELDS",
    "INTERACTION_FIELDS",
    "MULTI_VALUE",
    "NULL_WORDS",
    "SHOP_HEADERS",
    "ColumnChoices",
    "header_recognition",
    "header_score",
    "infer_from_values",
    "is_order_export",
    "looks_like_interactions",
    "map_columns",
    "normalise_header",
    "not_a_phone",
    "parse_mapping_pairs",
    "resolve_choices",
    "shown_columns",
    "suggest_mapping",
]

#: The fields a contact import and an interaction import fill (the column mapping's targets, besides "ignore").
CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "name",
    "email",
    "phone",
    "company",
    "tags",
    "notes",
    "source",
    *(
        DETAIL_FIELDS := (
            "address",
            "address_part",
            "birthday",
            "anniversary",
            "consent",
            "customer_no",
            "total_orders",
            "total_spent",
            "custom",
        )
    ),
)
INTERACTION_FIELDS = (
    "email",
    "date",
    "kind",
    "amount",
    "score",
    "note",
    "channel",
    "order",
    "name",
    "phone",
    "first_name",
    "last_name",
    "customer_no",
    "status",
    "cancelled",
    "quantity",
    "unit_price",
)

#: What the user says each column holds, given to the importers: a column by its position in the header (from 0,
#: as the window's Columns page knows it, so two columns with the same title can hold different fields) or by its
#: title (as typed on the command line; every column with that title), → a field or "ignore".
ColumnChoices = Mapping[int | str, str]
_CHOICE = ImportHint.COLUMN_CHOICE


def parse_mapping_pairs(pairs: Iterable[str]) -> dict[int | str, str]:
    """`["Column=field", …]` as typed → {column title: field}; the importers check the titles and fields."""
    out: dict[int | str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ImportRejected(f"'{pair}' is not a column and a field joined by '=' (Column=field).", _CHOICE)
        column, field = (part.strip() for part in pair.rsplit("=", 1))
        out[column] = field
    return out


def resolve_choices(
    header: list[str], choices: ColumnChoices | None, fields: tuple[str, ...], source: str
) -> dict[int, str]:
    """The user's column choices as {column position: field or "ignore"}, or ImportRejected naming the column or
    field that is not there. A position wins over a title naming the same column."""
    if choices is not None and not isinstance(choices, Mapping):  # a programming error, not the user's
        raise TypeError("mapping is {column: field}; parse 'Column=field' strings with parse_mapping_pairs first")
    out: dict[int, str] = {}
    by_position: dict[int, str] = {}
    for column, field in (choices or {}).items():
        if field not in (*fields, "ignore"):
            raise ImportRejected(f"'{field}' is not a field; use one of {', '.join(fields)} or ignore.", _CHOICE)
        if isinstance(column, int):
            if not 0 <= column < len(header):
                raise ImportRejected(
                    f"{source} has no column {column + 1} (it has {len(header)}: {shown_columns(header)}).", _CHOICE
                )
            by_position[column] = field
            continue
        key = normalise_header(column)
        positions = [position for position, title in enumerate(header) if normalise_header(title) == key]
        if not positions:
            raise ImportRejected(f"{source} has no column '{column}' (columns: {shown_columns(header)}).", _CHOICE)
        out.update(dict.fromkeys(positions, field))
    out.update(by_position)
    return out


def map_columns(
    header: list[str],
    *,
    interactions: bool = False,
    overrides: Mapping[int, str] | None = None,
    sample: list[list[str]] | None = None,
) -> dict[int, str]:
    """Column index → field. Where a field appears in several columns all are kept (first non-empty wins).

    `overrides` (column index → field or "ignore", see `resolve_choices`) decide their columns; other headers are
    matched against names in many languages and export layouts; a column whose header is unknown is recognised
    from its values in `sample` (e-mail addresses, phone numbers).
    """
    index = INTERACTION_INDEX if interactions else CONTACT_INDEX
    overrides = overrides or {}
    mapping: dict[int, str] = {}
    for position, title in enumerate(header):
        override = overrides.get(position)
        if override:
            if override != "ignore":
                mapping[position] = override
            continue
        field = known_field(title, index)
        if field:
            mapping[position] = field
    if sample:
        for position, title in enumerate(header):
            if position in mapping or position in overrides:
                continue
            inferred = infer_from_values([row[position] for row in sample if position < len(row)])
            if inferred == "phone" and header_rules_out_phone(title):
                inferred = None  # "Birthday" holding 19800223, "Customer ID" holding 0151…: the header says otherwise
            names_known = {"name", "first_name", "last_name"} & set(mapping.values())
            if inferred in ("email", "phone") or (inferred == "name" and not names_known and not interactions):
                mapping[position] = inferred
    if not interactions:
        for position, title in enumerate(header):
            if position not in mapping and position not in overrides and keep_as_custom(title):
                mapping[position] = "custom"
    return mapping


#: Headers that only a shop's order export has; there "Name" is the order number (#1001), not a person.
SHOP_HEADERS = {"lineitem name", "financial status", "lineitem quantity"}


def is_order_export(header: list[str]) -> bool:
    """A shop's or till's orders (one row per line item, grouped by order number): Shopify's own headers, or an
    order or invoice number column in a file that has no type column (an activity log with order numbers is not)."""
    titles = {normalise_header(h) for h in header}
    if titles & SHOP_HEADERS:
        return True
    fields = {known_field(h, INTERACTION_INDEX) for h in header}
    return "order" in fields and "kind" not in fields


def looks_like_interactions(header: list[str]) -> bool:
    """Whether a file is an activity log or an order export: a date column and a type, order or amount column."""
    fields = set(map_columns(header, interactions=True).values())
    return "date" in fields and bool(fields & {"kind", "order", "amount"})


def suggest_mapping(
    header: list[str], rows: list[list[str]], *, interactions: bool, overrides: Mapping[int, str] | None = None
) -> dict[int, str]:
    """The mapping an import starts from: the user's overrides (by column index), the shop-export rule, headers,
    then values.

    For interactions, values also decide: of several e-mail columns the customer's is kept over an owner's (see
    `column_evidence.owner_columns`); a "name" column of order numbers (#1001) is the order; one of addresses is
    the e-mail; a column of dates is the date when no header says so."""
    merged = dict(overrides or {})
    if interactions and {normalise_header(h) for h in header} & SHOP_HEADERS:
        for position, title in enumerate(header):
            if normalise_header(title) == "name":
                merged.setdefault(position, "order")
    sample = rows[:200]
    mapping = map_columns(header, interactions=interactions, overrides=merged, sample=sample)
    if not interactions:
        return mapping
    fixed = set(overrides or {})
    for position, field in list(mapping.items()):
        if position not in fixed and slip_of_an_id(header[position]):
            del mapping[position]  # "Activity ID" is not a slip of "Activity" (the type): the activity's id
            continue
        if field != "name" or position in fixed:
            continue
        instead = name_column_holds(filled_values(sample, position))
        if instead in ("order", "customer_no") and instead in mapping.values():
            del mapping[position]  # the file has its order or customer number column already
        elif instead:
            mapping[position] = instead  # "Customer": 07700 900004, #1001, C-1042 or an address
    emails = [p for p, f in sorted(mapping.items()) if f == "email" and p not in fixed]
    if len(emails) > 1:
        for position in owner_columns(header, sample, emails):
            del mapping[position]
    if "date" not in mapping.values():
        found = date_column(header, sample, [*mapping, *fixed])
        if found is not None:
            mapping[found] = "date"
    return mapping
