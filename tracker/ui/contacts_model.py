"""ContactsModel: every contact as compact columns over ids, so 100,000 contacts cost little memory and no stalls.

The model holds no Contact objects: a list per column (names, levels as small ints…) in id order, filled in phases
as the loading worker delivers them — the shown columns first, then the search index, then the engagement — so rows
appear before the classification has finished. `data` formats only the cells the view asks for (the visible rows).
Each column's sort key is built once, then a header click is one sort of plain strings or ints, stable over the name
order (ties stay in name order; descending is the reverse). A keystroke only filters the current order
(tracker.core.search's Query.select over the prepared texts, the same rule as `tracker contacts --search`).
Whole ContactRows (for an export) are read from the store on demand through `rows_loader`.
Figures at 100k contacts are in tests/bench/bench_app.py.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, MutableSequence, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Qt

from tracker.core import search
from tracker.core.dates import day_number, from_day_number
from tracker.core.levels import Level
from tracker.core.models import ContactRow
from tracker.core.store.engagement import NEVER, ContactListing, EngagementColumns
from tracker.ui.contacts_load import PreparedListing, due_column, name_order, prepare_listing, ranks_of
from tracker.ui.tables import ColumnsModel, Index

__all__ = [
    "COLUMNS",
    "ContactsModel",
    "PreparedListing",
    "due_column",
    "listing_of",
    "name_order",
    "prepare_listing",
    "ranks_of",
]

COLUMNS = ("Name", "Company", "E-mail", "Phone", "Level", "Score", "Last engagement", "Next follow-up", "Tags")
LEVEL_COLUMN = COLUMNS.index("Level")
SCORE_COLUMN = COLUMNS.index("Score")
ENGAGEMENT_COLUMNS = (LEVEL_COLUMN, SCORE_COLUMN, COLUMNS.index("Last engagement"), COLUMNS.index("Next follow-up"))
_LEVELS: tuple[Level | None, ...] = (None, *Level)  # by number; 0: not classified yet
_LABELS = tuple("" if level is None else level.label for level in _LEVELS)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ROLES = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.UserRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ToolTipRole,
    )
)


def listing_of(rows: Sequence[ContactRow]) -> tuple[ContactListing, EngagementColumns]:
    """The compact columns of whole rows (for a model filled from `contact_rows`, as in tests), in id order."""
    rows = sorted(rows, key=lambda r: r.engagement.contact_id)
    listing = ContactListing([], [], [], [], [], [])
    engagement = EngagementColumns([], [], [], [], {})
    for row in rows:
        c, e = row.contact, row.engagement
        listing.ids.append(e.contact_id)
        listing.names.append(c.name)
        listing.companies.append(c.company)
        listing.emails.append(c.email or "")
        listing.phones.append(c.phone)
        listing.tags.append(", ".join(c.tags))
        engagement.ids.append(e.contact_id)
        engagement.levels.append(int(e.level))
        engagement.scores.append(e.score)
        engagement.last_days.append(NEVER if e.last_engaged is None else day_number(date.fromisoformat(e.last_engaged)))
        if row.next_follow_up:
            engagement.next_due[e.contact_id] = row.next_follow_up
    return listing, engagement


class ContactsModel(ColumnsModel):
    columns = COLUMNS

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        #: whole rows of these contacts (None: of all), for exports
        self.rows_loader: Callable[[list[int] | None], list[ContactRow]] | None = None
        self._ids: MutableSequence[int] = array("q")  # a C array: 8 bytes a contact, not a list of ints
        self._pos_map: dict[int, int] | None = {}  # contact id → position, made on first use (see _pos)
        self._names: list[str] = []
        self._companies: list[str] = []
        self._emails: list[str] = []
        self._phones: list[str] = []
        self._tags: list[str] = []
        self._levels: list[int] = []
        self._scores: list[int] = []
        self._last_days: list[int] = []
        self._due: list[str] = []
        self._texts: list[str] | None = None  # the search index, once it has come
        self._digits: list[str] = []
        self._name_order: list[int] = []
        self._keys: dict[int, list[Any]] = {}  # each column's sort key, built on first use
        self._orders: dict[int, list[int]] = {}  # each column's ascending order, sorted on first use
        self._order: list[int] = []  # every position, in the current sort order
        self._rank: Sequence[int] | None = None  # each position's place in _order, made when a search needs it
        self._visible: list[int] = []
        self._query = search.parse("")
        self._level: Level | None = None
        self._tag: str | None = None
        self._sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)
        self.classified = False  # levels, scores and follow-ups are in

    @property
    def _pos(self) -> dict[int, int]:
        """Contact id → position in the columns; made on first use (a whole list that loads in phases never needs
        it: 8 MB at 100k contacts), dropped when the ids change."""
        if self._pos_map is None:
            self._pos_map = {cid: i for i, cid in enumerate(self._ids)}
        return self._pos_map

    # Loading ------------------------------------------------------------------------------------

    def set_listing(
        self,
        prepared: PreparedListing,
        engagement: EngagementColumns | None = None,
        index: search.StoredIndex | None = None,
    ) -> None:
        """Show these contacts (engagement and search index may follow: `set_engagement`, `set_index`)."""
        listing = prepared.listing
        self.beginResetModel()
        self._ids = array("q", listing.ids)
        self._pos_map = None
        self._names = listing.names
        self._companies, self._emails, self._phones, self._tags = (
            listing.companies,
            listing.emails,
            listing.phones,
            listing.tags,
        )
        self._name_order = prepared.name_order
        n = len(self._ids)
        self._levels, self._scores, self._last_days, self._due = [0] * n, [0] * n, [NEVER] * n, [""] * n
        self._texts, self._digits = None, []
        self.classified = False
        if engagement is not None:
            self._take_engagement(engagement)
        if index is not None:
            self._take_index(index)
        self._keys, self._orders = {}, {}
        self._apply_sort()
        if self._sort == (0, Qt.SortOrder.AscendingOrder):
            self._rank = prepared.name_ranks
        self._visible = self._filtered()
        self.endResetModel()

    def set_rows(self, rows: Sequence[ContactRow], index: search.StoredIndex | None = None) -> None:
        """Show these whole rows (searchable without interaction notes unless `index` is given)."""
        listing, engagement = listing_of(rows)
        if index is None:
            by_id = sorted(rows, key=lambda r: r.engagement.contact_id)
            texts, digits = search.index_rows(None, by_id)
            index = search.StoredIndex(listing.ids, texts, digits)
        self.set_listing(prepare_listing(listing), engagement, index)

    def set_engagement(self, engagement: EngagementColumns, due: list[str] | None = None) -> None:
        """The levels, scores and next follow-ups have come: show them, re-sort and re-filter if they matter. `due`:
        each of engagement.ids' next follow-up ("" for none), when the loading worker made it (see `due_column`)."""
        self._take_engagement(engagement, due)
        for column in ENGAGEMENT_COLUMNS:
            self._keys.pop(column, None)
            self._orders.pop(column, None)
        if self._sort[0] in ENGAGEMENT_COLUMNS or self._level is not None:
            self._refresh()
        elif self._visible:
            last = len(self._visible) - 1
            self.dataChanged.emit(self.index(0, LEVEL_COLUMN), self.index(last, LEVEL_COLUMN + 3))

    def set_index(self, index: search.StoredIndex) -> None:
        """The search index has come: a query typed while loading is applied now."""
        self._take_index(index)
        if self._query:
            self.beginResetModel()
            self._visible = self._filtered()
            self.endResetModel()

    def _take_engagement(self, engagement: EngagementColumns, due_list: list[str] | None = None) -> None:
        due = engagement.next_due
        if self._same_ids(engagement.ids):
            self._levels, self._scores, self._last_days = engagement.levels, engagement.scores, engagement.last_days
            self._due = due_list if due_list is not None else due_column(engagement)
        else:
            pos = self._pos
            for k, cid in enumerate(engagement.ids):
                i = pos.get(cid)
                if i is not None:
                    self._levels[i], self._scores[i] = engagement.levels[k], engagement.scores[k]
                    self._last_days[i], self._due[i] = engagement.last_days[k], due.get(cid, "")
        self.classified = True

    def _take_index(self, index: search.StoredIndex) -> None:
        if self._same_ids(index.ids):
            self._texts, self._digits = index.texts, index.digits
            return
        if self._texts is None:
            self._texts, self._digits = [""] * len(self._ids), [""] * len(self._ids)
        for k, cid in enumerate(index.ids):
            i = self._pos.get(cid)
            if i is not None:
                self._texts[i], self._digits[i] = index.texts[k], index.digits[k]

    def _same_ids(self, ids: list[int]) -> bool:
        return len(ids) == len(self._ids) and array("q", ids) == self._ids

    def update(self, prepared: PreparedListing, engagement: EngagementColumns, index: search.StoredIndex) -> None:
        """A few contacts changed (an edit, a new contact): update them in place, or add them."""
        listing = prepared.listing
        self.beginResetModel()
        columns = (self._names, self._companies, self._emails, self._phones, self._tags)
        fresh = (listing.names, listing.companies, listing.emails, listing.phones, listing.tags)
        for k, cid in enumerate(listing.ids):
            i = self._pos.get(cid)
            if i is None:
                i = self._pos[cid] = len(self._ids)
                self._ids.append(cid)
                for column in columns:
                    column.append("")
                self._levels.append(0)
                self._scores.append(0)
                self._last_days.append(NEVER)
                self._due.append("")
                if self._texts is not None:
                    self._texts.append("")
                    self._digits.append("")
            for column, values in zip(columns, fresh, strict=True):
                column[i] = values[k]
        self._take_engagement(engagement)
        self._take_index(index)
        self._resorted_names()
        self.endResetModel()

    def remove_ids(self, ids: Iterable[int]) -> None:
        gone = {self._pos[cid] for cid in ids if cid in self._pos}
        if not gone:
            return
        keep = [i for i in range(len(self._ids)) if i not in gone]
        self.beginResetModel()
        for name in (
            "_ids", "_names", "_companies", "_emails", "_phones", "_tags",
            "_levels", "_scores", "_last_days", "_due",
        ):  # fmt: skip
            values = getattr(self, name)
            setattr(self, name, [values[i] for i in keep])
        self._ids = array("q", self._ids)
        if self._texts is not None:
            self._texts = [self._texts[i] for i in keep]
            self._digits = [self._digits[i] for i in keep]
        self._pos_map = None
        self._resorted_names()
        self.endResetModel()

    def _resorted_names(self) -> None:
        self._name_order = name_order(self._names)
        self._keys, self._orders = {}, {}
        self._apply_sort()
        self._visible = self._filtered()

    def _refresh(self) -> None:
        self.beginResetModel()
        self._apply_sort()
        self._visible = self._filtered()
        self.endResetModel()

    # Filtering and sorting ---------------------------------------------------------------------------

    @property
    def searching(self) -> bool:
        """A query is typed but the search index has not come yet (it is applied when it comes)."""
        return bool(self._query) and self._texts is None

    def set_filter(self, text: str = "", level: Level | None = None, tag: str | None = None) -> None:
        self._query, self._level, self._tag = search.parse(text), level, (tag or None)
        self.beginResetModel()
        self._visible = self._filtered()
        self.endResetModel()

    def _filtered(self) -> list[int]:
        """Positions of matching contacts, already in sort order (the order list is walked, nothing is sorted)."""
        matching: list[int] = self._order
        if self._query:
            if self._texts is None:
                return []
            # Searched in id order, the order the texts lie in memory (walking them in name order missed the CPU's
            # caches: 3-4x slower), then put in the shown order through a mark per contact.
            n = len(self._ids)
            found = self._query.select(range(n), self._texts, self._digits)
            if len(found) * 4 < n:  # few: sorted by their place in the shown order
                matching = sorted(found, key=self._ranks().__getitem__)
            elif len(found) < n:
                mark = bytearray(n)
                for i in found:
                    mark[i] = 1
                matching = [i for i in matching if mark[i]]
        if self._level is not None:
            number, levels = int(self._level), self._levels
            matching = [i for i in matching if levels[i] == number]
        if self._tag:
            needle, tags = f", {self._tag.lower()},", self._tags
            matching = [i for i in matching if needle in f", {tags[i].lower()},"]
        return list(matching)

    def _ranks(self) -> Sequence[int]:
        """Each position's place in the current order (made on the first search after a sort)."""
        if self._rank is None:
            self._rank = ranks_of(self._order)
        return self._rank

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        kept = [(index, self._visible[index.row()]) for index in before if index.row() < len(self._visible)]
        self._sort = (column, order)
        self._apply_sort()
        self._visible = self._filtered()
        if kept:  # selected rows stay selected: they move with their contacts
            if len(kept) > 50:
                row_of = {i: row for row, i in enumerate(self._visible)}
            else:  # a few: a scan in C each is cheaper than a map of every row
                row_of = {i: self._visible.index(i) for i in {i for _, i in kept}}
            for index, i in kept:
                row = row_of.get(i)
                new = self.index(row, index.column()) if row is not None else self.index(-1, -1)
                self.changePersistentIndex(index, new)
        self.layoutChanged.emit()

    def _sort_key(self, column: int) -> list[Any]:
        key = self._keys.get(column)
        if key is None:
            levels, scores = self._levels, self._scores
            if column == 0:
                key = [name.lower() for name in self._names]
            elif column in (1, 2, 3, 8):
                values = {1: self._companies, 2: self._emails, 3: self._phones, 8: self._tags}[column]
                key = values if column == 3 else [v.lower() for v in values]
            elif column == LEVEL_COLUMN:
                key = [level * 128 + score for level, score in zip(levels, scores, strict=True)]
            elif column == SCORE_COLUMN:
                key = [score * 8 + level for level, score in zip(levels, scores, strict=True)]
            elif column == 6:
                key = self._last_days
            else:
                key = [due or "9999" for due in self._due]
            self._keys[column] = key
        return key

    def _apply_sort(self) -> None:
        column, order = self._sort
        ascending = self._name_order if column == 0 else self._orders.get(column)
        if ascending is None:  # stable over the name order: ties by name; kept for the next click
            ascending = self._orders[column] = sorted(self._name_order, key=self._sort_key(column).__getitem__)
        self._order = ascending[::-1] if order == Qt.SortOrder.DescendingOrder else ascending
        self._rank = None

    # Access --------------------------------------------------------------------------------------

    def id_at(self, row: int) -> int:
        return self._ids[self._visible[row]]

    def row_at(self, row: int) -> ContactRow:
        return self._load([self.id_at(row)])[0]

    def row_of(self, contact_id: int) -> int | None:
        i = self._pos.get(contact_id)
        if i is None:
            return None
        try:
            return self._visible.index(i)
        except ValueError:
            return None

    def total(self) -> int:
        return len(self._ids)

    def visible_ids(self) -> list[int]:
        ids = self._ids
        return [ids[i] for i in self._visible]

    def visible_rows(self) -> list[ContactRow]:
        """The shown contacts as whole rows, in the shown order (read from the store: for exports and tests)."""
        return self._load(self.visible_ids())

    def _load(self, ids: list[int]) -> list[ContactRow]:
        if self.rows_loader is None:
            raise RuntimeError("ContactsModel.rows_loader is not set")
        every = len(ids) == len(self._ids) and len(ids) > 1_000  # one scan beats a list of every id
        by_id = {row.engagement.contact_id: row for row in self.rows_loader(None if every else ids)}
        return [by_id[cid] for cid in ids if cid in by_id]

    # Qt model interface ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._visible)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role not in _ROLES:  # a view asks for about ten roles per cell it paints: most answers are "none"
            return None
        row, column = index.row(), index.column()
        if not index.isValid() or not 0 <= row < len(self._visible):
            return None
        i = self._visible[row]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return self._names[i]
            if column == 1:
                return self._companies[i]
            if column == 2:
                return self._emails[i]
            if column == 3:
                return self._phones[i]
            if column == LEVEL_COLUMN:
                return _LABELS[self._levels[i]]
            if column == SCORE_COLUMN:
                return self._scores[i] if self._levels[i] else ""
            if column == 6:
                day = self._last_days[i]
                return from_day_number(day).isoformat() if day != NEVER else ""
            if column == 7:
                return self._due[i]
            return self._tags[i]
        if role == Qt.ItemDataRole.UserRole:
            return _LEVELS[self._levels[i]] if column == LEVEL_COLUMN else self._ids[i]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == SCORE_COLUMN:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and column == LEVEL_COLUMN and self._levels[i]:
            return f"{_LABELS[self._levels[i]]}: engagement score {self._scores[i]}/100"
        return None
