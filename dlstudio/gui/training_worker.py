"""One run trained on its own QThread: ``TrainingWorker`` and the ``TrainingSession`` owning it.

The worker calls the core's ``execute_run`` (which opens its own store connection in
the worker thread) with a ``MetricBatcher`` subscribed, and reports through signals
carrying plain data. The session, a GUI-thread QObject, wires thread, worker and
``EventBridge`` together (STYLE.md: started -> run, finished -> quit, deleteLater on
both) and emits ``run_finished`` once the thread has really ended.
"""

from __future__ import annotations

import dataclasses
import threading
import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)
from dlstudio.gui.event_bridge import EventBridge, MetricBatcher
from dlstudio.gui.worker_control import StopPauseControl
from dlstudio.training.events import Event, RunStarted

# Batches a second from the worker to the GUI. The live view redraws at most every
# 150 ms, so points arriving faster only wake the GUI thread, and each wake-up takes the
# GIL from the training thread; pausing and the end of a run still flush at once.
BATCH_RATE = 10.0


class TrainingWorker(QObject):
    """Trains run ``run_id`` when ``run()`` is called on its thread.

    ``stop_event`` and ``pause_event`` are set directly by the GUI; the training loop
    checks them between steps (a slot would not run while ``run()`` is busy).
    """

    run_started = Signal(dict)
    points_batched = Signal(object)
    resources_sampled = Signal(dict)
    run_ended = Signal(dict)
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

        batcher = MetricBatcher(self.points_batched.emit, self.max_rate, pause=self.pause_event)
        try:
            ended = execute_run(self.db_path, self.run_id, subscribers=[batcher, self._on_event],
                                stop=self.stop_event, pause=self.pause_event, resume=self.resume,
                                on_resources=self.resources_sampled.emit)
            batcher.flush()
            self.run_ended.emit({"status": ended.status, "summary": dict(ended.summary),
                                 "error": ended.error})
        except Exception as exc:  # the store could not open, the row vanished, ...
            batcher.flush()
            self.run_ended.emit({"status": "failed", "summary": {},
                                 "error": f"{type(exc).__name__}: {exc}",
                                 "traceback": traceback.format_exc()})
        finally:
            self.finished.emit()

    def _on_event(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self.run_started.emit(dataclasses.asdict(event))


class TrainingSession(StopPauseControl, QObject):
    """A run's thread, worker and bridge; ``run_finished`` fires after the thread ended."""

    run_finished = Signal(int, dict)  # run_id, {"status", "summary", "error"}

    def __init__(self, db_path: Path, run_id: int, device: str = "cpu", resume: bool = False,
                 parent: QObject | None = None, max_rate: float = BATCH_RATE):
        super().__init__(parent)
        self.run_id = run_id
        self.device = device
        self.bridge = EventBridge(run_id, self)
        self.worker: TrainingWorker | None = TrainingWorker(db_path, run_id, resume, max_rate)
        self.thread: QThread | None = QThread()
        self.thread.setObjectName(f"dlstudio-run-{run_id}")
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.finished.connect(self.thread.quit)
        self.worker.run_started.connect(self.bridge._on_run_started)
        self.worker.points_batched.connect(self.bridge._on_points_batched)
        self.worker.resources_sampled.connect(self.bridge._on_resources_sampled)
        self.worker.run_ended.connect(self.bridge._on_run_ended)
        # The worker's deferred delete runs as the thread finishes; the thread object
        # lives in the GUI thread and is let go in _on_thread_finished, after a wait().
        self.thread.finished.connect(self.worker.deleteLater)
        self.thread.finished.connect(self._on_thread_finished)
        self._stop_event = self.worker.stop_event
        self._pause_event = self.worker.pause_event
        self.done = False

    # -- control (GUI thread) ------------------------------------------------------
    def start(self) -> None:
        self.thread.start()

    def shutdown(self) -> None:
        """Stop, then quit and wait for the thread (never terminate)."""
        self.stop()
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()

    # -- the thread ended ----------------------------------------------------------
    @Slot()
    def _on_thread_finished(self) -> None:
        # Returns at once: finished is the thread's last act. Waiting first means the
        # worker's deferred delete has run before the Python references go.
        self.thread.wait()
        self.thread.deleteLater()
        self.worker = self.thread = None
        self.done = True
        ended: dict[str, Any] = self.bridge.ended or {
            "status": "failed", "summary": {}, "error": "the training thread ended without a result"}
        self.run_finished.emit(self.run_id, ended)
