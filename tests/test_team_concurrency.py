"""Several real Tracker clients on one team database at once (issue 18): separate processes running the CLI (or a
loop over the same core operation the CLI calls), against the throwaway cluster of tests/pg_server.py.

The clients are made to start their writes together, not by sleeping: the test holds the team database's write
lock (the advisory lock every write transaction takes first, tracker.core.store.postgres.WRITE_LOCK), starts the
clients, waits until the server shows every one of them waiting for that lock (pg_locks), and lets go. From then on
they race for real, and what is checked is only the outcome: every row of every client there, once.

What happens when two people change one contact: write transactions take turns (the advisory lock, as
SQLite's BEGIN IMMEDIATE does), and a save writes only the fields it changes, so two edits of different fields both
stay and a read-modify-write (adding tags) loses nothing. A save made over what another client has changed
since it was read is refused, naming those fields as they are now (row versions;
test_a_stale_save_is_refused_and_says_what_changed).
"""

from __future__ import annotations

import csv
import json
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from cli_helpers import finished, start, start_python

from tracker.core.errors import EditConflict
from tracker.core.operations import contacts as contact_ops
from tracker.core.store import Store
from tracker.core.store.postgres import WRITE_LOCK

#: How long the test waits for the clients to queue on the lock.
QUEUE_TIMEOUT_S = 60


def _waiting_for_write_lock(admin) -> int:
    """Connections waiting for the write lock (a bigint advisory key: classid the high half, objid the low)."""
    row = admin.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND classid = %s AND objid = %s AND objsubid = 1",
        (WRITE_LOCK >> 32, WRITE_LOCK & 0xFFFFFFFF),
    ).fetchone()
    return int(row[0])


@contextmanager
def write_lock_held(url: str) -> Iterator[Callable[[int, Sequence[subprocess.Popen[str]]], None]]:
    """Hold the team database's write lock; yields `queued(n)`, which returns once `n` clients wait for it. The
    lock is let go on leaving, so the queued clients then start writing at the same moment."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as holder, psycopg.connect(url, autocommit=True) as admin:
        holder.execute("BEGIN")
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))

        def queued(n: int, clients: Sequence[subprocess.Popen[str]]) -> None:
            deadline = time.monotonic() + QUEUE_TIMEOUT_S
            while _waiting_for_write_lock(admin) < n:
                exited = [c for c in clients if c.poll() is not None]
                if exited:  # a client ended before it could queue: its error says why
                    pytest.fail(f"a client ended early (exit {exited[0].returncode}): {exited[0].communicate()[1]}")
                assert time.monotonic() < deadline, f"{n} clients never all waited for the write lock"
                time.sleep(0.02)  # polling the server for a condition, not waiting for luck

        try:
            yield queued
        finally:
            holder.execute("COMMIT")


def write_contacts(path: Path, prefix: str, count: int) -> list[str]:
    emails = [f"{prefix}{i}@example.com" for i in range(count)]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["First Name", "Last Name", "Email", "Company"])
        for i, email in enumerate(emails):
            writer.writerow([prefix.title(), f"Number {i}", email, f"{prefix} shop"])
    return emails


def emails_in(team: Store) -> set[str]:
    return {row[0] for row in team.conn.execute("SELECT email FROM contacts")}


# (a) two imports at once ---------------------------------------------------------------------------------------


def test_two_imports_at_once_both_land_whole_and_undo_one_removes_exactly_its_rows(team_url, tmp_path):
    north = write_contacts(tmp_path / "north.csv", "north", 600)
    south = write_contacts(tmp_path / "south.csv", "south", 500)
    with write_lock_held(team_url) as queued:
        clients = [
            start(team_url, "import", "contacts", tmp_path / "north.csv", "--json"),
            start(team_url, "import", "contacts", tmp_path / "south.csv", "--json"),
        ]
        queued(2, clients)
    reports = [json.loads(out) for out in finished(clients)]
    assert [report["created"] for report in reports] == [600, 500], reports

    with Store.open(team_url) as team:
        assert emails_in(team) == set(north) | set(south)
        assert team.contacts.count() == 1100
        by_batch = dict(team.conn.execute("SELECT import_id, count(*) FROM contacts GROUP BY import_id").fetchall())
    listed = json.loads(finished([start(team_url, "imports", "--json")])[0])["imports"]
    assert len(listed) == 2 and all(entry["created"] for entry in listed)
    batch_of = {Path(entry["source"]).name: entry["id"] for entry in listed}
    assert set(batch_of) == {"north.csv", "south.csv"}
    assert by_batch == {batch_of["north.csv"]: 600, batch_of["south.csv"]: 500}  # each row in its own batch

    finished([start(team_url, "undo-import", batch_of["north.csv"], "--json")])
    with Store.open(team_url) as team:
        assert emails_in(team) == set(south)  # exactly the north rows went, every south row stayed


# (b) five clients logging at once ------------------------------------------------------------------------------

#: A client logging `count` calls with the core operation `tracker log` runs (one process and one connection: no
#: start-up cost per call), half with its own contact, half with one contact that does not exist yet (the first log
#: makes it, as `tracker log` does with an unknown e-mail; nobody may make a second).
LOGGER = """
import sys
from datetime import datetime
from tracker.core.operations import interactions
from tracker.core.store import Store
url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Store.open(url) as store:
    for i in range(count):
        who = "shared@example.com" if i % 2 else f"{name}@example.com"
        at = datetime(2026, 10, 1 + i % 28, 10, 0)
        interactions.log(store, who, "call", at, note=f"{name} {i}", new_contact_source="tracker log")
"""
CLIENTS = 5
CALLS = 24


@pytest.mark.parametrize("round_", range(3))
def test_five_clients_logging_at_once_lose_no_write(team_url, round_):
    names = [f"client{n}" for n in range(CLIENTS)]
    with write_lock_held(team_url) as queued:
        clients = [start_python(LOGGER, team_url, name, CALLS) for name in names]
        queued(CLIENTS, clients)
    finished(clients)

    with Store.open(team_url) as team:
        notes = [row[0] for row in team.conn.execute("SELECT note FROM interactions")]
        contacts = [row[0] for row in team.conn.execute("SELECT email FROM contacts ORDER BY email")]
    assert len(notes) == CLIENTS * CALLS
    assert sorted(notes) == sorted(f"{name} {i}" for name in names for i in range(CALLS))  # each once
    assert contacts == sorted(["shared@example.com", *(f"{name}@example.com" for name in names)])


# (c) two people editing one contact ----------------------------------------------------------------------------

#: A client editing contact #1 `count` times: its own field to a new value each time, the shared notes field, and
#: a tag of its own added (a read-modify-write of the tags).
EDITOR = """
import sys
from tracker.core.operations import contacts
from tracker.core.store import Store
url, field, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with Store.open(url) as store:
    for i in range(count):
        contacts.edit(store, 1, **{field: f"{name} {i}", "notes": f"{name} {i}"})
        contacts.tag(store, [1], f"{name}-{i}")
"""
EDITS = 15


def test_two_clients_editing_one_contact_lose_no_field_and_no_tag(team_url):
    with Store.open(team_url) as team:
        team.contacts.add(email="anna@example.com", first_name="Anna", company="Flowers", tags="vip")
    with write_lock_held(team_url) as queued:
        clients = [
            start_python(EDITOR, team_url, "company", "front", EDITS),
            start_python(EDITOR, team_url, "last_name", "workshop", EDITS),
        ]
        queued(2, clients)
    finished(clients)

    with Store.open(team_url) as team:
        anna = team.contacts.get(1)
    assert anna.company == f"front {EDITS - 1}"  # each client's own field: its last value, never the other's
    assert anna.last_name == f"workshop {EDITS - 1}"
    assert anna.first_name == "Anna" and anna.email == "anna@example.com"  # untouched fields untouched
    assert anna.notes in (f"front {EDITS - 1}", f"workshop {EDITS - 1}")  # the shared field: one whole value
    expected = {"vip"} | {f"{name}-{i}" for name in ("front", "workshop") for i in range(EDITS)}
    assert set(anna.tags) == expected  # every tag added by either: no read-modify-write lost


def test_a_stale_save_is_refused_and_says_what_changed(team_url):
    """The desk opens Anna, the workshop (another process) saves new notes, then the desk saves the notes it typed
    over what it opened: the save is refused, naming the notes as they are now, and the workshop's notes stay."""
    with Store.open(team_url) as team:
        team.contacts.add(email="anna@example.com", first_name="Anna", notes="Likes tulips")
    with Store.open(team_url) as desk:
        opened = desk.contacts.get(1)  # the desk's form, as it was opened
        finished([start(team_url, "edit", "#1", "--notes", "Wedding on 12 June")])  # the workshop saves
        with pytest.raises(EditConflict) as refused:
            contact_ops.edit(desk, 1, seen=opened, notes=f"{opened.notes} and roses")
        assert refused.value.changed == {"notes": "Wedding on 12 June"}
    with Store.open(team_url) as team:
        assert team.contacts.get(1).notes == "Wedding on 12 June"  # the workshop's save stands
