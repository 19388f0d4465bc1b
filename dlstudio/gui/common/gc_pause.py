"""Holding off Python's cyclic garbage collector while many acyclic objects are made.

Reading 10,000 runs into the runs table makes a few hundred thousand dicts, lists and
strings. Every 700 new objects start a collection, so one refresh ran about 140 of them,
a full one over every object of the process (Qt's and torch's too) among them, and spent
a fifth of its time there finding nothing: run records hold no cycles
(``benchmarks/runs_table.py``). Paused, the collector catches up once, the next time it
counts enough new objects.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (nests; an already paused
    collector stays paused)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
