"""A sweep trained on its own QThread: ``SweepWorker`` and the ``SweepSession`` owning it.

The worker calls the core's ``SweepRunner.run()`` (which opens its own store connection
in the worker thread and trains trials on its own pool threads) with a
``SweepEventBatcher`` subscribed. The batcher turns sweep events into plain dicts and
trial runs' step / epoch events into numpy columns, and hands them over at most
``max_rate`` times a second, so no point is dropped and the signals stay bounded.

The session, a ``WorkerSession``, brings the worker's signals to the GUI thread. While
the sweep is paused no event arrives to carry the last batch out, so the session's
timer asks the batcher for what is due; batches travel through a queued
connection and are emitted under the batcher's lock, so they arrive in order.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from dlstudio.errors import ConfigError
from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)
from dlstudio.gui.workers.worker_session import WorkerSession
from dlstudio.gui.workers.stop_pause_control import StopPauseControl
from dlstudio.training.events import EpochEvent, StepEvent
from dlstudio.training.sweeps.events import RunEvent

STEP_COLUMNS = ("step", "loss")
EPOCH_COLUMNS = ("epoch", "dev_loss", "dev_metric")
FLUSH_CHECK_MS = 100


class SweepEventBatcher:
    """A sweep subscriber: ``emit(batch)`` at most ``max_rate`` times a second.

    A batch is ``{"events": [...], "curves": {run_id: {"steps": {column: array} | None,
    "epochs": {column: array} | None}}}``; events are the sweep events other than
    ``RunEvent`` as dicts with a ``"type"`` (``"TrialStarted"`` ...), in order.
    """

    def __init__(self, emit: Callable[[dict[str, Any]], None], max_rate: float = 30.0,
                 clock: Callable[[], float] = time.monotonic):
        self.emit = emit
        self.interval = 1.0 / max_rate
        self.clock = clock
        self.closed = False
        self._lock = threading.Lock()
        self._events: list[dict[str, Any]] = []
        self._steps: dict[int, list[tuple[float, ...]]] = {}
        self._epochs: dict[int, list[tuple[float, ...]]] = {}
        self._last_emit = clock()

    def __call__(self, event: Any) -> None:
        with self._lock:
            if isinstance(event, RunEvent):
                self._add_point(event)
            else:
                self._events.append({"type": type(event).__name__, **dataclasses.asdict(event)})
            if self.clock() - self._last_emit >= self.interval:
                self._flush()

    def _add_point(self, event: RunEvent) -> None:
        inner = event.event
        if isinstance(inner, StepEvent):
            self._steps.setdefault(event.run_id, []).append((inner.step, inner.loss))
        elif isinstance(inner, EpochEvent):
            self._epochs.setdefault(event.run_id, []).append(
                (inner.epoch, inner.dev_loss, inner.dev_metric))

    def flush(self) -> None:
        """Emit what is pending, if anything."""
        with self._lock:
            self._flush()

    def flush_if_due(self) -> None:
        """Emit what is pending when the interval has passed (a paused sweep's last points)."""
        with self._lock:
            if not self.closed and self.clock() - self._last_emit >= self.interval:
                self._flush()

    def close(self) -> None:
        """Flush and accept nothing more from ``flush_if_due``."""
        with self._lock:
            self._flush()
            self.closed = True

    def _flush(self) -> None:
        self._last_emit = self.clock()
        if not (self._events or self._steps or self._epochs):
            return
        curves = {run_id: {"steps": _columns(self._steps.get(run_id), STEP_COLUMNS),
                           "epochs": _columns(self._epochs.get(run_id), EPOCH_COLUMNS)}
                  for run_id in {*self._steps, *self._epochs}}
        batch = {"events": self._events, "curves": curves}
        self._events, self._steps, self._epochs = [], {}, {}
        self.emit(batch)  # under the lock: batches leave in the order they were taken


def _columns(rows: list[tuple[float, ...]] | None,
             names: tuple[str, ...]) -> dict[str, np.ndarray] | None:
    if not rows:
        return None
    table = np.asarray(rows, dtype=np.float64)
    return {name: np.ascontiguousarray(table[:, i]) for i, name in enumerate(names)}


class SweepWorker(QObject):
    """Runs (or continues) sweep ``sweep_id`` when ``run()`` is called on its thread.

    ``stop_event`` and ``pause_event`` are set directly by the GUI; the runner checks
    them between trials and passes them to every trial's training loop.
    """

    batched = Signal(object)  # a SweepEventBatcher batch
    sweep_returned = Signal(object)  # the sweep_summary dict run() returned
    sweep_failed = Signal(str)
    finished = Signal()

    def __init__(self, db_path: Path, sweep_id: int, workers: int = 1, max_rate: float = 30.0):
        super().__init__()
        self.db_path = Path(db_path)
        self.sweep_id = sweep_id
        self.workers = workers
        self.stop_event = threading.Event()
        self.pause_event = threading.Event()
        self.batcher = SweepEventBatcher(self.batched.emit, max_rate)

    @Slot()
    def run(self) -> None:
        """Run the sweep, report, and always emit ``finished`` so the thread quits."""
        try:
            # Inside the try: a runner that cannot be imported is a failed sweep, not a
            # thread that never quits (its session would never end).
            from dlstudio.training.sweeps.runner import SweepRunner

            runner = SweepRunner(self.db_path, self.sweep_id, workers=self.workers,
                                 subscribers=[self.batcher], stop=self.stop_event,
                                 pause=self.pause_event)
            summary = runner.run()
            self.batcher.close()
            self.sweep_returned.emit(summary)
        except ConfigError as error:
            self.batcher.close()
            self.sweep_failed.emit("\n".join(error.problems))
        except Exception as error:  # a broken file, out of memory ...: report, never crash
            self.batcher.close()
            self.sweep_failed.emit(f"The sweep failed: {type(error).__name__}: {error}\n"
                                   f"{traceback.format_exc(limit=3)}")
        finally:
            self.finished.emit()


class SweepSession(StopPauseControl, WorkerSession):
    """One sweep's thread and worker; ``session_ended`` fires after the thread ended.

    Batches leave with the sweep's id added (``batch["sweep_id"]``) and a failure stays
    readable in ``failure``, so one receiver can follow several sessions.
    """

    batch_received = Signal(object)
    sweep_returned = Signal(object)
    sweep_failed = Signal(str)
    session_ended = Signal(int)  # sweep_id
    relays = {"sweep_returned": "sweep_returned"}

    def __init__(self, db_path: Path, sweep_id: int, workers: int = 1,
                 parent: QObject | None = None, max_rate: float = 30.0):
        super().__init__(SweepWorker(db_path, sweep_id, workers, max_rate),
                         f"dlstudio-sweep-{sweep_id}", parent)
        self.sweep_id = sweep_id
        self.worker.finished.connect(self._on_worker_finished)
        queued = Qt.ConnectionType.QueuedConnection  # also when the timer flushes
        self.worker.batched.connect(self._on_batched, queued)
        self.worker.sweep_failed.connect(self._on_sweep_failed)
        self._batcher = self.worker.batcher
        self._stop_event = self.worker.stop_event
        self._pause_event = self.worker.pause_event
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_CHECK_MS)
        self._flush_timer.timeout.connect(self._on_flush_timer)
        self.failure = ""

    # -- control (GUI thread) ------------------------------------------------------
    def start(self) -> None:
        super().start()
        self._flush_timer.start()

    def shutdown(self) -> None:
        """Stop, then quit and wait for the thread (never terminate)."""
        self.stop()
        self._flush_timer.stop()
        super().shutdown()

    # -- worker signals, received in the GUI thread --------------------------------
    @Slot()
    def _on_flush_timer(self) -> None:
        self._batcher.flush_if_due()

    @Slot(object)
    def _on_batched(self, batch: dict) -> None:
        batch["sweep_id"] = self.sweep_id
        self.batch_received.emit(batch)

    @Slot(str)
    def _on_sweep_failed(self, message: str) -> None:
        self.failure = message
        self.sweep_failed.emit(message)

    @Slot()
    def _on_worker_finished(self) -> None:
        self._flush_timer.stop()

    def _thread_ended(self) -> None:
        self._flush_timer.stop()
        self.session_ended.emit(self.sweep_id)
