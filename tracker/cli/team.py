"""Commands of the team database: moving a file's data in (`share --to`)."""

from __future__ import annotations

import click

from tracker.cli.base import cli, emit_json, json_option, with_store
from tracker.core.errors import InvalidInput
from tracker.core.store import Store
from tracker.core.store.copy import copy_database
from tracker.core.store.postgres import is_url


@cli.command(name="share")
@click.option("--to", "url", required=True, metavar="URL", help="The team database: postgresql://USER@HOST/DATABASE.")
@json_option
@with_store
def share_command(store: Store, url: str, as_json: bool) -> None:
    """Copy this database into an empty team database on PostgreSQL (this file is left as it is).

    Every row is copied in one transaction and the counts are compared on both sides; a team database that
    already holds contacts is refused.

    Example: tracker share --to postgresql://anna@shop-server/shop
    """
    if not is_url(url):
        raise InvalidInput(f"{url} is not a team database's address; give postgresql://USER@HOST/DATABASE.")
    with Store.open(url) as team:
        copied = copy_database(store, team)
        where = team.describe()
    if as_json:
        emit_json({"to": where, "copied": copied})
        return
    click.echo(
        f"Copied {copied['contacts']:,} contacts, {copied['interactions']:,} interactions and "
        f"{copied['follow_ups']:,} follow-ups into {where}; open it with --db {url} (or set TRACKER_DB)."
    )
