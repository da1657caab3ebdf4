"""Schema migrations: each step upgrades a database of the previous version to the same schema as a new one."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tracker.core.errors import StoreTooNew
from tracker.core.store import Store
from tracker.core.store.connection import connect
from tracker.core.store.migrations import MIGRATIONS, latest_version, migrate, schema_version


def schema(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()


def test_new_database_is_at_latest_version(store):
    assert schema_version(store.conn) == latest_version() == len(MIGRATIONS) >= 2


@pytest.mark.parametrize("start", range(1, len(MIGRATIONS)))
def test_upgrading_each_previous_version_gives_the_schema_of_a_new_database(tmp_path, start):
    old = connect(tmp_path / "old.db")
    migrate(old, target=start)
    assert schema_version(old) == start
    old.execute(
        "INSERT INTO contacts (first_name, email, created_at, updated_at) VALUES ('Anna', 'anna@example.com', 'x', 'x')"
    )
    old.close()
    with Store.open(tmp_path / "old.db") as upgraded:
        assert schema_version(upgraded.conn) == latest_version()
        assert upgraded.contacts.by_email("anna@example.com").first_name == "Anna"
        fresh = connect(tmp_path / "fresh.db")
        migrate(fresh)
        assert schema(upgraded.conn) == schema(fresh)
        fresh.close()


def test_version_1_database_gains_import_undo_table(tmp_path):
    conn = connect(tmp_path / "v1.db")
    migrate(conn, target=1)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "import_changes" not in tables
    conn.close()
    with Store.open(tmp_path / "v1.db") as store:
        anna = store.contacts.add(first_name="Anna", email="anna@example.com")
        with store.transaction():
            batch = store.imports.begin("contacts", "x.csv")
            store.imports.remember_before(
                batch,
                anna.id,
                {
                    k: ""
                    for k in (
                        "first_name",
                        "last_name",
                        "email",
                        "phone",
                        "phone_key",
                        "company",
                        "tags",
                        "source",
                        "notes",
                    )
                },
            )
        stored = store.conn.execute("SELECT before FROM import_changes").fetchone()[0]
        assert json.loads(stored)["first_name"] == ""


def test_database_from_a_newer_tracker_is_refused_untouched(tmp_path):
    target = tmp_path / "future.db"
    with Store.open(target) as store:
        store.conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    before = target.read_bytes()
    with pytest.raises(StoreTooNew, match="newer version of Tracker"):
        Store.open(target)
    assert target.read_bytes() == before


def test_a_failing_migration_step_rolls_back_and_keeps_the_version(tmp_path, monkeypatch):
    conn = connect(tmp_path / "v1.db")
    migrate(conn, target=1)

    def broken(c):
        c.execute("CREATE TABLE half_done (id INTEGER)")
        raise RuntimeError("disk gone")

    monkeypatch.setattr("tracker.core.store.migrations.MIGRATIONS", [MIGRATIONS[0], broken])
    with pytest.raises(RuntimeError):
        migrate(conn)
    assert schema_version(conn) == 1
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0] == 0
