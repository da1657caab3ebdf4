"""Commands that keep the data safe: backups, restore, and the integrity check."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from tracker.cli.base import cli, emit_json, json_option, table, with_store
from tracker.core.backups import (
    Backups,
    connect_read_only,
    integrity_check,
    read_only_location,
    restore_beside,
    unread_changes,
    write_backup,
)
from tracker.core.errors import InvalidInput, StoreBusy, StoreError
from tracker.core.operations import imports as import_ops
from tracker.core.safe_write import check_target
from tracker.core.store import Store

# Backups and checks -----------------------------------------------------------------------------------


def backup_team(store: Store, target: Path) -> Path:
    """Copy a team database into a new Tracker file at `target` (refused if a file is there: nothing of it is
    overwritten); a failed copy leaves no file."""
    from tracker.core.store.copy import copy_database

    if target.exists():
        raise InvalidInput(f"{target} exists already; give the name of a new file for the backup.")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with Store.open(partial) as copy:
            copy_database(store, copy)
        partial.replace(target)
    finally:
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
    return target


def file_only(ctx: click.Context, why: str) -> Path:
    """The database file the command works on; a team database is refused in one sentence saying `why`."""
    target = ctx.obj["db"]
    if isinstance(target, str):
        from tracker.core.store.postgres import describe

        raise InvalidInput(f"{describe(target).capitalize()} {why}.")
    return Path(target)


@cli.command(name="backup")
@click.option(
    "--to",
    "target",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Write the backup here instead of the backups folder beside the database.",
)
@json_option
@with_store
def backup_command(store: Store, target: Path | None, as_json: bool) -> None:
    """Back up the database now (verified with SQLite's quick_check); a team database into an ordinary
    Tracker file (--to), which opens like any other.

    Example: tracker backup --to /media/usb/tracker-2026-11-23.db
    """
    if store.url is not None:  # a team database: its data into an ordinary Tracker file
        if target is None:
            raise InvalidInput("A team database is backed up into a file you name: tracker backup --to FILE.db.")
        document = {"path": str(backup_team(store, target))}
    elif target is not None:
        if target.is_dir():
            raise InvalidInput(f"{target} is a folder; give a file name for the backup.")
        check_target(target, database=store.path)  # never the database's -wal/-journal or its backups folder
        path = write_backup(store.conn, target)
        document = {"path": str(path)}
    else:
        if store.backups is None:
            raise InvalidInput("An in-memory database cannot be backed up to a folder; use --to PATH.")
        document = store.backups.take(store.conn, "manual").to_dict()
    if as_json:
        emit_json(document)
    else:
        click.echo(f"Backed up to {document['path']}.")


@cli.command(name="backups")
@json_option
@click.pass_context
def backups_command(ctx: click.Context, as_json: bool) -> None:
    """List the backups beside the database, newest first (works even if the database is damaged).

    Example: tracker backups --json
    """
    backups = Backups(file_only(ctx, "keeps no backup files; take one with `tracker backup --to FILE.db`")).list()
    if as_json:
        emit_json({"backups": [b.to_dict() for b in backups]})
        return
    click.echo(
        table(
            ("id", "when", "why", "contacts"),
            [(b.id, f"{b.created:%Y-%m-%d %H:%M}", b.reason, b.contacts) for b in backups],
        )
    )


@cli.command(name="restore")
@click.argument("id_or_path", metavar="ID_OR_PATH")
@click.pass_context
def restore_command(ctx: click.Context, id_or_path: str) -> None:
    """Put a backup back (the current state is backed up first); a damaged database is left untouched and the
    backup is written to a new file beside it.

    Example: tracker restore 20261123-091500-daily
    """
    db_path = file_only(ctx, "is not restored from a backup file; its owner restores it on the server")
    backups = Backups(db_path)
    source = backups.find(id_or_path)
    if db_path.exists() and read_only_location(db_path):
        raise StoreError(
            f"{db_path} is in a read-only location, so no backup can be restored into it or beside it; "
            f"copy {source} to a writable folder and open it there."
        )
    Store.check_restorable(source)  # only a sound Tracker database this version can open
    try:
        store = Store.open(db_path)
    except StoreError as exc:
        if isinstance(exc, StoreBusy) or not db_path.is_file():
            raise
        store = None
    if store is None or store.damaged:
        if store is not None:
            store.close()
        recovered = restore_beside(source, db_path)
        click.echo(
            f"{db_path.name} cannot be opened, so it was left as it is. The backup was restored into "
            f"{recovered}; use it with --db {recovered} (or open it from the app)."
        )
        return
    with store:
        click.echo(import_ops.restore(store, str(source)).summary)


@cli.command(name="check")
@click.pass_context
def check_command(ctx: click.Context) -> None:
    """Run SQLite's integrity check on the database (read-only) and say what it found.

    Example: tracker check
    """
    db_path = file_only(ctx, "is checked by its server, not by `tracker check`")
    if not db_path.is_file():
        raise InvalidInput(f"There is no database at {db_path}.")
    read_only = read_only_location(db_path)
    try:
        conn = connect_read_only(db_path)
        try:
            found = integrity_check(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if read_only and isinstance(exc, sqlite3.OperationalError) and unread_changes(db_path):
            raise StoreError(
                f"{db_path} is in a read-only location and its latest changes are in {db_path.name}-wal, which "
                "cannot be read there without its -shm file; copy the database with its -wal file to a writable "
                "folder to check it."
            ) from None
        found = [str(exc)]
    if found == ["ok"]:
        where = " (it is in a read-only location: it can be read, not changed)" if read_only else ""
        click.echo(f"{db_path}: the integrity check found no problems{where}.")
        return
    good = Backups(db_path).newest_good()
    offer = f" The newest good backup is {good.id}: `tracker restore {good.id}`." if good else ""
    raise StoreError(f"{db_path} is damaged ({'; '.join(found[:3])}).{offer}")
