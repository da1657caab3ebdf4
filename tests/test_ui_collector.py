"""The collector waits while workers build results and what a shown result keeps is frozen (tracker.ui.collector)."""

from __future__ import annotations

import gc
import threading

import pytest
from PySide6.QtCore import QThreadPool

from tracker.ui import collector


@pytest.fixture(autouse=True)
def no_jobs_running():
    """Jobs a window of an earlier test left running would hold the collector paused."""
    QThreadPool.globalInstance().waitForDone(30_000)


def test_collections_wait_while_any_worker_is_inside_and_resume_after_the_last():
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def worker():
        with collector.paused_while():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=worker)
    thread.start()
    assert inside.wait(10)
    try:
        with collector.paused_while():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the other worker is still inside
    finally:
        release.set()
        thread.join(10)
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off():
    gc.disable()
    try:
        with collector.paused_while():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_large_result_is_frozen_a_small_one_is_not_and_both_are_freed_when_dropped():
    import weakref

    class Row:
        pass

    before = gc.get_freeze_count()
    with collector.paused_while():
        small = [Row() for _ in range(10)]
    assert gc.get_freeze_count() == before  # a small result: the collector goes on as usual
    gc.collect()
    try:
        with collector.paused_while():
            kept = [Row() for _ in range(collector.LARGE)]
        assert gc.get_freeze_count() >= before + collector.LARGE
        probe = weakref.ref(kept[0])
        del kept
        assert probe() is None  # no cycle: reference counting frees a frozen object
        assert len(small) == 10
    finally:
        gc.unfreeze()


def test_memory_is_given_back_on_a_pool_thread_not_the_gui_thread(qtbot, monkeypatch):
    """After a big load the freed memory goes back to the system (malloc_trim) on a pool thread: walking the heap
    on the GUI thread stalled the window (issue 16)."""
    from tracker.ui import jobs

    ran_on: list[threading.Thread] = []
    monkeypatch.setattr(jobs, "release_memory", lambda: ran_on.append(threading.current_thread()))
    jobs.release_memory_in_background()
    qtbot.waitUntil(lambda: len(ran_on) == 1)
    assert ran_on[0] is not threading.main_thread()
    assert QThreadPool.globalInstance().waitForDone(10_000)
