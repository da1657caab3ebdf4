"""Commands of the team database: moving a file's data in (`share --to`), its members and their roles (`team`)."""

from __future__ import annotations

import sys

import click

from tracker.cli.base import TrackerGroup, cli, command_store, emit_json, json_option, table, with_store
from tracker.core.errors import InvalidInput
from tracker.core.paths import Target
from tracker.core.store import Store, team_roles
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


def _team_database(target: Target) -> str:
    if not is_url(target):
        raise InvalidInput(
            "Team members and roles belong to a team database; open one with --db postgresql://USER@HOST/DATABASE."
        )
    return str(target)


@cli.group(name="team", cls=TrackerGroup)
def team_group() -> None:
    """Who works in the team database and with which role: staff (contacts, interactions, follow-ups) or owner
    (also kinds, settings, imports and their undo, deleting contacts). The database server enforces it.

    Example: tracker --db postgresql://anna@shop-server/shop team add ben --role staff
    """


@team_group.command(name="add")
@click.argument("name")
@click.option("--role", type=click.Choice(team_roles.ROLES), required=True, help="staff or owner.")
@click.option("--password-stdin", is_flag=True, help="Read the new member's password from standard input.")
@json_option
@click.pass_context
def team_add(ctx: click.Context, name: str, role: str, password_stdin: bool, as_json: bool) -> None:
    """Give NAME a role in this team database (a server login is made if there is none of that name), or change
    a member's role (the last owner stays owner).

    Without --password-stdin no password is set: the server's own rules (pg_hba.conf) decide how NAME logs in.
    Needs the database's owner with the right to create roles.

    Example: echo "$PASSWORD" | tracker team add ben --role staff --password-stdin
    """
    url = _team_database(ctx.obj["db"])
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with command_store(url) as store:
        added = team_roles.add_member(team_roles.connection(store), name, role, password)
        where = store.describe()
    if as_json:
        emit_json({"database": where, **added})
        return
    if added["was"] == role:
        click.echo(f"In {where}: {name} already has the {role} role.")
    elif added["was"] is not None:
        click.echo(f"In {where}: {name} now has the {role} role instead of {added['was']}.")
    else:
        made = "made a login for" if added["created"] else "gave the existing login"
        click.echo(f"In {where}: {made} {name} with the {role} role.")


@team_group.command(name="remove")
@click.argument("name")
@json_option
@click.pass_context
def team_remove(ctx: click.Context, name: str, as_json: bool) -> None:
    """Take NAME out of this team database's team: from then on the server refuses NAME this database.

    Only the team is changed: the server login NAME itself stays, with its password, its roles in other team
    databases and whatever it owns elsewhere (drop it on the server if it should go). Refused for yourself,
    for the last owner and for a name not in the team. Needs the database's owner with the right to create
    roles.

    Example: tracker --db postgresql://anna@shop-server/shop team remove ben
    """
    url = _team_database(ctx.obj["db"])
    with command_store(url) as store:
        removed = team_roles.remove_member(team_roles.connection(store), name)
        where = store.describe()
    if as_json:
        emit_json({"database": where, **removed})
        return
    click.echo(
        f"In {where}: took {name} ({removed['was']}) out of the team; the server login {name} itself is left as it is."
    )


@team_group.command(name="list")
@json_option
@click.pass_context
def team_list(ctx: click.Context, as_json: bool) -> None:
    """List the members of this team database and their roles.

    Example: tracker --db postgresql://anna@shop-server/shop team list --json
    """
    url = _team_database(ctx.obj["db"])
    with command_store(url) as store:
        found = team_roles.members(team_roles.connection(store))
        where = store.describe()
    if as_json:
        emit_json({"database": where, "members": found})
        return
    if not found:
        click.echo(f"{where.capitalize()} has no team members yet; add one with: tracker team add NAME --role staff")
        return
    click.echo(
        table(["name", "role", "login"], [(m["name"], m["role"], "yes" if m["can_log_in"] else "no") for m in found])
    )
