"""The `tracker` command group, what every command shares (options, output, opening the store) and the entry
point that turns errors into one line on stderr with exit code 2."""

from __future__ import annotations

import errno
import functools
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker import __version__
from tracker.core.backups import offer_backup
from tracker.core.dates import parse_day, parse_moment
from tracker.core.errors import (
    DamagedDatabase,
    ImportHint,
    ImportRejected,
    StoreBusy,
    StoreError,
    TrackerError,
    UnknownKind,
    with_remedy,
)
from tracker.core.paths import Target, as_target, default_target
from tracker.core.store import Store
from tracker.core.store.connection import translate_error

if TYPE_CHECKING:
    from tracker.core.importing.report import Problem


def check_value(ctx: click.Context, param: click.Parameter, value: object) -> None:
    """Refuse, as a usage error naming the option, a value no command can use: text that is not valid UTF-8
    (POSIX hands undecodable argv bytes over as lone surrogates, which SQLite and the terminal cannot encode) or
    a file name the file system calls too long. (A NUL character is refused before parsing, in parse_args.)"""
    for item in value if isinstance(value, tuple | list) else (value,):
        if not isinstance(item, str | Path):
            continue
        text = os.fspath(item)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            hint = ", or rename the file" if isinstance(param.type, click.Path) else ""
            raise click.BadParameter(
                f"it is not valid UTF-8 text (check the terminal's character encoding{hint}).", ctx=ctx, param=param
            ) from None
        if isinstance(param.type, click.Path):
            try:
                os.stat(text)
            except OSError as exc:
                if exc.errno == errno.ENAMETOOLONG:
                    raise click.BadParameter(
                        "the file name is too long for the file system.", ctx=ctx, param=param
                    ) from None


class _CheckedValues:
    """Refuses NUL characters in the raw arguments, then checks every parsed value with check_value, before the
    command runs (mixed into commands and groups)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if any("\x00" in arg for arg in args):  # before click.Path's stat, which raises ValueError on it
            raise click.UsageError("An argument contains a NUL character, which no name or text can hold.", ctx)
        rest = super().parse_args(ctx, args)  # type: ignore[misc]
        if not ctx.resilient_parsing:
            for param in self.get_params(ctx):  # type: ignore[attr-defined]
                check_value(ctx, param, ctx.params.get(param.name))
        return rest


class TrackerCommand(_CheckedValues, click.Command):
    """A command whose arguments are checked (check_value) where they enter."""


class TrackerGroup(_CheckedValues, click.Group):
    """Lists commands in the order they were added, which follows a user's day rather than the alphabet; its
    commands are TrackerCommands and its own options are checked the same way."""

    command_class = TrackerCommand

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def emit_json(document: dict) -> None:
    click.echo(json.dumps(document, ensure_ascii=False, indent=2, default=str))


def emit_json_list(key: str, items: Sequence[object]) -> None:
    """Print {key: items} exactly as emit_json does, one item at a time: the whole text of a long list (and the
    pure-Python encoder's pieces of it, with indent) would take several times the list's memory."""
    if not items:
        emit_json({key: []})
        return
    click.echo(f"{{\n  {json.dumps(key, ensure_ascii=False)}: [")
    for number, item in enumerate(items, 1):
        text = json.dumps(item, ensure_ascii=False, indent=2, default=str).replace("\n", "\n    ")
        click.echo(f"    {text}{',' if number < len(items) else ''}")
    click.echo("  ]\n}")


def table(columns: Sequence[str], rows: Iterable[Sequence[object]], *, whole: Sequence[str] = ("id",)) -> str:
    """Plain aligned columns for a terminal; long cells are cut with an ellipsis, except in the `whole`
    columns, which a user copies into the next command (an id must come out exactly)."""
    cells = [[("" if v is None else str(v)).replace("\n", " ") for v in row] for row in rows]
    keep = [name in whole for name in columns]
    cells = [[c if len(c) <= 40 or k else c[:39] + "…" for c, k in zip(row, keep, strict=True)] for row in cells]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(columns)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def open_store(db_path: Target) -> Store:
    """Open the database; if it cannot be, say so in one sentence that offers the newest good backup."""
    try:
        return Store.open(db_path)
    except StoreError as exc:
        if isinstance(exc, StoreBusy) or isinstance(db_path, str):
            raise
        raise StoreError(offer_backup(Path(db_path), str(exc))) from None


@contextmanager
def command_store(db_path: Target) -> Iterator[Store]:
    """The store for one command, closed after it. A damaged file is only read: a reading command prints what it
    can (to look and to export), then every command ends with the one sentence that offers the newest good
    backup, exit code 2 (its writes were refused before anything was written)."""
    with open_store(db_path) as store:
        damaged = store.damaged
        if not damaged:
            store.daily_backup()
        try:
            yield store
        except (TrackerError, sqlite3.DatabaseError) as exc:
            if damaged:
                raise DamagedDatabase(damaged) from None
            if isinstance(exc, sqlite3.DatabaseError):  # damage that quick_check did not see, met while reading
                problem = str(translate_error(exc, str(store.path)))
                raise StoreError(offer_backup(store.path, problem) if store.path else problem) from None
            raise
        if damaged:
            raise DamagedDatabase(damaged)


def with_store(fn: Callable) -> Callable:
    """Open the database named by --db / TRACKER_DB (or the default) for the command and close it after."""

    @click.pass_context
    @functools.wraps(fn)
    def wrapper(ctx: click.Context, *args, **kwargs):
        with command_store(ctx.obj["db"]) as store:
            return ctx.invoke(fn, store, *args, **kwargs)

    return wrapper


def user_day(text: str | None) -> date:
    """A day typed on the command line (nothing means today). The CLI is the outer layer: the one that reads the
    clock; the core is given the day."""
    return parse_day(text, today=date.today())


def user_moment(text: str | None) -> datetime:
    """A moment typed on the command line (nothing means now), relative to the clock."""
    return parse_moment(text, now=datetime.now())


#: Ids and counts as SQLite can hold them (64-bit); anything larger is an input error, not a crash.
ID = click.IntRange(1, 2**63 - 1)
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of text.")
as_of_option = click.option("--as-of", "as_of", metavar="DATE", help="Evaluate as of this date (default today).")


@click.group(cls=TrackerGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db",
    metavar="PATH|URL",
    type=click.Path(),  # text: a file's path, or a team database's address
    help="Database file, or a team database's address postgresql://USER@HOST/DATABASE (default: $TRACKER_DB, "
    "else tracker.db in your user data folder).",
)
@click.version_option(__version__, prog_name="tracker")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Tracker: your customers, what they did, and who to contact next.

    Run without a command to open the desktop window.

    \b
    Examples:
      tracker import contacts customers.csv
      tracker log anna@example.com purchase --amount 35
      tracker followups --export today.csv
    """
    ctx.ensure_object(dict)
    if db == "":
        raise click.BadParameter("give a database file or address", param_hint="'--db'")
    ctx.obj["db"] = as_target(db) if db else default_target()
    if ctx.invoked_subcommand is None:
        from tracker.ui.app import run_app

        explicit = as_target(db) if db else (default_target() if os.environ.get("TRACKER_DB") else None)
        ctx.exit(run_app(explicit))


# Entry point ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: usage and input errors are one line on stderr with exit code 2, never a traceback."""
    try:
        cli.main(args=argv, prog_name="tracker", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        _fail(f"{exc.format_message()}{hint}")
    except click.Abort:
        _fail("Cancelled.", 1)
    except ImportRejected as exc:
        _fail(exc.with_remedy(import_remedy(exc)))
    except UnknownKind as exc:
        _fail(with_remedy(str(exc), hint_remedy(ImportHint.UNKNOWN_KIND)))
    except TrackerError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("Interrupted; nothing half-written was kept.", 130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # a bug: still one line, the traceback only on request
        if os.environ.get("TRACKER_DEBUG"):
            raise
        _fail(f"Unexpected error ({type(exc).__name__}: {exc}); set TRACKER_DEBUG=1 to see details.", 1)
    sys.exit(0)


def import_remedy(exc: ImportRejected) -> str | None:
    """What to change on the command line so that a rejected file imports (the core's hint in flags)."""
    return hint_remedy(exc.hint, exc.field)


def hint_remedy(hint: ImportHint | None, field: str | None = None) -> str | None:
    """The core's hint as the command line does it: its flags and commands."""
    if hint is ImportHint.ENCODING:
        return "try another --encoding, e.g. cp1252"
    if hint is ImportHint.MAPPING:
        return f"say which column with --map 'Column={field or 'email'}'"
    if hint is ImportHint.KIND:
        return "say which column with --map 'Column=kind' or give every row one with --kind"
    if hint is ImportHint.COLUMN_CHOICE:
        return "check the --map values"
    if hint is ImportHint.UNKNOWN_KIND:
        return "add it with `tracker kinds add NAME --stage LEVEL`"
    return None


def row_reason(problem: Problem) -> str:
    """Why an import row was rejected or warned about, with what to do in CLI terms."""
    return problem.worded(hint_remedy(problem.hint))


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"tracker: {message.splitlines()[0] if message else 'error'}", err=True)
    sys.exit(code)
