"""The team database on PostgreSQL (issue 18): moving a file in (`tracker share --to`), taking it home
(`tracker backup --to FILE.db`), the same answers from both engines, refusing what is not ours or not empty, and
the schema made once when two clients start at once. Runs against the throwaway cluster of tests/pg_server.py."""

from __future__ import annotations

import json
import select
from datetime import date
from pathlib import Path

import pytest
from cli_helpers import ROOT, as_user, finished, ok, run, start_python

from tracker.core.demo import load_demo
from tracker.core.followups import suggest_follow_ups
from tracker.core.store import Store
from tracker.core.store.copy import NOT_COPIED, TABLES, counts
from tracker.core.store.migrations import latest_version

DEMO = ROOT / "resources" / "demo"
TODAY = date(2026, 11, 23)


@pytest.fixture
def shop_file(tmp_path) -> Path:
    """A Tracker file holding the demo shop (300 contacts, a year of activity) and a follow-up."""
    path = tmp_path / "shop.db"
    with Store.open(path) as store:
        load_demo(store, DEMO / "contacts.csv", DEMO / "interactions.csv", TODAY)
        first = store.contacts.get(1)
        store.follow_ups.schedule(first.id, date(2026, 11, 30), "Ask about the wedding order")
        store.save_kind("tasting", 3)
    return path


#: Commands whose --json answer must be the same, byte for byte, on a file and on its copy in a team database.
SAME_ANSWERS = [
    ("contacts", "--json"),
    ("interactions", "--json", "--limit", "100000"),
    ("followups", "--as-of", TODAY, "--json"),
    ("levels", "--as-of", TODAY, "--json"),
    ("kinds", "--json"),
    ("imports", "--json"),
    ("outlook", "--as-of", TODAY, "--json"),
]


def test_share_copies_every_row_and_both_engines_answer_the_same(capsys, shop_file, pg_cluster):
    url = pg_cluster.new_database(empty=True)
    shared = json.loads(ok(capsys, shop_file, "share", "--to", url, "--json"))
    with Store.open(shop_file) as file, Store.open(url) as team:
        assert counts(file) == counts(team) == shared["copied"]
        assert shared["copied"]["contacts"] == 300 and shared["copied"]["interactions"] > 1000
    for command in SAME_ANSWERS:
        assert ok(capsys, url, *command) == ok(capsys, shop_file, *command), command
    # and it goes on working: a new contact gets a new id, not one the copy already used
    added = json.loads(ok(capsys, url, "add", "--email", "new@example.com", "--first-name", "New", "--json"))
    assert added["id"] == 301


def test_share_refuses_a_team_database_that_is_not_empty(capsys, shop_file, team_url):
    with Store.open(team_url) as team:
        team.contacts.add(first_name="Already", email="there@example.com")
    code, out, err = run(capsys, shop_file, "share", "--to", team_url)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "is not empty" in err
    with Store.open(team_url) as team:
        assert team.contacts.count() == 1  # nothing was added


def test_share_wants_an_address(capsys, shop_file, tmp_path):
    code, _, err = run(capsys, shop_file, "share", "--to", tmp_path / "other.db")
    assert code == 2 and "postgresql://" in err and len(err.strip().splitlines()) == 1


def test_backup_of_a_team_database_is_an_ordinary_tracker_file(capsys, shop_file, pg_cluster, tmp_path):
    url = pg_cluster.new_database(empty=True)
    ok(capsys, shop_file, "share", "--to", url)
    home = tmp_path / "home.db"
    answer = json.loads(ok(capsys, url, "backup", "--to", home, "--json"))
    assert answer["path"] == str(home) and not list(tmp_path.glob(".home.db.partial*"))
    for command in SAME_ANSWERS:
        assert ok(capsys, home, *command) == ok(capsys, url, *command), command
    assert "found no problems" in ok(capsys, home, "check")
    code, _, err = run(capsys, url, "backup", "--to", home)  # never over an existing file
    assert code == 2 and "exists already" in err
    code, _, err = run(capsys, url, "backup")
    assert code == 2 and "--to FILE.db" in err


def test_file_only_commands_say_so_for_a_team_database(capsys, team_url):
    for command in (("backups",), ("check",), ("restore", "x")):
        code, out, err = run(capsys, team_url, *command)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "team database" in err


def test_another_programs_database_is_refused(capsys, pg_cluster):
    url = pg_cluster.new_database(empty=True)
    pg_cluster.admin("CREATE TABLE orders (id int)", url.rsplit("/", 1)[1])
    code, out, err = run(capsys, url, "contacts")
    assert out == ""
    assert code == 2 and "another program" in err and len(err.strip().splitlines()) == 1


def test_a_newer_schema_is_refused(capsys, pg_cluster):
    url = pg_cluster.new_database()  # not the shared one: its schema version is changed
    pg_cluster.admin(f"UPDATE tracker_schema SET version = {latest_version() + 1}", url.rsplit("/", 1)[1])
    code, _, err = run(capsys, url, "contacts")
    assert code == 2 and "newer version of Tracker" in err


def test_an_unreachable_server_is_one_sentence(capsys, pg_cluster):
    url = f"postgresql://nobody@127.0.0.1:{pg_cluster.port}/no_such_database"
    code, out, err = run(capsys, url, "contacts")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "Cannot connect" in err
    assert "Traceback" not in err


def test_two_clients_starting_at_once_make_the_schema_once(pg_cluster):
    url = pg_cluster.new_database(empty=True)
    script = "import sys; from tracker.core.store import Store; Store.open(sys.argv[1]).close()"
    finished([start_python(script, url) for _ in range(4)])  # each exits 0
    with Store.open(url) as team:
        assert team.schema_version() == latest_version()
        names = [kind.name for kind in team.kinds().values()]
        assert len(names) == len(set(names)) == team.conn.execute("SELECT count(*) FROM kinds").fetchone()[0]


def test_every_table_is_copied(shop_file, pg_cluster):
    """TABLES names every table a Tracker file has, but those deliberately left (a new table forgotten in both
    would not move in)."""
    with Store.open(shop_file) as file:
        names = {row[0] for row in file.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert names - {"sqlite_sequence", "sqlite_stat1"} == set(TABLES) | set(NOT_COPIED)
    assert not set(TABLES) & set(NOT_COPIED)


def test_who_did_what_is_recorded_by_the_server(capsys, tmp_path, team_url, pg_cluster):
    """Every interaction, follow-up, import and contact edit keeps the login that made it (the server fills it
    in, whatever code wrote the row); a file keeps '' (one user)."""
    member = f"member_{abs(hash(team_url)) % 10_000}_{tmp_path.name[-6:].replace('-', '_')}"
    pg_cluster.admin(f"CREATE ROLE {member} LOGIN SUPERUSER")
    as_member = as_user(team_url, member)
    ok(capsys, team_url, "add", "--email", "anna@example.com", "--first-name", "Anna")
    ok(capsys, as_member, "log", "anna@example.com", "call", "--at", "2026-11-20")
    ok(capsys, as_member, "followup", "anna@example.com", "--due", "2026-11-24", "--reason", "Send prices")
    source = tmp_path / "more.csv"
    source.write_text("Email,First Name\nben@example.com,Ben\n", encoding="utf-8")
    ok(capsys, as_member, "import", "contacts", source)
    ok(capsys, as_member, "edit", "anna@example.com", "--company", "Anna's Cakes")

    (logged,) = json.loads(ok(capsys, team_url, "interactions", "--json"))["interactions"]
    assert logged["by"] == member
    (batch,) = json.loads(ok(capsys, team_url, "imports", "--json"))["imports"]
    assert batch["by"] == member
    with Store.open(team_url) as team:
        anna = team.contacts.require("anna@example.com")
        (scheduled,) = team.follow_ups.for_contact(anna.id)
        assert scheduled.by == member
        listed = suggest_follow_ups(team, date.fromisoformat(scheduled.created_at[:10]))
        assert [s.to_dict()["by"] for s in listed if s.follow_up_id == scheduled.id] == [member]
    with Store.open(team_url) as team:
        edited_by = team.conn.execute("SELECT updated_by FROM contacts WHERE email = 'anna@example.com'").fetchone()
        assert edited_by[0] == member

    on_file = tmp_path / "one.db"
    ok(capsys, on_file, "add", "--email", "anna@example.com", "--first-name", "Anna")
    ok(capsys, on_file, "log", "anna@example.com", "call", "--at", "2026-11-20")
    (logged,) = json.loads(ok(capsys, on_file, "interactions", "--json"))["interactions"]
    assert logged["by"] == ""


def test_a_change_by_another_client_is_noticed_without_asking_the_server_each_time(team_url, monkeypatch):
    """The window polls data_version every second: on a team database it LISTENs, so the number moves when
    another client commits, and no query is sent while nobody writes."""
    with Store.open(team_url) as window:
        first = window.data_version()
        queries: list[str] = []
        run_query = window.conn._run
        monkeypatch.setattr(window.conn, "_run", lambda text, *rest: queries.append(text) or run_query(text, *rest))
        assert [window.data_version() for _ in range(5)] == [first] * 5 and queries == []
        script = (
            "import sys; from tracker.core.store import Store; s = Store.open(sys.argv[1]); "
            "s.contacts.add(first_name='Cleo', email='cleo@example.com'); s.close()"
        )
        finished([start_python(script, team_url)])
        socket = window.conn.raw.pgconn.socket
        for _ in range(100):  # wait for the notification on the socket (up to 10 s), never a fixed sleep
            if window.data_version() != first:
                break
            select.select([socket], [], [], 0.1)
        assert window.data_version() != first and len(queries) == 1  # asked once, after the notification
        assert window.contacts.count() == 1


def test_a_shared_database_is_analysed_at_once(capsys, shop_file, pg_cluster):
    """Moving in ends with VACUUM ANALYZE: the planner has statistics (and index-only scans a visibility map)
    from the first query on, not only once autovacuum comes by."""
    url = pg_cluster.new_database(empty=True)
    ok(capsys, shop_file, "share", "--to", url)
    with Store.open(url) as team:
        rows = team.conn.execute(
            "SELECT relname, last_vacuum IS NOT NULL, last_analyze IS NOT NULL FROM pg_stat_user_tables "
            "WHERE relname IN ('contacts', 'interactions')"
        ).fetchall()
    assert sorted(rows) == [("contacts", True, True), ("interactions", True, True)]
