"""The demo data (a florist-bakery's 300 customers and a year of their activity), loaded as two import batches with
its dates moved so that its last day is the day it is loaded: the demo never ages."""

from __future__ import annotations

import csv
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from tracker.core.importing import ImportReport, import_contacts, import_interactions
from tracker.core.store import Store

_MOMENT = "%Y-%m-%d %H:%M:%S"


def shifted_interactions(source: Path, target: Path, today: date) -> timedelta:
    """Copy the demo's activity log to `target` with every date moved by the same number of days, so that the
    newest falls on `today`; return the shift."""
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    newest = max(datetime.strptime(row["date"], _MOMENT).date() for row in rows)
    shift = timedelta(days=(today - newest).days)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            moved = datetime.strptime(row["date"], _MOMENT) + shift
            writer.writerow({**row, "date": moved.strftime(_MOMENT)})
    return shift


def load_demo(store: Store, contacts: Path, interactions: Path, today: date, **options: Any) -> ImportReport:
    """Import the demo contacts, then their interactions moved to end on `today` (each an undoable batch)."""
    import_contacts(store, contacts, **options)
    with tempfile.TemporaryDirectory(prefix="tracker-demo-") as folder:
        moved = Path(folder) / "demo-interactions.csv"
        shifted_interactions(interactions, moved, today)
        return import_interactions(store, moved, **options)
