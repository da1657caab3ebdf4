"""Running long core work (imports, classification) on a QThreadPool, with progress, cancel and results.

A job opens its own Store on the database file (SQLite connections belong to their thread) and never touches a
widget; it reports through signals, which Qt delivers on the GUI thread.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from tracker.core.errors import TrackerError
from tracker.core.store import Store
from tracker.core.store.connection import translate_error
from tracker.ui import collector, offload

_current = threading.local()  # the Job running on this pool thread (see `cancelled`)


class JobSignals(QObject):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    finished = Signal()
    partial = Signal(object)  # a first part of the result (a Refresher's `partial`)


class Job(QRunnable):
    """Call `work(store, progress=…, cancelled=…)` on a pool thread with a Store of its own."""

    def __init__(self, db_path: Path | str | None, work: Callable[..., Any], *, memory_store: Store | None = None):
        super().__init__()
        self.db_path = db_path
        self.work = work
        self.memory_store = memory_store
        self.signals = JobSignals()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        _current.job = self
        try:
            with collector.paused_while():  # full collections would stall the GUI thread (see collector)
                if self.memory_store is not None:  # an in-memory database cannot be opened twice
                    result = self.work(
                        self.memory_store, progress=self.signals.progressed.emit, cancelled=self.cancelled
                    )
                else:
                    assert self.db_path is not None  # a job without a memory store is on a file (job_for)
                    # the window checks the file once on a worker; every write checks first (see Store.open)
                    with Store.open(self.db_path, verify=False) as store:
                        result = self.work(store, progress=self.signals.progressed.emit, cancelled=self.cancelled)
        except offload.Cancelled:
            pass  # nobody is waiting for the result any more
        except TrackerError as exc:
            self.signals.failed.emit(str(exc))
        except sqlite3.DatabaseError as exc:  # damage met while reading
            self.signals.failed.emit(str(translate_error(exc, str(self.db_path))))
        except Exception as exc:  # a bug: the user still gets a sentence, the details go to stderr
            traceback.print_exc()
            self.signals.failed.emit(offload.fault_message(exc))
        else:
            self.signals.succeeded.emit(result)
        finally:
            _current.job = None
            self.signals.finished.emit()


def cancelled() -> bool:
    """Whether the Job running on this thread was cancelled (False outside a Job): for work that waits, such as a
    helper process's (tracker.ui.offload)."""
    job = getattr(_current, "job", None)
    return job is not None and job.cancelled()


def release_memory() -> None:
    """Give memory freed after a big load back to the system: glibc keeps what pool threads freed in their own
    arenas (at 100k contacts about 70 MB of the window's resident memory otherwise)."""
    if sys.platform.startswith("linux"):
        import ctypes  # here, not at start-up: the window's first paint does not need it

        with contextlib.suppress(OSError, AttributeError):  # not glibc (musl has no malloc_trim)
            ctypes.CDLL(None).malloc_trim(0)


def release_memory_in_background() -> None:
    """`release_memory` on a pool thread: malloc_trim walks the whole heap (~20 ms at 100k contacts, a stall when
    the GUI thread ran it), and ctypes lets go of the GIL while it runs."""
    QThreadPool.globalInstance().start(release_memory)


def start(job: Job) -> Job:
    QThreadPool.globalInstance().start(job)
    return job


def job_for(store: Store, work: Callable[..., Any]) -> Job:
    """A job on the same database as `store` (sharing it only when it lives in memory; a team database's job has
    its own connection, as a file's does)."""
    if store.url is not None:
        return Job(store.url, work)
    if store.path is None:
        return Job(None, work, memory_store=store)
    return Job(store.path, work)


class _Call(QRunnable):
    """A plain function on the pool, for work without a database (e.g. importing a heavy module)."""

    def __init__(self, fn: Callable[[], Any]):
        super().__init__()
        self.fn = fn
        self.signals = JobSignals()

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # reported, not raised: the caller decides what a failure means
            self.signals.failed.emit(str(exc))
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()


def run_in_background(fn: Callable[[], Any], done: Callable[[], object]) -> _Call:
    """Run `fn` on the pool and call `done` on the GUI thread when it has finished (whatever the outcome)."""
    call = _Call(fn)
    call.signals.finished.connect(done)
    QThreadPool.globalInstance().start(call)
    return call


class Refresher(QObject):
    """Keeps one tab's data fresh: one job at a time; asking again while it runs re-runs it once afterwards,
    so results never arrive out of order and a burst of changes costs two runs, not one per change.

    It is a child of its tab: when the tab is deleted (window closed, another database opened), Qt drops the
    connections, so a result still on its way never reaches a widget that is gone."""

    def __init__(
        self,
        store: Store,
        work: Callable[..., Any],  # work(store), or work(store, emit) with `partial`
        show: Callable[[Any], None],
        report: Callable[[str], None],
        parent: QObject,
        partial: Callable[[Any], None] | None = None,
    ):
        """With `partial`, `work` is called as work(store, emit): each emit(part) reaches `partial` on the GUI
        thread before the final result reaches `show` (a long load shows what it has as it goes)."""
        super().__init__(parent)
        self.store, self.work, self.show, self.report = store, work, show, report
        self.partial = partial
        self._job: Job | None = None
        self._again = False
        self._closed = False

    @property
    def closed(self) -> bool:
        """Set when the window closes: nothing more is shown, and a job still running is cancelled (work waiting
        for a helper process stops it)."""
        return self._closed

    @closed.setter
    def closed(self, value: bool) -> None:
        self._closed = value
        if value and self._job is not None:
            self._job.cancel()

    def request(self) -> None:
        if self._job is not None:
            self._again = True
            return
        if self.partial is None:
            self._job = job_for(self.store, lambda store, **_: self.work(store))
        else:
            job = job_for(self.store, lambda store, **_: self.work(store, job.signals.partial.emit))
            job.signals.partial.connect(self._partial)
            self._job = job
        self._job.signals.succeeded.connect(self._succeeded)
        self._job.signals.failed.connect(self._failed)
        self._job.signals.finished.connect(self._finished)
        start(self._job)

    def _failed(self, message: str) -> None:
        if not self.closed:
            self.report(message)

    def _partial(self, part: Any) -> None:
        if not self.closed and self.partial is not None:
            self.partial(part)

    def _succeeded(self, result: Any) -> None:
        if not self.closed:
            self.show(result)

    def _finished(self) -> None:
        self._job = None
        if self._again and not self.closed:
            self._again = False
            self.request()
