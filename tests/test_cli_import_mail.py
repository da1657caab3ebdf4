"""`tracker import mail PATH...`: the issue's contract (messages = interactions + skipped, --me, --add-unknown,
--dry-run, --json), the interactions it makes in `tracker interactions --json`, `tracker imports` and
`tracker undo-import`; bad input is one line and exit 2 with nothing written. Outcomes are checked in the database."""

from __future__ import annotations

from test_cli import assert_usage_error, opened, run, run_json, run_ok
from test_import_mail import ME, mail, write_mbox


def seed(db_path, tmp_path):
    with opened(db_path) as store:
        store.contacts.add(first_name="Anna", email="anna@example.com")
    return write_mbox(
        tmp_path / "All mail.mbox",
        [
            mail(f"Owner <{ME}>", "Anna <anna@example.com>", "Your order", mid="<c1@shop>"),
            mail("Anna <anna@example.com>", ME, "Re: Your order", mid="<c2@example>"),
            mail("Ben Olsen <ben@example.com>", ME, "Hello", mid="<c3@example>"),
            mail("news@example.com", ME, "Sale", mid="<c4@example>", List_Unsubscribe="<mailto:x@example.com>"),
        ],
    )


def test_import_mail_json_contract_and_interactions(capsys, db_path, tmp_path):
    box = seed(db_path, tmp_path)
    document = run_json(capsys, db_path, "import", "mail", box, "--me", ME)
    assert document["messages"] == document["interactions"] + sum(document["skipped"].values()) == 4
    assert document["interactions"] == 2 and document["contacts_created"] == 0
    assert document["skipped"] == {"newsletter or notification": 1, "not a contact": 1}
    assert document["me"] == [ME] and isinstance(document["batch"], int)
    listed = run_json(capsys, db_path, "interactions")["interactions"]
    with opened(db_path) as store:
        anna = store.contacts.require("anna@example.com").id
    assert sorted((i["kind"], i["occurred_at"][:10], i["contact_id"], i["note"]) for i in listed) == [
        ("contacted", "2026-12-01", anna, "Your order"),
        ("email_reply", "2026-12-01", anna, "Re: Your order"),
    ]
    (batch,) = run_json(capsys, db_path, "imports")["imports"]
    assert (batch["id"], batch["kind"], batch["rows"]) == (document["batch"], "mail", 4)
    again = run_json(capsys, db_path, "import", "mail", box)  # the owner is remembered
    assert again["interactions"] == 0 and again["skipped"]["already imported"] == 2


def test_add_unknown_with_a_dry_run_first_then_undo(capsys, db_path, tmp_path):
    box = seed(db_path, tmp_path)
    preview = run_json(capsys, db_path, "import", "mail", box, "--add-unknown", "--dry-run")
    assert (preview["contacts_created"], preview["batch"], preview["interactions"]) == (1, None, 3)
    with opened(db_path) as store:
        assert store.contacts.count() == 1 and store.interactions.count() == 0
    done = run_json(capsys, db_path, "import", "mail", box, "--add-unknown")
    assert done["contacts_created"] == 1
    with opened(db_path) as store:
        assert store.contacts.require("ben@example.com").name == "Ben Olsen"
        assert store.interactions.count() == 3
    text = run_ok(capsys, db_path, "undo-import", str(done["batch"]))
    assert "removed 1 contact, 3 interactions" in text
    with opened(db_path) as store:
        assert store.contacts.count() == 1 and store.interactions.count() == 0


def test_text_output_names_the_batch_and_the_owner(capsys, db_path, tmp_path):
    box = seed(db_path, tmp_path)
    out = run_ok(capsys, db_path, "import", "mail", box, "--me", ME)
    assert "Imported 4 messages" in out and f"Your addresses: {ME}" in out and "tracker undo-import 1" in out


def test_bad_input_is_one_line_and_exit_2(capsys, db_path, tmp_path):
    text_file = tmp_path / "notes.txt"
    text_file.write_text("just some notes\n")
    for args, expected in [
        ((tmp_path / "missing.mbox",), "does not exist"),
        ((text_file,), "is not a mailbox"),
        ((tmp_path,), "holds no mailbox"),
        ((text_file, "--me", "not-an-address"), "not an e-mail address"),
    ]:
        line = assert_usage_error(run(capsys, db_path, "import", "mail", *args))
        assert expected in line
    assert_usage_error(run(capsys, db_path, "import", "mail"))  # no path at all: a usage error
    with opened(db_path) as store:
        assert store.imports.list() == [] and store.interactions.count() == 0
