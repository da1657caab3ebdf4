"""The contacts list's load: what the loading worker makes, on a pool thread or in a helper process.

`load` reads the shown columns (with their name order), the search index and the engagement, in that order; from
PHASED_FROM contacts (tracker.ui.contacts_tab) each phase is sent on as soon as it is ready, so rows appear before
the classification has finished. From OFFLOAD_FROM contacts the reading runs in a helper process
(tracker.ui.offload): at 100,000 contacts it is ~1.5 s of Python (each row's display name, the name order, the
search index's prepared texts, the engagement columns), which on a pool thread held the GIL while the GUI thread
waited to paint. The pool thread then only unpickles frames of CHUNK contacts (plain lists of strings, C arrays as
bytes: a few milliseconds each, ~0.15 s in all) and joins them into the very objects an in-process load makes.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tracker.core import search
from tracker.core.store import Store
from tracker.core.store.engagement import ContactListing, EngagementColumns
from tracker.ui import offload  # no Qt: this module is imported by the helper process too

#: From this many contacts the list is read in a helper process (see the module).
OFFLOAD_FROM = 5_000


@dataclass(slots=True)
class PreparedListing:
    """A listing with its name order, made on the loading worker, not the GUI thread.

    Nothing more is kept (at 100k contacts every column counts: the lower-case names are dropped once sorted, the
    ranks are a C array, and the map of ids to positions is made only when something needs it)."""

    listing: ContactListing
    name_order: list[int]  # positions in name order (ties by id)
    name_ranks: Sequence[int]  # each position's place in name_order


def name_order(names: Sequence[str]) -> list[int]:
    """Positions of these names in name order, case-insensitive, ties in position order (by id)."""
    lower = [name.lower() for name in names]
    return sorted(range(len(lower)), key=lower.__getitem__)


def ranks_of(order: Sequence[int]) -> array[int]:
    """Each position's place in `order` (a permutation of the positions), as a C array: 4 bytes a contact."""
    ranks = array("i", bytes(4 * len(order)))
    for place, i in enumerate(order):
        ranks[i] = place
    return ranks


def prepare_listing(listing: ContactListing) -> PreparedListing:
    order = name_order(listing.names)
    return PreparedListing(listing, order, ranks_of(order))


def due_column(engagement: EngagementColumns) -> list[str]:
    """Each of engagement.ids' next follow-up, "" for none: the model's column (made on the loading worker for a
    whole list: 100k lookups on the GUI thread were ~17 ms of a stall)."""
    due = engagement.next_due
    return [due.get(cid, "") for cid in engagement.ids]


@dataclass(slots=True)
class Loaded:
    """The end of a load: whatever the phases have not delivered yet, and every tag, for the tag filter."""

    listing: PreparedListing | None
    index: search.StoredIndex | None
    engagement: EngagementColumns
    due: list[str]  # due_column(engagement), made here on the worker
    tags: list[str]


def load(store: Store, today: date, emit: Callable[[object], None], phased_from: int) -> Loaded:
    """Runs on the loading worker: the shown columns, the search index and the engagement, in that order (the
    first two sent on with `emit` as soon as they are ready when the list has `phased_from` contacts or more)."""
    database = offload.database_of(store)
    if database is not None and offload.has_at_least(store, OFFLOAD_FROM):
        return _load_in_helper(database, today, emit, phased_from)
    offload.drop_ahead()  # a helper started by read_ahead is not needed for a short list
    prepared = prepare_listing(store.engagement.listing())
    phased = len(prepared.listing.ids) >= phased_from
    if phased:
        emit(prepared)
    index = search.index_stored(store)
    if phased:
        emit(index)
    engagement = store.engagement.engagement_columns(today, store.settings())
    tags = store.contacts.all_tags()
    return Loaded(None if phased else prepared, None if phased else index, engagement, due_column(engagement), tags)


# In a helper process -------------------------------------------------------------------------------------------

CHUNK = 5_000  # contacts a frame
_TARGET = "tracker.ui.contacts_load:send_contacts"


def send_contacts(store: Store, send: Callable[[object], None], today: date) -> None:
    """In the helper process: the shown columns and the name order, then the search index, then the engagement and
    every tag, each as soon as it is ready."""
    listing = store.engagement.listing()
    for start in range(0, len(listing.ids), CHUNK):  # sent before the name order is made: joined meanwhile
        part = slice(start, start + CHUNK)
        columns = (listing.names, listing.companies, listing.emails, listing.phones, listing.tags)
        send(("rows", array("q", listing.ids[part]).tobytes(), *(column[part] for column in columns)))
    prepared = prepare_listing(listing)
    send(("order", array("i", prepared.name_order).tobytes(), array("i", prepared.name_ranks).tobytes()))
    index = search.index_stored(store)
    for start in range(0, len(index.ids), CHUNK):
        part = slice(start, start + CHUNK)
        send(("index", array("q", index.ids[part]).tobytes(), index.texts[part], index.digits[part]))
    send(("indexed",))
    engagement = store.engagement.engagement_columns(today, store.settings())
    due = engagement.next_due
    send(
        (
            "engagement",
            array("q", engagement.ids).tobytes(),
            array("b", engagement.levels).tobytes(),
            array("b", engagement.scores).tobytes(),
            array("i", engagement.last_days).tobytes(),
            array("q", due).tobytes(),
            list(due.values()),
            store.contacts.all_tags(),
        )
    )


def _ints(data: bytes, code: str) -> list[int]:
    return array(code, data).tolist()


class _Assembler:
    """Joins the frames of `send_contacts` on the pool thread; each finished phase goes to `emit` (when phased)."""

    def __init__(self, emit: Callable[[object], None], phased_from: int):
        self.emit, self.phased_from = emit, phased_from
        self.listing = ContactListing([], [], [], [], [], [])
        self.shared: dict[str, str] = {}  # one string for each company and tag list many contacts share
        self.prepared: PreparedListing | None = None
        self.index = search.StoredIndex([], [], [])
        self.indexed = False
        self.engagement: EngagementColumns | None = None
        self.tags: list[str] = []

    @property
    def phased(self) -> bool:
        return len(self.listing.ids) >= self.phased_from

    def __call__(self, part: tuple[Any, ...]) -> None:
        kind = part[0]
        if kind == "rows":
            listing, shared = self.listing, self.shared
            ids, names, companies, emails, phones, tags = part[1:]
            listing.ids.extend(_ints(ids, "q"))
            listing.names.extend(names)
            listing.companies.extend([shared.setdefault(c, c) for c in companies])
            listing.emails.extend(emails)
            listing.phones.extend(phones)
            listing.tags.extend([shared.setdefault(t, t) for t in tags])
        elif kind == "order":
            self.prepared = PreparedListing(self.listing, _ints(part[1], "i"), array("i", part[2]))
            if self.phased:
                self.emit(self.prepared)
        elif kind == "index":
            self.index.ids.extend(_ints(part[1], "q"))
            self.index.texts.extend(part[2])
            self.index.digits.extend(part[3])
        elif kind == "indexed":
            self.indexed = True
            if self.phased:
                self.emit(self.index)
        elif kind == "engagement":
            ids, levels, scores, last_days, due_ids, dues, self.tags = part[1:]
            days: dict[int, int] = {}  # one int object per day many contacts share
            self.engagement = EngagementColumns(
                _ints(ids, "q"),
                _ints(levels, "b"),
                _ints(scores, "b"),
                [days.setdefault(day, day) for day in array("i", last_days)],
                dict(zip(_ints(due_ids, "q"), dues, strict=True)),
            )


def read_ahead(store: Store, today: date) -> None:
    """Start reading the list of `store` in a helper process now, as the window has first painted, so that it is
    under way while the Contacts tab is built and its pool thread starts (tracker.ui.main_window); the tab's first
    `load` takes it over (another load, or a short list, stops it). Not earlier: on a machine whose processors are
    busy, a helper started before the first paint (even one that only sleeps) delayed the window by 40-60 ms."""
    database = offload.database_of(store)
    if database is not None and offload.has_at_least(store, OFFLOAD_FROM):
        offload.start_ahead(_TARGET, database, (today,))


def _load_in_helper(database: Path | str, today: date, emit: Callable[[object], None], phased_from: int) -> Loaded:
    """`load`'s result, read in a helper process on `database` (on the pool thread, which joins the frames)."""
    assembler = _Assembler(emit, phased_from)
    offload.run(_TARGET, database, (today,), assembler)
    engagement = assembler.engagement
    if engagement is None or assembler.prepared is None or not assembler.indexed:
        raise RuntimeError("the helper process finished without the whole list")
    phased = assembler.phased
    return Loaded(
        None if phased else assembler.prepared,
        None if phased else assembler.index,
        engagement,
        due_column(engagement),
        assembler.tags,
    )
