"""One run trained on its own QThread: ``TrainingWorker`` and the ``TrainingSession`` owning it.

The worker calls the core's ``execute_run`` (which opens its own store connection in
the worker thread) with a ``MetricBatcher`` subscribed, and reports through signals
carrying plain data and the run id. The session, a ``WorkerSession``, relays the
worker's signals to its ``EventBridge`` in the GUI thread and emits ``run_finished``
once the thread has really ended.
"""

from __future__ import annotations

import dataclasses
import threading
import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)
from dlstudio.gui.workers.worker_session import WorkerSession
from dlstudio.gui.workers.event_bridge import EventBridge, MetricBatcher
from dlstudio.gui.workers.stop_pause_control import StopPauseControl
from dlstudio.training.events import Event, RunStarted

# Batches a second from the worker to the GUI. The live view updates its progress
# line with each batch and redraws the plots about once a second on a 2-core machine,
# so points arriving faster only wake the GUI thread, and each wake-up takes the GIL
# from the training thread; pausing and the end of a run still flush at once.
BATCH_RATE = 4.0


class TrainingWorker(QObject):
    """Trains run ``run_id`` when ``run()`` is called on its thread.

    ``stop_event`` and ``pause_event`` are set directly by the GUI; the training loop
    checks them between steps (a slot would not run while ``run()`` is busy).
    """

    run_started = Signal(int, dict)  # run_id, RunStarted fields
    points_batched = Signal(int, object)  # run_id, MetricBatcher batch
    resources_sampled = Signal(int, dict)  # run_id, {"sys.cpu_percent": ..., ...}
    run_ended = Signal(int, dict)  # run_id, {"status", "summary", "error"}
    finished = Signal()

    def __init__(self, db_path: Path, run_id: int, resume: bool = False,
                 max_rate: float = BATCH_RATE):
        super().__init__()
        self.db_path = Path(db_path)
        self.run_id = run_id
        self.resume = resume
        self.max_rate = max_rate
        self.stop_event = threading.Event()
        self.pause_event = threading.Event()

    @Slot()
    def run(self) -> None:
        """Train, report, and always emit ``finished`` so the thread quits."""
        from dlstudio.training.run_job import execute_run

        batcher = MetricBatcher(self._emit_points, self.max_rate, pause=self.pause_event)
        try:
            ended = execute_run(self.db_path, self.run_id, subscribers=[batcher, self._on_event],
                                stop=self.stop_event, pause=self.pause_event, resume=self.resume,
                                on_resources=self._emit_resources)
            batcher.flush()
            self.run_ended.emit(self.run_id, {"status": ended.status, "summary": dict(ended.summary),
                                 "error": ended.error})
        except Exception as exc:  # the store could not open, the row vanished, ...
            batcher.flush()
            self.run_ended.emit(self.run_id, {"status": "failed", "summary": {},
                                 "error": f"{type(exc).__name__}: {exc}",
                                 "traceback": traceback.format_exc()})
        finally:
            self.finished.emit()

    def _on_event(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self.run_started.emit(self.run_id, dataclasses.asdict(event))

    def _emit_points(self, batch: dict) -> None:
        self.points_batched.emit(self.run_id, batch)

    def _emit_resources(self, sample: dict) -> None:
        self.resources_sampled.emit(self.run_id, sample)


class TrainingSession(StopPauseControl, WorkerSession):
    """A run's thread, worker and bridge; ``run_finished`` fires after the thread ended."""

    run_finished = Signal(int, dict)  # run_id, {"status", "summary", "error"}
    relays = {"run_started": "run_started", "points_batched": "points_arrived",
              "resources_sampled": "resources_sampled", "run_ended": "run_ended"}

    def __init__(self, db_path: Path, run_id: int, device: str = "cpu", resume: bool = False,
                 parent: QObject | None = None, max_rate: float = BATCH_RATE):
        bridge = EventBridge(run_id)
        super().__init__(TrainingWorker(db_path, run_id, resume, max_rate),
                         f"dlstudio-run-{run_id}", parent, relay_to=bridge)
        bridge.setParent(self)
        self.run_id = run_id
        self.device = device
        self.bridge = bridge
        self._stop_event = self.worker.stop_event
        self._pause_event = self.worker.pause_event

    def shutdown(self) -> None:
        """Stop, then quit and wait for the thread (never terminate)."""
        self.stop()
        super().shutdown()

    def _thread_ended(self) -> None:
        ended: dict[str, Any] = self.bridge.ended or {
            "status": "failed", "summary": {}, "error": "the training thread ended without a result"}
        self.run_finished.emit(self.run_id, ended)
