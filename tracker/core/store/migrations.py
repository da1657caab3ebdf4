"""Append-only schema migrations keyed by PRAGMA user_version; never edit a step once it has landed."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from tracker.core.errors import NotATrackerFile, StoreTooNew
from tracker.core.normalize import default_region, phone_key
from tracker.core.store.connection import APPLICATION_ID, write_transaction

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    """Register a step; its position in the list (1-based) is the schema version it produces."""
    MIGRATIONS.append(fn)
    return fn


def schema_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def latest_version() -> int:
    return len(MIGRATIONS)


def check_compatible(conn: sqlite3.Connection, where: str = "The database") -> int:
    """Return the file's schema version; refuse files from a newer Tracker or from another program."""
    version = schema_version(conn)
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    if app_id not in (0, APPLICATION_ID) or (has_tables and app_id != APPLICATION_ID):
        raise NotATrackerFile(f"{where} is an SQLite file made by another program, not a Tracker database.")
    if version > latest_version():
        raise StoreTooNew(
            f"{where} was made by a newer version of Tracker (schema {version}, this one knows "
            f"{latest_version()}); update Tracker to open it."
        )
    return version


def migrate(conn: sqlite3.Connection, *, target: int | None = None, where: str = "The database") -> int:
    """Apply pending steps up to `target` (default: all), each in its own transaction; return the version."""
    version = check_compatible(conn, where)
    stop = latest_version() if target is None else target
    for number in range(version + 1, stop + 1):
        with write_transaction(conn):
            MIGRATIONS[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")
    return max(version, stop)


# Built-in interaction kinds as of schema 1: (name, stage, weight, promoter_stage, survey).
_KINDS_V1 = [
    ("note", 1, 0.0, None, 0),
    *[(name, 2, 1.0, None, 0) for name in ("email_open", "website_visit", "content_view", "inquiry")],
    *[
        (name, 3, 2.0, None, 0)
        for name in (
            "email_reply",
            "email_click",
            "call",
            "meeting",
            "message",
            "social_like",
            "social_comment",
            "social_share",
            "event_attended",
        )
    ],
    ("nps", 3, 2.0, 6, 1),
    ("feedback", 3, 2.0, None, 1),
    *[(name, 4, 5.0, None, 0) for name in ("purchase", "subscription", "signup")],
    *[(name, 6, 8.0, None, 0) for name in ("referral", "review", "testimonial")],
]


@migration
def m001_initial(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    statements = [
        """CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            source TEXT NOT NULL,
            started_at TEXT NOT NULL,
            counts TEXT NOT NULL DEFAULT '{}',
            undone_at TEXT
        )""",
        """CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            first_name TEXT NOT NULL DEFAULT '',
            last_name TEXT NOT NULL DEFAULT '',
            email TEXT CHECK (email IS NULL OR (email <> '' AND email = trim(email))),
            phone TEXT NOT NULL DEFAULT '',
            phone_key TEXT,
            company TEXT NOT NULL DEFAULT '',
            tags TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE UNIQUE INDEX contacts_email ON contacts(lower(email)) WHERE email IS NOT NULL",
        "CREATE INDEX contacts_phone_key ON contacts(phone_key) WHERE phone_key IS NOT NULL",
        "CREATE INDEX contacts_import ON contacts(import_id) WHERE import_id IS NOT NULL",
        """CREATE TABLE kinds (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            stage INTEGER NOT NULL CHECK (stage BETWEEN 1 AND 6),
            weight REAL NOT NULL DEFAULT 1 CHECK (weight >= 0),
            promoter_stage INTEGER CHECK (promoter_stage IS NULL OR promoter_stage BETWEEN 1 AND 6),
            survey INTEGER NOT NULL DEFAULT 0,
            builtin INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE interactions (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            kind_id INTEGER NOT NULL REFERENCES kinds(id),
            occurred_at TEXT NOT NULL CHECK (julianday(occurred_at) IS NOT NULL),
            day INTEGER GENERATED ALWAYS AS
                (CAST(julianday(substr(occurred_at, 1, 10)) - 2440587.5 AS INTEGER)) STORED,
            amount REAL,
            score INTEGER CHECK (score IS NULL OR score BETWEEN 0 AND 10),
            channel TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX interactions_contact_day ON interactions(contact_id, day, kind_id, score)",
        "CREATE INDEX interactions_day ON interactions(day)",
        "CREATE INDEX interactions_kind ON interactions(kind_id)",
        "CREATE INDEX interactions_import ON interactions(import_id) WHERE import_id IS NOT NULL",
        """CREATE TABLE follow_ups (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            due TEXT NOT NULL CHECK (date(due) IS NOT NULL),
            reason TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
            snoozed_until TEXT,
            created_at TEXT NOT NULL,
            done_at TEXT
        )""",
        "CREATE INDEX follow_ups_open ON follow_ups(status, due)",
        "CREATE INDEX follow_ups_contact ON follow_ups(contact_id)",
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ]
    for statement in statements:
        conn.execute(statement)
    conn.executemany(
        "INSERT INTO kinds (name, stage, weight, promoter_stage, survey, builtin) VALUES (?, ?, ?, ?, ?, 1)",
        _KINDS_V1,
    )


@migration
def m002_import_changes(conn: sqlite3.Connection) -> None:
    """Keep each contact's fields as they were before an import changed them, so the import can be undone."""
    conn.execute(
        """CREATE TABLE import_changes (
            import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            before TEXT NOT NULL,
            PRIMARY KEY (import_id, contact_id)
        )"""
    )


_EDITED_FIELDS = ("first_name", "last_name", "email", "phone", "phone_key", "company", "tags", "source", "notes")


@migration
def m003_edit_tracking(conn: sqlite3.Connection) -> None:
    """Tell later edits from an import's own changes, so undoing an import can say what else it would undo.

    contacts.revision counts the updates of a contact's fields (a trigger keeps it, whatever code does the update;
    timestamps keep whole seconds, too coarse for an edit made right after an import). import_changes.after keeps
    the fields as the import left them: a field is the import's change when before and after differ, and was edited
    again when it no longer equals after.
    """
    conn.execute("ALTER TABLE contacts ADD COLUMN revision INTEGER NOT NULL DEFAULT 0")
    conn.execute("UPDATE contacts SET revision = 1 WHERE updated_at <> created_at")  # edited at some time
    columns = ", ".join(_EDITED_FIELDS)
    conn.execute(
        f"""CREATE TRIGGER contacts_revision AFTER UPDATE OF {columns} ON contacts
        BEGIN
            UPDATE contacts SET revision = OLD.revision + 1 WHERE id = NEW.id;
        END"""
    )
    conn.execute("ALTER TABLE import_changes ADD COLUMN after TEXT")
    # Older batches kept only `before`: take the contact as it is now as what the batch left.
    rows = conn.execute(
        f"SELECT ic.import_id, ic.contact_id, {', '.join('c.' + name for name in _EDITED_FIELDS)} "
        "FROM import_changes ic JOIN contacts c ON c.id = ic.contact_id"
    ).fetchall()
    conn.executemany(
        "UPDATE import_changes SET after = ? WHERE import_id = ? AND contact_id = ?",
        [(json.dumps(dict(zip(_EDITED_FIELDS, row[2:], strict=True))), row[0], row[1]) for row in rows],
    )


@migration
def m004_interaction_notes_index(conn: sqlite3.Connection) -> None:
    """Search looks inside interaction notes (tracker.core.search): this partial index holds just the notes that
    are not empty, by contact, so reading them all is a scan of the index, not of every interaction (at 1M
    interactions, 10% with a note: 0.06 s instead of 2 s)."""
    conn.execute("CREATE INDEX interactions_notes ON interactions(contact_id, note) WHERE note <> ''")


#: The contact columns an edit or an import changes (the revision trigger watches them; undo restores them).
_EDITED_FIELDS_V5 = (
    *_EDITED_FIELDS,
    "address",
    "consent",
    "customer_no",
    "dates",
    "fields",
    "more_emails",
    "more_phones",
    "orders_reported",
    "spent_reported",
)


@migration
def m005_contact_details(conn: sqlite3.Connection) -> None:
    """What exports hold besides names, e-mail and phone, kept instead of dropped; phones keyed in E.164.

    address (one text, lines joined by newlines); consent to marketing (1 given, 0 withdrawn, NULL unknown);
    customer_no (the shop's own customer number, how a till's orders name a customer); dates (JSON, e.g.
    {"birthday": "1980-01-01", "anniversary": "--06-12"}); fields (JSON of the file's other columns, by title);
    more_emails / more_phones (a contact's other addresses and numbers, newline-joined); orders_reported /
    spent_reported (a customers export's "Total Orders" / "Total Spent": evidence of purchases without dates).
    phone_key is recomputed with the phone region (the setting, else the system locale's), so 07700 900004 and
    +44 7700 900004 are one key in Britain."""
    for column in (
        "address TEXT NOT NULL DEFAULT ''",
        "consent INTEGER CHECK (consent IS NULL OR consent IN (0, 1))",
        "customer_no TEXT CHECK (customer_no IS NULL OR customer_no <> '')",
        "dates TEXT NOT NULL DEFAULT ''",
        "fields TEXT NOT NULL DEFAULT ''",
        "more_emails TEXT NOT NULL DEFAULT ''",
        "more_phones TEXT NOT NULL DEFAULT ''",
        "orders_reported INTEGER CHECK (orders_reported IS NULL OR orders_reported >= 0)",
        "spent_reported REAL",
    ):
        conn.execute(f"ALTER TABLE contacts ADD COLUMN {column}")
    conn.execute("CREATE INDEX contacts_customer_no ON contacts(customer_no) WHERE customer_no IS NOT NULL")
    conn.execute("DROP TRIGGER contacts_revision")
    conn.execute(
        f"""CREATE TRIGGER contacts_revision AFTER UPDATE OF {", ".join(_EDITED_FIELDS_V5)} ON contacts
        BEGIN
            UPDATE contacts SET revision = OLD.revision + 1 WHERE id = NEW.id;
        END"""
    )
    stored = conn.execute("SELECT value FROM settings WHERE key = 'phone_region'").fetchone()
    region = json.loads(stored[0]) if stored else default_region()
    # kept, so that the keys stay the same when the system's locale changes
    conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('phone_region', ?)", (json.dumps(region),))
    rows = conn.execute("SELECT id, phone, phone_key, revision FROM contacts WHERE phone <> ''").fetchall()
    changed = [
        (key, contact_id, revision)
        for contact_id, phone, old, revision in rows
        if (key := phone_key(phone, region)) != old
    ]
    conn.executemany("UPDATE contacts SET phone_key = ? WHERE id = ?", [(key, cid) for key, cid, _ in changed])
    # a re-keyed phone is not an edit, but the trigger counted one: put each revision back
    conn.executemany("UPDATE contacts SET revision = ? WHERE id = ?", [(rev, cid) for _, cid, rev in changed])


@migration
def m006_message_sources(conn: sqlite3.Connection) -> None:
    """Interactions read from a mailbox or a calendar remember where they came from, so that reading the same
    mailbox again adds nothing: source_key names the message or event ('<Message-ID>', an IMAP folder's UID, a
    calendar event's UID and start), unique per contact (one message to three contacts is three interactions).

    The built-in kind 'contacted' is the owner writing to or calling a contact: it shows in the timeline and counts
    as a follow-up handled, but it is not the contact's engagement (Awareness, weight 0)."""
    conn.execute("ALTER TABLE interactions ADD COLUMN source_key TEXT CHECK (source_key IS NULL OR source_key <> '')")
    conn.execute(
        "CREATE UNIQUE INDEX interactions_source ON interactions(source_key, contact_id) WHERE source_key IS NOT NULL"
    )
    conn.execute(
        "INSERT INTO kinds (name, stage, weight, promoter_stage, survey, builtin) VALUES ('contacted', 1, 0.0, NULL, "
        "0, 1) ON CONFLICT (name) DO NOTHING"  # a kind the user made by that name stays theirs
    )


@migration
def m007_mail_folders(conn: sqlite3.Connection) -> None:
    """How far each live mailbox folder has been read: per account (host, user) and folder, the folder's
    UIDVALIDITY and the highest UID an import took, one row per import that read new mail, so that the next import
    fetches only newer messages. The row belongs to its import: once that import is undone its row no longer
    counts, and the messages it took are read again."""
    conn.execute(
        """CREATE TABLE mail_folders (
            id INTEGER PRIMARY KEY,
            import_id INTEGER NOT NULL REFERENCES imports(id),
            host TEXT NOT NULL,
            user TEXT NOT NULL,
            folder TEXT NOT NULL,
            uidvalidity INTEGER NOT NULL,
            last_uid INTEGER NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX mail_folders_account ON mail_folders(host, user, folder)")


#: The tables whose rows say who made them (migration 8), and the contacts' last editor.
_MADE_BY = ("imports", "interactions", "follow_ups")


@migration
def m008_made_by(conn: sqlite3.Connection) -> None:
    """Who did what, for a team: each import, interaction and follow-up keeps who made it (created_by) and each
    contact who last changed its fields (updated_by). On a team database that is the login role, filled in by
    the server (DEFAULT current_user, and the revision trigger for edits), whatever code writes the row; a file
    has one user, so it keeps '' (rows moved from a file into a team database keep theirs)."""
    from tracker.core.store.dialect import is_team

    if is_team(conn):
        for table in _MADE_BY:
            conn.execute(f'ALTER TABLE {table} ADD COLUMN created_by text COLLATE "C" NOT NULL DEFAULT current_user')
        conn.execute("""ALTER TABLE contacts ADD COLUMN updated_by text COLLATE "C" NOT NULL DEFAULT current_user""")
        conn.execute(
            """CREATE OR REPLACE FUNCTION tracker_contacts_revision() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.revision := OLD.revision + 1;
                NEW.updated_by := current_user;
                RETURN NEW;
            END $$"""
        )
        return
    for table in _MADE_BY:
        conn.execute(f"ALTER TABLE {table} ADD COLUMN created_by TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE contacts ADD COLUMN updated_by TEXT NOT NULL DEFAULT ''")


#: The one-row table counting the changes that stamps cannot show (see m009): deletes, rows put back by undo, rows
#: written out of id order. The dashboard recomputes its numbers whole when it moved.
UNSTAMPED_CHANGES = "unstamped_changes"
_BUMP = f"UPDATE {UNSTAMPED_CHANGES} SET count = count + 1"


@migration
def m009_change_stamps(conn: sqlite3.Connection) -> None:
    """What changed since the dashboard last counted, so that it folds in only that (tracker.core.dashboard):

    - a new contact or interaction has an id above every earlier one (SQLite's rowid, when written in id order);
    - an update of what the dashboard counts of a row (an interaction's kind, day or score; a contact's source, tags,
      creation or reported orders) gives the row a `stamp` above every earlier stamp of its table (triggers: every
      code path that writes is seen);
    - the rest (a delete, a row put back by undo with its former stamp or id, an interaction moved to another
      contact, rows written out of id order) adds one to `unstamped_changes.count`: the reader then recomputes
      whole. A table of its own: not part of the data undo puts back (undo is such a change), nor shown anywhere.

    Undo puts rows back exactly (their stamps too) and finds them as it left them: a stamp changes only with the
    row's own fields, never because of another row. A team database has the columns and the table (a copy between
    engines keeps the stamps), not the triggers: its dashboard recomputes whole (its ids come from a sequence, not in
    the order transactions commit)."""
    from tracker.core.store.dialect import is_team

    integer = "bigint" if is_team(conn) else "INTEGER"
    for table in ("contacts", "interactions"):
        conn.execute(f"ALTER TABLE {table} ADD COLUMN stamp {integer}")
        conn.execute(f"CREATE INDEX {table}_stamp ON {table}(stamp) WHERE stamp IS NOT NULL")
    one_row = "one INTEGER PRIMARY KEY CHECK (one = 1)"
    conn.execute(f"CREATE TABLE {UNSTAMPED_CHANGES} ({one_row}, count {integer} NOT NULL DEFAULT 0)")
    conn.execute(f"INSERT INTO {UNSTAMPED_CHANGES} (one, count) VALUES (1, 0)")
    if is_team(conn):
        return
    counted = {
        "interactions": ("contact_id", ("kind_id", "day", "score"), "kind_id, occurred_at, score"),
        "contacts": (
            "id",
            ("source", "tags", "created_at", "orders_reported"),
            "source, tags, created_at, orders_reported",
        ),
    }
    for table, (owner, fields, watched) in counted.items():
        conn.execute(
            f"""CREATE TRIGGER {table}_stamp_insert AFTER INSERT ON {table}
            WHEN NEW.id < (SELECT max(id) FROM {table})
            BEGIN {_BUMP}; END"""
        )
        conn.execute(f"CREATE TRIGGER {table}_stamp_delete AFTER DELETE ON {table} BEGIN {_BUMP}; END")
        changed = " OR ".join(f"NEW.{name} IS NOT OLD.{name}" for name in fields)
        same_owner = f"NEW.{owner} IS OLD.{owner}"
        conn.execute(
            f"""CREATE TRIGGER {table}_stamp_update AFTER UPDATE OF {owner}, {watched}, stamp ON {table}
            WHEN {changed} OR NEW.stamp IS NOT OLD.stamp OR NOT {same_owner}
            BEGIN
                UPDATE {table} SET stamp = (SELECT coalesce(max(stamp), 0) + 1 FROM {table} WHERE stamp IS NOT NULL)
                WHERE id = NEW.id AND NEW.stamp IS OLD.stamp AND {same_owner};
                {_BUMP} WHERE NEW.stamp IS NOT OLD.stamp OR NOT {same_owner};
            END"""
        )


@migration
def m010_new_rows_counted(conn: sqlite3.Connection) -> None:
    """A row inserted below the highest id (an import writes each chunk in contact order, its ids in file order)
    no longer counts as a change stamps cannot show: the trigger doubled the time of an import's inserts (300k
    interactions 3.7 -> 8.6 s). The dashboard now compares the number of rows instead: a row put back by undo with
    its former id is one more row than the ids above the highest it knew (a delete still counts). A team database
    has no such triggers."""
    from tracker.core.store.dialect import is_team

    if is_team(conn):
        return
    for table in ("contacts", "interactions"):
        conn.execute(f"DROP TRIGGER IF EXISTS {table}_stamp_insert")


def _bump_for(contact: str, deleted: str | None = None) -> str:
    """The statement that counts one change stamps cannot show, made to `contact` (an SQL expression; -1: more
    than one contact), with one more deleted row of a table when `deleted` names its column (m011)."""
    more = f", {deleted} = {deleted} + 1" if deleted else ""
    return (
        f"UPDATE {UNSTAMPED_CHANGES} SET same_since = CASE WHEN same_contact IS {contact} THEN same_since "
        f"ELSE count END, same_contact = {contact}, count = count + 1{more}"
    )


@migration
def m011_changes_of_one_contact(conn: sqlite3.Connection) -> None:
    """Changes stamps cannot show, told apart when they are all one contact's (undoing a logged call, deleting an
    interaction or a contact, undoing an edit): `same_contact` is the contact of every change counted since
    `count` was `same_since` (-1 when one of them was two contacts': an interaction moved), and the deleted rows are
    counted per table, so that the dashboard folds in that contact alone when nothing else was deleted or put back
    (the rows it knows, less the deleted, plus those above the highest id, are all the rows). Stamps are handed out
    from `<table>_stamped`, which never goes back (the highest stamp of a table does when undo puts one back)."""
    from tracker.core.store.dialect import is_team

    integer = "bigint" if is_team(conn) else "INTEGER"
    tables = ("contacts", "interactions")
    columns = ["same_contact", "same_since", *(f"{t}_deleted" for t in tables), *(f"{t}_stamped" for t in tables)]
    for column in columns:
        default = "" if column == "same_contact" else " NOT NULL DEFAULT 0"
        conn.execute(f"ALTER TABLE {UNSTAMPED_CHANGES} ADD COLUMN {column} {integer}{default}")
    for table in tables:
        conn.execute(
            f"UPDATE {UNSTAMPED_CHANGES} SET {table}_stamped = "
            f"(SELECT coalesce(max(stamp), 0) FROM {table} WHERE stamp IS NOT NULL)"
        )
    if is_team(conn):
        return
    counted = {
        "interactions": ("contact_id", ("kind_id", "day", "score"), "kind_id, occurred_at, score"),
        "contacts": (
            "id",
            ("source", "tags", "created_at", "orders_reported"),
            "source, tags, created_at, orders_reported",
        ),
    }
    for table, (owner, fields, watched) in counted.items():
        conn.execute(f"DROP TRIGGER {table}_stamp_delete")
        conn.execute(f"DROP TRIGGER {table}_stamp_update")
        conn.execute(
            f"""CREATE TRIGGER {table}_stamp_delete AFTER DELETE ON {table}
            BEGIN {_bump_for(f"OLD.{owner}", f"{table}_deleted")}; END"""
        )
        changed = " OR ".join(f"NEW.{name} IS NOT OLD.{name}" for name in fields)
        same_owner = f"NEW.{owner} IS OLD.{owner}"
        stamped = f"NEW.stamp IS OLD.stamp AND {same_owner}"
        contact = f"CASE WHEN {same_owner} THEN NEW.{owner} ELSE -1 END"
        conn.execute(
            f"""CREATE TRIGGER {table}_stamp_update AFTER UPDATE OF {owner}, {watched}, stamp ON {table}
            WHEN {changed} OR NEW.stamp IS NOT OLD.stamp OR NOT {same_owner}
            BEGIN
                UPDATE {table} SET stamp = (SELECT {table}_stamped + 1 FROM {UNSTAMPED_CHANGES})
                WHERE id = NEW.id AND {stamped};
                UPDATE {UNSTAMPED_CHANGES} SET {table}_stamped = {table}_stamped + 1 WHERE {stamped};
                {_bump_for(contact)} WHERE NOT ({stamped});
            END"""
        )
