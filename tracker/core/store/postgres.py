"""A team database on PostgreSQL, spoken to through the small part of sqlite3's API the store uses.

Why not SQLAlchemy: every statement of the store is hand-written SQL tuned on SQLite, and PostgreSQL understands
nearly all of it as it is (partial and expression indexes, generated columns, ON CONFLICT, triggers, CTEs). What
differs is small and kept here: `?` and `:name` placeholders become psycopg's, `temp.` names pg_temp, an INSERT asks
for the new row's id (sqlite3's `lastrowid`), write transactions are serialised by an advisory lock (SQLite's
`BEGIN IMMEDIATE`: one writer at a time, so every check-then-write of the operations layer holds on both engines),
integers are sent as bigint and numerics come back as floats (SQLite's arithmetic), and the server's errors become
the store's one-sentence errors. The few SQL phrases that cannot be the same text on both engines are in
`tracker.core.store.dialect`.

psycopg is imported only when a team database is opened.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from tracker.core.errors import InvalidInput, StoreBusy, StoreError
from tracker.core.paths import URL_SCHEMES

if TYPE_CHECKING:
    import psycopg

#: Every writer takes this transaction-level advisory lock first ("TRAK"): one write transaction at a time, as
#: SQLite's BEGIN IMMEDIATE does, so an import and an edit by two people both land whole, one after the other.
WRITE_LOCK = 0x5452414B
#: How long a writer waits for another's write transaction before "busy" (an import of a large file holds it).
LOCK_TIMEOUT_MS = 60_000

#: Tables whose rows have an `id`: an INSERT … VALUES into one of them returns it (sqlite3's cursor.lastrowid).
_ID_TABLES = frozenset({"imports", "contacts", "kinds", "interactions", "follow_ups", "mail_folders"})
_TOKENS = re.compile(
    r"""('(?:[^']|'')*')"""  # a string literal: copied as it is
    r"""|("(?:[^"]|"")*")"""  # a quoted name
    r"""|(\?)"""  # a positional placeholder
    r"""|(?<![:\w]):([A-Za-z_]\w*)"""  # a named placeholder (not a PostgreSQL :: cast)
    r"""|(%)"""  # a literal percent sign
    r"""|\b(temp)\.""",  # SQLite's temp schema
    re.IGNORECASE,
)
_INSERT_VALUES = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)\b(?!.*\bSELECT\b)(?!.*\bRETURNING\b).*\bVALUES\b", re.S | re.I)


def is_url(target: object) -> bool:
    """Whether `target` names a team database (postgresql://…) rather than a file."""
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


@lru_cache(maxsize=1024)
def translate(sql: str, bound: bool = True) -> tuple[str, bool]:
    """(the statement in psycopg's terms, whether it should return the new row's id). Without `bound`
    parameters psycopg sends the text as it is, so a % stays one."""

    def replace(match: re.Match[str]) -> str:
        literal, name, positional, named, percent, temp = match.groups()
        if literal or name:
            return str(literal or name).replace("%", "%%") if bound else str(literal or name)
        if positional:
            return "%s"
        if named:
            return f"%({named})s"
        if percent:
            return "%%" if bound else "%"
        assert temp
        return "pg_temp."

    text = _TOKENS.sub(replace, sql)
    insert = _INSERT_VALUES.match(sql)
    wants_id = bool(insert and insert.group(1).lower() in _ID_TABLES)
    if wants_id:
        text = f"{text.rstrip().rstrip(';')} RETURNING id"
    return text, wants_id


def redacted(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


def describe(url: str) -> str:
    """How a message names the team database: 'shop on db.example.com'."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or parts.username or "the team database"
    host = parts.hostname or "this computer"
    return f"the team database {name} on {host}"


def _is_local(host: str | None) -> bool:
    return host in (None, "", "localhost", "127.0.0.1", "::1") or bool(host and host.startswith("/"))


def connection_options(url: str) -> dict[str, str]:
    """libpq options for `url`: TLS is required for any host but this computer unless the URL says `sslmode=`
    itself; the password comes from libpq's usual places (~/.pgpass, PGPASSWORD, a service file) — or the URL."""
    if not is_url(url):
        raise InvalidInput(f"{url} is not a PostgreSQL address (postgresql://USER@HOST/DATABASE).")
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    options: dict[str, str] = {"application_name": "Tracker", "connect_timeout": "10"}
    if "sslmode" not in query and not _is_local(parts.hostname) and not os.environ.get("PGSSLMODE"):
        options["sslmode"] = "require"
    return options


#: Names for server-side cursors.
_streams = itertools.count(1)
#: A write transaction's start: the lock wait bounded, then the lock (sent as one simple query).
_BEGIN_WRITE = f"BEGIN; SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
#: Values psycopg writes into a statement as SQL literals for a write transaction's first statement (_begin_with).
_LITERAL_TYPES = frozenset({str, int, float, type(None)})
#: Statements with more parameters than this are never prepared (see PgConnection._run).
CUSTOM_PLAN_PARAMETERS = 32
#: Rows an executemany INSERT sends a statement, and the protocol's limit of parameters a statement.
MANY_ROWS = 1000
MAX_PARAMETERS = 65_535
_VALUES_HEAD = re.compile(r"^\s*INSERT\s+INTO\s+[\w.]+\s*\([^()]*\)\s*VALUES\s*(?=\()", re.I)


def _many_values(text: str, rows: list[Any]) -> tuple[str, str, str] | None:
    """(head up to VALUES, the row's parenthesised values, what follows) of an `INSERT INTO t (…) VALUES (…)` that
    may become one statement of many rows: positional parameters (sequences, not mappings) and no ON CONFLICT …
    DO UPDATE (a statement may not update one row twice). None for any other statement."""
    head = _VALUES_HEAD.match(text)
    if head is None or not isinstance(rows[0], Sequence) or isinstance(rows[0], str):
        return None
    depth, at, quoted = 0, head.end(), False
    for at in range(head.end(), len(text)):
        char = text[at]
        if char == "'":
            quoted = not quoted  # '' inside a literal toggles twice
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                break
    else:
        return None
    row, tail = text[head.end() : at + 1], text[at + 1 :]
    rest = tail.strip().rstrip(";").strip()
    if "%(" in row or (rest and not re.match(r"ON\s+CONFLICT\b", rest, re.I)):
        return None  # named parameters, or RETURNING and the like
    if re.search(r"\bDO\s+UPDATE\b", rest, re.I):
        return None
    width = row.count("%s")
    if "%s" in tail or any(len(values) != width for values in rows):
        return None
    return text[: head.end()], row, tail


def _numbered(parts: list[str], before: int) -> str:
    """A row's values with placeholders $before+1, $before+2, … between `parts`."""
    pieces = [parts[0]]
    for n, part in enumerate(parts[1:], start=before + 1):
        pieces.append(f"${n}{part}")
    return "".join(pieces)


class PgCursor:
    """A finished statement's rows (psycopg reads them all on execute) and what sqlite3's cursor says of it."""

    def __init__(self, rows: list[tuple[Any, ...]], description: Any, rowcount: int, lastrowid: int | None):
        self._rows = rows
        self._at = 0
        self.description = description
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while self._at < len(self._rows):
            row = self._rows[self._at]
            self._at += 1
            yield row

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._at >= len(self._rows):
            return None
        row = self._rows[self._at]
        self._at += 1
        return row

    def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
        part = self._rows[self._at : self._at + size]
        self._at += len(part)
        return part

    def fetchall(self) -> list[tuple[Any, ...]]:
        rest = self._rows[self._at :]
        self._at = len(self._rows)
        return rest


class PgConnection:
    """One connection to a team database with the methods of sqlite3.Connection the store calls."""

    engine = "postgresql"

    def __init__(self, raw: psycopg.Connection[Any], url: str):
        self.raw = raw
        self.url = url
        #: Rows inserted, changed or deleted by this connection (sqlite3's total_changes).
        self.total_changes = 0
        #: The writable columns of each table asked about (dialect.writable_columns).
        self.columns_known: dict[str, tuple[str, ...]] = {}
        #: Whether this connection LISTENs to the changes channel (see `watch`).
        self.watching = False
        self._notified = False
        self._index_scans = 0  # nesting of index_scans()
        #: A write transaction was begun and nothing sent yet: its BEGIN and lock go with its first statement.
        self._write_begun = False

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self._write_begun or self.raw.info.transaction_status != TransactionStatus.IDLE

    @property
    def user(self) -> str:
        """The role this connection logged in as."""
        return str(self.raw.info.user)

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> PgCursor:
        statement = sql.strip()
        if statement.upper() == "BEGIN IMMEDIATE":  # a write transaction: one writer at a time
            self._write_begun = True  # BEGIN and the lock are sent with the first statement (see _run)
            return PgCursor([], None, -1, None)
        if self._write_begun and statement.upper() in ("COMMIT", "ROLLBACK"):  # nothing was sent: nothing to end
            self._write_begun = False
            return PgCursor([], None, -1, None)
        if statement.upper() == "BEGIN DEFERRED":  # a read transaction: one state of the data for every query
            return self._run("BEGIN ISOLATION LEVEL REPEATABLE READ")
        if statement[:5].upper() in ("ALTER", "CREAT", "DROP "):  # a table may change: ask for its columns again
            self.columns_known.clear()
        text, wants_id = translate(sql, bool(params))
        return self._run(text, params, wants_id)

    def executemany(self, sql: str, seq: Iterable[Sequence[Any] | Mapping[str, Any]]) -> PgCursor:
        self._begin_write()
        text, _ = translate(sql)
        if text.endswith(" RETURNING id"):
            text = text[: -len(" RETURNING id")]
        rows = list(seq)
        if not rows:
            return PgCursor([], None, 0, None)
        many = _many_values(text, rows)
        if many is not None:  # INSERT … VALUES (…): many rows a statement
            return self._insert_many(*many, rows)
        with self._errors(text), self.raw.cursor() as cursor:
            cursor.executemany(text, rows)
            count = cursor.rowcount
        self.total_changes += max(count, 0)
        return PgCursor([], None, count, None)

    def _insert_many(self, head: str, row: str, tail: str, rows: list[Any]) -> PgCursor:
        """INSERT … VALUES (row), (row), … of up to MANY_ROWS rows a statement: one round trip and one firing of
        the table's statement trigger (the data version's UPDATE and NOTIFY) per batch instead of per row. The
        statement is written with the server's own $n placeholders and sent by a raw cursor: psycopg would
        otherwise parse every batch's long text for its %s in Python (its cache keeps short statements only)."""
        from psycopg import RawCursor

        width = row.count("%s")
        parts = [part.replace("%%", "%") for part in row.split("%s")]
        size = max(1, min(MANY_ROWS, MAX_PARAMETERS // max(width, 1)))
        texts: dict[int, str] = {}
        count = 0
        with self._errors(head), RawCursor(self.raw) as cursor:
            for at in range(0, len(rows), size):
                batch = rows[at : at + size]
                text = texts.get(len(batch))
                if text is None:
                    values = (_numbered(parts, n * width) for n in range(len(batch)))
                    text = texts[len(batch)] = f"{head.replace('%%', '%')}{', '.join(values)}{tail.replace('%%', '%')}"
                cursor.execute(text, [value for values in batch for value in values])
                count += max(cursor.rowcount, 0)
        self.total_changes += count
        return PgCursor([], None, count, None)

    @staticmethod
    def _literal(params: Any) -> bool:
        """Whether a write transaction's first statement goes with its BEGIN and lock, as one simple query with its
        values written into it by psycopg (quoted): one round trip. The server runs the statement as soon as the
        lock is had, without waiting for this client to ask: on a busy team database every round trip inside the
        lock is one every other writer waits for too (five clients logging calls, before write_alone: BEGIN and
        lock, INSERT, COMMIT were three round trips, then two; 324 -> 626 a second). Nothing of the transaction
        runs before the lock is had, as when BEGIN went alone. Only for values that are plain text, numbers or
        NULL (positional)."""
        return not isinstance(params, Mapping) and all(type(value) in _LITERAL_TYPES for value in params or ())

    def _cursor(self, literal: bool) -> psycopg.Cursor[Any]:
        from psycopg import ClientCursor

        return ClientCursor(self.raw) if literal else self.raw.cursor()

    def _begin_with(self, cursor: psycopg.Cursor[Any], text: str, params: Any) -> None:
        from psycopg import errors

        try:
            cursor.execute(f"{_BEGIN_WRITE}; {text}", params or None)
        except errors.LockNotAvailable:
            if self.in_transaction:  # begun, but the lock was not had: no transaction left open
                self.raw.execute("ROLLBACK")
            raise
        while cursor.nextset():  # to the statement's own result
            pass

    def write_alone(self, *statements: tuple[str, Sequence[Any]]) -> list[PgCursor]:
        """A write transaction of these (statement, values): BEGIN, the write lock, the statements and COMMIT sent
        as one simple query (values written into each by psycopg, quoted; plain text, numbers or NULL only). The
        lock is held only while the server runs them and commits, never while a client is woken to send the next
        statement: five clients logging calls at once no longer queue behind each other's round trips. Each
        statement's rows, as execute's; on any error the transaction is rolled back and the error raised as
        execute raises it."""
        if self.in_transaction or not all(self._literal(params) for _, params in statements):
            raise ValueError("write_alone is for statements of plain values outside a transaction")
        results: list[PgCursor] = []
        texts = [translate(sql, bool(params))[0] for sql, params in statements]
        try:
            from psycopg import ClientCursor

            with self._errors(texts[0]), ClientCursor(self.raw) as cursor:
                sent = [
                    cursor.mogrify(text, params) if params else text
                    for text, (_, params) in zip(texts, statements, strict=True)
                ]
                cursor.execute("; ".join([_BEGIN_WRITE, *sent, "COMMIT"]))
                for _ in range(_BEGIN_WRITE.count(";") + 1):  # to the first statement's own result
                    cursor.nextset()
                for text in texts:
                    description, count = cursor.description, cursor.rowcount
                    rows = cursor.fetchall() if description is not None else []
                    results.append(PgCursor(rows, description, count, None))
                    if text.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
                        self.total_changes += max(count, 0)
                    cursor.nextset()
        finally:
            if self.in_transaction:  # it failed (or was interrupted) before COMMIT: nothing of it stays
                self.raw.execute("ROLLBACK")
        return results

    def _begin_write(self) -> None:
        """Send a begun write transaction's BEGIN and lock now, on their own (before a COPY, a stream, a batch)."""
        if self._write_begun:
            self._write_begun = False
            try:  # one round trip (a simple query of three statements)
                self._run(_BEGIN_WRITE)
            except BaseException:
                if self.in_transaction:  # begun, but the lock was not had: no transaction left open
                    self.raw.execute("ROLLBACK")
                raise

    def _run(self, text: str, params: Any = (), wants_id: bool = False) -> PgCursor:
        merged = self._write_begun and self._literal(params)
        if not merged:
            self._begin_write()
        self._write_begun = False
        with self._errors(text), self._cursor(merged) as cursor:
            if merged:  # BEGIN, the lock and this first statement as one simple query: see _literal
                self._begin_with(cursor, text, params)
            else:
                # A statement of many parameters (an IN list) is planned with its values each time: psycopg prepares
                # a statement on its fifth use, and the server's generic plan then compares every row with each of
                # the list's parameters in turn (no hashed IN list, no row estimates): 0.3 s instead of 5 ms for 500
                # e-mail addresses over 10k contacts during an import.
                prepare = False if params and len(params) > CUSTOM_PLAN_PARAMETERS else None
                cursor.execute(text, params or None, prepare=prepare)
            description = cursor.description
            rows = cursor.fetchall() if description is not None else []
            count = cursor.rowcount
        lastrowid = None
        if wants_id:
            lastrowid = rows[-1][0] if rows else None
            rows, description = [], None
        if text.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.total_changes += max(count, 0)
        return PgCursor(rows, description, count, lastrowid)

    def watch(self) -> None:
        """LISTEN to every committed change of the team database (pg_schema's statement triggers NOTIFY it)."""
        from tracker.core.store.pg_schema import CHANNEL

        self._run(f"LISTEN {CHANNEL}")
        self.raw.add_notify_handler(self._on_notify)  # those that arrive while a query runs
        self.watching = True
        self._notified = True

    def _on_notify(self, _notify: object) -> None:
        self._notified = True

    def take_notified(self) -> bool:
        """Whether a change was notified since the last call; reads what the server sent without waiting and
        without a query (between transactions only: inside one, nothing is delivered)."""
        pgconn = self.raw.pgconn
        if not self.in_transaction:
            with self._errors():
                pgconn.consume_input()
            while pgconn.notifies() is not None:
                self._notified = True
        notified, self._notified = self._notified, False
        return notified

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Write rows into `table` with COPY (inside the current transaction); nothing is sent for no rows (an
        empty COPY would still fire the table's statement trigger: a change notified for nothing)."""
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return
        self._begin_write()
        names = ", ".join(f'"{c}"' for c in columns)
        count = 0
        with (
            self._errors(f"COPY {table}"),
            self.raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in itertools.chain((first,), rows):
                copy.write_row(row)
                count += 1
        self.total_changes += count

    @contextmanager
    def index_scans(self) -> Iterator[None]:
        """Inside a transaction: the planner reads a table through an index wherever one serves the query (see
        dialect.by_index); the setting as it was afterwards. Nested uses send nothing."""
        self._index_scans += 1
        try:
            if self._index_scans > 1:
                yield
                return
            was = self._run("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
            previous = was.fetchall()[0][0]
            yield
            # (after an error the setting goes with the transaction's rollback, or the savepoint's)
            if self.in_transaction and not self.failed:
                self._run("SELECT set_config('enable_seqscan', %s, true)", (previous,))
        finally:
            self._index_scans -= 1

    @property
    def failed(self) -> bool:
        """Whether the transaction has failed (a statement was refused): only ROLLBACK is accepted now."""
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status == TransactionStatus.INERROR

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 20_000) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of a query `size` at a time from a server-side cursor (inside a transaction), instead of all
        of them in memory at once."""
        self._begin_write()
        text, _ = translate(sql, bool(params))
        name = f"tracker_stream_{next(_streams)}"
        with self._errors(text), self.raw.cursor(name=name) as cursor:
            cursor.execute(text, params or None)
            while rows := cursor.fetchmany(size):
                yield rows

    def _errors(self, statement: str = "") -> _Translated:
        return _Translated(self, statement)

    def close(self) -> None:
        self.raw.close()

    def rollback(self) -> None:
        self._write_begun = False
        self.raw.rollback()


class _Translated:
    """Turns the server's errors into the store's sentences (constraint violations stay sqlite3-like)."""

    def __init__(self, conn: PgConnection, statement: str = ""):
        self.conn = conn
        self.statement = statement

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            return
        import psycopg
        from psycopg import errors

        if not isinstance(exc, psycopg.Error):
            return
        if isinstance(exc, errors.LockNotAvailable | errors.DeadlockDetected | errors.SerializationFailure):
            raise StoreBusy("The team database is busy (someone else's change is being saved); try again.") from None
        if isinstance(exc, errors.InsufficientPrivilege):
            raise permission_error(exc, self.statement, self.conn.user, describe(self.conn.url)) from None
        if isinstance(exc, psycopg.IntegrityError):
            import sqlite3

            raise sqlite3.IntegrityError(str(exc).splitlines()[0]) from None
        if isinstance(exc, psycopg.OperationalError):
            raise StoreError(f"The connection to the team database was lost ({first_line(exc)}).") from None
        raise StoreError(f"The team database refused a statement ({first_line(exc)}); nothing was changed.") from exc


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def permission_error(exc: BaseException, statement: str, user: str, where: str) -> StoreError:
    """A refused action, naming the role it needs (from the statement and the object the server names)."""
    from tracker.core.errors import PermissionRefused
    from tracker.core.store.team_roles import refusal_sentence

    return PermissionRefused(refusal_sentence(statement, first_line(exc), user, where))


@lru_cache(maxsize=1)
def _untyped_int_dumper() -> type:
    """Integers sent as untyped text, so that PostgreSQL types each by where it stands (`substr(x, ?)` wants an
    int4, `id = ?` an int8), as SQLite does; psycopg's own dumper types them by size (a 2 is int2)."""
    from psycopg.adapt import Dumper

    class UntypedInt(Dumper):
        oid = 0

        def dump(self, obj: int) -> bytes:
            return str(int(obj)).encode()

        def quote(self, obj: int) -> bytes:  # as a literal (FETCH FORWARD 500, _literal): the bare number
            text = str(int(obj)).encode()
            return b" " + text if obj < 0 else text  # "x - -1", never the comment "x --1"

    return UntypedInt


def connect(url: str) -> PgConnection:
    """Open a connection to the team database at `url` (autocommit: transactions are explicit, as on SQLite)."""
    import psycopg
    from psycopg.conninfo import make_conninfo
    from psycopg.types.numeric import FloatLoader

    conninfo = make_conninfo(url, **connection_options(url))
    try:
        raw = psycopg.connect(conninfo, autocommit=True)
    except psycopg.OperationalError as exc:
        if "permission denied for database" in str(exc):  # not in this database's team
            raise permission_error(exc, "", urlsplit(url).username or "this login", describe(url)) from None
        raise StoreError(f"Cannot connect to {describe(url)}: {first_line(exc)}.") from None
    raw.adapters.register_dumper(int, _untyped_int_dumper())  # the server infers each integer's type from use
    raw.adapters.register_loader("numeric", FloatLoader)  # sum() and avg() of integers: floats, as on SQLite
    return PgConnection(raw, url)
