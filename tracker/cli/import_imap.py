"""`tracker import imap`: the mail that arrived in a live mailbox (IMAP over TLS, read-only) since the last time, as
interactions with the contacts, one undoable batch; the password is asked once and kept in the system keyring."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.base import emit_json, json_option, with_store
from tracker.cli.imports import import_group
from tracker.core.importing.imap import IMAPS_PORT, LoginRefused, MailAccount
from tracker.core.operations import imports as import_ops
from tracker.core.passwords import NoKeyring, forget_password, store_password, stored_password
from tracker.core.store import Store


@import_group.command(name="imap")
@click.option("--host", required=True, metavar="HOST", help="The mail server, e.g. imap.fastmail.com.")
@click.option("--user", required=True, metavar="USER", help="The mailbox's user name, usually its e-mail address.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=IMAPS_PORT,
    show_default=True,
    help="993 is IMAP over TLS; 143 (or another) is upgraded with STARTTLS. Plain text is never used.",
)
@click.option(
    "--folder",
    "folders",
    multiple=True,
    metavar="F",
    help="A folder to read (repeatable; default: INBOX and the folder the server marks as Sent).",
)
@click.option(
    "--me",
    "me",
    multiple=True,
    metavar="ADDRESS",
    help="One of your own e-mail addresses (repeatable; default: the ones given before, and USER when it is one).",
)
@click.option("--add-unknown", is_flag=True, help="Add the people you wrote with who are not contacts yet.")
@click.option("--dry-run", is_flag=True, help="Show what would happen (and how many contacts would be added).")
@click.option(
    "--ca-file",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE.pem",
    help="Trust the certificates in this file instead of the system's (a self-hosted server's own authority).",
)
@click.option("--forget-password", is_flag=True, help="Remove the password kept in the keyring for USER on HOST.")
@json_option
@with_store
def import_imap_command(
    store: Store,
    host: str,
    user: str,
    port: int,
    folders: tuple[str, ...],
    me: tuple[str, ...],
    add_unknown: bool,
    dry_run: bool,
    ca_file: Path | None,
    forget_password: bool,
    as_json: bool,
) -> None:
    """Import new mail from your mailbox on the server as interactions, the way `tracker import mail` reads files:
    read-only (nothing is marked read), headers only, over TLS only, and only what arrived since the last import.

    The password is asked for once and kept in the system keyring (macOS Keychain, Windows Credential Manager,
    the Secret Service on Linux); where there is no keyring it is asked for each time. Many providers want an
    app password here; Gmail and Microsoft 365 accounts need OAuth instead: export an mbox and use
    `tracker import mail`.

    Example: tracker import imap --host imap.fastmail.com --user me@myshop.com --dry-run
    """
    account = MailAccount(host, user, port)
    if forget_password:
        _forget(account)
        return
    secret = _Password(account)
    try:
        result = import_ops.import_imap(
            store,
            account,
            secret,
            folders=folders,
            me=me,
            add_unknown=add_unknown,
            dry_run=dry_run,
            cafile=ca_file,
            logged_in=secret.logged_in,
        )
    except LoginRefused as exc:
        if secret.from_keyring:
            raise LoginRefused(
                f"{str(exc).rstrip('.')}; the password kept in the keyring may be out of date: run "
                f"tracker import imap --host {host} --user {user} --forget-password, then again."
            ) from None
        raise
    report = result.report
    if as_json:
        emit_json(report.to_dict())
        return
    click.echo(result.summary)
    for name, folder in getattr(report, "folders", {}).items():
        click.echo(f"{name}: {folder.messages:,} new messages, read up to UID {folder.last_uid}")
    if report.batch_id:
        click.echo(f"Batch {report.batch_id}; undo with: tracker undo-import {report.batch_id}")


class _Password:
    """The password, when the core asks for it (the server reached): the keyring's, else typed (hidden); a typed
    one goes into the keyring once the server has accepted it. Without a keyring it is typed each time."""

    def __init__(self, account: MailAccount):
        self.account = account
        self.from_keyring = False
        self.typed = ""

    def __call__(self) -> str:
        account = self.account
        try:
            kept = stored_password(account.host, account.user)
        except NoKeyring as exc:
            click.echo(f"Note: {exc}", err=True)
            return self._ask()
        if kept:
            self.from_keyring = True
            return kept
        self.typed = self._ask()
        return self.typed

    def logged_in(self) -> None:
        if not self.typed:
            return
        try:
            store_password(self.account.host, self.account.user, self.typed)
        except NoKeyring as exc:
            click.echo(f"Note: {exc}", err=True)

    def _ask(self) -> str:
        typed: str = click.prompt(f"Password for {self.account.user} on {self.account.host}", hide_input=True)
        return typed


def _forget(account: MailAccount) -> None:
    try:
        removed = forget_password(account.host, account.user)
    except NoKeyring as exc:
        click.echo(str(exc))
        return
    if removed:
        click.echo(f"Removed the password kept for {account.user} on {account.host}.")
    else:
        click.echo(f"No password was kept for {account.user} on {account.host}.")
