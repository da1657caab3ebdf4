"""Importing a live mailbox over IMAP, against a real Dovecot server the tests start on loopback (imap_server.py):
the first import takes the messages (counts add up), the next ones only new UIDs, Sent mail is 'contacted', the
server's flags stay as they were (read-only), plain text and untrusted certificates are refused, a wrong password
is one sentence, the password goes to the keyring, and a cancel, a dry run and an undo leave nothing behind."""

from __future__ import annotations

import itertools
import re
import socket
import ssl
import threading
from collections.abc import Iterator

import keyring
import pytest
from imap_server import PASSWORD, Dovecot, MemoryKeyring, message
from test_cli import assert_usage_error, opened, run, run_json, run_ok

from tracker.core.errors import ImportCancelled, InvalidInput
from tracker.core.importing import imap as imap_module
from tracker.core.importing.imap import (
    LoginRefused,
    MailAccount,
    MailServerError,
    _uid_set,
    decode_folder,
    encode_folder,
    import_imap,
)
from tracker.core.operations import imports as import_ops
from tracker.core.passwords import forget_password, store_password, stored_password

ANNA, BEN, STRANGER = "anna@example.com", "ben@example.com", "stranger@elsewhere.example"
_users = itertools.count(1)


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot()
    yield server
    server.stop()


@pytest.fixture
def me(dovecot: Dovecot) -> str:
    """A mailbox of its own for each test: the user name is the owner's address."""
    return f"owner{next(_users)}@shop.example"


@pytest.fixture
def trusted(dovecot: Dovecot) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(dovecot.cafile))


@pytest.fixture
def contacts(add_contact):
    return add_contact(ANNA, first_name="Anna"), add_contact(BEN, first_name="Ben")


def fill(dovecot: Dovecot, me: str) -> None:
    """Four messages in INBOX (two from contacts, a newsletter, a stranger's) and one the owner sent to Anna."""
    dovecot.append(
        me,
        "INBOX",
        message(ANNA, me, "About the blue vase", 2, mid="<a1@example.com>"),
        message(BEN, me, "Order question", 3, mid="<b1@example.com>"),
        message("news@shop.example", me, "Our November news", 4, mid="<n1@example.com>", List_Unsubscribe="<x>"),
        message(STRANGER, me, "Hello there", 5, mid="<s1@example.com>"),
    )
    dovecot.append(me, "Sent", message(me, ANNA, "Re: About the blue vase", 6, mid="<r1@shop.example>"))


def run_import(store, dovecot: Dovecot, me: str, context: ssl.SSLContext | None, **options):
    return import_imap(store, MailAccount("127.0.0.1", me, dovecot.imaps_port), PASSWORD, context=context, **options)


def interactions(store) -> list[tuple[str, str, str]]:
    """(contact's e-mail, kind, note) of every interaction, in order."""
    return store.conn.execute(
        "SELECT c.email, k.name, i.note FROM interactions i JOIN contacts c ON c.id = i.contact_id "
        "JOIN kinds k ON k.id = i.kind_id ORDER BY i.occurred_at"
    ).fetchall()


def add_up(report) -> None:
    assert report.messages == report.interactions + sum(report.skipped.values())
    assert report.messages == sum(folder.messages for folder in report.folders.values())


# The import ----------------------------------------------------------------------------------------------------


def test_the_first_import_takes_inbox_and_sent_and_the_counts_add_up(
    store, dovecot, me, trusted, contacts, monkeypatch
):
    fill(dovecot, me)
    monkeypatch.setattr(imap_module, "FETCH_BATCH", 2)  # several FETCHes per folder
    seen: list[tuple[int, int]] = []
    report = run_import(store, dovecot, me, trusted, progress=lambda done, total: seen.append((done, total)))

    add_up(report)
    assert (report.messages, report.interactions) == (5, 3)
    assert report.skipped == {"newsletter or notification": 1, "not a contact": 1}
    assert {name: folder.to_dict() for name, folder in report.folders.items()} == {
        "INBOX": {"uidvalidity": report.folders["INBOX"].uidvalidity, "last_uid": 4, "messages": 4},
        "Sent": {"uidvalidity": report.folders["Sent"].uidvalidity, "last_uid": 1, "messages": 1},
    }
    assert interactions(store) == [
        (ANNA, "email_reply", "About the blue vase"),
        (BEN, "email_reply", "Order question"),
        (ANNA, "contacted", "Re: About the blue vase"),  # the Sent folder: the owner wrote
    ]
    assert report.me == [me]  # the login is the owner's address
    assert seen[-1] == (5, 5) and seen == sorted(seen)
    notes = " ".join(row[0] for row in store.conn.execute("SELECT note FROM interactions"))
    assert "stays on the server" not in notes  # no body read
    assert ", TLS," in dovecot.log() and "body_count=0" in dovecot.log()


def test_a_second_import_adds_nothing_and_a_new_message_is_exactly_one_interaction(
    store, dovecot, me, trusted, contacts
):
    fill(dovecot, me)
    first = run_import(store, dovecot, me, trusted)
    again = run_import(store, dovecot, me, trusted)
    add_up(again)
    assert (again.messages, again.interactions, again.skipped) == (0, 0, {})
    assert again.folders["INBOX"].last_uid == 4
    assert again.batch_id is None  # nothing new: no empty batch among the imports
    assert store.conn.execute("SELECT count(*) FROM imports").fetchone()[0] == 1

    dovecot.append(me, "INBOX", message(BEN, me, "One more thing", 7, mid="<b2@example.com>"))
    third = run_import(store, dovecot, me, trusted)
    add_up(third)
    assert (third.messages, third.interactions) == (1, 1)  # only the new UID was fetched
    assert third.folders["INBOX"].to_dict() == {
        "uidvalidity": first.folders["INBOX"].uidvalidity,
        "last_uid": 5,
        "messages": 1,
    }
    assert interactions(store)[-1] == (BEN, "email_reply", "One more thing")
    assert store.conn.execute("SELECT count(*) FROM interactions").fetchone()[0] == 4


def test_a_changed_uidvalidity_reads_the_folder_again_and_adds_nothing_twice(store, dovecot, me, trusted, contacts):
    fill(dovecot, me)
    run_import(store, dovecot, me, trusted)
    with store.transaction():
        store.conn.execute("UPDATE mail_folders SET uidvalidity = uidvalidity + 1")  # as after a server rebuild
    again = run_import(store, dovecot, me, trusted)
    add_up(again)
    assert (again.messages, again.interactions) == (5, 0)
    assert again.skipped["already imported"] == 3
    assert store.conn.execute("SELECT count(*) FROM interactions").fetchone()[0] == 3


def test_the_folders_asked_for_are_read_and_a_missing_one_is_named(store, dovecot, me, trusted, contacts):
    fill(dovecot, me)
    report = run_import(store, dovecot, me, trusted, folders=["inbox"])
    assert list(report.folders) == ["INBOX"] and report.interactions == 2
    with pytest.raises(
        InvalidInput, match=re.escape("no folder 'Archive' on 127.0.0.1; its folders are: INBOX, Sent.")
    ):
        run_import(store, dovecot, me, trusted, folders=["Archive"])


def test_a_folder_with_a_non_ascii_name_is_read(store, dovecot, me, trusted, contacts):
    dovecot.append(me, encode_folder("Envoyés"), message(me, BEN, "Devis", 8, mid="<d1@shop.example>"))
    report = run_import(store, dovecot, me, trusted, folders=["Envoyés"])
    assert report.folders["Envoyés"].messages == 1
    assert interactions(store) == [(BEN, "contacted", "Devis")]


def test_the_servers_flags_are_left_as_they_were(store, dovecot, me, trusted, contacts):
    dovecot.append(me, "INBOX", message(ANNA, me, "Read already", 2, mid="<seen@example.com>"), flags="(\\Seen)")
    dovecot.append(me, "INBOX", message(BEN, me, "Not read yet", 3, mid="<unseen@example.com>"))
    before = dovecot.flags(me, "INBOX")
    run_import(store, dovecot, me, trusted)
    after = dovecot.flags(me, "INBOX")
    assert "\\Seen" in after["<seen@example.com>"]
    assert "\\Seen" not in after["<unseen@example.com>"]  # EXAMINE and BODY.PEEK: nothing marked read
    assert {key: value.replace("\\Recent", "").strip() for key, value in before.items()} == {
        key: value.replace("\\Recent", "").strip() for key, value in after.items()
    }


def test_a_dry_run_writes_nothing_and_remembers_no_uid(store, dovecot, me, trusted, contacts):
    fill(dovecot, me)
    report = run_import(store, dovecot, me, trusted, dry_run=True)
    assert (report.messages, report.interactions, report.batch_id) == (5, 3, None)
    assert store.conn.execute("SELECT count(*) FROM interactions").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM mail_folders").fetchone()[0] == 0
    assert run_import(store, dovecot, me, trusted).interactions == 3


def test_a_cancel_between_batches_rolls_everything_back(store, dovecot, me, trusted, contacts, monkeypatch):
    fill(dovecot, me)
    monkeypatch.setattr(imap_module, "FETCH_BATCH", 1)
    seen: list[tuple[int, int]] = []
    with pytest.raises(ImportCancelled):
        run_import(store, dovecot, me, trusted, progress=lambda *done: seen.append(done), cancelled=lambda: bool(seen))
    assert seen == [(1, 5)]  # asked after the first batch, and no further message fetched
    assert store.conn.execute("SELECT count(*) FROM interactions").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM mail_folders").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM imports").fetchone()[0] == 0
    assert run_import(store, dovecot, me, trusted).interactions == 3  # the next import takes it all


def test_undo_removes_exactly_what_the_import_added_and_the_mail_is_read_again(
    store, dovecot, me, trusted, contacts, log
):
    anna, _ben = contacts
    log(anna, "purchase", "2026-10-01", amount=20)
    fill(dovecot, me)
    before = interactions(store)
    report = run_import(store, dovecot, me, trusted)
    import_ops.undo_import(store, report.batch_id)
    assert interactions(store) == before
    assert store.contacts.count() == 2
    again = run_import(store, dovecot, me, trusted)  # the undone import's UIDs no longer count
    assert (again.messages, again.interactions) == (5, 3)


def test_unknown_correspondents_become_contacts_when_asked(store, dovecot, me, trusted, contacts):
    fill(dovecot, me)
    report = run_import(store, dovecot, me, trusted, add_unknown=True)
    assert report.contacts_created == 1 and report.interactions == 4
    assert store.contacts.by_email(STRANGER) is not None


# What is refused -----------------------------------------------------------------------------------------------


def test_a_wrong_password_is_one_sentence_and_nothing_is_written(store, dovecot, me, trusted):
    called = []
    account = MailAccount("127.0.0.1", me, dovecot.imaps_port)
    with pytest.raises(LoginRefused) as refused:
        import_imap(store, account, "wrong", context=trusted, logged_in=lambda: called.append(True))
    text = str(refused.value)
    assert text == (
        f"The mail server 127.0.0.1 refused the user name or password for {me}; check them (many providers want an "
        "app password for mail programs)."
    )
    assert "wrong" not in text and called == []
    assert store.conn.execute("SELECT count(*) FROM imports").fetchone()[0] == 0


def test_a_certificate_that_cannot_be_verified_is_refused_before_the_password_is_asked(store, dovecot, me):
    asked = []
    account = MailAccount("127.0.0.1", me, dovecot.imaps_port)
    with pytest.raises(InvalidInput, match=r"^The certificate of the mail server 127.0.0.1 is not valid \(self"):
        import_imap(store, account, lambda: asked.append(True) or PASSWORD)
    assert asked == []
    assert run_import(store, dovecot, me, None, cafile=dovecot.cafile).messages == 0  # trusted when given


def test_starttls_is_used_on_a_port_that_greets_in_plain_text(store, dovecot, me, trusted, contacts):
    fill(dovecot, me)
    account = MailAccount("127.0.0.1", me, dovecot.starttls_port)
    report = import_imap(store, account, PASSWORD, context=trusted)
    assert report.interactions == 3


class _PlainServer:
    """A server that speaks IMAP in plain text only (no STARTTLS); it keeps every byte it is sent."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.listener.settimeout(10)
        for _ in range(2):  # the TLS attempt, then the plain one
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(5)
                connection.sendall(b"* OK IMAP4rev1 plain text only\r\n")
                buffer = b""
                try:
                    while chunk := connection.recv(4096):
                        self.received += chunk
                        buffer += chunk
                        while b"\r\n" in buffer:
                            line, buffer = buffer.split(b"\r\n", 1)
                            tag, _, command = line.partition(b" ")
                            if command.upper().startswith(b"CAPABILITY"):
                                connection.sendall(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + b" OK done\r\n")
                            elif command.upper().startswith(b"LOGOUT"):
                                connection.sendall(b"* BYE\r\n" + tag + b" OK bye\r\n")
                            else:
                                connection.sendall(tag + b" BAD no\r\n")
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()
        self.thread.join(timeout=10)


def test_a_server_without_tls_is_refused_before_the_password_is_sent(store):
    server = _PlainServer()
    try:
        with pytest.raises(MailServerError) as refused:
            import_imap(store, MailAccount("127.0.0.1", "owner@shop.example", server.port), "hunter2-secret")
    finally:
        server.close()
    assert str(refused.value) == (
        f"The mail server 127.0.0.1 offers no TLS on port {server.port}, and Tracker never sends a password "
        "unencrypted; use its IMAPS port (usually 993) or ask the provider to turn on TLS."
    )
    assert b"hunter2" not in server.received and b"owner@shop.example" not in server.received


def test_a_server_that_cannot_be_reached_is_one_sentence(store):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    with pytest.raises(MailServerError, match=rf"^Cannot reach the mail server 127.0.0.1 on port {port} \("):
        import_imap(store, MailAccount("127.0.0.1", "me@shop.example", port), "x")


@pytest.mark.parametrize(
    ("host", "user", "port", "said"),
    [
        ("", "me@shop.example", 993, "Give the mail server's host name"),
        ("imap example.com", "me@shop.example", 993, "is not a host name"),
        ("x" * 300, "me@shop.example", 993, "is not a host name"),
        ("imap.example.com", " ", 993, "Give the user name"),
        ("imap.example.com", "me\x00@shop.example", 993, "is not a user name"),
        ("imap.example.com", "me@shop.example", 0, "is not a port"),
    ],
)
def test_an_account_that_cannot_be_one_is_refused_before_connecting(store, host, user, port, said):
    with pytest.raises(InvalidInput, match=said):
        import_imap(store, MailAccount(host, user, port), "x")


# Folder names and UID sets -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "wire"),
    [("INBOX", "INBOX"), ("Envoyés", "Envoy&AOk-s"), ("Q&A", "Q&-A"), ("日本語", "&ZeVnLIqe-"), ("a~b", "a~b")],
)
def test_folder_names_go_to_and_from_modified_utf7(name, wire):
    assert encode_folder(name) == wire
    assert decode_folder(wire.encode("ascii")) == name


def test_uid_sets_are_written_with_ranges():
    assert _uid_set([1, 2, 3, 7, 9, 10]) == "1:3,7,9:10"
    assert _uid_set([5]) == "5"


# The command line and the keyring ------------------------------------------------------------------------------


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    kept = MemoryKeyring()
    keyring.set_keyring(kept)
    yield kept
    keyring.set_keyring(before)


class Prompts:
    """Stands in for the password prompt: answers with `answers` (the last one again once they run out) and keeps
    each prompt's arguments in `asked`."""

    def __init__(self) -> None:
        self.asked: list[dict] = []
        self.answers = [PASSWORD]

    def __call__(self, text: str, **options: object) -> str:
        self.asked.append({"text": text, **options})
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture
def prompts(monkeypatch) -> Prompts:
    answering = Prompts()
    monkeypatch.setattr("click.prompt", answering)
    return answering


def cli_args(dovecot: Dovecot, me: str, *more: str) -> list[str]:
    return ["import", "imap", "--host", "127.0.0.1", "--user", me, "--port", str(dovecot.imaps_port),
            "--ca-file", str(dovecot.cafile), *more]  # fmt: skip


def test_the_password_is_asked_once_and_kept_in_the_keyring(
    capsys, db_path, dovecot, me, memory_keyring, prompts, add_contact
):
    add_contact(ANNA, first_name="Anna")
    add_contact(BEN, first_name="Ben")
    fill(dovecot, me)
    first = run_json(capsys, db_path, *cli_args(dovecot, me))
    assert len(prompts.asked) == 1 and prompts.asked[0]["hide_input"] is True
    assert prompts.asked[0]["text"] == f"Password for {me} on 127.0.0.1"
    assert memory_keyring.passwords == {("Tracker IMAP 127.0.0.1", me): PASSWORD}
    assert (first["messages"], first["interactions"], first["skipped"]) == (
        5,
        3,
        {"newsletter or notification": 1, "not a contact": 1},
    )
    assert first["folders"]["INBOX"]["last_uid"] == 4 and first["folders"]["Sent"]["messages"] == 1
    assert set(first["folders"]["INBOX"]) == {"uidvalidity", "last_uid", "messages"}

    out = run_ok(capsys, db_path, *cli_args(dovecot, me))  # from the keyring: no second prompt
    assert len(prompts.asked) == 1
    assert "Imported 0 messages" in out and "INBOX: 0 new messages, read up to UID 4" in out
    assert "Batch" not in out
    assert PASSWORD not in out

    out = run_ok(capsys, db_path, *cli_args(dovecot, me, "--forget-password"))
    assert out.strip() == f"Removed the password kept for {me} on 127.0.0.1."
    assert memory_keyring.passwords == {}
    with opened(db_path) as store:
        assert len(interactions(store)) == 3


def test_a_wrong_password_typed_is_not_kept(capsys, db_path, dovecot, me, memory_keyring, prompts):
    prompts.answers[:] = ["wrong"]
    line = assert_usage_error(run(capsys, db_path, *cli_args(dovecot, me)))
    assert "refused the user name or password" in line and "wrong" not in line
    assert memory_keyring.passwords == {}


def test_a_kept_password_the_server_refuses_says_how_to_replace_it(capsys, db_path, dovecot, me, memory_keyring):
    store_password("127.0.0.1", me, "out-of-date")
    line = assert_usage_error(run(capsys, db_path, *cli_args(dovecot, me)))
    assert "--forget-password" in line and "out-of-date" not in line


def test_without_a_keyring_the_password_is_asked_each_time(capsys, db_path, dovecot, me, prompts, monkeypatch):
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        for _ in range(2):
            code, _out, err = run(capsys, db_path, *cli_args(dovecot, me))
            assert code == 0, err
            assert err.startswith("Note: No system keyring can keep the password here")
    finally:
        keyring.set_keyring(before)
    assert len(prompts.asked) == 2


def test_the_keyring_helpers_keep_one_password_per_host_and_user(memory_keyring):
    assert stored_password("imap.example.com", "me@shop.example") is None
    store_password("IMAP.example.com", "me@shop.example", "pw")
    assert stored_password("imap.example.com", "me@shop.example") == "pw"
    assert stored_password("imap.example.com", "other@shop.example") is None
    assert forget_password("imap.example.com", "me@shop.example") is True
    assert forget_password("imap.example.com", "me@shop.example") is False


def test_nobody_is_asked_for_a_password_for_a_server_that_cannot_be_verified(
    capsys, db_path, dovecot, me, memory_keyring, prompts
):
    args = ["import", "imap", "--host", "127.0.0.1", "--user", me, "--port", str(dovecot.imaps_port)]
    line = assert_usage_error(run(capsys, db_path, *args))
    assert "certificate" in line and prompts.asked == [] and memory_keyring.passwords == {}


def test_a_folder_of_many_messages_is_read_in_batches(store, dovecot, me, trusted, contacts):
    many = [message(ANNA if n % 2 else BEN, me, f"Note {n}", 1 + n % 28, mid=f"<m{n}@example.com>") for n in range(600)]
    dovecot.deliver(me, *many)
    seen: list[tuple[int, int]] = []
    report = run_import(store, dovecot, me, trusted, progress=lambda *done: seen.append(done))
    add_up(report)
    assert (report.messages, report.interactions, report.folders["INBOX"].last_uid) == (600, 600, 600)
    assert seen == [(250, 600), (500, 600), (600, 600), (600, 600)]  # each FETCH batch, then the batch's end


def test_a_password_with_accented_letters_reaches_the_server(store, dovecot, me, trusted):
    with pytest.raises(LoginRefused):  # sent as UTF-8 by AUTHENTICATE PLAIN, and refused as the wrong one
        import_imap(store, MailAccount("127.0.0.1", me, dovecot.imaps_port), "pässwört-ß", context=trusted)
