"""Helpers for bulk work: pausing Python's cyclic garbage collector while millions of small rows are built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Rows are lists of strings (no cycles), yet each 700 allocations trigger a scan of all of them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
