"""InteractionsModel: interactions as a table, newest first (the Interactions tab and a contact's timeline)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from tracker.core.models import Interaction
from tracker.ui.tables import Index, ItemsModel
from tracker.ui.text import plain_tooltip

ALL_COLUMNS = ("When", "Contact", "Kind", "Amount", "Score", "Note")
TIMELINE_COLUMNS = ("When", "Kind", "About")  # a narrow panel: amount, score and note (a subject) in one column
#: Kinds that read better in the owner's words than by their names (imported mail and meetings).
KIND_WORDS = {"email_reply": "E-mail from them", "contacted": "You wrote/called", "meeting": "Meeting"}


def kind_words(kind: str) -> str:
    """How a kind reads in a table: 'E-mail from them' for email_reply, 'purchase' as it is, 'page view' for
    page_view."""
    return KIND_WORDS.get(kind, kind.replace("_", " "))


class InteractionsModel(ItemsModel):
    def __init__(self, columns: tuple[str, ...] = ALL_COLUMNS, parent=None):
        super().__init__(parent)
        self.columns = columns

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                "When": item.occurred_at.replace("T", " ")[:16],
                "Contact": item.contact_name or item.contact_email or "",
                "Kind": kind_words(item.kind),
                "Amount": "" if item.amount is None else f"{item.amount:,.2f}",
                "Score": "" if item.score is None else str(item.score),
                "Note": item.note.replace("\n", " "),
                "About": _about(item),
            }[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ("Amount", "Score"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column in ("Note", "About"):
            return plain_tooltip(item.note) or None
        return None


def _about(item: Interaction) -> str:
    """'86.50 · Order 1042', 'score 9 · Lovely tea', 'Re: Your order · by ben': what the timeline says of an
    interaction (who logged it, on a team database)."""
    parts = [
        "" if item.amount is None else f"{item.amount:,.2f}",
        "" if item.score is None else f"score {item.score}",
        item.note.replace("\n", " "),
        f"by {item.by}" if item.by else "",
    ]
    return " · ".join(part for part in parts if part)


class PagedInteractionsModel(InteractionsModel):
    """Loads `page` rows at a time as the view scrolls (fetchMore), so a million interactions open instantly."""

    page = 500

    def __init__(self, fetch, parent=None):
        super().__init__(ALL_COLUMNS, parent)
        self._fetch = fetch  # fetch(limit, offset) -> list[Interaction]
        self._exhausted = True  # nothing to fetch until the first reload()

    def reload(self) -> None:
        first = self._fetch(self.page, 0)
        self._exhausted = len(first) < self.page
        self.set_items(first)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        more = self._fetch(self.page, len(self._items))
        self._exhausted = len(more) < self.page
        if more:
            self.beginInsertRows(QModelIndex(), len(self._items), len(self._items) + len(more) - 1)
            self._items.extend(more)
            self.endInsertRows()
