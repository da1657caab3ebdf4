"""The store: file handling, pragmas, contacts CRUD, transactions that leave nothing half-written."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

import pytest

from tracker.core.errors import ContactNotFound, InvalidInput, NotATrackerFile, StoreError, UnknownKind
from tracker.core.levels import Level
from tracker.core.paths import default_db_path
from tracker.core.store import Store


def test_open_creates_file_with_wal_foreign_keys_and_busy_timeout(db_path):
    with Store.open(db_path) as store:
        conn = store.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert db_path.exists()


def test_open_creates_missing_parent_folders(tmp_path):
    target = tmp_path / "a" / "b" / "tracker.db"
    with Store.open(target) as store:
        assert store.contacts.count() == 0
    assert target.exists()


def test_default_location_is_user_data_folder_unless_tracker_db_set(monkeypatch, tmp_path):
    monkeypatch.delenv("TRACKER_DB", raising=False)
    default = default_db_path()
    assert default.name == "tracker.db" and default.parent.name == "tracker"
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "elsewhere.db"))
    assert default_db_path() == tmp_path / "elsewhere.db"


def test_a_text_file_is_refused_and_left_untouched(tmp_path):
    target = tmp_path / "notes.db"
    target.write_bytes(b"my shopping list\n")
    with pytest.raises(NotATrackerFile):
        Store.open(target)
    assert target.read_bytes() == b"my shopping list\n"


def test_another_programs_sqlite_file_is_refused(tmp_path):
    target = tmp_path / "other.db"
    conn = sqlite3.connect(target)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    before = target.read_bytes()
    with pytest.raises(NotATrackerFile):
        Store.open(target)
    assert target.read_bytes() == before


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(StoreError):
        Store.open(tmp_path)


def test_email_is_unique_case_insensitively_after_trimming(store):
    store.contacts.add(first_name="Anna", email=" Anna@Example.com ")
    with pytest.raises(InvalidInput):
        store.contacts.add(first_name="Other", email="anna@example.COM")
    assert store.contacts.count() == 1
    assert store.contacts.by_email("ANNA@EXAMPLE.COM").first_name == "Anna"
    assert store.contacts.by_email("anna@example.com").email == "Anna@Example.com"


def test_database_enforces_unique_email_even_outside_the_api(store):
    store.contacts.add(first_name="Anna", email="anna@example.com")
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute("INSERT INTO contacts (email, created_at, updated_at) VALUES ('ANNA@example.com', 'x', 'x')")


def test_contact_needs_some_identity_and_a_valid_email(store):
    with pytest.raises(InvalidInput):
        store.contacts.add(notes="nobody")
    with pytest.raises(InvalidInput):
        store.contacts.add(first_name="Bob", email="not-an-email")
    assert store.contacts.count() == 0


def test_update_fields_and_refuse_email_taken_by_another(store):
    anna = store.contacts.add(first_name="Anna", email="anna@example.com")
    bob = store.contacts.add(first_name="Bob", email="bob@example.com")
    changes = store.contacts.update(anna.id, phone="'+31 6 1234 5678", tags="vip; wedding, VIP")
    assert changes.contacts and not changes.interactions
    updated = store.contacts.get(anna.id)
    assert updated.phone == "+31 6 1234 5678"
    assert updated.tags == ("vip", "wedding")
    with pytest.raises(InvalidInput):
        store.contacts.update(bob.id, email="ANNA@example.com")
    assert store.contacts.get(bob.id).email == "bob@example.com"


def test_unknown_contact_raises_contact_not_found(store):
    with pytest.raises(ContactNotFound):
        store.contacts.get(999)
    with pytest.raises(ContactNotFound):
        store.contacts.require("ghost@example.com")


def test_delete_cascades_to_interactions_and_follow_ups(store, add_contact, log):
    anna = add_contact("anna@example.com")
    log(anna, "purchase", "2026-05-01", amount=10)
    store.follow_ups.schedule(anna.id, date(2026, 12, 1), "call")
    store.contacts.delete([anna.id])
    assert store.interactions.count() == 0
    assert store.follow_ups.open_until(None) == []


def test_bulk_tag_keeps_existing_tags(store, add_contact):
    a = add_contact("a@example.com", tags="wedding")
    b = add_contact("b@example.com")
    store.contacts.add_tags([a.id, b.id], ["VIP"])
    assert store.contacts.get(a.id).tags == ("wedding", "VIP")
    assert store.contacts.get(b.id).tags == ("VIP",)
    assert store.contacts.all_tags() == ["VIP", "wedding"]


def test_interaction_validation_writes_nothing_on_bad_input(store, add_contact):
    anna = add_contact("anna@example.com")
    moment = datetime(2026, 5, 1, 10)
    for bad in ({"amount": -1}, {"amount": float("inf")}, {"amount": 1e13}, {"score": 11}, {"score": -1}):
        with pytest.raises(InvalidInput):
            store.interactions.log(anna.id, "purchase", moment, **bad)
    with pytest.raises(UnknownKind):
        store.interactions.log(anna.id, "teleport", moment)
    with pytest.raises(InvalidInput):
        store.interactions.log(anna.id, "purchase", datetime(1066, 10, 14))
    assert store.interactions.count() == 0


def test_interactions_list_newest_first_with_filters(store, add_contact, log):
    anna, bob = add_contact("anna@example.com"), add_contact("bob@example.com")
    log(anna, "purchase", "2026-05-01", amount=10)
    log(anna, "call", "2026-06-01")
    log(bob, "email_open", "2026-07-01")
    everything = store.interactions.list()
    assert [i.occurred_at[:10] for i in everything] == ["2026-07-01", "2026-06-01", "2026-05-01"]
    assert [i.kind for i in store.interactions.list(contact_id=anna.id)] == ["call", "purchase"]
    assert [i.kind for i in store.interactions.list(kinds=["Purchase"])] == ["purchase"]
    window = store.interactions.list(since=date(2026, 5, 15), until=date(2026, 6, 30))
    assert [i.kind for i in window] == ["call"]
    assert everything[0].contact_email == "bob@example.com"


def test_a_failing_bulk_change_leaves_the_database_exactly_as_before(store, add_contact):
    add_contact("anna@example.com")
    before = store.conn.execute("SELECT * FROM contacts").fetchall()
    with pytest.raises(RuntimeError), store.transaction():
        store.contacts.add(first_name="Bob", email="bob@example.com")
        store.contacts.add(first_name="Cleo", email="cleo@example.com")
        raise RuntimeError("power cut")
    assert store.conn.execute("SELECT * FROM contacts").fetchall() == before


def test_settings_round_trip_and_validation(store):
    assert store.settings().window_days == 365
    store.update_settings(window_days=180, drifting_days=60)
    assert (store.settings().window_days, store.settings().drifting_days) == (180, 60)
    with pytest.raises(InvalidInput):
        store.update_settings(window_days=0)
    with pytest.raises(InvalidInput):
        store.update_settings(colour=3)
    assert store.settings().window_days == 180


def test_user_can_add_a_kind_and_move_a_builtin_one(store):
    store.save_kind("Wine Tasting", Level.INTERACTION)
    assert store.kind("wine_tasting").stage is Level.INTERACTION
    store.save_kind("inquiry", Level.INTERACTION, 3)
    moved = store.kind("INQUIRY")
    assert (moved.stage, moved.weight, moved.builtin) == (Level.INTERACTION, 3, True)
    with pytest.raises(InvalidInput):
        store.save_kind("drop table;", Level.INTEREST)


def test_builtin_kinds_follow_the_six_level_definition(store):
    kinds = store.kinds()
    expected = {
        Level.INTEREST: {"email_open", "website_visit", "content_view", "inquiry"},
        Level.INTERACTION: {
            "email_reply",
            "email_click",
            "call",
            "meeting",
            "message",
            "social_like",
            "social_comment",
            "social_share",
            "event_attended",
            "nps",
            "feedback",
        },
        Level.CONVERSION: {"purchase", "subscription", "signup"},
        Level.ADVOCACY: {"referral", "review", "testimonial"},
    }
    for level, names in expected.items():
        assert {k.name for k in kinds.values() if k.stage is level} == names
    assert kinds["nps"].promoter_stage is Level.ADVOCACY and kinds["nps"].survey
    assert kinds["feedback"].survey and kinds["feedback"].promoter_stage is None


def test_a_damaged_database_is_reported_and_not_written(tmp_path):
    target = tmp_path / "damaged.db"
    with Store.open(target) as store:
        store.contacts.add(first_name="Anna", email="anna@example.com")
    data = bytearray(target.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # keep the magic header, wreck the schema page
    target.write_bytes(bytes(data))
    with pytest.raises(StoreError):
        Store.open(target)
    assert target.read_bytes() == bytes(data)


def test_deleted_contacts_can_be_restored_exactly(store, add_contact, log):
    anna, bob = add_contact("anna@example.com", tags="vip"), add_contact("bob@example.com")
    log(anna, "purchase", "2026-05-01", amount=10)
    store.follow_ups.schedule(anna.id, date(2026, 12, 1), "call")

    def dump():
        return [
            store.conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
            for t in ("contacts", "interactions", "follow_ups")
        ]

    before = dump()
    snapshot = store.contacts.snapshot([anna.id, bob.id])
    store.contacts.delete([anna.id, bob.id])
    assert store.contacts.count() == 0
    store.contacts.restore(snapshot)
    assert dump() == before


def test_interaction_edit_and_restore_after_delete(store, add_contact, log):
    anna = add_contact("anna@example.com")
    item = log(anna, "purchase", "2026-05-01", amount=10)
    store.interactions.update(item.id, kind="subscription", amount=12.5, note="monthly box")
    changed = store.interactions.get(item.id)
    assert (changed.kind, changed.amount, changed.note) == ("subscription", 12.5, "monthly box")
    with pytest.raises(InvalidInput):
        store.interactions.update(item.id, amount=-3)
    rows = store.interactions.snapshot([item.id])
    store.interactions.delete([item.id])
    store.interactions.restore(rows)
    assert store.interactions.get(item.id) == changed
