"""Every argument and option of every command, given hostile values: the contract of `tracker.cli.main` holds.

For each command (found by walking the click group, so a new command or option is covered without editing this
file) and each of its arguments and options, the command is run once with a valid baseline and that one value
replaced by a hostile one. Whatever the command makes of it, the outcome must be a clean one: exit code 0 or 2
(1 only for "Cancelled."), at most one line on stderr, no traceback and never the catch-all "Unexpected error"
(which is kept for real bugs; no user input may reach it).

Everything runs in-process through `main([...])` against a copy of one small database made once for the module.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import click
import keyring
import pytest
from cli_helpers import run

from tracker.cli import cli, main
from tracker.core.dates import parse_day, parse_moment
from tracker.core.engagement import classify, explain, level_counts
from tracker.core.errors import InvalidInput
from tracker.core.followups import suggest_follow_ups
from tracker.core.outlook.backtest import backtest
from tracker.core.outlook.forecast import forecast

FIXTURES = Path(__file__).parent / "fixtures"

#: Hostile values by name. <TMP> stands for the case's own temporary folder.
HOSTILE: dict[str, str] = {
    "empty": "",
    "whitespace": " \t ",
    "100k-chars": "x" * 100_000,
    "invalid-utf8": "anna\udcff@example.com",  # what Python makes of b"anna\xff@example.com" in argv on POSIX
    "nul-byte": "anna\x00@example.com",
    "minus-one": "-1",
    "zero": "0",
    "2**63": str(2**63),
    "1e309": "1e309",
    "nan": "nan",
    "inf": "inf",
    "0001-01-01": "0001-01-01",
    "9999-12-31": "9999-12-31",
    "10000-01-01": "10000-01-01",
    "2026-02-30": "2026-02-30",
    "tomorrow": "tomorrow",
    "+99999999d": "+99999999d",
    "-9999m": "-9999m",
    "300-char-name": "<TMP>/" + "n" * 300 + ".csv",
    "folder": "<TMP>",
    "missing-folder": "<TMP>/missing/file.csv",
    "dev-null": "/dev/null",
    "rot13": "rot13",  # a codec that exists but does not turn bytes into text (--encoding)
    "%Y%Y": "%Y%Y",  # a strptime format that names the year twice (--date-format)
}

#: Options that name a file Tracker writes (or creates): never given /dev/null, since the tests may run as root
#: and replacing /dev/null with a regular file would break the machine.
WRITTEN_PATHS = {"db", "export", "rejects", "target"}

#: A valid call of each command; a case replaces one value (or adds one option) to it.
BASELINE: dict[str, dict[str, object]] = {
    "": {},  # the group itself, for --db; run with `contacts`
    "import": {},
    "import contacts": {"file": str(FIXTURES / "google_contacts_sample.csv")},
    "import interactions": {"file": str(FIXTURES / "activity_log_sample.csv")},
    "import calendar": {"file": str(FIXTURES / "calendar" / "sample.ics"), "me": "owner@shop.example"},
    "import mail": {"paths": str(FIXTURES / "mail" / "sample.mbox"), "me": "me@shop.example"},
    "import imap": {"host": "127.0.0.1", "user": "owner@shop.example", "port": "<IMAP_PORT>", "ca_file": "<IMAP_CA>"},
    "imports": {},
    "undo-import": {"batch_id": "1"},
    "contacts": {},
    "add": {"first_name": "Bea"},
    "edit": {"contact": "anna@example.com"},
    "delete": {"contacts": "anna@example.com", "yes": True},
    "interactions": {},
    "log": {"contact": "anna@example.com", "kind": "purchase"},
    "followup": {"contact": "anna@example.com", "due": "+7d"},
    "followups": {},
    "done": {"follow_up_ids": "1"},
    "snooze": {"follow_up_ids": "1"},
    "explain": {"contact": "anna@example.com"},
    "levels": {},
    "kinds": {},
    "kinds add": {"name": "tasting", "stage": "Interest"},
    "settings": {},
    "settings set": {"name": "window_days", "value": "180"},
    "settings region": {"code": "GB"},
    "outlook": {},
    "backup": {},
    "backups": {},
    "restore": {"id_or_path": "<BACKUP>"},
    "check": {},
    "duplicates": {},
    "merge": {"keep": "#1", "other": "#2", "yes": True},
    # the team database's commands: here on a file, where they refuse in one sentence (or find no server);
    # test_team_database.py and test_team_roles.py run them on a real one
    "share": {"url": "postgresql://nobody@127.0.0.1:1/shop"},
    "team": {},
    "team add": {"name": "ben", "role": "staff"},
    "team list": {},
    "team remove": {"name": "ben"},
}
#: Commands whose baseline needs a team database server (their working calls are tested beside one).
NEEDS_SERVER = {("share",), ("team",), ("team", "add"), ("team", "list"), ("team", "remove")}

#: Cases that fail in code another change is rewriting right now; un-xfail them once it is merged.
OTHER_AREAS: dict[tuple[str, str, str], str] = {}


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = [(prefix, group)]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append(((*prefix, name), command))
    return found


def _takes_value(param: click.Parameter) -> bool:
    if isinstance(param, click.Option):
        return not param.is_flag and not param.hidden
    return isinstance(param, click.Argument)


def _cases() -> list:
    cases = []
    for path, command in _commands(cli):
        name = " ".join(path)
        assert name in BASELINE, f"add a valid call of `tracker {name}` to BASELINE"
        for param in command.params:
            if not _takes_value(param):
                continue
            for label, value in HOSTILE.items():
                if label == "dev-null" and param.name in WRITTEN_PATHS:
                    continue
                key = (name, param.name, label)
                marks = [pytest.mark.xfail(reason=OTHER_AREAS[key], strict=False)] if key in OTHER_AREAS else []
                cases.append(
                    pytest.param(path, param.name, value, id=f"{name or '--db'}|{param.name}|{label}", marks=marks)
                )
    return cases


def _argv(path: tuple[str, ...], name: str, value: str, backup_id: str) -> list[str]:
    """The command line: the group's options, the command, its options, then `--` and its arguments in order (so
    a value such as -1 reaches the argument instead of being read as an option)."""
    if not path:  # the group's own option (--db), checked with a command that opens the database
        return ["--db", value, "contacts"]
    command = cli
    for part in path:
        command = command.commands[part]
    values = {**BASELINE[" ".join(path)], name: value}
    options: list[str] = []
    arguments: list[str] = []
    for param in command.params:
        if param.name not in values:
            continue
        given = values[param.name]
        given = backup_id if given == "<BACKUP>" else given
        given = _IMAP.get(given, given) if isinstance(given, str) else given
        if isinstance(param, click.Argument):
            arguments.append(str(given))
        elif given is True:
            options.append(param.opts[0])
        else:
            options += [param.opts[0], str(given)]
    return [*path, *options, "--", *arguments] if arguments else [*path, *options]


#: The throwaway IMAP server's port and certificate, for `import imap` (filled in by the imap_server fixture).
_IMAP: dict[str, str] = {}


@pytest.fixture(scope="module")
def imap_server() -> Iterator[None]:
    """A Dovecot on loopback (tests/imap_server.py) and a keyring that knows every user's password there, for the
    cases of `import imap`; skipped where Dovecot is not installed."""
    from imap_server import PASSWORD, Dovecot, MemoryKeyring

    server = Dovecot()
    before = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring(default=PASSWORD))
    _IMAP.update({"<IMAP_PORT>": str(server.imaps_port), "<IMAP_CA>": str(server.cafile)})
    yield
    _IMAP.clear()
    keyring.set_keyring(before)
    server.stop()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, str]:
    """A small database (one contact with purchases and a follow-up, one import batch) and one backup's id."""
    folder = tmp_path_factory.mktemp("template")
    db = folder / "tracker.db"
    for args in (
        ["add", "--first-name", "Anna", "--email", "anna@example.com"],
        ["log", "anna@example.com", "purchase", "--at", "2026-05-01", "--amount", "35"],
        ["log", "anna@example.com", "purchase", "--at", "2026-08-01", "--amount", "20"],
        ["followup", "anna@example.com", "--due", "2026-12-01"],
        ["import", "contacts", str(FIXTURES / "excel_utf8_bom_sample.csv")],
        ["backup"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(["--db", str(db), *args])
        assert exit_info.value.code == 0, args
    return db, _backup_id(db)


def _backup_id(db: Path) -> str:
    from tracker.core.backups import Backups

    return Backups(db).list()[0].id


@pytest.mark.parametrize(("path", "name", "value"), _cases())
def test_hostile_argument_ends_cleanly(path, name, value, template, tmp_path, monkeypatch, capsys, request):
    source, backup_id = template
    if path == ("import", "imap"):
        request.getfixturevalue("imap_server")
    shutil.copytree(source.parent, tmp_path / "data")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # relative names (whitespace, "tomorrow") are written here, not in the repository
    monkeypatch.delenv("TRACKER_DEBUG", raising=False)
    value = value.replace("<TMP>", str(work))
    argv = ["--db", str(tmp_path / "data" / "tracker.db"), *_argv(path, name, value, backup_id)]

    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    code = exit_info.value.code

    shown = err[:300]
    assert "Unexpected error" not in err, shown
    assert "Traceback" not in out + err, shown
    assert len(err.splitlines()) <= 1, shown
    assert code in (0, 2) or (code == 1 and err.startswith("tracker: Cancelled")), (code, shown)
    if code == 2:
        assert err.startswith("tracker: "), shown


def test_every_command_has_a_baseline_that_works(template, tmp_path, monkeypatch, capsys, request):
    """The baselines are valid calls, so a hostile value is the only thing wrong in each case."""
    source, backup_id = template
    monkeypatch.chdir(tmp_path)
    for path, _command in _commands(cli):
        if not path or path == ("import",) or path in NEEDS_SERVER:
            continue
        if path == ("import", "imap"):
            try:
                request.getfixturevalue("imap_server")
            except pytest.skip.Exception:
                continue  # no Dovecot here: test_import_imap.py says so
        data = tmp_path / "-".join(path)
        shutil.copytree(source.parent, data)
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main(["--db", str(data / "tracker.db"), *_argv(path, "", "", backup_id)])
        _out, err = capsys.readouterr()
        assert exit_info.value.code == 0, (path, err)


def test_the_matrix_reaches_every_command():
    names = {" ".join(path) for path, _ in _commands(cli)}
    assert {"import contacts", "log", "outlook", "restore", "settings set"} <= names
    assert len(_cases()) > 1000
    json.dumps([c.id for c in _cases()])  # ids are plain text, so a failure names its case


# The same limits in the core, which the window calls with its own dates --------------------------------------


@pytest.mark.parametrize("text", ["0001-01-01", "1899-12-31", "9999-12-31", "2201-01-01", "+9999m", "-9999m"])
def test_a_date_outside_the_working_range_is_an_input_error(text):
    with pytest.raises(InvalidInput, match="1900-01-01"):
        parse_day(text, today=date(2026, 11, 23))
    with pytest.raises(InvalidInput, match="1900-01-01"):
        parse_moment(text, now=datetime(2026, 11, 23, 12, 0))


@pytest.mark.parametrize("text", ["1900-01-01", "2200-12-31", "2200-12-31T23:59:59", "+999d"])
def test_dates_at_the_ends_of_the_range_are_read(text):
    assert date(1900, 1, 1) <= parse_day(text, today=date(2026, 11, 23)) <= date(2200, 12, 31)
    assert parse_moment(text, now=datetime(2026, 11, 23, 12, 0)).year in range(1900, 2201)


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31)], ids=str)
@pytest.mark.parametrize("work", ["followups", "classify", "levels", "explain", "forecast", "backtest"])
def test_core_maths_refuses_a_day_out_of_range(store, add_contact, log, work, day):
    anna = add_contact("anna@example.com")
    log(anna, "purchase", "2026-05-01", amount=10)
    calls = {
        "followups": lambda: suggest_follow_ups(store, day),
        "classify": lambda: classify(store, day),
        "levels": lambda: level_counts(store, day),
        "explain": lambda: explain(store, anna, day, with_outlook=True),
        "forecast": lambda: forecast(store, day),
        "backtest": lambda: backtest(store, day, today=date(2026, 11, 23)),
    }
    with pytest.raises(InvalidInput, match="1900-01-01"):
        calls[work]()


def test_a_search_longer_than_sqlite_likes_finds_nothing_instead_of_failing(store, add_contact):
    add_contact("anna@example.com", company="Flowers 50% off")
    settings = store.settings()
    assert store.engagement.contact_rows(date(2026, 11, 23), settings, search="x" * 100_000) == []
    assert store.engagement.contact_rows(date(2026, 11, 23), settings, tag="x" * 100_000) == []
    # what is typed is looked for as it is: % and _ are not wildcards
    assert len(store.engagement.contact_rows(date(2026, 11, 23), settings, search="50%")) == 1
    assert store.engagement.contact_rows(date(2026, 11, 23), settings, search="5_%") == []


# What the refusals say ------------------------------------------------------------------------------------


def test_text_that_is_not_utf8_is_refused_naming_the_option_and_nothing_is_written(capsys, db_path, store):
    code, _, err = run(capsys, db_path, "add", "--first-name", "Anna", "--email", "anna\udcff@example.com")
    assert code == 2
    assert err.startswith("tracker: Invalid value for '--email': it is not valid UTF-8 text")
    assert store.contacts.count() == 0


def test_a_file_name_too_long_is_refused_naming_the_option(capsys, db_path, tmp_path):
    code, _, err = run(capsys, db_path, "contacts", "--export", str(tmp_path / ("n" * 300 + ".csv")))
    assert code == 2
    assert err.startswith("tracker: Invalid value for '--export': the file name is too long")
    assert not db_path.exists()  # refused before the database was opened


def test_a_nul_character_is_refused_before_anything_runs(capsys, db_path):
    code, _, err = run(capsys, db_path, "log", "anna@example.com", "purchase", "--note", "a\x00b")
    assert code == 2
    assert "NUL character" in err
    assert not db_path.exists()
