"""Who may do what in a team database (issue 18), enforced by PostgreSQL: `tracker team add/list/remove`, a staff
member's own `tracker` process doing a staff's work and refused by the server (not by the program) for an owner's,
an owner member doing those, two shops on one server keeping their members apart, and TLS for other hosts.
Runs against the throwaway cluster of tests/pg_server.py (trust authentication: any role logs in without a
password, so what a role may do is decided by its grants alone)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from cli_helpers import as_user, database_name, ok, process, run
from psycopg import errors

from tracker.core.store import Store
from tracker.core.store.pg_schema import WATCHED
from tracker.core.store.postgres import connection_options, describe
from tracker.core.store.team_roles import group_names, needed_role


def everything(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, read by the superuser (and the change counter)."""
    with psycopg.connect(url, autocommit=True) as conn:
        found: dict[str, list[tuple[object, ...]]] = {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()  # type: ignore[arg-type]
            for table in WATCHED
        }
        found["tracker_state"] = conn.execute("SELECT version FROM tracker_state").fetchall()
    return found


def shop_owned_by(pg_cluster, who: str, *, create_role: bool) -> tuple[str, str, str]:
    """As the README sets a shop up (`createuser [--createrole] anna`, `createdb -O anna shop`): a new, empty
    database owned, with its schema, by a login that is no superuser and may create roles if `create_role`.
    Returns (its address as the cluster's superuser, its name, the owner's login: `{name}_{who}`)."""
    url = pg_cluster.new_database(empty=True)
    name = database_name(url)
    owner = f"{name}_{who}"
    pg_cluster.admin(f'CREATE ROLE "{owner}" LOGIN{" CREATEROLE" if create_role else ""}')
    pg_cluster.admin(f'ALTER DATABASE "{name}" OWNER TO "{owner}"')
    pg_cluster.admin(f'ALTER SCHEMA public OWNER TO "{owner}"', database=name)
    return url, name, owner


@pytest.fixture
def shop(pg_cluster) -> str:
    """A team database of its own (its groups are its own), addressed as the cluster's superuser."""
    return pg_cluster.new_database()


@pytest.fixture
def contacts_csv(tmp_path) -> Path:
    path = tmp_path / "contacts.csv"
    path.write_text("email,first_name\nimported@example.com,Imported\nsecond@example.com,Second\n", encoding="utf-8")
    return path


def test_team_add_makes_login_roles_in_the_database_groups_and_list_shows_them(capsys, shop, pg_cluster):
    prefix = database_name(shop)
    staff, owner = f"{prefix}_sam", f"{prefix}_olga"
    added = json.loads(ok(capsys, shop, "team", "add", staff, "--role", "staff", "--json"))
    assert added["name"] == staff and added["role"] == "staff" and added["created"] is True
    ok(capsys, shop, "team", "add", owner, "--role", "owner")
    listed = json.loads(ok(capsys, shop, "team", "list", "--json"))
    assert listed["members"] == [
        {"name": owner, "role": "owner", "can_log_in": True},
        {"name": staff, "role": "staff", "can_log_in": True},
    ]
    groups = group_names(prefix)
    rows = pg_cluster.admin(
        "SELECT m.rolname, m.rolcanlogin, m.rolpassword IS NULL, g.rolname, g.rolcanlogin FROM pg_auth_members am "
        "JOIN pg_authid g ON g.oid = am.roleid JOIN pg_authid m ON m.oid = am.member "
        f"WHERE m.rolname IN ('{staff}', '{owner}') ORDER BY 1"
    )
    # logins without a password (the server's own rules apply) in the database's NOLOGIN groups
    assert rows == [(owner, True, True, groups["owner"], False), (staff, True, True, groups["staff"], False)]
    # the database was copied from the session's template, whose own groups had grants: they are taken back
    granted = pg_cluster.admin(
        "SELECT DISTINCT r.rolname FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a "
        "JOIN pg_roles r ON r.oid = a.grantee WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1",
        database=prefix,
    )
    assert [name for (name,) in granted if name.startswith("tracker_")] == [groups["owner"], groups["staff"]]
    # promoted: one role at a time
    ok(capsys, shop, "team", "add", staff, "--role", "owner")
    roles = {m["name"]: m["role"] for m in json.loads(ok(capsys, shop, "team", "list", "--json"))["members"]}
    assert roles == {owner: "owner", staff: "owner"}
    assert "owner" in ok(capsys, shop, "team", "list")


def test_a_password_from_stdin_is_stored_hashed_and_never_printed(shop, pg_cluster):
    name = f"{database_name(shop)}_pat"
    secret = "correct horse battery staple"
    done = process(shop, "team", "add", name, "--role", "staff", "--password-stdin", stdin=secret + "\n")
    assert done.returncode == 0, done.stderr
    assert secret not in done.stdout + done.stderr
    [(stored,)] = pg_cluster.admin(f"SELECT rolpassword FROM pg_authid WHERE rolname = '{name}'")
    assert isinstance(stored, str) and stored.startswith("SCRAM-SHA-256$") and secret not in stored


def test_staff_work_in_their_own_process_and_the_server_refuses_owner_actions(
    capsys, shop, pg_cluster, contacts_csv, tmp_path
):
    staff = f"{database_name(shop)}_ben"
    ok(capsys, shop, "team", "add", staff, "--role", "staff")
    ok(capsys, shop, "add", "--email", "kept@example.com", "--first-name", "Kept")
    ok(capsys, shop, "import", "contacts", contacts_csv)
    [the_import] = json.loads(ok(capsys, shop, "imports", "--json"))["imports"]
    url = as_user(shop, staff)

    # a staff member's work: contacts, interactions, follow-ups
    for args in (
        ("add", "--email", "walkin@example.com", "--first-name", "Walk-in"),
        ("edit", "walkin@example.com", "--last-name", "Inn"),
        ("log", "walkin@example.com", "purchase", "--amount", "35", "--at", "2026-05-01"),
        ("followup", "walkin@example.com", "--due", "2026-06-01", "--reason", "Wedding"),
    ):
        done = process(url, *args)
        assert done.returncode == 0, (args, done.stderr)
    with Store.open(shop) as team:
        walkin = team.contacts.by_email("walkin@example.com")
        assert walkin is not None and walkin.last_name == "Inn"
        assert team.conn.execute(
            "SELECT k.name, i.amount FROM interactions i JOIN kinds k ON k.id = i.kind_id WHERE i.contact_id = ?",
            (walkin.id,),
        ).fetchall() == [("purchase", 35.0)]
        assert team.conn.execute("SELECT reason FROM follow_ups WHERE contact_id = ?", (walkin.id,)).fetchall() == [
            ("Wedding",)
        ]

    # it is the server that refuses: the same statement in a psql-like session as that role
    with psycopg.connect(url, autocommit=True) as direct:
        with pytest.raises(errors.InsufficientPrivilege):
            direct.execute("INSERT INTO kinds (name, stage) VALUES ('sneaky', 2)")
        with pytest.raises(errors.InsufficientPrivilege):
            direct.execute("DELETE FROM contacts")
        with pytest.raises(errors.InsufficientPrivilege):
            direct.execute("UPDATE tracker_state SET version = version + 1")
        assert direct.execute("SELECT count(*) FROM contacts").fetchone() == (4,)

    before = everything(shop)
    for args in (
        ("kinds", "add", "workshop", "--stage", "Interaction"),
        ("settings", "set", "drifting_days", "60"),
        ("import", "contacts", contacts_csv),
        ("undo-import", the_import["id"], "--yes"),
        ("delete", "kept@example.com", "--yes"),
    ):
        done = process(url, *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "needs the owner role" in lines[0] and staff in lines[0], (args, done.stderr)
        assert everything(shop) == before, args  # nothing written


def test_an_owner_member_may_do_what_staff_may_not(capsys, shop, contacts_csv):
    owner = f"{database_name(shop)}_olga"
    ok(capsys, shop, "team", "add", owner, "--role", "owner")
    url = as_user(shop, owner)
    ok(capsys, url, "add", "--email", "kept@example.com", "--first-name", "Kept")
    ok(capsys, url, "log", "kept@example.com", "purchase", "--at", "2026-05-01")
    ok(capsys, url, "kinds", "add", "workshop", "--stage", "Interaction")
    ok(capsys, url, "settings", "set", "drifting_days", "60")
    ok(capsys, url, "import", "contacts", contacts_csv)
    [the_import] = json.loads(ok(capsys, url, "imports", "--json"))["imports"]
    ok(capsys, url, "undo-import", the_import["id"], "--yes")
    ok(capsys, url, "delete", "kept@example.com", "--yes")
    with Store.open(shop) as team:
        assert "workshop" in {kind.name for kind in team.kinds().values()}
        assert team.settings().drifting_days == 60
        assert team.conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0
        assert team.conn.execute("SELECT undone_at IS NOT NULL FROM imports").fetchall() == [(True,)]


def test_two_shops_on_one_server_do_not_share_members(capsys, pg_cluster):
    florist, garage = pg_cluster.new_database(), pg_cluster.new_database()
    ann, bob = f"{database_name(florist)}_ann", f"{database_name(garage)}_bob"
    ok(capsys, florist, "team", "add", ann, "--role", "owner")
    ok(capsys, garage, "team", "add", bob, "--role", "staff")
    assert group_names(database_name(florist)) != group_names(database_name(garage))
    assert [m["name"] for m in json.loads(ok(capsys, florist, "team", "list", "--json"))["members"]] == [ann]
    assert [m["name"] for m in json.loads(ok(capsys, garage, "team", "list", "--json"))["members"]] == [bob]
    # the florist's owner is nobody at the garage: the server does not even let her connect
    code, out, err = run(capsys, as_user(garage, ann), "contacts", "--json")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "needs the staff role" in err and ann in err
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        psycopg.connect(as_user(garage, ann)).close()
    # the same person may work in both shops, with a role in each
    ok(capsys, garage, "team", "add", ann, "--role", "staff")
    assert {m["name"]: m["role"] for m in json.loads(ok(capsys, garage, "team", "list", "--json"))["members"]} == {
        ann: "staff",
        bob: "staff",
    }
    assert json.loads(ok(capsys, florist, "team", "list", "--json"))["members"][0]["role"] == "owner"


def test_only_someone_who_may_create_roles_adds_members(capsys, shop):
    staff = f"{database_name(shop)}_sid"
    ok(capsys, shop, "team", "add", staff, "--role", "owner")
    code, out, err = run(capsys, as_user(shop, staff), "team", "add", "someone_else", "--role", "staff")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "create roles" in err
    assert [m["name"] for m in json.loads(ok(capsys, shop, "team", "list", "--json"))["members"]] == [staff]


def test_team_commands_refuse_a_file_in_one_sentence(capsys, tmp_path):
    db = tmp_path / "shop.db"
    for args in (("team", "add", "ben", "--role", "staff"), ("team", "list", "--json"), ("team", "remove", "ben")):
        code, out, err = run(capsys, db, *args)
        assert code == 2 and out == ""
        assert len(err.strip().splitlines()) == 1 and "team database" in err
    assert not db.exists()


def test_the_refusal_names_the_role_the_statement_needs():
    denied = "permission denied for table {}"
    assert needed_role("INSERT INTO kinds (name) VALUES (?)", denied.format("kinds"))[0] == "owner"
    assert needed_role("DELETE FROM contacts WHERE id = ?", denied.format("contacts")) == ("owner", "Deleting contacts")
    assert needed_role("INSERT INTO contacts (email) VALUES (?)", denied.format("contacts"))[0] == "staff"
    assert needed_role("WITH gone AS (SELECT 1) DELETE FROM interactions", denied.format("interactions"))[0] == "staff"
    assert needed_role("SELECT * FROM contacts", denied.format("contacts"))[0] == "staff"
    assert needed_role("COPY imports", denied.format("imports"))[0] == "owner"
    assert needed_role("INSERT INTO contacts", "permission denied for sequence contacts_id_seq")[0] == "staff"
    assert needed_role("ALTER TABLE imports ADD COLUMN x text", "must be owner of table imports")[0] == "database owner"
    assert (
        needed_role('ALTER ROLE "ben" PASSWORD', "permission denied to alter role")[1] == "Managing the team's members"
    )
    assert needed_role("CREATE TABLE later (id integer)", "permission denied for schema public")[0] == "database owner"
    assert needed_role(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        denied.format("settings"),
    ) == ("owner", "Changing the settings")


def test_long_database_names_keep_their_groups_apart():
    first, second = group_names("a" * 60 + "1"), group_names("a" * 60 + "2")
    assert first != second
    assert all(len(name.encode()) <= 63 for name in (*first.values(), *second.values()))
    assert group_names("shop") == {"owner": "tracker_shop_owner", "staff": "tracker_shop_staff"}


@pytest.mark.parametrize(
    ("url", "environment", "sslmode"),
    [
        ("postgresql://anna@db.example.com/shop", {}, "require"),
        ("postgresql://anna@203.0.113.7:5433/shop", {}, "require"),
        ("postgresql://anna@localhost/shop", {}, None),
        ("postgresql://anna@127.0.0.1:5432/shop", {}, None),
        ("postgresql://anna@[::1]/shop", {}, None),
        ("postgresql:///shop", {}, None),  # the local socket
        ("postgresql://anna@db.example.com/shop?sslmode=disable", {}, None),  # the user said otherwise
        ("postgresql://anna@db.example.com/shop", {"PGSSLMODE": "verify-full"}, None),  # libpq's own setting
    ],
)
def test_other_hosts_need_tls_unless_the_user_says_otherwise(monkeypatch, url, environment, sslmode):
    monkeypatch.delenv("PGSSLMODE", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert connection_options(url).get("sslmode") == sslmode


def test_the_window_shows_the_servers_refusal_in_its_sentence(qtbot, shop, tmp_path, monkeypatch):
    from window_helpers import open_window

    staff = f"{database_name(shop)}_win"
    with Store.open(shop) as team:
        team.contacts.add(first_name="Anna", email="anna@example.com")
    done = process(shop, "team", "add", staff, "--role", "staff")
    assert done.returncode == 0, done.stderr
    with open_window(qtbot, as_user(shop, staff), tmp_path, monkeypatch, contacts=1) as window:
        [anna] = [window.contacts_tab.model.id_at(0)]
        window.contacts_tab.select_ids([anna])
        window.contacts_tab.delete_selected()
        assert len(window.errors) == 1 and "Deleting contacts needs the owner role" in window.errors[0]
        assert staff in window.errors[0]
        # File → Export contacts… says so before asking where to save
        from PySide6.QtWidgets import QFileDialog

        asked: list[object] = []
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: asked.append(a) or ("", "")))
        window.export_contacts()
        assert asked == [] and len(window.errors) == 2
        assert window.errors[1].startswith("Exporting contacts needs the owner role") and staff in window.errors[1]
    with Store.open(shop) as team:
        assert team.contacts.count() == 1


def test_a_database_owner_who_may_create_roles_sets_the_team_up_when_the_schema_is_made(capsys, pg_cluster):
    """As the README sets a shop up: `createuser --createrole anna`, `createdb -O anna shop`; anna is no
    superuser. Her first connection makes the schema and the groups; she adds staff; the server refuses them."""
    url, name, anna = shop_owned_by(pg_cluster, "anna", create_role=True)
    ben = f"{name}_ben"
    Store.open(as_user(url, anna)).close()
    groups = group_names(name)
    assert pg_cluster.admin(
        f"SELECT count(*) FROM pg_roles WHERE rolname IN ('{groups['owner']}', '{groups['staff']}')"
    )[0] == (2,)
    ok(capsys, as_user(url, anna), "team", "add", ben, "--role", "staff")
    staff = as_user(url, ben)
    ok(capsys, staff, "add", "--email", "walkin@example.com")
    ok(capsys, staff, "log", "walkin@example.com", "purchase", "--at", "2026-05-01")
    code, out, err = run(capsys, staff, "kinds", "add", "workshop", "--stage", "Interaction")
    assert code == 2 and out == "" and "needs the owner role" in err
    # and PUBLIC may no longer connect: the team and the owner may
    assert pg_cluster.admin(f"SELECT has_database_privilege('public', '{name}', 'CONNECT')") == [(False,)]


def test_a_database_owner_who_may_not_create_roles_gets_no_groups_until_someone_who_may_adds_a_member(
    capsys, pg_cluster
):
    url, name, carl = shop_owned_by(pg_cluster, "carl", create_role=False)
    dora = f"{name}_dora"
    ok(capsys, as_user(url, carl), "add", "--email", "first@example.com")  # the schema is made: Tracker works
    groups = group_names(name)
    assert pg_cluster.admin(f"SELECT count(*) FROM pg_roles WHERE rolname = '{groups['staff']}'") == [(0,)]
    code, out, err = run(capsys, as_user(url, carl), "team", "add", dora, "--role", "staff")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "create roles" in err
    ok(capsys, url, "team", "add", dora, "--role", "staff")  # the server's superuser may
    ok(capsys, as_user(url, dora), "log", "first@example.com", "call", "--at", "2026-05-01")
    code, out, err = run(capsys, as_user(url, dora), "settings", "set", "drifting_days", "60")
    assert code == 2 and out == "" and "needs the owner role" in err


def test_staff_handle_interactions_and_follow_ups_and_undo_their_own_deletes(capsys, shop):
    """The staff's whole part: log, edit, delete interactions (and undo the delete: the rows back with their ids,
    the sequence moved on); schedule, snooze, complete (which logs a call) and delete follow-ups."""
    from datetime import date, datetime

    from tracker.core import operations

    staff = f"{database_name(shop)}_eve"
    ok(capsys, shop, "team", "add", staff, "--role", "staff")
    [(counted,)] = everything(shop)["tracker_state"]
    with Store.open(as_user(shop, staff)) as team:
        logged = operations.interactions.log(
            team, "new@example.com", "purchase", datetime(2026, 5, 1, 10), amount=9.5, new_contact_source="shop"
        )
        [interaction] = logged.created("interactions")
        operations.interactions.edit(team, interaction, note="Roses")
        deleted = operations.interactions.delete(team, [interaction])
        assert deleted.undo is not None
        deleted.undo.apply(team)  # put back with its id: INSERT with an id, then setval on the sequence
        again = operations.interactions.log(team, "new@example.com", "call", datetime(2026, 5, 2, 10))
        assert again.created("interactions")[0] > interaction
        contact = team.contacts.by_email("new@example.com")
        assert contact is not None
        [first] = operations.follow_ups.schedule(team, contact.id, date(2026, 6, 1), "Quote").ids
        operations.follow_ups.snooze(team, date(2026, 6, 8), follow_up_ids=[first])
        operations.follow_ups.done(team, datetime(2026, 6, 9, 12), follow_up_ids=[first])
        [second] = operations.follow_ups.schedule(team, contact.id, date(2026, 7, 1), "Later").ids
        team.follow_ups.delete([second])
    with Store.open(shop) as team:
        # every write of the staff's counted (the trigger runs as the schema's owner; staff cannot write the counter)
        assert team.conn.execute("SELECT version FROM tracker_state").fetchone()[0] >= counted + 10
        assert team.conn.execute(
            "SELECT k.name, i.note FROM interactions i JOIN kinds k ON k.id = i.kind_id ORDER BY i.id"
        ).fetchall() == [
            ("purchase", "Roses"),
            ("call", ""),
            ("call", "Follow-up: Quote (due 2026-06-08, 1 days overdue)"),
        ]
        assert team.conn.execute("SELECT id, status, snoozed_until FROM follow_ups").fetchall() == [
            (first, "done", "2026-06-08")
        ]


def test_staff_read_every_list_and_the_members(capsys, shop, contacts_csv):
    staff = f"{database_name(shop)}_fay"
    ok(capsys, shop, "team", "add", staff, "--role", "staff")
    ok(capsys, shop, "import", "contacts", contacts_csv)
    ok(capsys, shop, "log", "imported@example.com", "purchase", "--at", "2026-05-01", "--amount", "20")
    url = as_user(shop, staff)
    for command in (
        ("contacts", "--json"),
        ("interactions", "--json"),
        ("followups", "--as-of", "2026-06-01", "--json"),
        ("levels", "--as-of", "2026-06-01", "--json"),
        ("kinds", "--json"),
        ("imports", "--json"),
        ("settings", "--json"),
        ("explain", "imported@example.com", "--as-of", "2026-06-01"),
        ("outlook", "--as-of", "2026-06-01", "--json"),
    ):
        code, out, err = run(capsys, url, *command)
        assert (code, out) == run(capsys, shop, *command)[:2], (command, err)
    members = json.loads(ok(capsys, url, "team", "list", "--json"))["members"]
    assert members == [{"name": staff, "role": "staff", "can_log_in": True}]


def test_exporting_contacts_or_interactions_is_an_owners_work_and_the_day_s_calls_are_staff_work(
    capsys, shop, contacts_csv, tmp_path
):
    prefix = database_name(shop)
    staff, owner = f"{prefix}_gus", f"{prefix}_ola"
    ok(capsys, shop, "team", "add", staff, "--role", "staff")
    ok(capsys, shop, "team", "add", owner, "--role", "owner")
    ok(capsys, shop, "import", "contacts", contacts_csv)
    ok(capsys, shop, "log", "imported@example.com", "purchase", "--at", "2026-05-01", "--amount", "20")
    as_staff, as_owner = as_user(shop, staff), as_user(shop, owner)
    for command, action in (
        (("contacts", "--export", tmp_path / "all.csv"), "Exporting contacts"),
        (("contacts", "--export", tmp_path / "all.vcf"), "Exporting contacts"),
        (("interactions", "--export", tmp_path / "log.csv"), "Exporting interactions"),
    ):
        code, out, err = run(capsys, as_staff, *command)
        assert code == 2 and "Traceback" not in err, (command, out, err)
        assert err.strip().splitlines() == [
            f"tracker: {action} needs the owner role in {describe(shop)}, which {staff} does not have "
            f"(the shop's owner can give it: tracker team add {staff} --role owner)."
        ]
        assert not Path(command[-1]).exists()
        ok(capsys, as_owner, *command)
        assert Path(command[-1]).stat().st_size > 0
    # the day's follow-ups onto a staff member's phone are their own work
    ok(capsys, as_staff, "followups", "--as-of", "2026-09-01", "--export", tmp_path / "calls.ics")
    assert "BEGIN:VCALENDAR" in (tmp_path / "calls.ics").read_text(encoding="utf-8")


def test_team_remove_takes_a_member_out_and_the_server_refuses_them_from_then_on(capsys, pg_cluster):
    """`tracker team remove` in its own process: the removed staff member's next connection is refused by the
    server, a session already open is refused its next write, and the login itself (their place in another
    shop's team) is left as it was."""
    shop, other_shop = pg_cluster.new_database(), pg_cluster.new_database()
    ben = f"{database_name(shop)}_ben"
    ok(capsys, shop, "team", "add", ben, "--role", "staff")
    ok(capsys, other_shop, "team", "add", ben, "--role", "staff")
    staff = as_user(shop, ben)
    done = process(staff, "add", "--email", "before@example.com")
    assert done.returncode == 0, done.stderr
    with psycopg.connect(staff, autocommit=True) as open_session:
        done = process(shop, "team", "remove", ben, "--json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == {
            "database": f"the team database {database_name(shop)} on 127.0.0.1",
            "name": ben,
            "was": "staff",
            "removed": True,
        }
        with pytest.raises(errors.InsufficientPrivilege):
            open_session.execute("INSERT INTO contacts (email) VALUES ('after@example.com')")
    done = process(staff, "add", "--email", "after@example.com")
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "needs the staff role" in done.stderr
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        psycopg.connect(staff).close()
    assert json.loads(ok(capsys, shop, "team", "list", "--json"))["members"] == []
    with Store.open(shop) as team:
        assert set(team.contacts.ids_by_email()) == {"before@example.com"}
    # the login stays on the server, and in the other shop's team
    assert pg_cluster.admin(f"SELECT rolcanlogin FROM pg_roles WHERE rolname = '{ben}'") == [(True,)]
    done = process(as_user(other_shop, ben), "add", "--email", "elsewhere@example.com")
    assert done.returncode == 0, done.stderr
    assert json.loads(ok(capsys, other_shop, "team", "list", "--json"))["members"] == [
        {"name": ben, "role": "staff", "can_log_in": True}
    ]


def test_team_remove_refuses_yourself_the_last_owner_and_a_stranger_in_one_sentence(capsys, pg_cluster):
    """As the README sets a shop up (anna owns the database and may create roles): anna cannot take herself
    out, nobody takes out or demotes the only owner, a name not in the team is refused; nothing changes. Once
    ben is owner too, anna may be taken out."""
    url, name, anna = shop_owned_by(pg_cluster, "anna", create_role=True)
    ben = f"{name}_ben"
    as_anna = as_user(url, anna)
    Store.open(as_anna).close()
    ok(capsys, as_anna, "team", "add", anna, "--role", "owner")
    ok(capsys, as_anna, "team", "add", ben, "--role", "staff")
    team = json.loads(ok(capsys, url, "team", "list", "--json"))["members"]
    assert team == [
        {"name": anna, "role": "owner", "can_log_in": True},
        {"name": ben, "role": "staff", "can_log_in": True},
    ]
    for who, args, says in (
        (as_anna, ("team", "remove", anna), "cannot take themselves out"),
        (url, ("team", "remove", anna), "only owner"),
        (url, ("team", "add", anna, "--role", "staff"), "only owner"),
        (as_anna, ("team", "remove", "nobody_here"), "has no role"),
        (as_user(url, ben), ("team", "remove", anna), "create roles"),
    ):
        done = process(who, *args)
        assert done.returncode == 2 and done.stdout == "", (args, done.stdout, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and says in lines[0], (args, done.stderr)
        assert json.loads(ok(capsys, url, "team", "list", "--json"))["members"] == team, args

    promoted = process(as_anna, "team", "add", ben, "--role", "owner")
    assert promoted.returncode == 0 and f"{ben} now has the owner role instead of staff" in promoted.stdout
    again = json.loads(ok(capsys, as_anna, "team", "add", ben, "--role", "owner", "--json"))
    assert (again["was"], again["role"], again["created"]) == ("owner", "owner", False)
    done = process(url, "team", "remove", anna)
    assert done.returncode == 0, done.stderr
    assert f"took {anna} (owner) out of the team" in done.stdout
    assert json.loads(ok(capsys, url, "team", "list", "--json"))["members"] == [
        {"name": ben, "role": "owner", "can_log_in": True}
    ]
