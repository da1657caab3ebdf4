"""Two processes on one database file: the window (one long-lived process whose workers open and close stores)
and CLI commands beside it. Every committed write must be present afterwards and the file must stay intact.

The bug this guards against: opening a store read the file's header with Python's open()/close(); on POSIX,
closing any descriptor of a file drops every fcntl lock the process holds on it, including SQLite's. The next
CLI command then believed it was alone, checkpointed and deleted the -wal and -shm still in use by the window,
and later writes vanished or damaged an index.

These tests run real separate processes: a lock dropped inside one process is only visible from another.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tracker.core.store import Store

REPO = Path(__file__).resolve().parent.parent


def tracker_cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the real `tracker` command in its own process."""
    return subprocess.run(
        [sys.executable, "-c", "from tracker.cli import main; main()", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def contact_emails(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {row[0] for row in conn.execute("SELECT email FROM contacts")}
    finally:
        conn.close()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return "\n".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def test_a_worker_opening_the_store_keeps_the_windows_locks_so_a_cli_write_beside_it_is_not_lost(db_path):
    window = Store.open(db_path)  # the window's own connection, held for the whole session
    try:
        window.contacts.add(email="before@example.com", first_name="Before")
        Store.open(db_path).close()  # a worker job: open the store, do its work, close it
        added = tracker_cli(db_path, "add", "--email", "cli@example.com", "--first-name", "Cli")
        assert added.returncode == 0, added.stderr
        # the window goes on writing; if the CLI deleted the WAL in use, this lands in an unlinked file
        window.contacts.add(email="after@example.com", first_name="After")
        assert contact_emails(db_path) == {"before@example.com", "cli@example.com", "after@example.com"}
    finally:
        window.close()
    assert contact_emails(db_path) == {"before@example.com", "cli@example.com", "after@example.com"}
    assert integrity(db_path) == "ok"


# The long-lived "window": a process holding the store open as the app does, running worker jobs (each opens
# and closes its own store, as tracker/ui/jobs.py does: quick checks, reloads, backups) and saving edits of its
# own, while the test runs CLI commands beside it. It prints every e-mail it committed, one JSON line each.
WINDOW_SCRIPT = textwrap.dedent(
    """
    import json, sys, threading
    from pathlib import Path
    from tracker.core.store import Store
    from tracker.core.engagement import level_counts

    db, rounds = Path(sys.argv[1]), int(sys.argv[2])
    window = Store.open(db)
    stop = threading.Event()

    def worker_jobs():
        while not stop.is_set():
            with Store.open(db) as job:
                job.conn.execute("PRAGMA quick_check").fetchall()
                level_counts(job, __import__("datetime").date(2026, 11, 23))
                job.contacts.count()

    threads = [threading.Thread(target=worker_jobs) for _ in range(2)]
    for thread in threads:
        thread.start()
    for line in sys.stdin:
        n = int(line)
        email = f"window{n}@example.com"
        window.contacts.add(email=email, first_name="Window")
        print(json.dumps(email), flush=True)
        if n + 1 == rounds:
            break
    stop.set()
    for thread in threads:
        thread.join()
    window.close()
    """
)

# The CLI side: one process running `tracker` commands in a loop (each command opens the database, writes, and
# closes it, exactly as a separate `tracker` process would, so its SQLite connection is the last one in its
# process and decides whether it is alone). Told which round to run on stdin; prints what it committed.
CLI_SCRIPT = textwrap.dedent(
    """
    import contextlib, io, json, sys
    from tracker.cli import main as cli_main

    def main(args):
        with contextlib.redirect_stdout(io.StringIO()):  # the commands' own output is not our protocol
            cli_main(args)

    db = sys.argv[1]
    for line in sys.stdin:
        n = int(line)
        email = f"cli{n}@example.com"
        command = [["add", "--email", email, "--first-name", "Cli"],
                   ["log", f"window{n - 1}@example.com" if n else email, "purchase", "--amount", "5"],
                   ["settings", "set", "drifting_days", str(30 + n % 50)]][n % 3]
        if command[0] != "add":
            main_args = ["--db", db, "add", "--email", email, "--first-name", "Cli"]
            try:
                main(main_args)
            except SystemExit as exit_:
                if exit_.code:
                    print(json.dumps({"failed": main_args}), flush=True)
                    continue
        try:
            main(["--db", db, *command])
        except SystemExit as exit_:
            if exit_.code:
                print(json.dumps({"failed": command}), flush=True)
                continue
        print(json.dumps(email), flush=True)
    """
)


@pytest.mark.slow
def test_window_and_cli_processes_interleaved_hundreds_of_times_lose_nothing(db_path):
    rounds = int(os.environ.get("TRACKER_INTERLEAVINGS", "300"))  # more by hand: TRACKER_INTERLEAVINGS=2000
    Store.open(db_path).close()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    window = subprocess.Popen(
        [sys.executable, "-c", WINDOW_SCRIPT, str(db_path), str(rounds)],
        cwd=REPO,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    cli = subprocess.Popen(
        [sys.executable, "-c", CLI_SCRIPT, str(db_path)],
        cwd=REPO,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    committed: list[str] = []
    failures: list[object] = []
    try:
        for n in range(rounds):
            for process in (window, cli):  # one write each, in turn: every step waits for the other's commit
                process.stdin.write(f"{n}\n")
                process.stdin.flush()
                answer = json.loads(process.stdout.readline() or "null")
                if isinstance(answer, str):
                    committed.append(answer)
                else:
                    failures.append(answer)
        window.stdin.close()
        cli.stdin.close()
        assert window.wait(timeout=120) == 0, window.stderr.read()
        assert cli.wait(timeout=120) == 0, cli.stderr.read()
    finally:
        for process in (window, cli):
            if process.poll() is None:
                process.kill()
                process.wait()
    assert failures == []
    assert len(committed) == 2 * rounds
    assert set(committed) <= contact_emails(db_path), "committed writes were lost"
    assert integrity(db_path) == "ok"


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_importing_the_open_database_itself_is_refused_without_touching_its_locks(db_path, suffix):
    from tracker.core.errors import ImportRejected
    from tracker.core.importing import import_contacts

    window = Store.open(db_path)
    try:
        window.contacts.add(email="before@example.com", first_name="Before")
        with pytest.raises(ImportRejected, match="is a Tracker database"):
            import_contacts(window, Path(f"{db_path}{suffix}"))  # dropped on the window by mistake
        added = tracker_cli(db_path, "add", "--email", "cli@example.com", "--first-name", "Cli")
        assert added.returncode == 0, added.stderr
        window.contacts.add(email="after@example.com", first_name="After")
    finally:
        window.close()
    assert contact_emails(db_path) == {"before@example.com", "cli@example.com", "after@example.com"}
    assert integrity(db_path) == "ok"
