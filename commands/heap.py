"""Keep a long import's memory flat and its garbage collector quiet.

A batch's payload (a few hundred KB) is above glibc's mmap threshold, so it is mapped and given
back when freed; but glibc raises the threshold every time such a block is freed, after which
payloads come from the heap arenas (one per thread that needs one, up to eight per core), where
freed space stays with the process, and a long import's peak grows with its size. A fixed
threshold and two arenas keep it nearly flat (figures: docs/performance.md, "commands").

Python's own collector is the other half: see frozen_gc.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
from collections.abc import Iterator

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameters (malloc.h)
_M_ARENA_MAX = -8
_YOUNG_THRESHOLD = 20_000  # new containers between young collections (Python's default: 700)


def keep_heap_flat(mmap_threshold: int = 128 * 1024, arenas: int = 2) -> None:
    """Fix malloc's mmap threshold and arena count, on glibc; elsewhere do nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # no C library symbols to look at, or not glibc
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt(_M_MMAP_THRESHOLD, mmap_threshold)
    mallopt(_M_ARENA_MAX, arenas)


@contextlib.contextmanager
def frozen_gc() -> Iterator[None]:
    """While a long import runs, exempt every object alive at its start (the loaded code, model
    metadata, clients) from cyclic garbage collection.

    A batch makes tens of thousands of short-lived objects, so collections run all the time,
    and every full one walked every object the loaded code itself is made of. Frozen objects
    are still freed by reference counting, and they are handed back to the collector at the
    end.

    A young collection every 700 new containers still walked each batch's records several
    times over while they were in use; every 20,000 does it about once. (What each saves:
    docs/performance.md, "commands".)"""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(_YOUNG_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
