"""The last resort for a bug: its traceback goes to a log file, the user reads one sentence, and the app goes on.

Every write is one transaction that rolls back when an error escapes it (tracker.core.store), so an exception
that reaches this hook has left no half-finished change in the database; a change that had already committed is
complete and stays.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType

import platformdirs
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from tracker import __version__
from tracker.core.paths import APP_NAME
from tracker.ui import clock
from tracker.ui.text import error_box

LOG_NAME = "tracker.log"
#: Past this size the log moves to tracker.log.1 (replacing the older one), so two files at most, about 2 MB.
MAX_LOG_BYTES = 1_000_000


def default_log_path() -> Path:
    """<user log folder>/tracker.log (~/.local/state/tracker/log on Linux)."""
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)) / LOG_NAME


def write_report(
    path: Path, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None, *, when: datetime
) -> None:
    """Append the traceback with a timestamp; the file is the user's only (0600), since a message may quote a
    customer's name or e-mail."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if path.stat().st_size >= MAX_LOG_BYTES:
            os.replace(path, path.with_name(path.name + ".1"))
    except FileNotFoundError:
        pass
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    text = f"--- {when.isoformat(timespec='seconds')} Tracker {__version__}, Python {sys.version.split()[0]}\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace") as log:
        log.write(text + details + "\n")


def crash_sentence(exc: BaseException, log_path: Path, saved: bool) -> str:
    """What the user reads: what went wrong in a few words, where the details are, and that no data was harmed."""
    words = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    words = words if len(words) <= 120 else words[:119] + "…"
    what = f"{type(exc).__name__}: {words}" if words else type(exc).__name__
    where = f"details were saved to {log_path}" if saved else f"the details could not be saved to {log_path}"
    return f"Something went wrong ({what}); {where}. No half-finished change was saved to your database."


def show_crash_message(text: str) -> None:
    """The dialog, plain text (a test replaces this function rather than clicking a modal box)."""
    error_box(QApplication.activeWindow(), text, QMessageBox.Icon.Critical).exec()


class CrashReporter(QObject):
    """sys.excepthook and threading.excepthook: log, then say it in one dialog on the GUI thread, one at a time."""

    reported = Signal(str)

    def __init__(self, log_path: Path):
        super().__init__()
        self.log_path = log_path
        self._lock = threading.Lock()  # two threads failing at once still write whole reports
        self._showing = False
        # queued: the hook may run on any thread, and the dialog's own event loop must not start inside the hook
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def excepthook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        try:
            with self._lock:
                write_report(self.log_path, exc_type, exc, tb, when=clock.now())
            saved = True
        except OSError:
            sys.__excepthook__(exc_type, exc, tb)  # the terminal, if there is one, is the last place left
            saved = False
        self.reported.emit(crash_sentence(exc, self.log_path, saved))

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    def _show(self, text: str) -> None:
        if self._showing:  # a bug that repeats (a timer, a paint) is logged each time but asks once
            return
        self._showing = True
        try:
            show_crash_message(text)
        finally:
            self._showing = False


def install(log_path: Path | None = None) -> CrashReporter:
    """Route uncaught exceptions of the GUI thread and of Python threads to a CrashReporter (call it on the GUI
    thread once the QApplication exists; the hooks keep the reporter alive)."""
    reporter = CrashReporter(log_path or default_log_path())
    sys.excepthook = reporter.excepthook
    threading.excepthook = reporter.thread_excepthook
    return reporter
