"""Reading many curves at once, over several connections in parallel.

A compare plot of 20 long runs reads 20 downsampled curves; each is CPU work inside
SQLite (two passes over the curve's primary-key range), during which Python's
``sqlite3`` releases the GIL. Reading them from a few threads, each with its own
connection (a connection belongs to the thread that opened it; WAL lets readers run
side by side), divides that time by about the number of free cores.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from dlstudio.store.schema import MEMORY
from dlstudio.store.store import Store

MAX_THREADS = 4  # SQLite reads of one file scale poorly beyond this

CurveRequest = tuple[int, str, "int | None"]  # run_id, key, max_points


def read_curves(path: str | Path, requests: Sequence[CurveRequest],
                threads: int | None = None) -> list[dict[str, Any]]:
    """``Store.read_curve(run_id, key, max_points)`` for each request, in order.

    Up to ``threads`` connections to the database file ``path`` read in parallel
    (default: one per CPU core, at most ``MAX_THREADS``); each thread takes the next
    request as it finishes one. The first error raised by a read is raised here.
    """
    requests = list(requests)
    if threads is None:
        threads = min(os.cpu_count() or 1, MAX_THREADS)
    threads = max(1, min(threads, len(requests)))
    if threads == 1 or str(path) == MEMORY:  # each connection to :memory: is a new database
        with Store(path, mark_orphans=False) as store:
            return [store.read_curve(*request) for request in requests]
    work: queue.SimpleQueue = queue.SimpleQueue()
    for index, request in enumerate(requests):
        work.put((index, request))
    results: list[dict[str, Any] | None] = [None] * len(requests)
    with ThreadPoolExecutor(threads, thread_name_prefix="dlstudio-curves") as pool:
        futures = [pool.submit(_read_queued, path, work, results) for _ in range(threads)]
        for future in futures:
            future.result()
    return results  # type: ignore[return-value]  (every slot filled, or raised above)


def _read_queued(path: str | Path, work: queue.SimpleQueue, results: list) -> None:
    with Store(path, mark_orphans=False) as store:
        while True:
            try:
                index, request = work.get_nowait()
            except queue.Empty:
                return
            results[index] = store.read_curve(*request)
