"""`tracker import mail`: the owner's mailbox files (Takeout/Thunderbird/Apple Mail .mbox, .eml, Outlook .msg, and
folders of them) as interactions with their contacts, one undoable batch."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.base import emit_json, json_option, with_store
from tracker.cli.imports import import_group
from tracker.core.operations import imports as import_ops
from tracker.core.store import Store


@import_group.command(name="mail")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="PATH...")
@click.option(
    "--me",
    "me",
    multiple=True,
    metavar="ADDRESS",
    help="One of your own e-mail addresses (repeatable; default: the ones given before, else the most frequent "
    "sender in the files).",
)
@click.option("--add-unknown", is_flag=True, help="Add the people you wrote with who are not contacts yet.")
@click.option("--dry-run", is_flag=True, help="Show what would happen (and how many contacts would be added).")
@json_option
@with_store
def import_mail_command(
    store: Store, paths: tuple[Path, ...], me: tuple[str, ...], add_unknown: bool, dry_run: bool, as_json: bool
) -> None:
    """Import e-mail as interactions: a message from a contact is an email_reply, one you wrote to a contact is
    'contacted' (a follow-up handled, not engagement); the subject is the note, bodies are never stored.

    Newsletters and notifications, mail to more than 20 people, your own internal mail, blocklisted addresses and
    people who are not contacts (unless --add-unknown) are skipped; importing the same mail again adds nothing.
    "messages" = "interactions" (messages that made at least one) + the skipped ones.

    Example: tracker import mail ~/Downloads/Takeout/Mail/All\\ mail.mbox --me me@myshop.com --dry-run
    """
    result = import_ops.import_mail(store, list(paths), me=me, add_unknown=add_unknown, dry_run=dry_run)
    report = result.report
    if as_json:
        emit_json(report.to_dict())
        return
    click.echo(result.summary)
    me_used = getattr(report, "me", [])
    if me_used:
        click.echo(f"Your addresses: {', '.join(me_used)} (change with --me)")
    if report.batch_id:
        click.echo(f"Batch {report.batch_id}; undo with: tracker undo-import {report.batch_id}")
