"""The import commands: contacts and interactions files, past imports, and undoing one."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click

from tracker.cli.base import ID, TrackerGroup, cli, emit_json, json_option, row_reason, table, with_store
from tracker.core.errors import InvalidInput
from tracker.core.importing import ImportReport
from tracker.core.importing.columns import parse_mapping_pairs
from tracker.core.operations import imports as import_ops
from tracker.core.safe_write import check_target
from tracker.core.store import Store

# Import ------------------------------------------------------------------------------------------


@cli.group(name="import", cls=TrackerGroup)
def import_group() -> None:
    """Import contacts or interactions from a CSV, vCard, workbook or Mailchimp .zip file, e-mail from mailbox
    files or the mail server, and meetings from a calendar (one undoable batch each).

    Examples: tracker import contacts google_contacts.csv --rejects problems.csv;
    tracker import mail Takeout/Mail/All.mbox
    """


def import_options(fn: Callable) -> Callable:
    for decorator in reversed(
        [
            click.argument("file", type=click.Path(path_type=Path)),
            json_option,
            click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing."),
            click.option("--encoding", help="The file's encoding, e.g. cp1252 (default: detected)."),
            click.option("--delimiter", help="Field delimiter, e.g. ';' or tab (default: detected)."),
            click.option(
                "--sheet",
                metavar="NAME",
                help="The sheet of an .xlsx/.xls/.ods workbook to read, by name or number (default: the first).",
            ),
            click.option(
                "--map",
                "mapping",
                multiple=True,
                metavar="COLUMN=FIELD",
                help="Say what a column holds, e.g. --map 'Courriel=email' (repeatable).",
            ),
            click.option(
                "--rejects",
                type=click.Path(path_type=Path),
                metavar="PATH",
                help="Write rejected rows, as they were, with a reason column.",
            ),
        ]
    ):
        fn = decorator(fn)
    return fn


def check_rejects_target(store: Store, rejects: Path | None, source: Path) -> None:
    """Refuse a --rejects file that must not be overwritten (the file being imported among them) before anything
    is imported."""
    if rejects is None:
        return
    target = check_target(rejects, database=store.path)
    try:
        same = target.exists() and os.path.samefile(target, source)
    except OSError:
        same = False
    if same:
        raise InvalidInput(f"{rejects} is the file being imported; give another file name for the rejected rows.")


def report_import(store: Store, report: ImportReport, as_json: bool, rejects: Path | None) -> None:
    if rejects is not None and report.rejected:
        report.write_rejects(rejects, database=store.path)
    if as_json:
        emit_json(report.to_dict())
        return
    click.echo(report.summary())
    read_as = f"{report.encoding}, delimiter {report.delimiter!r}" if report.delimiter else report.encoding
    click.echo(f"Read as {read_as}; columns: " + ", ".join(f"{k} → {v}" for k, v in report.mapping.items()))
    for problem in report.problems[:10]:
        label = "rejected" if problem.rejected else "warning"
        click.echo(f"  line {problem.line}: {label}: {row_reason(problem)}")
    if report.problem_count > 10:
        click.echo(f"  … and {report.problem_count - 10:,} more" + ("" if rejects else " (see --rejects PATH)"))
    if report.batch_id:
        click.echo(f"Batch {report.batch_id}; undo with: tracker undo-import {report.batch_id}")


@import_group.command(name="contacts")
@import_options
@with_store
def import_contacts_command(
    store: Store,
    file: Path,
    as_json: bool,
    dry_run: bool,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    mapping: tuple[str, ...],
    rejects: Path | None,
) -> None:
    """Import contacts (CSV, vCard .vcf, .xlsx/.ods workbook or Mailchimp .zip); duplicates merge by e-mail, then
    phone.

    Example: tracker import contacts google.csv --dry-run
    """
    check_rejects_target(store, rejects, file)
    result = import_ops.import_file(
        store,
        file,
        "contacts",
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        mapping=parse_mapping_pairs(mapping),
        dry_run=dry_run,
    )
    report_import(store, result.report, as_json, rejects)


@import_group.command(name="interactions")
@import_options
@click.option("--date-format", metavar="FORMAT", help="strptime format of the dates, e.g. %d/%m/%Y.")
@click.option("--kind", "default_kind", metavar="KIND", help="Kind for rows without a type column.")
@with_store
def import_interactions_command(
    store: Store,
    file: Path,
    as_json: bool,
    dry_run: bool,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    mapping: tuple[str, ...],
    rejects: Path | None,
    date_format: str | None,
    default_kind: str | None,
) -> None:
    """Import an activity log (email, date, type, amount, note) or a shop's order export.

    Example: tracker import interactions orders_export.csv
    """
    check_rejects_target(store, rejects, file)
    result = import_ops.import_file(
        store,
        file,
        "interactions",
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        mapping=parse_mapping_pairs(mapping),
        date_format=date_format,
        default_kind=default_kind,
        dry_run=dry_run,
    )
    report_import(store, result.report, as_json, rejects)


@cli.command(name="imports")
@json_option
@with_store
def imports_command(store: Store, as_json: bool) -> None:
    """List past imports, newest first.

    Example: tracker imports --json
    """
    batches = store.imports.list()
    if as_json:
        emit_json(
            {
                "imports": [
                    {
                        "id": b.id,
                        "kind": b.kind,
                        "source": b.source,
                        "started_at": b.started_at,
                        "undone_at": b.undone_at,
                        "by": b.by,
                        **b.counts,
                    }
                    for b in batches
                ]
            }
        )
        return
    click.echo(
        table(
            ("id", "kind", "file", "when", "rows", "created", "updated", "rejected", "undone"),
            [
                (
                    b.id,
                    b.kind,
                    Path(b.source).name,
                    b.started_at,
                    b.counts.get("rows"),
                    b.counts.get("created"),
                    b.counts.get("updated"),
                    b.counts.get("rejected"),
                    b.undone_at or "",
                )
                for b in batches
            ],
        )
    )


@cli.command(name="undo-import")
@click.argument("batch_id", type=ID, metavar="ID")
@click.option(
    "--yes",
    is_flag=True,
    help="Go ahead even when work done since (on the contacts it made or fields it changed) goes too.",
)
@json_option
@with_store
def undo_import_command(store: Store, batch_id: int, yes: bool, as_json: bool) -> None:
    """Undo one import: remove what it created, restore what it changed.

    When interactions or follow-ups were added since to contacts it created, or they or the fields it changed were
    edited since, that would go too: the command says what and changes nothing unless --yes is given.

    Example: tracker undo-import 3
    """
    preview = import_ops.undo_preview(store, batch_id)
    if preview.later_work and not yes:
        raise InvalidInput(f"{preview.warning()}; run again with --yes to go ahead.")
    result = import_ops.undo_import(store, batch_id, force=yes)
    if as_json:
        emit_json(result.counts)
        return
    click.echo(result.summary)
