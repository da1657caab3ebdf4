"""`tracker import calendar`: the meetings in an .ics export (Google Calendar, Outlook, Apple Calendar) as
interactions with the contacts who were at them, one undoable batch."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.base import emit_json, json_option, user_day, with_store
from tracker.cli.imports import import_group
from tracker.core.operations import imports as import_ops
from tracker.core.store import Store


@import_group.command(name="calendar")
@click.argument("file", type=click.Path(path_type=Path), metavar="FILE.ics")
@click.option(
    "--me",
    "me",
    multiple=True,
    metavar="ADDRESS",
    help="One of your own e-mail addresses (repeatable; default: the ones given before, else found in the file).",
)
@click.option("--add-unknown", is_flag=True, help="Add the people you met who are not contacts yet as contacts.")
@click.option("--until", "until", metavar="DATE", help="Read events up to this day (default today).")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@json_option
@with_store
def import_calendar_command(
    store: Store, file: Path, me: tuple[str, ...], add_unknown: bool, until: str | None, dry_run: bool, as_json: bool
) -> None:
    """Import the meetings in a calendar export (.ics) as interactions with the contacts who were at them.

    An event becomes a meeting with each contact at it. Repeating events count up to today; cancelled and declined
    events, events without other people or with more than 20, and events with no contact (unless --add-unknown) are
    skipped. Importing the same file again adds nothing. In --json, "events" counts occurrences read, "interactions"
    those that became meetings (events = interactions + skipped) and "interactions_created" the meetings written.

    Example: tracker import calendar ~/Downloads/calendar.ics --me me@myshop.com
    """
    result = import_ops.import_calendar(
        store, file, until=user_day(until), me=me, add_unknown=add_unknown, dry_run=dry_run
    )
    report = result.report
    if as_json:
        emit_json(
            {
                "events": report.rows,
                "interactions": report.created,
                "interactions_created": report.counts()["interactions_created"],
                "contacts_created": report.contacts_created,
                "skipped": dict(sorted(report.skipped.items())),
                "batch": report.batch_id,
                "dry_run": dry_run,
            }
        )
        return
    click.echo(result.summary)
    if report.batch_id:
        click.echo(f"Batch {report.batch_id}; undo with: tracker undo-import {report.batch_id}")
