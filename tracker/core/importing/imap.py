"""Reading the owner's live mailbox over IMAP into interactions: read-only, over verified TLS only, headers only,
and incremental — each folder is read from the UID after the highest one an earlier import took.

The connection is IMAPS (TLS from the first byte, port 993) or STARTTLS (a plain greeting upgraded before anything
else is sent, port 143); on another port IMAPS is tried first and STARTTLS after. A server that offers neither is
refused before a user name or password leaves the machine. Folders are opened with EXAMINE and messages fetched as
`BODY.PEEK[HEADER]`, so nothing on the server changes (no \\Seen flag set) and no body is downloaded.

The messages then go through the file import's rules and writer (importing.mail.write_messages): one batch,
undoable, deduplicated by Message-ID. How far each folder was read is kept per import (store.mail_folders), under
the folder's UIDVALIDITY; a folder whose UIDVALIDITY changed is read again whole, which adds nothing twice."""

from __future__ import annotations

import base64
import imaplib
import re
import socket
import ssl
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.core.errors import ImportCancelled, InvalidInput, TrackerError
from tracker.core.importing.bulk import collector_paused, write_batch
from tracker.core.importing.mail import MailReport, write_messages
from tracker.core.importing.mail_messages import MailMessage, message_from_headers, parse_header_block
from tracker.core.importing.mail_rules import key
from tracker.core.importing.report import Cancelled, Progress
from tracker.core.normalize import is_valid_email
from tracker.core.store import Store
from tracker.core.store.mail_folders import FolderMark, folder_mark, mark_folder
from tracker.core.store.messages import owner_addresses

IMAPS_PORT = 993
STARTTLS_PORT = 143
FETCH_BATCH = 250  # UIDs asked for in one FETCH
TIMEOUT = 30.0  # seconds a connect or an answer may take
INBOX = "INBOX"
#: Names a Sent folder goes by on servers that do not flag it \Sent (RFC 6154), tried in this order.
SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "Sent Mail", "INBOX.Sent", "INBOX/Sent")

_UID = re.compile(rb"\bUID (\d+)", re.IGNORECASE)
_LIST = re.compile(rb'^\((?P<flags>[^)]*)\)\s+(?P<delimiter>NIL|"(?:[^"\\]|\\.)*")\s*(?P<name>.*)$', re.DOTALL)
_LITERAL = re.compile(rb"\{\d+\+?\}$")
#: What OpenSSL says when the answer to its hello is plain text (an IMAP greeting) rather than TLS.
_PLAIN_ANSWER = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "UNKNOWN_PROTOCOL"}
)
_HOST = re.compile(r"[A-Za-z0-9.\-:\[\]_]{1,253}|[^\s\x00-\x1f\x7f/@]{1,253}")


class LoginRefused(InvalidInput):
    """The server refused the user name or password (a password kept in a keyring may be out of date)."""


class MailServerError(TrackerError):
    """The mail server cannot be reached, does not speak TLS, or broke off; nothing was imported."""


@dataclass(frozen=True, slots=True)
class MailAccount:
    """Where the mailbox is: the server's host name, the user name to log in with, and the port (993: IMAPS)."""

    host: str
    user: str
    port: int = IMAPS_PORT

    def check(self) -> None:
        """Refuse, in a sentence, a host, user or port that cannot be one before anything is sent."""
        if not self.host.strip():
            raise InvalidInput("Give the mail server's host name (e.g. imap.fastmail.com).")
        if not _HOST.fullmatch(self.host.strip()):
            raise InvalidInput(f"'{self.host[:80]}' is not a host name (e.g. imap.fastmail.com).")
        if not self.user.strip():
            raise InvalidInput("Give the user name of the mailbox (usually its e-mail address).")
        if len(self.user) > 320 or any(ord(char) < 32 or ord(char) == 127 for char in self.user):
            raise InvalidInput(f"'{self.user[:80]}' is not a user name (usually the mailbox's e-mail address).")
        if not 1 <= self.port <= 65535:
            raise InvalidInput(f"{self.port} is not a port; IMAP over TLS is on 993 (or 143 with STARTTLS).")


@dataclass(slots=True)
class FolderReport:
    """What an import did with one folder: the UIDVALIDITY, the highest UID now imported, the messages read."""

    uidvalidity: int
    last_uid: int
    messages: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"uidvalidity": self.uidvalidity, "last_uid": self.last_uid, "messages": self.messages}


@dataclass(slots=True)
class ImapReport(MailReport):
    """A MailReport with each folder's part (`folders`, by name)."""

    folders: dict[str, FolderReport] = field(default_factory=dict)

    def to_dict(self, problem_limit: int = 200) -> dict[str, Any]:
        document = MailReport.to_dict(self, problem_limit)
        document["folders"] = {name: folder.to_dict() for name, folder in self.folders.items()}
        return document


def import_imap(
    store: Store,
    account: MailAccount,
    password: str | Callable[[], str],
    *,
    folders: Sequence[str] = (),
    me: Iterable[str] | None = None,
    add_unknown: bool = False,
    dry_run: bool = False,
    context: ssl.SSLContext | None = None,
    cafile: Path | str | None = None,
    logged_in: Callable[[], None] | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImapReport:
    """Import the mail that arrived in the account's folders since the last import, as one batch of interactions.

    `password`: the password, or a function that gives it, called once the server is reached over verified TLS
    (so nobody is asked for a password a wrong host name would not need). `folders`: their names (default: INBOX
    and the Sent folder). `me`, `add_unknown`: as for import_mail; without `me`, the user name is one of the
    owner's addresses when it is one. `context` or `cafile`: the certificates to trust (default: the system's).
    `logged_in` is called once the server has accepted the password (to keep it in a keyring). `progress(done,
    total)` counts the messages fetched; `cancelled` is asked between batches of them. When nothing arrived since
    the last import no batch is made (batch_id None). Errors: InvalidInput, LoginRefused or MailServerError, one
    sentence each, nothing written."""
    account.check()
    account = MailAccount(account.host.strip(), account.user.strip(), account.port)
    given = [text.strip() for text in me or () if text.strip()]
    for address in given:
        if not is_valid_email(address):
            raise InvalidInput(f"'{address}' is not an e-mail address.")
    if not given and is_valid_email(account.user.strip()):  # the login is one of the owner's addresses
        stored = owner_addresses(store)
        given = stored if key(account.user) in stored else [*stored, account.user.strip()]
    tls = context or _context(cafile)
    with _Session(account, tls) as session:
        secret = password() if callable(password) else password
        if not secret:
            raise InvalidInput(f"Give the password of {account.user.strip()[:80]} on {account.host.strip()}.")
        session.login(secret)
        if logged_in:
            logged_in()
        names = session.folders(folders)
        report = ImapReport(kind="imap", source=f"{', '.join(names)} on {account.host}", dry_run=dry_run)
        plans = [session.plan(name, folder_mark(store.conn, account.host, account.user, name)) for name in names]
        total = sum(len(plan.uids) for plan in plans)
        for plan in plans:
            report.folders[plan.name] = FolderReport(plan.uidvalidity, plan.start)

        if not total:  # nothing new: no empty batch in the list of imports
            report.me = given or owner_addresses(store)
            if progress:
                progress(0, 0)
            return report

        def messages() -> Iterator[MailMessage | None]:
            done = 0
            for plan in plans:
                folder = report.folders[plan.name]
                for batch in session.fetch(plan):
                    for uid, block in batch:
                        folder.messages += 1
                        folder.last_uid = max(folder.last_uid, uid)
                        headers = parse_header_block(block)
                        yield message_from_headers(headers) if headers else None
                    done += len(batch)
                    if progress:
                        progress(done, total)
                    if cancelled and cancelled():
                        raise ImportCancelled("Import cancelled; nothing was imported.")

        def write(batch_id: int) -> None:
            write_messages(store, report, batch_id, messages(), me=given, add_unknown=add_unknown, cancelled=cancelled)
            for name, folder in report.folders.items():
                if folder.messages:
                    mark = FolderMark(folder.uidvalidity, folder.last_uid)
                    mark_folder(store.conn, batch_id, account.host, account.user, name, mark)

        with collector_paused():
            result = write_batch(
                store,
                report,
                Path(report.source),
                write,
                dry_run=dry_run,
                progress=progress,
                cancelled=cancelled,
                size=total,
            )
    assert isinstance(result, ImapReport)
    return result


@dataclass(frozen=True, slots=True)
class _Plan:
    """A folder to read: its UIDVALIDITY, the UID reading starts after, and the UIDs to fetch."""

    name: str
    uidvalidity: int
    start: int
    uids: list[int]


class _Session:
    """One connection to the server, over TLS, failures turned into one sentence each."""

    def __init__(self, account: MailAccount, context: ssl.SSLContext):
        self.account, self.context = account, context
        self.where = f"the mail server {account.host}"
        self.client = self._connect()

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.client.logout()
        except (imaplib.IMAP4.error, OSError, ValueError):
            self.client.shutdown()

    def _connect(self) -> imaplib.IMAP4:
        host, port = self.account.host.strip(), self.account.port
        with self._failures():
            if port != STARTTLS_PORT:
                try:
                    return imaplib.IMAP4_SSL(host, port, ssl_context=self.context, timeout=TIMEOUT)
                except ssl.SSLCertVerificationError:
                    raise
                except ssl.SSLError as exc:
                    if port == IMAPS_PORT or exc.reason not in _PLAIN_ANSWER:
                        raise
                    # not TLS from the first byte: the server greets in plain text, so ask it for STARTTLS
            client = imaplib.IMAP4(host, port, timeout=TIMEOUT)
            if "STARTTLS" not in client.capabilities:
                client.shutdown()
                raise MailServerError(
                    f"{self.where.capitalize()} offers no TLS on port {port}, and Tracker never sends a password "
                    "unencrypted; use its IMAPS port (usually 993) or ask the provider to turn on TLS."
                )
            client.starttls(self.context)
            return client

    def login(self, password: str) -> None:
        client, user = self.client, self.account.user.strip()
        try:
            if "AUTH=PLAIN" in client.capabilities:
                secret = f"\0{user}\0{password}".encode()
                client.authenticate("PLAIN", lambda _challenge: secret)
            else:
                client.login(user, password)
        except imaplib.IMAP4.abort:
            raise self._broke() from None
        except UnicodeError:  # LOGIN sends ASCII only, and this server offers no other way
            raise InvalidInput(
                f"{self.where.capitalize()} accepts only a password in plain ASCII letters, digits and signs; "
                "set one without accented letters or other characters (an app password is)."
            ) from None
        except imaplib.IMAP4.error:
            raise LoginRefused(
                f"{self.where.capitalize()} refused the user name or password for {user[:80]}; check them "
                "(many providers want an app password for mail programs)."
            ) from None
        except OSError:
            raise self._broke() from None

    def folders(self, wanted: Sequence[str]) -> list[str]:
        """The folders to read, as the server names them: those asked for (each must exist), else INBOX and the
        Sent folder (flagged \\Sent, else by a usual name) when there is one."""
        found = self._list()
        by_name = {name: flags for name, flags in found}
        if wanted:
            names: list[str] = []
            for text in wanted:
                name = text.strip()
                if name.upper() == INBOX:
                    name = INBOX
                if name not in by_name and name != INBOX:
                    shown = ", ".join(sorted(by_name)[:12]) or "none"
                    raise InvalidInput(
                        f"There is no folder '{text[:80]}' on {self.account.host}; its folders are: {shown}."
                    )
                if name not in names:
                    names.append(name)
            return names
        sent = [name for name, flags in found if "\\sent" in flags]
        sent = sent or [name for name in SENT_NAMES if name in by_name]
        return [INBOX, *sent[:1]]

    def plan(self, name: str, mark: FolderMark | None) -> _Plan:
        """Open the folder read-only (EXAMINE) and find the UIDs newer than the mark (all of them when the folder's
        UIDVALIDITY is not the mark's)."""
        with self._commands():
            kind, data = self.client.select(_quoted(name), readonly=True)
            if kind != "OK":
                raise InvalidInput(
                    f"The folder '{name}' cannot be opened on {self.account.host} ({_text(data)}); check its name."
                )
            exists = int(data[0]) if data and isinstance(data[0], bytes) and data[0].strip().isdigit() else None
            _, values = self.client.response("UIDVALIDITY")
            uidvalidity = int(values[0]) if values and values[0] else 0
            start = mark.last_uid if mark and mark.uidvalidity == uidvalidity else 0
            if exists == 0:
                return _Plan(name, uidvalidity, start, [])
            # FETCH (UID) rather than SEARCH: one short line per message, where a SEARCH answer for a big folder is
            # one line longer than imaplib accepts; `N:*` also names the last message when N is past it, hence > start
            kind, data = self.client.uid("FETCH", f"{start + 1}:*", "(UID)")
            if kind != "OK":
                raise MailServerError(f"{self.where.capitalize()} could not list the folder '{name}' ({_text(data)}).")
            found = (_UID.search(item) for item in data if isinstance(item, bytes))
            uids = sorted({int(match.group(1)) for match in found if match and int(match.group(1)) > start})
        return _Plan(name, uidvalidity, start, uids)

    def fetch(self, plan: _Plan) -> Iterator[list[tuple[int, bytes]]]:
        """(UID, header block) of the plan's messages, in lists of up to FETCH_BATCH, the folder opened read-only."""
        if not plan.uids:
            return
        with self._commands():
            kind, data = self.client.select(_quoted(plan.name), readonly=True)
            if kind != "OK":
                raise MailServerError(f"The folder '{plan.name}' went away on {self.account.host} ({_text(data)}).")
        for index in range(0, len(plan.uids), FETCH_BATCH):
            with self._commands():
                kind, data = self.client.uid(
                    "FETCH", _uid_set(plan.uids[index : index + FETCH_BATCH]), "(UID BODY.PEEK[HEADER])"
                )
            if kind != "OK":
                raise MailServerError(f"{self.where.capitalize()} did not send the messages ({_text(data)}).")
            yield list(_fetched(data))

    def _list(self) -> list[tuple[str, frozenset[str]]]:
        with self._commands():
            kind, data = self.client.list()
        if kind != "OK":
            raise MailServerError(f"{self.where.capitalize()} did not list its folders ({_text(data)}).")
        return list(_folders(data))

    def _broke(self) -> MailServerError:
        return MailServerError(f"The connection to {self.where} broke off; nothing was imported, try again.")

    def _commands(self) -> _Failures:
        return _Failures(self, connecting=False)

    def _failures(self) -> _Failures:
        return _Failures(self, connecting=True)


class _Failures:
    """Turns what the network, TLS and imaplib raise into one sentence naming what to do."""

    def __init__(self, session: _Session, *, connecting: bool):
        self.session, self.connecting = session, connecting

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc is None or isinstance(exc, TrackerError):
            return
        account = self.session.account
        where = self.session.where
        if isinstance(exc, ssl.SSLCertVerificationError):
            reason = exc.verify_message or exc.reason or "not trusted"
            raise InvalidInput(
                f"The certificate of {where} is not valid ({reason}); Tracker only connects to a server it can "
                "verify — check the host name, or give the certificate authority of your own server."
            ) from None
        if isinstance(exc, ssl.SSLError):
            raise MailServerError(f"TLS with {where} failed ({exc.reason or exc}); check the host and port.") from None
        if isinstance(exc, socket.gaierror | UnicodeError):
            raise InvalidInput(
                f"Cannot find {where}; check its name (e.g. imap.fastmail.com) and the connection."
            ) from None
        if isinstance(exc, TimeoutError):
            raise MailServerError(
                f"{where.capitalize()} did not answer on port {account.port} within {TIMEOUT:.0f} seconds; check the "
                "host, the port and the connection."
            ) from None
        if isinstance(exc, imaplib.IMAP4.abort) or (isinstance(exc, OSError) and not self.connecting):
            raise self.session._broke() from None
        if isinstance(exc, OSError):
            raise MailServerError(
                f"Cannot reach {where} on port {account.port} ({exc.strerror or exc}); check the host, the port and "
                "the connection."
            ) from None
        if isinstance(exc, imaplib.IMAP4.error | ValueError):
            raise MailServerError(f"{where.capitalize()} answered what Tracker cannot read ({exc}).") from None


def _context(cafile: Path | str | None) -> ssl.SSLContext:
    """The system's trusted certificates, or those of `cafile` (a PEM file) instead."""
    try:
        return ssl.create_default_context(cafile=str(cafile) if cafile else None)
    except (OSError, ssl.SSLError, ValueError):
        raise InvalidInput(f"{cafile} is not a certificate file (PEM) Tracker can read.") from None


def _fetched(data: list[Any]) -> Iterator[tuple[int, bytes]]:
    """(UID, header block) pairs of a UID FETCH answer; the UID may come before or after the literal."""
    for index, item in enumerate(data):
        if not isinstance(item, tuple) or len(item) != 2:
            continue
        prefix, literal = item
        after = data[index + 1] if index + 1 < len(data) and isinstance(data[index + 1], bytes) else b""
        found = _UID.search(prefix) or _UID.search(after)
        if found and isinstance(literal, bytes):
            yield int(found.group(1)), literal


def _folders(data: list[Any]) -> Iterator[tuple[str, frozenset[str]]]:
    """(name, lower-case flags) of a LIST answer; names quoted, bare or sent as literals, modified UTF-7 decoded."""
    for item in data:
        if isinstance(item, tuple):
            line, name = item[0], item[1]
            line = _LITERAL.sub(b"", line)
        elif isinstance(item, bytes):
            line, name = item, None
        else:
            continue
        found = _LIST.match(line.strip())
        if not found:
            continue
        flags = frozenset(found.group("flags").decode("ascii", "replace").lower().split())
        if "\\noselect" in flags or "\\nonexistent" in flags:
            continue
        raw = name if name is not None else found.group("name").strip()
        if name is None and raw.startswith(b'"') and raw.endswith(b'"'):
            raw = re.sub(rb"\\(.)", rb"\1", raw[1:-1])
        yield decode_folder(raw), flags


def decode_folder(raw: bytes) -> str:
    """A folder name as IMAP sends it (modified UTF-7, RFC 3501 5.1.3): 'Envoy&AOk-s' → 'Envoyés'."""

    def decoded(found: re.Match[str]) -> str:
        inner = found.group(1)
        if not inner:
            return "&"
        padded = inner.replace(",", "/") + "=" * (-len(inner) % 4)
        try:
            return base64.b64decode(padded).decode("utf-16-be", "replace")
        except (ValueError, UnicodeError):
            return found.group(0)

    return re.sub(r"&([A-Za-z0-9+,]*)-", decoded, raw.decode("ascii", "replace"))


def encode_folder(name: str) -> str:
    """A folder name as IMAP wants it (modified UTF-7): 'Envoyés' → 'Envoy&AOk-s'."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            packed = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii").rstrip("=")
            out.append("&" + packed.replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _quoted(name: str) -> str:
    encoded = encode_folder(name)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _uid_set(uids: list[int]) -> str:
    """Sorted UIDs as an IMAP set with ranges: [1, 2, 3, 7] → '1:3,7'."""
    parts: list[str] = []
    first = last = uids[0]
    for uid in uids[1:]:
        if uid == last + 1:
            last = uid
            continue
        parts.append(f"{first}:{last}" if first != last else str(first))
        first = last = uid
    parts.append(f"{first}:{last}" if first != last else str(first))
    return ",".join(parts)


def _text(data: list[Any]) -> str:
    """An IMAP answer's text, for a sentence."""
    words = [item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item) for item in data if item]
    return " ".join(words)[:200] or "no reason given"
