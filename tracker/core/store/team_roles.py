"""Who may do what in a team database, enforced by PostgreSQL itself: two group roles per database and the
privileges granted to them (not hidden buttons: a script or a psql session as a member is refused the same way).

- the staff group reads everything; adds and edits contacts; logs, edits and deletes interactions; schedules,
  completes, snoozes and deletes follow-ups (INSERT/UPDATE on contacts, interactions, follow_ups; DELETE on
  interactions and follow_ups; their identity sequences);
- the owner group may also change the kinds and settings, import and undo imports, delete contacts (every
  table but the schema's version and the change counter; every sequence).

The groups are named after the database ("tracker_shop_owner", "tracker_shop_staff"): roles belong to the whole
server, so two shops on one server never share them. Members are LOGIN roles granted one group. The database's
owner makes the groups and grants when it may create roles (CREATEROLE); `tracker team add` does it again, so a
database made by a role without CREATEROLE (or copied from another) gets them from whoever adds the first member.
The trigger function that counts changes (tracker_changed) runs as the schema's owner (SECURITY DEFINER), so
staff need no privilege on tracker_state.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from tracker.core.errors import InvalidInput, PermissionRefused
from tracker.core.store.table import TeamConnection, is_team_connection

if TYPE_CHECKING:
    from tracker.core.store.store import Store

OWNER = "owner"
STAFF = "staff"
ROLES = (STAFF, OWNER)

#: What the staff group may change (it reads every table).
STAFF_WRITES: dict[str, tuple[str, ...]] = {
    "contacts": ("INSERT", "UPDATE"),
    "interactions": ("INSERT", "UPDATE", "DELETE"),
    "follow_ups": ("INSERT", "UPDATE", "DELETE"),
}
#: Tables nobody but the schema's owner writes (migrations; the SECURITY DEFINER trigger).
_SCHEMA_OWNER_ONLY = ("tracker_schema", "tracker_state")
#: PostgreSQL's limit on a name, in bytes (NAMEDATALEN - 1); longer ones would be cut silently.
_NAME_LIMIT = 63


def connection(store: Store) -> TeamConnection:
    """The team database's connection of `store` (InvalidInput, in one sentence, for a file)."""
    conn = store.conn
    if not is_team_connection(conn):
        raise InvalidInput(
            "Team members and roles belong to a team database; open one with --db postgresql://USER@HOST/DATABASE."
        )
    return conn


def quote(name: str) -> str:
    """`name` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def group_names(database: str) -> dict[str, str]:
    """{'owner': …, 'staff': …}: the group roles of the team database named `database`."""
    base = f"tracker_{database}"
    if len(f"{base}_staff".encode()) > _NAME_LIMIT:  # cut with a digest, so that two long names stay apart
        digest = hashlib.sha1(database.encode()).hexdigest()[:10]
        base = f"tracker_{database.encode()[:36].decode(errors='ignore')}_{digest}"
    return {OWNER: f"{base}_owner", STAFF: f"{base}_staff"}


def _one(conn: TeamConnection, sql: str, params: tuple[Any, ...] = ()) -> Any:
    row = conn.execute(sql, params).fetchone()
    return row[0] if row is not None else None


def _groups(conn: TeamConnection) -> dict[str, str]:
    return group_names(str(_one(conn, "SELECT current_database()")))


def why_not_manage(conn: TeamConnection, *, groups_exist: bool = False) -> str | None:
    """Why this connection's role cannot make the groups and grant them the tables (None: it can): it must own
    Tracker's tables (or be a superuser) and may create roles (unless the groups are there and only the grants are
    to be given again)."""
    row = conn.execute(
        "SELECT r.rolsuper, r.rolcreaterole, pg_has_role(current_user, c.relowner, 'USAGE') "
        "FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = to_regclass('tracker_schema')"
    ).fetchone()
    if row is None:
        return "it holds no Tracker schema"
    superuser, create_role, owns = row
    if superuser:
        return None
    if not owns:
        return "it needs the role that owns the database's tables"
    if not create_role and not groups_exist:
        return "it needs a role that may create roles (CREATEROLE)"
    return None


def setup(conn: TeamConnection) -> bool:
    """Make the two groups of this database if missing and give them exactly their privileges (inside the
    caller's transaction, under a savepoint). After a migration the tables' owner gives the grants again even
    without CREATEROLE when the groups are there. False, with nothing changed, when this role may not."""
    names = list(_groups(conn).values())
    there = _one(conn, "SELECT count(*) FROM pg_roles WHERE rolname = ANY(?)", (names,)) == len(names)
    if why_not_manage(conn, groups_exist=there) is not None:
        return False
    conn.execute("SAVEPOINT tracker_roles")
    try:
        _grant(conn)
    except BaseException:
        conn.execute("ROLLBACK TO SAVEPOINT tracker_roles")
        raise
    conn.execute("RELEASE SAVEPOINT tracker_roles")
    return True


def _grant(conn: TeamConnection) -> None:
    groups = _groups(conn)
    owner, staff = quote(groups[OWNER]), quote(groups[STAFF])
    both = f"{owner}, {staff}"
    for name in groups.values():
        if not _one(conn, "SELECT count(*) FROM pg_roles WHERE rolname = ?", (name,)):
            conn.execute(f"CREATE ROLE {quote(name)} NOLOGIN")
    schema = quote(str(_one(conn, "SELECT current_schema()")))
    database = quote(str(_one(conn, "SELECT current_database()")))
    if _one(
        conn, "SELECT pg_has_role(current_user, datdba, 'USAGE') FROM pg_database WHERE datname = current_database()"
    ):
        # customers' personal data: only the team (and the database's owner) may connect
        conn.execute(f"REVOKE CONNECT, TEMPORARY ON DATABASE {database} FROM PUBLIC")
        conn.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {both}")
    if _one(
        conn,
        "SELECT pg_has_role(current_user, nspowner, 'USAGE') FROM pg_namespace WHERE oid = ?::regnamespace",
        (str(_one(conn, "SELECT current_schema()")),),
    ):
        conn.execute(f"GRANT USAGE ON SCHEMA {schema} TO {both}")
    # grants to another database's groups (a database copied from another with CREATE DATABASE … TEMPLATE)
    foreign = conn.execute(
        "SELECT DISTINCT r.rolname FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a "
        "JOIN pg_roles r ON r.oid = a.grantee WHERE c.relnamespace = current_schema()::regnamespace "
        "AND c.relkind IN ('r', 'S') AND r.rolname ~ '^tracker_.*_(owner|staff)$' AND r.rolname <> ALL(?)",
        (list(groups.values()),),
    ).fetchall()
    for (name,) in [*foreign, (groups[OWNER],), (groups[STAFF],)]:  # exactly what follows, nothing left over
        conn.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quote(name)}")
        conn.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {quote(name)}")
    conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {both}")
    conn.execute(f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {owner}")
    conn.execute(f"REVOKE INSERT, UPDATE, DELETE ON {', '.join(_SCHEMA_OWNER_ONLY)} FROM {owner}")
    conn.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {owner}")
    for table, privileges in STAFF_WRITES.items():
        conn.execute(f"GRANT {', '.join(privileges)} ON {table} TO {staff}")
        sequence = _one(conn, "SELECT pg_get_serial_sequence(?, 'id')", (table,))
        if sequence:  # already quoted where it needs to be
            conn.execute(f"GRANT USAGE, SELECT, UPDATE ON SEQUENCE {sequence} TO {staff}")
    # the change counter is bumped as the schema's owner, whoever's statement fires the trigger
    conn.execute(f"ALTER FUNCTION tracker_changed() SECURITY DEFINER SET search_path = {schema}, pg_temp")


def _check_name(name: str, groups: dict[str, str]) -> None:
    if not name or not name.strip() or name != name.strip():
        raise InvalidInput("A team member's name cannot be empty or begin or end with a space.")
    if "\x00" in name or len(name.encode()) > _NAME_LIMIT:
        raise InvalidInput(f"A team member's name can be at most {_NAME_LIMIT} bytes long.")
    if name.lower().startswith("pg_") or name in groups.values():
        raise InvalidInput(f"{name} is a name the server keeps for itself; choose another.")


def _require_manager(conn: TeamConnection, doing: str) -> None:
    reason = why_not_manage(conn)
    if reason is not None:
        raise PermissionRefused(
            f"{doing} {describe(conn)} needs its owner with the right to create roles; {conn.user} may not ({reason})."
        )


def _refuse_last_owner(conn: TeamConnection, name: str, doing: str) -> None:
    """InvalidInput when `name` is this team's only owner (nobody would be left for the owner's work)."""
    owners = [m["name"] for m in members(conn) if m["role"] == OWNER]
    if owners == [name]:
        raise InvalidInput(
            f"{name} is the only owner in {describe(conn)} and {doing}; make someone else owner first "
            f"(tracker team add NAME --role owner)."
        )


def add_member(conn: TeamConnection, name: str, role: str, password: str | None = None) -> dict[str, Any]:
    """Give `name` the team `role` in this database: a LOGIN role made if the server has none of that name
    (with `password` if given; otherwise the server's own authentication rules apply), granted the group and
    taken out of the other one. An existing role (the same person in another shop) keeps its password unless a
    new one is given. A member's role is changed the same way ('was' says the role before, None for someone
    new to this team); the last owner is not made staff."""
    if role not in ROLES:
        raise InvalidInput(f"{role} is not a team role; choose staff or owner.")
    groups = _groups(conn)
    _check_name(name, groups)
    _require_manager(conn, "Adding team members to")
    conn.execute("BEGIN IMMEDIATE")  # the write lock: one change of the team's members at a time
    try:
        setup(conn)
        was = _role_of(conn, name, groups)
        if was == OWNER and role == STAFF:
            _refuse_last_owner(conn, name, "cannot be made staff")
        found = conn.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = ?", (name,)).fetchone()
        secret = f" PASSWORD '{_verifier(conn, name, password)}'" if password is not None else ""
        if found is None:
            conn.execute(f"CREATE ROLE {quote(name)} LOGIN{secret}")
        elif secret:
            conn.execute(f"ALTER ROLE {quote(name)}{secret}")
        _leave(conn, name, groups[OWNER if role == STAFF else STAFF])
        if not _member_of(conn, name, groups[role]):
            conn.execute(f"GRANT {quote(groups[role])} TO {quote(name)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return {
        "name": name,
        "role": role,
        "was": was,
        "created": found is None,
        "can_log_in": True if found is None else found[0],
    }


def remove_member(conn: TeamConnection, name: str) -> dict[str, Any]:
    """Take `name` out of this database's team (both groups): from then on the server refuses them this
    database's tables (and the connection itself, where the groups alone may connect). The login role stays as
    it is — its password, its roles in other shops' teams, whatever it owns elsewhere. Refused (InvalidInput,
    nothing changed) for someone not in the team, for the connection's own role and for the last owner."""
    groups = _groups(conn)
    _require_manager(conn, "Removing team members from")
    conn.execute("BEGIN IMMEDIATE")  # the write lock: two owners removing each other take turns
    try:
        was = _role_of(conn, name, groups)
        if was is None:
            raise InvalidInput(f"{name} has no role in {describe(conn)}; tracker team list shows who has.")
        if name == conn.user:
            raise InvalidInput(f"{name} cannot take themselves out of {describe(conn)}; another owner can.")
        if was == OWNER:
            _refuse_last_owner(conn, name, "cannot be removed")
        for group in groups.values():
            _leave(conn, name, group)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return {"name": name, "was": was, "removed": True}


def _leave(conn: TeamConnection, name: str, group: str) -> None:
    """Take `name` out of `group` (inside the caller's transaction); PermissionRefused if the server keeps it
    there (PostgreSQL 16 and later revoke only the grants made by the revoking role)."""
    if not _member_of(conn, name, group):
        return
    conn.execute(f"REVOKE {quote(group)} FROM {quote(name)}")
    if _member_of(conn, name, group):
        raise PermissionRefused(f"The server kept {name} in {group} (granted by another role); nothing was changed.")


def _role_of(conn: TeamConnection, name: str, groups: dict[str, str]) -> str | None:
    """`name`'s role in this team (owner when in both groups), None when in neither."""
    if _member_of(conn, name, groups[OWNER]):
        return OWNER
    return STAFF if _member_of(conn, name, groups[STAFF]) else None


def _member_of(conn: TeamConnection, member: str, group: str) -> bool:
    return bool(
        _one(
            conn,
            "SELECT count(*) FROM pg_auth_members am JOIN pg_roles g ON g.oid = am.roleid "
            "JOIN pg_roles m ON m.oid = am.member WHERE g.rolname = ? AND m.rolname = ?",
            (group, member),
        )
    )


def _verifier(conn: TeamConnection, name: str, password: str) -> str:
    """The password as the server stores it (SCRAM, hashed here by libpq): the clear text never reaches the
    server's statement log."""
    if not password or "\x00" in password:
        raise InvalidInput("The password cannot be empty.")
    hashed = conn.raw.pgconn.encrypt_password(password.encode(), name.encode())
    text = hashed.decode("ascii")
    if "'" in text or "\\" in text:  # never in a SCRAM or MD5 verifier
        raise InvalidInput("The server returned a password form Tracker cannot send.")
    return text


def members(conn: TeamConnection) -> list[dict[str, Any]]:
    """Who is in this database's team, by name: {'name', 'role', 'can_log_in'}; someone in both groups counts
    as owner."""
    groups = _groups(conn)
    found: dict[str, dict[str, Any]] = {}
    for member, group, can_log_in in conn.execute(
        "SELECT m.rolname, g.rolname, m.rolcanlogin FROM pg_auth_members am "
        "JOIN pg_roles g ON g.oid = am.roleid JOIN pg_roles m ON m.oid = am.member "
        "WHERE g.rolname IN (?, ?) ORDER BY m.rolname",
        (groups[OWNER], groups[STAFF]),
    ):
        role = OWNER if group == groups[OWNER] else STAFF
        if found.get(member, {}).get("role") != OWNER:
            found[member] = {"name": member, "role": role, "can_log_in": bool(can_log_in)}
    return list(found.values())


def is_staff_only(conn: TeamConnection) -> bool:
    """Whether this connection's user is in the team as staff and nothing more: not in the owner group, not the
    database's owner, not a superuser (who are owners whatever their groups say)."""
    groups = _groups(conn)
    row = conn.execute(
        "SELECT pg_has_role(current_user, ?, 'MEMBER'), pg_has_role(current_user, ?, 'MEMBER'), "
        "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user), "
        "pg_has_role(current_user, (SELECT datdba FROM pg_database WHERE datname = current_database()), 'MEMBER') "
        "WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?) AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?)",
        (groups[STAFF], groups[OWNER], groups[STAFF], groups[OWNER]),
    ).fetchone()
    if row is None:  # no team groups yet: whoever can open it is its owner or was let in by them
        return False
    staff, owner, superuser, database_owner = row
    return bool(staff) and not (owner or superuser or database_owner)


def require_owner(conn: TeamConnection, action: str) -> None:
    """PermissionRefused, naming the owner role, when the user is staff: for what the server cannot refuse by
    itself because staff may read what it reads (exporting the contacts or the interactions to a file)."""
    if is_staff_only(conn):
        raise PermissionRefused(role_sentence(action, OWNER, conn.user, describe(conn)))


def describe(conn: TeamConnection) -> str:
    from tracker.core.store.postgres import describe as describe_url

    return describe_url(conn.url)


# --- what a refusal says -----------------------------------------------------------------------------------------

DATABASE_OWNER = "database owner"
UPGRADING = "Upgrading the team database's schema"
_VERB = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|COPY|TRUNCATE)\b", re.I)
_OBJECT = re.compile(r"permission denied for (table|relation|sequence|schema|database|function) \"?([^\"\s]+)\"?")
_OWNER_ACTIONS = {
    "kinds": "Changing the interaction kinds",
    "settings": "Changing the settings",
    "imports": "Importing or undoing an import",
    "import_changes": "Importing or undoing an import",
    "mail_folders": "Importing mail",
}


def needed_role(statement: str, message: str) -> tuple[str, str]:
    """(the role a refused statement needs, what the user was doing in a few words), from the statement and the
    server's 'permission denied for table kinds'."""
    found = _OBJECT.search(message)
    kind, name = found.groups() if found else ("", "")
    first = statement.lstrip().split(" ", 1)[0].upper()
    if " ROLE " in f" {statement.upper()} " or first in ("GRANT", "REVOKE") or " role" in message:
        return DATABASE_OWNER, "Managing the team's members"
    if kind in ("schema", "function") or "must be owner of" in message or first in ("CREATE", "ALTER", "DROP"):
        return DATABASE_OWNER, UPGRADING
    if kind == "database":
        return STAFF, "Opening this team database"
    table = name.rpartition(".")[2]
    if kind == "sequence":
        table = table.removesuffix("_id_seq")
        verb = "INSERT"
    elif statement.lstrip()[:6].upper() == "SELECT":
        verb = "SELECT"
    else:  # the first writing verb (a WITH's queries come first; ON CONFLICT DO UPDATE comes after INSERT)
        verb = next((w.upper() for w in _VERB.findall(statement) if w.upper() != "SELECT"), "SELECT")
        verb = "INSERT" if verb == "COPY" else verb
    if verb == "SELECT" or verb in STAFF_WRITES.get(table, ()):
        return STAFF, "Working with this team database" if verb == "SELECT" else "Changing contacts and their work"
    if table == "contacts" and verb == "DELETE":
        return OWNER, "Deleting contacts"
    return OWNER, _OWNER_ACTIONS.get(table, "This")


def role_sentence(action: str, role: str, user: str, where: str) -> str:
    """'Exporting contacts needs the owner role in …, which ben does not have (…)'."""
    return (
        f"{action} needs the {role} role in {where}, which {user} does not have "
        f"(the shop's owner can give it: tracker team add {user} --role {role})."
    )


def refusal_sentence(statement: str, message: str, user: str, where: str) -> str:
    """One sentence for a refused action that names the role it needs."""
    role, action = needed_role(statement, message)
    if role in ROLES:
        return role_sentence(action, role, user, where)
    hint = (
        "ask the shop's owner to open it with this version of Tracker first"
        if action == UPGRADING
        else "ask the shop's owner"
    )
    return f"{action} needs the role that owns {where}, which {user} is not ({hint})."
