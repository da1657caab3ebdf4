"""Importing mail as interactions: every rule on mailboxes the tests write (mixed encodings, encoded names,
multipart, broken dates, one message in two files, bulk mail, mass mail, internal mail, blocklist, unknown
correspondents), .eml folders and a real Outlook .msg; one batch that undo takes back, dry runs, re-imports that add
nothing, and counts that add up (messages = interactions + skipped) in every test."""

from __future__ import annotations

import mailbox
import random
from datetime import UTC, date, datetime
from email.header import Header
from email.message import EmailMessage
from pathlib import Path

import pytest

from tracker.core.engagement import classify as classify_all
from tracker.core.errors import ImportCancelled, InvalidInput
from tracker.core.followups import Priority, suggest_follow_ups
from tracker.core.importing.mail import MailReport, import_mail
from tracker.core.importing.mail_messages import (
    OLE_MAGIC,
    MailFiles,
    MailMessage,
    decode_words,
    mbox_blocks,
    parse_header_block,
)
from tracker.core.importing.mail_rules import SenderCount, is_machine
from tracker.core.operations import imports as import_ops
from tracker.core.operations import settings as setting_ops
from tracker.core.store.messages import owner_addresses
from tracker.core.store.text_settings import read_list

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
ME = "owner@shop.example"
NOON = "Tue, 01 Dec 2026 12:00:00 +0000"


def raw(headers: list[tuple[str, str | bytes]], body: bytes = b"Hello,\n\nsee you soon.\n") -> bytes:
    """A message's bytes exactly as given (8-bit header bytes, encoded words and all)."""
    lines = [
        name.encode("ascii") + b": " + (value if isinstance(value, bytes) else value.encode())
        for name, value in headers
    ]
    return b"\n".join(lines) + b"\n\n" + body


def mail(sender: str, to: str, subject: str, *, date: str = NOON, mid: str | None = None, **extra: str) -> bytes:
    fields: list[tuple[str, str | bytes]] = [("From", sender), ("To", to), ("Subject", subject), ("Date", date)]
    if mid:
        fields.append(("Message-ID", mid))
    fields += [(name.replace("_", "-"), value) for name, value in extra.items()]
    return raw(fields)


def write_mbox(
    path: Path, messages: list[bytes], *, separator_time: tuple | None = (2026, 1, 2, 3, 4, 5, 0, 1, 0)
) -> Path:
    """An mbox of these messages (mailbox escapes body lines starting 'From '); the separator lines carry
    `separator_time` (None: no date in them)."""
    box = mailbox.mbox(path)
    for message in messages:
        entry = mailbox.mboxMessage(message)
        entry.set_from("MAILER-DAEMON", separator_time if separator_time else None)
        box.add(entry)
    box.flush()
    box.close()
    if separator_time is None:  # mailbox writes the clock's time: take it out again
        text = path.read_bytes().split(b"\n")
        path.write_bytes(
            b"\n".join(b"From MAILER-DAEMON" if line.startswith(b"From MAILER-DAEMON ") else line for line in text)
        )
    return path


def counted(report: MailReport) -> MailReport:
    """The report, after checking that its counts add up."""
    assert report.messages == report.interactions + sum(report.skipped.values())
    assert report.interactions <= report.interactions_created
    return report


def notes(store, email: str) -> list[tuple[str, str, str]]:
    """(kind, day, note) of a contact's interactions, oldest first."""
    contact = store.contacts.require(email)
    return sorted((i.kind, i.occurred_at[:10], i.note) for i in store.interactions.list(contact_id=contact.id))


@pytest.fixture
def anna(add_contact):
    return add_contact("anna@example.com", first_name="Anna", last_name="Berg")


# What a message means ------------------------------------------------------------------------------------------


def test_a_reply_is_an_email_reply_and_the_owners_message_is_contacted(store, tmp_path, anna):
    box = write_mbox(
        tmp_path / "all.mbox",
        [
            mail(f"Owner <{ME}>", "Anna <anna@example.com>", "Your order", mid="<1@shop>"),
            mail(
                f"Owner <{ME}>",
                "Anna <anna@example.com>",
                "Your parcel",
                mid="<2@shop>",
                date="Wed, 02 Dec 2026 12:00:00 +0000",
            ),
            mail(
                "Anna Berg <anna@example.com>",
                ME,
                "Re: Your order",
                mid="<3@example>",
                date="Thu, 03 Dec 2026 12:00:00 +0000",
            ),
        ],
    )
    report = counted(import_mail(store, [box]))
    assert report.me == [ME]  # the most frequent sender
    assert (report.messages, report.interactions, report.skipped) == (3, 3, {})
    assert notes(store, "anna@example.com") == [
        ("contacted", "2026-12-01", "Your order"),
        ("contacted", "2026-12-02", "Your parcel"),
        ("email_reply", "2026-12-03", "Re: Your order"),
    ]
    assert owner_addresses(store) == [ME]  # kept for the next import
    batch = store.imports.get(report.batch_id)
    assert batch.kind == "mail" and batch.counts["rows"] == 3 and batch.counts["interactions_created"] == 3


def test_one_message_to_two_contacts_is_one_interaction_message_and_two_rows(store, tmp_path, anna, add_contact):
    add_contact("carl@example.com", first_name="Carl")
    box = write_mbox(tmp_path / "a.mbox", [mail(ME, "anna@example.com, Carl <carl@example.com>", "Both", mid="<b@x>")])
    report = counted(import_mail(store, [box], me=[ME]))
    assert (report.interactions, report.interactions_created) == (1, 2)
    assert notes(store, "carl@example.com") == [("contacted", "2026-12-01", "Both")]


def test_bodies_are_never_stored_and_multipart_mail_reads_by_its_headers(store, tmp_path, anna):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"], message["Date"] = "anna@example.com", ME, "Photos", NOON
    message["Message-ID"] = "<multi@example>"
    message.set_content("Secret body text\nFrom the shop, with love\nSubject: not a header\n")
    message.add_attachment(b"\x89PNG" * 200, maintype="image", subtype="png", filename="photo.png")
    box = write_mbox(tmp_path / "a.mbox", [message.as_bytes(), mail(ME, "anna@example.com", "Hi", mid="<h@x>")])
    report = counted(import_mail(store, [box], me=[ME]))
    assert report.interactions == 2
    assert notes(store, "anna@example.com") == [
        ("contacted", "2026-12-01", "Hi"),
        ("email_reply", "2026-12-01", "Photos"),
    ]
    stored = " ".join(str(row) for row in store.conn.execute("SELECT * FROM interactions"))
    assert "Secret" not in stored and "PNG" not in stored


def test_mixed_encodings_and_encoded_words_in_names(store, tmp_path):
    japanese, sato = Header("会議の件", "iso-2022-jp").encode(), Header("佐藤", "iso-2022-jp").encode()
    messages = [
        raw([("From", "=?utf-8?q?Ren=C3=A9e_Dupont?= <renee@example.fr>"), ("To", ME),
             ("Subject", "=?utf-8?B?Q2Fmw6kgY3LDqG1l?="), ("Date", NOON), ("Message-ID", "<e1@x>")]),
        raw([("From", "=?iso-8859-1?q?J=F6rg_M=FCller?= <joerg@example.de>"), ("To", ME),
             ("Subject", b"Gr\xfc\xdfe aus K\xf6ln"), ("Date", NOON), ("Message-ID", "<e2@x>")]),  # raw Latin-1
        raw([("From", f"{sato} <sato@example.jp>"), ("To", ME),
             ("Subject", japanese), ("Date", NOON), ("Message-ID", "<e3@x>")]),
        raw([("From", "Zoë Ångström <zoe@example.se>".encode()), ("To", ME),
             ("Subject", "Tack så mycket".encode()), ("Date", NOON), ("Message-ID", "<e4@x>")]),  # raw UTF-8
        raw([("From", "=?x-unknown?q?Bogus?= <bogus@example.com>"), ("To", ME),
             ("Subject", "=?utf-8?B?broken!?="), ("Date", NOON), ("Message-ID", "<e5@x>")]),
    ]  # fmt: skip
    box = write_mbox(tmp_path / "a.mbox", messages)
    report = counted(import_mail(store, [box], me=[ME], add_unknown=True))
    assert (report.interactions, report.contacts_created) == (5, 5)
    renee = store.contacts.require("renee@example.fr")
    assert (renee.first_name, renee.last_name) == ("Renée", "Dupont")
    assert store.contacts.require("joerg@example.de").last_name == "Müller"
    assert store.contacts.require("sato@example.jp").name == "佐藤"
    assert store.contacts.require("zoe@example.se").first_name == "Zoë"
    assert store.contacts.require("bogus@example.com").name == "Bogus"
    assert notes(store, "renee@example.fr")[0][2] == "Café crème"
    assert notes(store, "joerg@example.de")[0][2] == "Grüße aus Köln"
    assert notes(store, "sato@example.jp")[0][2] == "会議の件"
    assert notes(store, "zoe@example.se")[0][2] == "Tack så mycket"
    assert notes(store, "bogus@example.com")[0][2] == "=?utf-8?B?broken!?="  # kept as written, never an error


def test_encoded_words_split_inside_a_character_still_read():
    # "é" is C3 A9 in UTF-8; one word ends after C3, the next starts with A9 (some mailers split so)
    assert decode_words("=?utf-8?B?Q2Fmww==?= =?utf-8?B?qQ==?=") == "Café"
    assert decode_words("plain  text\t here") == "plain text here"


# Dates -----------------------------------------------------------------------------------------------------------


def test_an_unreadable_date_falls_back_to_received_then_the_separator_else_is_skipped(store, tmp_path, anna):
    received = "by mx.shop.example with ESMTP; Fri, 04 Dec 2026 12:00:00 +0000"
    box = write_mbox(
        tmp_path / "a.mbox",
        [
            mail("anna@example.com", ME, "Received says", date="not a date", mid="<d1@x>", Received=received),
            mail("anna@example.com", ME, "Separator says", date="31 Foo 2026", mid="<d2@x>"),
        ],
        separator_time=(2026, 12, 5, 12, 0, 0, 0, 1, 0),
    )
    report = counted(import_mail(store, [box], me=[ME]))
    assert report.interactions == 2
    assert [(day, note) for _, day, note in notes(store, "anna@example.com")] == [
        ("2026-12-04", "Received says"),
        ("2026-12-05", "Separator says"),
    ]
    bare = write_mbox(tmp_path / "b.mbox", [mail("anna@example.com", ME, "No date", date="yesterday", mid="<d3@x>")],
                      separator_time=None)  # fmt: skip
    report = counted(import_mail(store, [bare], me=[ME]))
    assert report.skipped == {"unreadable date": 1}


# Noise -----------------------------------------------------------------------------------------------------------


def test_newsletters_and_notifications_are_skipped(store, tmp_path, add_contact):
    for name in ("shop", "list", "bot", "vacation", "human"):
        add_contact(f"{name}@example.com")
    add_contact("noreply@example.com")
    add_contact("notifications@example.com")
    box = write_mbox(
        tmp_path / "a.mbox",
        [
            mail("shop@example.com", ME, "Sale", mid="<n1@x>", List_Unsubscribe="<mailto:u@example.com>"),
            mail("list@example.com", ME, "Digest", mid="<n2@x>", Precedence="bulk"),
            mail("bot@example.com", ME, "Out of office", mid="<n3@x>", Auto_Submitted="auto-replied"),
            mail("noreply@example.com", ME, "Your receipt", mid="<n4@x>"),
            mail("notifications@example.com", ME, "New login", mid="<n5@x>"),
            mail("vacation@example.com", ME, "Junk", mid="<n6@x>", Precedence="junk"),
            mail("human@example.com", ME, "A real note", mid="<n7@x>", Auto_Submitted="no"),
        ],
    )
    report = counted(import_mail(store, [box], me=[ME]))
    assert report.skipped == {"newsletter or notification": 6}
    assert notes(store, "human@example.com") == [("email_reply", "2026-12-01", "A real note")]


def test_mail_to_more_than_20_people_is_skipped(store, tmp_path, anna):
    crowd = ", ".join(f"p{i}@example.com" for i in range(20))
    box = write_mbox(
        tmp_path / "a.mbox",
        [
            mail(ME, f"anna@example.com, {crowd}", "Announcement", mid="<m1@x>"),  # 21 recipients
            mail(ME, f"anna@example.com, {', '.join(crowd.split(', ')[:19])}", "Twenty", mid="<m2@x>"),
        ],
    )
    report = counted(import_mail(store, [box], me=[ME]))
    assert report.skipped == {"more than 20 recipients": 1}
    assert notes(store, "anna@example.com") == [("contacted", "2026-12-01", "Twenty")]


def test_the_owners_internal_mail_is_skipped_but_a_public_domain_is_not_internal(store, tmp_path, add_contact):
    add_contact("colleague@shop.example")
    add_contact("friend@gmail.com")
    box = write_mbox(
        tmp_path / "a.mbox",
        [
            mail(ME, "colleague@shop.example", "Stock count", mid="<i1@x>"),
            mail("colleague@shop.example", ME, "Re: Stock count", mid="<i2@x>"),
            mail(ME, "owner.private@gmail.com", "Note to self", mid="<i3@x>"),
            mail("owner.private@gmail.com", "friend@gmail.com", "Dinner?", mid="<i4@x>"),
        ],
    )
    report = counted(import_mail(store, [box], me=[ME, "owner.private@gmail.com"]))
    assert report.skipped == {"owner's internal mail": 3}
    assert notes(store, "friend@gmail.com") == [("contacted", "2026-12-01", "Dinner?")]
    assert notes(store, "colleague@shop.example") == []


def test_blocklisted_addresses_and_domains_are_skipped(store, tmp_path, anna, add_contact):
    add_contact("rep@supplier.example")
    add_contact("bob@example.org")
    setting_ops.set_mail_blocklist(store, ["supplier.example", "Bob@Example.org"])
    box = write_mbox(
        tmp_path / "a.mbox",
        [
            mail("rep@supplier.example", ME, "Invoice", mid="<k1@x>"),
            mail("Rep <rep@eu.supplier.example>", ME, "Invoice EU", mid="<k2@x>"),
            mail(ME, "bob@example.org", "Hi Bob", mid="<k3@x>"),
            mail(ME, "bob@example.org, anna@example.com", "Hi both", mid="<k4@x>"),
        ],
    )
    report = counted(import_mail(store, [box], me=[ME]))
    assert report.skipped == {"blocklisted": 3}
    assert notes(store, "anna@example.com") == [("contacted", "2026-12-01", "Hi both")]
    assert notes(store, "bob@example.org") == []


def test_blocklist_setting_is_undoable(store):
    result = setting_ops.set_mail_blocklist(store, ["spam.example", " ", "spam.example"])
    assert read_list(store.conn, "mail_blocklist") == ["spam.example"]
    result.undo.apply(store)
    assert read_list(store.conn, "mail_blocklist") == []
    with pytest.raises(InvalidInput):
        setting_ops.set_mail_blocklist(store, ["not an address or domain"])


# Contacts --------------------------------------------------------------------------------------------------------


def test_people_who_are_not_contacts_are_skipped_unless_added(store, tmp_path, anna):
    box = write_mbox(
        tmp_path / "a.mbox",
        [
            mail("Maria Lopez <maria@example.es>", ME, "Question", mid="<u1@x>"),
            mail(ME, "Maria Lopez <maria@example.es>", "Answer", mid="<u2@x>"),
            mail(ME, "anna@example.com", "Hello", mid="<u3@x>"),
        ],
    )
    report = counted(import_mail(store, [box], me=[ME]))
    assert (report.interactions, report.skipped, report.contacts_created) == (1, {"not a contact": 2}, 0)
    assert store.contacts.by_email("maria@example.es") is None
    report = counted(import_mail(store, [box], add_unknown=True))  # the owner is remembered from the first import
    assert report.me == [ME]
    assert (report.interactions, report.contacts_created, report.skipped) == (2, 1, {"already imported": 1})
    maria = store.contacts.require("maria@example.es")
    assert (maria.first_name, maria.last_name) == ("Maria", "Lopez")
    made_by = store.conn.execute("SELECT import_id FROM contacts WHERE id = ?", (maria.id,)).fetchone()[0]
    assert made_by == report.batch_id
    assert [kind for kind, _, _ in notes(store, "maria@example.es")] == ["contacted", "email_reply"]


def test_a_contacts_other_address_finds_them(store, tmp_path, anna):
    store.contacts.update(anna.id, more_emails=["anna.berg@work.example"])
    box = write_mbox(tmp_path / "a.mbox", [mail("anna.berg@work.example", ME, "From work", mid="<o1@x>")])
    report = counted(import_mail(store, [box], me=[ME]))
    assert report.interactions == 1
    assert notes(store, "anna@example.com") == [("email_reply", "2026-12-01", "From work")]


# Owner's addresses -----------------------------------------------------------------------------------------------


def test_the_owner_is_the_most_frequent_sender_of_mail_that_is_not_bulk(store, tmp_path, anna):
    messages = [
        mail("news@example.com", ME, f"News {i}", mid=f"<nl{i}@x>", List_Id="<news.example.com>") for i in range(5)
    ]
    messages += [mail(ME, "anna@example.com", f"Note {i}", mid=f"<me{i}@x>") for i in range(2)]
    messages += [mail("anna@example.com", ME, "Reply", mid="<r@x>")]
    report = counted(import_mail(store, [write_mbox(tmp_path / "a.mbox", messages)]))
    assert report.me == [ME]
    assert report.interactions == 3


def test_given_addresses_replace_the_stored_ones(store, tmp_path, anna):
    box = write_mbox(tmp_path / "a.mbox", [mail("other@shop.example", "anna@example.com", "Hi", mid="<g@x>")])
    counted(import_mail(store, [box], me=[ME]))
    assert owner_addresses(store) == [ME]
    report = counted(import_mail(store, [box], me=["other@shop.example", ME]))
    assert owner_addresses(store) == ["other@shop.example", ME]
    assert notes(store, "anna@example.com") == [("contacted", "2026-12-01", "Hi")] and report.interactions == 1
    with pytest.raises(InvalidInput, match="not an e-mail address"):
        import_mail(store, [box], me=["nobody"])


# Files -----------------------------------------------------------------------------------------------------------


def test_the_same_message_in_two_files_is_added_once(store, tmp_path, anna):
    message = mail("anna@example.com", ME, "Twice", mid="<same@example>")
    box = write_mbox(tmp_path / "a.mbox", [message, mail(ME, "anna@example.com", "Once", mid="<once@x>")])
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "twice.eml").write_bytes(message)
    report = counted(import_mail(store, [box, folder], me=[ME]))
    assert (report.messages, report.interactions, report.skipped) == (3, 2, {"already imported": 1})
    assert len(notes(store, "anna@example.com")) == 2


def test_messages_without_message_id_are_known_again_by_sender_date_and_subject(store, tmp_path, anna):
    box = write_mbox(
        tmp_path / "a.mbox", [mail("anna@example.com", ME, "No id"), mail("anna@example.com", ME, "No id 2")]
    )
    first = counted(import_mail(store, [box], me=[ME]))
    again = counted(import_mail(store, [box], me=[ME]))
    assert (first.interactions, again.interactions, again.skipped) == (2, 0, {"already imported": 2})


def test_a_folder_of_eml_files_is_read_in_name_order(store, tmp_path, anna):
    folder = tmp_path / "exported"
    (folder / "sub").mkdir(parents=True)
    (folder / "1.eml").write_bytes(mail("anna@example.com", ME, "First", mid="<f1@x>"))
    (folder / "sub" / "2.EML").write_bytes(mail(ME, "anna@example.com", "Second", mid="<f2@x>"))
    (folder / "notes.txt").write_text("not mail")
    (folder / "broken.eml").write_bytes(b"\x00\x01 nothing here")
    report = counted(import_mail(store, [folder], me=[ME]))
    assert (report.messages, report.interactions) == (2, 2)


def test_a_thunderbird_profile_folder_and_an_apple_mail_export_are_read(store, tmp_path, anna):
    profile = tmp_path / "Mail" / "Local Folders"
    profile.mkdir(parents=True)
    write_mbox(profile / "Sent", [mail(ME, "anna@example.com", "From Thunderbird", mid="<tb@x>")])
    (profile / "Sent.msf").write_text('// <!-- <mdb:mork:z v="1.4"/> -->')
    (profile / "README").write_text("not mail, no suffix")
    apple = tmp_path / "Inbox.mbox"
    apple.mkdir()
    write_mbox(apple / "mbox", [mail("anna@example.com", ME, "From Apple Mail", mid="<am@x>")])
    (apple / "Info.plist").write_text("<plist/>")
    report = counted(import_mail(store, [tmp_path / "Mail", apple], me=[ME]))
    assert (report.messages, report.interactions) == (2, 2)
    assert [note for _, _, note in notes(store, "anna@example.com")] == ["From Thunderbird", "From Apple Mail"]


def test_an_outlook_msg_file_is_read(store, add_contact):
    """A real .msg saved from Outlook's Sent Items (no internet headers: everything comes from MAPI properties)."""
    (message,) = MailFiles([FIXTURES / "jotlmsg_sent.msg"]).messages()
    assert message.sender[1] == "sender@jotlmsg.com"
    assert message.recipients == [("Cédric", "cedric@jotlmsg.com")]
    assert message.subject == "This is a message"
    assert message.moment == datetime(2018, 2, 27, 23, 0, tzinfo=UTC).astimezone().replace(tzinfo=None)
    # the sender and Cédric share a private domain: one colleague to another, the owner's internal mail
    report = counted(import_mail(store, [FIXTURES / "jotlmsg_sent.msg"], dry_run=True))
    assert report.me == ["sender@jotlmsg.com"] and report.skipped == {"owner's internal mail": 1}
    sender = add_contact("sender@jotlmsg.com", first_name="Sender")
    report = counted(import_mail(store, [FIXTURES / "jotlmsg_sent.msg"], me=[ME]))
    assert report.interactions == 1
    (interaction,) = store.interactions.list(contact_id=sender.id)
    assert (interaction.kind, interaction.note, interaction.occurred_at[:7]) == (
        "email_reply",
        "This is a message",
        "2018-02",
    )


def test_a_damaged_msg_in_a_folder_is_skipped_as_unreadable(store, tmp_path, anna):
    folder = tmp_path / "outlook"
    folder.mkdir()
    (folder / "damaged.msg").write_bytes(OLE_MAGIC + b"\x00" * 600)
    (folder / "fine.eml").write_bytes(mail("anna@example.com", ME, "Fine", mid="<fine@x>"))
    report = counted(import_mail(store, [folder], me=[ME]))
    assert (report.interactions, report.skipped) == (1, {"unreadable message": 1})


def test_a_body_line_starting_from_is_not_a_new_message(store, tmp_path, anna):
    fields = [("From", "anna@example.com"), ("To", ME), ("Subject", "Quote"), ("Date", NOON), ("Message-ID", "<q@x>")]
    text = raw(fields, body=b"Hello\nFrom me to you, thanks\n")
    path = tmp_path / "raw.mbox"
    path.write_bytes(b"From MAILER-DAEMON Tue Dec  1 12:00:00 2026\n" + text)
    report = counted(import_mail(store, [path], me=[ME]))
    assert (report.messages, report.interactions) == (1, 1)


@pytest.mark.parametrize("content", [b"", b"name,email\nAnna,anna@example.com\n", b"root:x:0:0:root:/root:/bin/bash\n"])
def test_a_file_that_is_not_mail_is_refused_with_nothing_written(store, tmp_path, content):
    path = tmp_path / "contacts.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match="is not a mailbox"):
        import_mail(store, [path])
    with pytest.raises(InvalidInput, match="does not exist"):
        import_mail(store, [tmp_path / "missing.mbox"])
    with pytest.raises(InvalidInput, match="holds no mailbox"):
        import_mail(store, [tmp_path])
    assert store.imports.list() == []


# One batch -------------------------------------------------------------------------------------------------------


def test_undo_removes_exactly_what_the_import_added(store, tmp_path, anna, log):
    log(anna, "purchase", "2026-11-01", amount=20)
    box = write_mbox(tmp_path / "a.mbox", [mail("New Person <new@example.com>", ME, "Hi", mid="<x1@x>"),
                                           mail(ME, "anna@example.com", "Hello", mid="<x2@x>")])  # fmt: skip
    report = counted(import_mail(store, [box], me=[ME], add_unknown=True))
    assert (report.interactions, report.contacts_created) == (2, 1)
    result = import_ops.undo_import(store, report.batch_id)
    assert result.counts["contacts_removed"] == 1 and result.counts["interactions_removed"] == 2
    assert store.contacts.by_email("new@example.com") is None
    assert notes(store, "anna@example.com") == [("purchase", "2026-11-01", "")]
    again = counted(import_mail(store, [box], me=[ME]))  # undone: importing again adds it back
    assert again.interactions == 1 and again.skipped == {"not a contact": 1}


def test_a_dry_run_counts_and_writes_nothing(store, tmp_path, anna):
    box = write_mbox(tmp_path / "a.mbox", [mail("someone@example.com", ME, "Hi", mid="<y1@x>"),
                                           mail(ME, "anna@example.com", "Hello", mid="<y2@x>")])  # fmt: skip
    report = counted(import_mail(store, [box], add_unknown=True, dry_run=True))
    assert (report.interactions, report.contacts_created, report.batch_id) == (2, 1, None)
    assert report.me == [ME]
    assert store.interactions.count() == 0 and store.contacts.count() == 1
    assert store.imports.list() == [] and owner_addresses(store) == []


def test_reimporting_adds_nothing(store, tmp_path, anna):
    box = write_mbox(
        tmp_path / "a.mbox", [mail(ME, "anna@example.com", f"Note {i}", mid=f"<z{i}@x>") for i in range(3)]
    )
    counted(import_mail(store, [box]))
    again = counted(import_mail(store, [box]))
    assert (again.interactions, again.interactions_created, again.skipped) == (0, 0, {"already imported": 3})
    assert store.interactions.count() == 3


def test_progress_is_reported_and_a_cancel_writes_nothing(store, tmp_path, anna):
    box = write_mbox(tmp_path / "a.mbox", [mail(ME, "anna@example.com", f"N{i}", mid=f"<p{i}@x>") for i in range(4500)])
    seen: list[tuple[int, int]] = []
    report = counted(import_mail(store, [box], me=[ME], progress=lambda done, size: seen.append((done, size))))
    assert report.interactions == 4500
    size = box.stat().st_size
    assert seen[-1] == (size, size) and all(0 < done <= size for done, _ in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    import_ops.undo_import(store, report.batch_id)
    with pytest.raises(ImportCancelled):
        import_mail(store, [box], me=[ME], cancelled=lambda: True)
    assert store.interactions.count() == 0 and len(store.imports.list()) == 1


def test_the_operation_says_what_changed(store, tmp_path, anna):
    box = write_mbox(tmp_path / "a.mbox", [mail(ME, "anna@example.com", "Hello", mid="<op@x>")])
    result = import_ops.import_mail(store, [box], me=[ME])
    assert result.ids == (result.report.batch_id,) and result.changes.interactions
    assert "1 became interactions" in result.summary


# Follow-ups ------------------------------------------------------------------------------------------------------


def test_writing_to_a_drifting_customer_handles_the_win_back_without_raising_their_level(store, tmp_path, anna, log):
    log(anna, "purchase", "2026-08-01", amount=30)
    as_of = date(2026, 12, 2)
    before_level = {e.contact_id: (e.level, e.score, e.days_since) for e in classify_all(store, as_of)}
    (suggestion,) = suggest_follow_ups(store, as_of)
    assert suggestion.priority is Priority.WIN_BACK
    box = write_mbox(tmp_path / "a.mbox", [mail(ME, "anna@example.com", "We miss you", mid="<w@x>")])  # 2026-12-01
    counted(import_mail(store, [box], me=[ME]))
    assert suggest_follow_ups(store, as_of) == []  # the day after the owner wrote
    assert {e.contact_id: (e.level, e.score, e.days_since) for e in classify_all(store, as_of)} == before_level
    assert [s.priority for s in suggest_follow_ups(store, date(2026, 12, 20))] == [Priority.WIN_BACK]  # unanswered


def test_a_reason_that_arose_after_the_owner_wrote_is_still_suggested(store, tmp_path, anna, log):
    box = write_mbox(tmp_path / "a.mbox", [mail(ME, "anna@example.com", "Checking in", mid="<c@x>")])  # 2026-12-01
    counted(import_mail(store, [box], me=[ME]))
    log(anna, "nps", "2026-12-02", score=3)  # unhappy after the owner wrote
    (suggestion,) = suggest_follow_ups(store, date(2026, 12, 3))
    assert suggestion.priority is Priority.DETRACTOR


def test_a_contacted_logged_by_hand_counts_too(store, anna, log):
    log(anna, "purchase", "2026-08-01", amount=30)
    log(anna, "contacted", "2026-12-01")
    assert suggest_follow_ups(store, date(2026, 12, 2)) == []


# The rules on their own ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "machine"),
    [
        ("noreply@shop.example", True),
        ("No-Reply+orders@shop.example", True),
        ("noreply-billing@shop.example", True),
        ("donotreply@bank.example", True),
        ("MAILER-DAEMON@mx.example", True),
        ("notifications@github.example", True),
        ("norene@example.com", False),
        ("anna@example.com", False),
    ],
)
def test_machine_senders(address, machine):
    assert is_machine(address) is machine


def test_the_owner_of_equally_frequent_senders_is_the_one_written_to_most():
    def message(sender: str, to: str) -> MailMessage:
        return MailMessage(("", sender), [("", to)], "s", datetime(2026, 12, 1, 12), "")

    senders = SenderCount()
    for sender, to in [
        (ME, "a@example.com"),
        (ME, "b@example.com"),
        ("a@example.com", ME),
        ("b@example.com", "a@x.com"),
    ]:
        senders.add(message(sender, to))
    assert senders.owner() == [ME]
    tie = SenderCount()
    tie.add(message("a@example.com", "b@example.com"))
    tie.add(message("b@example.com", "a@example.com"))
    assert tie.owner() == []  # nothing tells them apart: the user is asked (--me)


def test_an_owner_address_given_in_capitals_is_kept_as_the_index_compares_it(store, tmp_path, anna):
    box = write_mbox(tmp_path / "a.mbox", [mail(ME, "anna@example.com", "Hi", mid="<cap@x>")])
    report = counted(import_mail(store, [box], me=["Owner@Shop.Example"]))
    assert report.me == [ME] and owner_addresses(store) == [ME] and report.interactions == 1


def test_adding_unknown_people_needs_to_know_the_owner(store, tmp_path):
    messages = [
        mail("a@shop.example", "b@elsewhere.example", "1", mid="<t1@x>"),
        mail("b@elsewhere.example", "a@shop.example", "2", mid="<t2@x>"),
    ]
    box = write_mbox(tmp_path / "a.mbox", messages)
    with pytest.raises(InvalidInput, match="Which address is yours"):
        import_mail(store, [box], add_unknown=True)
    assert store.contacts.count() == 0 and store.imports.list() == []
    report = counted(import_mail(store, [box], me=["a@shop.example"], add_unknown=True))
    assert (report.contacts_created, report.interactions) == (1, 2)
    assert store.contacts.by_email("a@shop.example") is None


@pytest.mark.parametrize("chunk", [7, 64, 1000, 1 << 20])
@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_mbox_blocks_find_every_message_whatever_the_chunk_size(tmp_path, chunk, newline):
    """The chunked scanner against the standard library's mbox on one file: same messages, same headers, whatever
    the chunk size (separators and header ends straddling chunks) and line ending."""
    rng = random.Random(chunk)
    messages = []
    for number in range(60):
        body = b"".join(
            rng.choice([b"text line\n", b"From the body, escaped by mailbox\n", b"\n", b"Subject: not a header\n"])
            for _ in range(rng.randrange(0, 30))
        )
        fields = [("From", f"p{number}@example.com"), ("Subject", f"n{number}"), ("Message-ID", f"<{number}@x>")]
        messages.append(raw(fields, body=body))
    path = write_mbox(tmp_path / "a.mbox", messages)
    if newline == b"\r\n":
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    expected = [message["Message-ID"] for message in mailbox.mbox(path)]
    with path.open("rb") as handle:
        blocks = list(mbox_blocks(handle, chunk))
    assert [parse_header_block(header)["message-id"][0] for _, header, _ in blocks] == expected
    assert all(separator.startswith(b"From MAILER-DAEMON") for separator, _, _ in blocks)
    assert [offset for _, _, offset in blocks] == sorted(offset for _, _, offset in blocks)
    assert blocks[-1][2] <= path.stat().st_size
