"""Training events to Qt signals: batched in the worker thread, re-emitted in the GUI thread.

Which side coalesces: the worker. ``MetricBatcher`` is a plain trainer subscriber that
runs in the worker thread, collects step and epoch points in lists and hands them over
as numpy columns at most ``max_rate`` times a second (and at once when the run pauses
or ends), so no point is dropped and the number of cross-thread signals stays bounded
however fast the loop steps.

``EventBridge`` is a QObject that lives in the GUI thread. The worker's signals reach
its bound slots through queued connections; it tags them with the run id and re-emits
them from the GUI thread, which is what widgets and tests connect to and wait on.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)
from dlstudio.training.events import EpochEvent, Event, StepEvent

STEP_COLUMNS = ("step", "epoch", "time", "loss", "lr", "momentum")
EPOCH_COLUMNS = ("epoch", "step", "time", "train_loss", "train_metric", "dev_loss",
                 "dev_metric", "lr")


class MetricBatcher:
    """Collects step/epoch points and calls ``emit(batch)`` at most ``max_rate`` per second.

    A batch is ``{"steps": {column: array} | None, "epochs": {column: array} | None}``;
    ``steps["momentum"]`` holds NaN where the schedule has no momentum.
    """

    def __init__(self, emit: Callable[[dict[str, Any]], None], max_rate: float = 30.0,
                 pause: threading.Event | None = None, clock: Callable[[], float] = time.monotonic):
        self.emit = emit
        self.interval = 1.0 / max_rate
        self.pause = pause
        self.clock = clock
        self._steps: list[tuple[float, ...]] = []
        self._epochs: list[tuple[float, ...]] = []
        self._last_emit = clock()

    def __call__(self, event: Event) -> None:
        if isinstance(event, StepEvent):
            momentum = np.nan if event.momentum is None else event.momentum
            self._steps.append((event.step, event.epoch, event.time, event.loss, event.lr, momentum))
        elif isinstance(event, EpochEvent):
            self._epochs.append(tuple(getattr(event, name) for name in EPOCH_COLUMNS))
        else:
            return
        paused = self.pause is not None and self.pause.is_set()
        if paused or self.clock() - self._last_emit >= self.interval:
            self.flush()

    def flush(self) -> None:
        """Emit what is pending, if anything."""
        self._last_emit = self.clock()
        if not self._steps and not self._epochs:
            return
        batch = {"steps": _columns(self._steps, STEP_COLUMNS),
                 "epochs": _columns(self._epochs, EPOCH_COLUMNS)}
        self._steps, self._epochs = [], []
        self.emit(batch)


def _columns(rows: list[tuple[float, ...]], names: tuple[str, ...]) -> dict[str, np.ndarray] | None:
    if not rows:
        return None
    table = np.asarray(rows, dtype=np.float64)
    return {name: np.ascontiguousarray(table[:, index]) for index, name in enumerate(names)}


class EventBridge(QObject):
    """One run's training signals in the GUI thread (its session relays the worker's
    here); ``ended`` keeps how the run ended."""

    run_started = Signal(int, dict)  # run_id, RunStarted fields
    points_arrived = Signal(int, object)  # run_id, MetricBatcher batch
    resources_sampled = Signal(int, dict)  # run_id, {"sys.cpu_percent": ..., ...}
    run_ended = Signal(int, dict)  # run_id, {"status", "summary", "error"}

    def __init__(self, run_id: int, parent: QObject | None = None):
        super().__init__(parent)
        self.run_id = run_id
        self.ended: dict[str, Any] | None = None
        self.run_ended.connect(self._on_run_ended)  # first: later receivers see it kept

    @Slot(int, dict)
    def _on_run_ended(self, _run_id: int, ended: dict) -> None:
        self.ended = ended
