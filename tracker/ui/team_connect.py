"""File → Connect to a team database…: asking for a team database's address (its password never: libpq's usual
places keep it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtWidgets import QInputDialog, QWidget

from tracker.core.paths import URL_SCHEMES


def ask_address(parent: QWidget, recent: Iterable[str], refuse: Callable[[str], None]) -> str | None:
    """The address typed (the last team database used is offered), or None when cancelled or not an address
    (`refuse` is told why in one sentence)."""
    last = next((p for p in recent if p.startswith(URL_SCHEMES)), "postgresql://")
    address, ok = QInputDialog.getText(
        parent,
        "Connect to a team database",
        "The team database's address, as the shop's owner gave it\n(postgresql://USER@HOST/DATABASE; the "
        "password comes from ~/.pgpass or PGPASSWORD):",
        text=last,
    )
    address = address.strip()
    if not ok or not address:
        return None
    if not address.startswith(URL_SCHEMES):
        refuse(f"{address} is not a team database's address; it starts with postgresql://.")
        return None
    return address
