"""Running `tracker` from the tests: in-process through `tracker.cli.main` (what it printed caught by pytest's
capsys), or as a process of its own — as a colleague's client would run it beside the test — and addressing a
team database as another login."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tracker.cli import main

ROOT = Path(__file__).resolve().parent.parent
#: How long a process of its own may take (a loaded 2-core machine starts Python slowly).
PROCESS_TIMEOUT_S = 120


def run(capsys, db: Path | str, *args: object) -> tuple[int, str, str]:
    """`tracker --db DB ARGS…` in-process: (exit code, stdout, stderr)."""
    capsys.readouterr()  # forget anything printed before this command
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db), *(str(a) for a in args)])
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def ok(capsys, db: Path | str, *args: object) -> str:
    """The standard output of a command that must work: exit 0, no traceback."""
    code, out, err = run(capsys, db, *args)
    assert code == 0, f"tracker {' '.join(map(str, args))} exited {code}: {err}"
    assert "Traceback" not in out + err
    return out


def run_json(capsys, db: Path | str, *args: object) -> Any:
    """The one JSON document a command that must work prints with --json."""
    return json.loads(ok(capsys, db, *args, "--json"))


def environment() -> dict[str, str]:
    """A process's environment: this checkout importable, and no TRACKER_DB or TRACKER_DEBUG of the caller's."""
    env = {k: v for k, v in os.environ.items() if k not in ("TRACKER_DB", "TRACKER_DEBUG")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _tracker_command(db: Path | str, args: Sequence[object]) -> list[str]:
    return [sys.executable, "-m", "tracker", "--db", str(db), *(str(a) for a in args)]


def process(db: Path | str, *args: object, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`tracker --db DB ARGS…` in a process of its own, run to its end (`stdin` its standard input)."""
    return subprocess.run(
        _tracker_command(db, args),
        cwd=ROOT,
        env=environment(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT_S,
    )


def start(db: Path | str, *args: object) -> subprocess.Popen[str]:
    """`tracker --db DB ARGS…` started in a process of its own (see `finished`)."""
    return subprocess.Popen(
        _tracker_command(db, args),
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def start_python(script: str, *args: object) -> subprocess.Popen[str]:
    """`python -c SCRIPT ARGS…` started in a process of its own (see `finished`)."""
    return subprocess.Popen(
        [sys.executable, "-c", script, *(str(a) for a in args)],
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(clients: Sequence[subprocess.Popen[str]]) -> list[str]:
    """Every started process's standard output, once all have exited; fails with a process's error if one did
    not exit 0."""
    outputs = []
    for client in clients:
        out, err = client.communicate(timeout=PROCESS_TIMEOUT_S)
        assert client.returncode == 0, f"a client failed (exit {client.returncode}): {err.strip()}"
        outputs.append(out)
    return outputs


def as_user(url: str, user: str) -> str:
    """The team database at `url`, logged into as `user`."""
    parts = urlsplit(url)
    return parts._replace(netloc=f"{user}@{parts.hostname}:{parts.port}").geturl()


def database_name(url: str) -> str:
    """The name of the team database at `url`."""
    return urlsplit(url).path.lstrip("/")
