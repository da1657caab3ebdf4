"""Long core work in a helper process of its own, so the GUI thread never waits for the GIL behind it (issue 16).

A pool thread that runs Python holds the GIL nearly all the time, and the GUI thread needs it for every cell it
paints and every key: at 100,000 contacts, loading the list, its search index and the follow-up list (with numpy's
and scipy's imports and the purchase fit) on pool threads stalled the window for 50-250 ms at a time. Here the work
runs in a fresh Python process (see BOOT: without Qt) with its own Store on the same database; the pool
thread that started it only waits on a pipe (no GIL) and turns what arrives back into the objects the window
shows. The child sends its result as frames of plain values (lists of strings and numbers, C arrays as bytes) that
unpickle in a few milliseconds each, never as one big pickle: unpickling is one C call that holds the GIL
throughout.

`run` is called on a pool thread (a Job's work); the child runs `target(store, send, *args)`, where each
`send(value)` reaches `receive(value)` in the parent, in order. The child exits when the work is done, so the
memory it used goes back to the system at once. A job that is cancelled (its window closing) stops the child.
Nothing here is used for a database in memory, which another process cannot open (`database_of`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import struct
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.core.errors import TrackerError

if TYPE_CHECKING:
    import subprocess

    from tracker.core.store import Store

# subprocess, select and pickle are imported when a helper is first started: the window imports this module (through
# tracker.ui.jobs) before its first paint, and subprocess alone took 5-18 ms of it.

#: The helper's start: the window's Qt-free modules (this one, the loads') are imported without tracker.ui's
#: __init__, which loads PySide6 (0.25 s of the helper's start, and 25 MB): the package is made as a bare namespace.
BOOT = (
    "import sys, types, tracker\n"
    "ui = types.ModuleType('tracker.ui')\n"
    "ui.__path__ = [sys.argv[1]]\n"
    "sys.modules['tracker.ui'] = tracker.ui = ui\n"
    "from tracker.ui.offload import main\n"
    "main()\n"
)
#: How much lower the helper's scheduling priority is than the window's: on a busy machine (or while the window
#: starts) the GUI thread is served first; on an idle one the helper runs on a free core all the same.
HELPER_NICENESS = 5
_HEADER = struct.Struct("!Q")  # the length of the pickled frame that follows
_POLL_S = 0.2  # how often a waiting parent looks whether its job was cancelled
_READ = 1 << 20


class OffloadFailed(TrackerError):
    """The work failed in the helper process; the message is the sentence the window shows."""


class Cancelled(Exception):
    """The job waiting for the helper process was cancelled (its window is closing); the child was stopped."""


def database_of(store: Store) -> Path | str | None:
    """What a helper process opens for the database of `store`: its file or a team database's address (None: a
    database in memory, no Python to start a helper with, as in a frozen app, or Windows, whose select() does not
    wait on pipes)."""
    if not sys.executable or getattr(sys, "frozen", False) or sys.platform == "win32":
        return None
    return store.url or store.path


def has_at_least(store: Store, contacts: int) -> bool:
    """Whether the database holds at least this many contacts (enough to be worth a helper process)."""
    return store.contacts.has_at_least(contacts)


def run(
    target: str,
    database: Path | str,
    args: tuple[Any, ...],
    receive: Callable[[Any], None],
    cancelled: Callable[[], bool] | None = None,
) -> None:
    """Run `target` ("module:function") in a helper process on `database`, passing each value it sends to
    `receive`; returns when it has finished. `cancelled`: asked while waiting (default: whether the pool Job
    running this was cancelled). Raises OffloadFailed with the child's sentence when the work failed, RuntimeError
    when the child stopped without finishing (killed, crashed), Cancelled when cancelled."""
    if cancelled is None:
        from tracker.ui import jobs  # the parent's side: Qt is loaded there already

        cancelled = jobs.cancelled
    import pickle

    child = _take_ahead(target, database, args) or _start(target, database, args)
    assert child.stdout is not None  # piped
    try:
        fd = child.stdout.fileno()
        while True:
            header = _read(fd, _HEADER.size, cancelled)
            if header is None:
                code = child.wait()
                raise RuntimeError(f"the helper process stopped before finishing (exit code {code})")
            (length,) = _HEADER.unpack(header)
            body = _read(fd, length, cancelled)
            if body is None:
                raise RuntimeError("the helper process stopped in the middle of its answer")
            kind, value = pickle.loads(body)
            del body
            if kind == "part":
                receive(value)
            elif kind == "done":
                return
            else:
                raise OffloadFailed(value)
    finally:
        _stop(child)


def _start(target: str, database: Path | str, args: tuple[Any, ...]) -> subprocess.Popen[bytes]:
    import pickle
    import subprocess

    child = subprocess.Popen(
        [sys.executable, "-P", "-c", BOOT, str(Path(__file__).parent)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        close_fds=True,
    )
    assert child.stdin is not None  # piped
    with contextlib.suppress(BrokenPipeError):  # a child that died at once: its end of the pipe says so
        child.stdin.write(pickle.dumps((target, database, args), protocol=pickle.HIGHEST_PROTOCOL))
        child.stdin.close()
    return child


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.kill()
    if child.stdout is not None:
        child.stdout.close()
    child.wait()


_ahead_lock = threading.Lock()
_ahead: tuple[tuple[str, str, tuple[Any, ...]], subprocess.Popen[bytes]] | None = None


def start_ahead(target: str, database: Path | str, args: tuple[Any, ...]) -> None:
    """Start the helper of a `run` expected soon with these very arguments now, so that it works while the window
    is still being made (the app's first load, see tracker.ui.app); a `run` with other arguments, `drop_ahead` or
    the end of the process stops it."""
    global _ahead
    child = _start(target, database, args)
    with _ahead_lock:
        previous, _ahead = _ahead, ((target, str(database), args), child)
    if previous is not None:
        _stop(previous[1])
    atexit.register(drop_ahead)  # once: a second registration of the same function is harmless


def drop_ahead() -> None:
    """Stop the helper started ahead, if no `run` took it."""
    global _ahead
    with _ahead_lock:
        previous, _ahead = _ahead, None
    if previous is not None:
        _stop(previous[1])


def _take_ahead(target: str, database: Path | str, args: tuple[Any, ...]) -> subprocess.Popen[bytes] | None:
    """The helper started ahead for exactly this run (None: none was; one for another run is stopped)."""
    global _ahead
    with _ahead_lock:
        previous, _ahead = _ahead, None
    if previous is None:
        return None
    if previous[0] == (target, str(database), args):
        return previous[1]
    _stop(previous[1])
    return None


def _read(fd: int, size: int, cancelled: Callable[[], bool]) -> bytearray | None:
    """Exactly `size` bytes from the pipe (None at its end), waiting without the GIL."""
    import select

    data = bytearray()
    while len(data) < size:
        ready, _, _ = select.select([fd], [], [], _POLL_S)
        if cancelled():
            raise Cancelled
        if not ready:
            continue
        chunk = os.read(fd, min(size - len(data), _READ))
        if not chunk:
            return None
        data += chunk
    return data


def fault_message(exc: BaseException) -> str:
    """The sentence for a bug in Tracker (the details go to stderr), as the window says it for any job."""
    return (
        f"Tracker could not finish this because of a fault in Tracker itself ({type(exc).__name__}: {exc}); "
        "nothing was changed."
    )


# The helper process ------------------------------------------------------------------------------------------


def main() -> None:
    """The child: read (target, database, args), run the target, send its values and how it ended."""
    import importlib
    import pickle
    import sqlite3
    import traceback

    with contextlib.suppress(AttributeError, OSError):  # no os.nice on Windows
        os.nice(HELPER_NICENESS)  # the window's own threads first when the processors are busy
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print goes to stderr, not into the frames

    def send(value: object, kind: str = "part") -> None:
        data = pickle.dumps((kind, value), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_HEADER.pack(len(data)))
        out.write(data)

    from tracker.core.store import Store
    from tracker.core.store.connection import translate_error

    target, database, args = pickle.load(sys.stdin.buffer)
    module, name = target.split(":")
    work = getattr(importlib.import_module(module), name)
    try:
        with Store.open(database, create=False, verify=False) as store:  # the window checks the file
            work(store, send, *args)
    except TrackerError as exc:
        send(str(exc), "failed")
    except sqlite3.DatabaseError as exc:  # damage met while reading
        send(str(translate_error(exc, str(database))), "failed")
    except Exception as exc:
        traceback.print_exc()
        send(fault_message(exc), "failed")
    else:
        send(None, "done")
    out.flush()
