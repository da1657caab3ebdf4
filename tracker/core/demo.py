"""The demo data (a florist-bakery's 300 customers and a year of their activity), loaded as one import batch the
user can undo, with its dates moved so that its last day is the day it is loaded: the demo never ages.

The files are our own, clean and known, so they are written straight in with two bulk inserts in one transaction
(a few milliseconds) rather than read through the import pipeline built for strangers' files."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from tracker.core.dates import now_iso
from tracker.core.errors import InvalidInput
from tracker.core.normalize import clean_email, join_tags, phone_key, split_tags
from tracker.core.store import Store
from tracker.core.store.dialect import json_values

#: How the batch is named in Edit → Import history and `tracker imports`.
DEMO_KIND = "demo"
DEMO_SOURCE = "Demo data (a florist-bakery's 300 customers and a year of their activity)"


@dataclass(frozen=True, slots=True)
class DemoLoaded:
    """What loading the demo wrote: the import batch that undoes it, and how many contacts and interactions."""

    batch_id: int
    contacts: int
    interactions: int


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def shifted_moments(moments: list[str], today: date) -> list[str]:
    """The demo's moments ('2025-11-24 08:40:29') moved by the same number of days so that the newest falls on
    `today`, as stored ('2026-12-02T08:40:29')."""
    parsed = [datetime.fromisoformat(moment) for moment in moments]  # a tenth of strptime's time
    shift = timedelta(days=(today - max(parsed).date()).days)
    return [(moment + shift).isoformat(timespec="seconds") for moment in parsed]


def load_demo(store: Store, contacts: Path, interactions: Path, today: date) -> DemoLoaded:
    """Write the demo contacts and their interactions, moved to end on `today`, as one undoable import batch.

    Meant for an empty database (the welcome page offers it): refused (InvalidInput) when a demo e-mail address
    is taken already, so nothing is half-loaded."""
    people, activity = _rows(contacts), _rows(interactions)
    region = store.phone_region()
    kinds = {name.lower(): kind.id for name, kind in store.kinds().items()}
    stamp = now_iso()
    with store.transaction() as conn:
        batch = store.imports.begin(DEMO_KIND, DEMO_SOURCE)
        (first_id,) = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM contacts").fetchone()
        ids: dict[str, int] = {}
        records = []
        for number, person in enumerate(people, first_id):
            email = clean_email(person["Email"])
            assert email is not None  # every demo contact has an address
            ids[email.lower()] = number
            phone = person["Phone"].strip()
            tags = join_tags(split_tags(person["Tags"]))
            records.append(
                (
                    number,
                    person["First Name"],
                    person["Last Name"],
                    email,
                    phone,
                    phone_key(phone, region),
                    person["Company"],
                    tags,
                    contacts.name,
                    person["Notes"],
                    batch,
                    stamp,
                    stamp,
                )
            )
        taken = conn.execute(
            f"SELECT email FROM contacts WHERE lower(email) IN ({json_values(conn)}) LIMIT 1",
            (json.dumps(list(ids)),),
        ).fetchone()
        if taken:
            raise InvalidInput(f"The demo data goes into a new database: {taken[0]} is in this one already.")
        conn.executemany(
            "INSERT INTO contacts (id, first_name, last_name, email, phone, phone_key, company, tags, source, notes, "
            "import_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            records,
        )
        moments = shifted_moments([row["date"] for row in activity], today)
        conn.executemany(
            "INSERT INTO interactions (contact_id, kind_id, occurred_at, amount, score, note, import_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    ids[row["email"].strip().lower()],
                    kinds[row["type"].strip().lower()],
                    moment,
                    float(row["amount"]) if row["amount"] else None,
                    int(row["score"]) if row["score"] else None,
                    row["note"],
                    batch,
                    stamp,
                )
                for row, moment in zip(activity, moments, strict=True)
            ],
        )
        rows = len(records) + len(moments)
        counts = {"rows": rows, "created": rows, "updated": 0, "rejected": 0, "skipped": 0}
        store.imports.finish(batch, counts | {"contacts_created": len(records)})  # as an import's report counts
    return DemoLoaded(batch, len(records), len(moments))
