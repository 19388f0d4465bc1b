"""Where ``Run.log`` puts its points: a list that a background thread writes to the
database at least every ``interval`` seconds, so the training loop never waits on the
disk.

The thread owns its own connection (a SQLite connection belongs to the thread that
opened it) and writes through the store's ``MetricWriter``: one transaction per flush.
Tensors are kept as detached copies until the flush, where all of them on one device
become one stacked tensor copied to the host: one device sync per flush, not one per
``log`` call. torch is never imported here: a tensor can only exist once its caller has
loaded torch, so the module is taken from ``sys.modules``.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

from dlstudio.store import MetricWriter, Store

log = logging.getLogger(__name__)

VALUE = 4  # index of the value in a (run_id, key, step, epoch, value, time) row


class MetricBuffer:
    """Points of one run, flushed by a daemon thread; ``close`` writes the rest.

    The thread wakes every ``interval`` seconds, or early when ``wake_rows`` points wait
    (a memory bound only: each write makes the thread and a busy Python loop hand the
    GIL back and forth once per row, which slowed such a loop up to 2x when the thread
    was also woken every 50,000 points).
    """

    def __init__(self, db_path: str | Path, interval: float = 0.5, wake_rows: int = 1_000_000):
        self._path = db_path
        self._interval = interval
        self._wake_rows = wake_rows
        self._lock = threading.Lock()
        self._rows: list[tuple] = []
        self._tensor_at: list[int] = []  # positions in _rows whose value is a tensor
        self._wake = threading.Event()
        self._closing = False
        self._ready = threading.Event()
        self.error: BaseException | None = None  # the last failed flush, if any
        self.monitor: Any = None  # a SystemMonitor whose rows each wake adds, if any
        self.rows_written = 0
        self._left = 0  # points the writer still held when the thread ended
        self._thread = threading.Thread(target=self._loop, name="dlstudio-run-flush",
                                        daemon=True)
        self._thread.start()
        self._ready.wait()
        if self.error is not None:  # the database could not be opened
            raise self.error

    def add(self, rows: list[tuple], tensor_positions: list[int]) -> None:
        """Append points; ``tensor_positions`` index into ``rows``."""
        with self._lock:
            pending = self._rows
            if tensor_positions:
                start = len(pending)
                self._tensor_at.extend(start + i for i in tensor_positions)
            pending.extend(rows)
            full = len(pending) >= self._wake_rows
        if full:
            self._wake.set()

    @property
    def pending(self) -> int:
        """Points logged and not yet handed to the writer."""
        return len(self._rows)

    def close(self) -> None:
        """Write what is left and stop the thread; raises the error of a final flush
        that failed (its points could not be stored)."""
        if self._thread.is_alive():
            self._closing = True
            self._wake.set()
            self._thread.join()
        if self._left:
            raise self.error or RuntimeError("metric points were left unwritten")

    # -- the flusher thread ------------------------------------------------------------
    def _loop(self) -> None:
        try:
            store = Store(self._path, mark_orphans=False)
        except BaseException as exc:  # reported by __init__ in the caller's thread
            self.error = exc
            self._ready.set()
            return
        self._ready.set()
        writer = MetricWriter(store, max_rows=sys.maxsize, max_interval=float("inf"))
        try:
            while True:
                self._wake.wait(self._interval)
                self._wake.clear()
                closing = self._closing  # read before the flush: nothing logged after is missed
                monitor = self.monitor
                if monitor is not None:
                    self.add(monitor.rows(final=closing), [])
                self._flush(writer)
                if closing:
                    break
        finally:
            self._left = writer.pending
            store.close()

    def _flush(self, writer: MetricWriter) -> None:
        with self._lock:
            rows, tensor_at = self._rows, self._tensor_at
            self._rows, self._tensor_at = [], []
        try:
            if tensor_at:
                _resolve_tensors(rows, tensor_at)
            writer.extend(rows)
            self.rows_written += writer.flush()
        except Exception as exc:  # a full disk, a locked file: the points stay in the writer
            if self.error is None:
                log.warning("dlstudio: metric points not written yet (kept, retried): %s", exc)
            self.error = exc
        else:
            self.error = None


def _resolve_tensors(rows: list[tuple], positions: list[int]) -> None:
    """Replace tensor values by floats: one stack and one host copy per device."""
    torch: Any = sys.modules["torch"]
    by_device: dict[Any, list[int]] = defaultdict(list)
    for position in positions:
        by_device[rows[position][VALUE].device].append(position)
    for device, group in by_device.items():
        # MPS has no float64; elsewhere float64 keeps integer counters exact.
        dtype = torch.float32 if device.type == "mps" else torch.float64
        stacked = torch.stack([rows[i][VALUE].reshape(()).to(dtype) for i in group])
        for i, value in zip(group, stacked.cpu().tolist()):
            row = rows[i]
            rows[i] = (*row[:VALUE], value, *row[VALUE + 1:])
