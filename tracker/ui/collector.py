"""Python's cyclic garbage collector kept off the GUI thread's back while the window holds 100,000 contacts.

The lists, tuples and objects the window keeps (the contacts list's columns, the search index, the follow-up list)
are millions of objects the collector tracks, and each full collection scans them all while holding the GIL: at
100k contacts 0.3–0.7 s in which the GUI thread could not run (most of the window's longest stalls, in
`gc_collect_main`, whichever thread's allocation started it). So, while workers build results, collections wait
(`paused_while`): building 100k rows otherwise starts several full collections, each a stall for the GUI thread
waiting for the GIL. And when the last worker is done and it made a large result, every object there is moves out
of the collector's sight (`gc.freeze`) instead of into its oldest generation, where each later full collection
would scan it again. Those objects hold no reference cycles (strings, numbers, tuples, slotted records), so
reference counting still frees them when a newer result replaces them; only a cycle that was already garbage when
frozen stays (a few objects per large load). A small result is left to the collector as usual.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Objects made while workers ran from which a result counts as large (100k contacts make millions).
LARGE = 50_000

_lock = threading.Lock()
_paused = 0  # workers inside `paused_while`
_was_enabled = True


@contextmanager
def paused_while() -> Iterator[None]:
    """No cyclic collections while any worker is inside (nested and concurrent use count); the collector is left
    as it was found by the first of them, after freezing what a large result made (see the module)."""
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                if gc.get_count()[0] >= LARGE:  # tracked objects made (and kept) since the last collection
                    gc.freeze()
                gc.enable()
