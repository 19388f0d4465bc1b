"""The LR range test on its own QThread: ``LRFinderWorker`` and the ``LRFinderSession``
that owns it.

The worker calls the core's ``find_lr`` with a stop ``threading.Event``, batches the
points it reports (at most ~30 signals a second, flushed at the end, none dropped),
saves the finished test in the store through its own connection, and always emits
``finished`` from ``finally:`` so the thread quits. The session lives in the GUI thread:
it receives the worker's signals in bound slots and re-emits them, which is what the
panel and tests connect to.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.workers.worker_session import WorkerSession
from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError


class LRPointBatcher:
    """Collects (lr, loss, smoothed) points; ``emit`` gets numpy columns at most
    ``max_rate`` times a second, and whatever is left on ``flush()``."""

    def __init__(self, emit, max_rate: float = 30.0, clock=time.monotonic):
        self.emit = emit
        self.interval = 1.0 / max_rate
        self.clock = clock
        self._points: list[tuple[float, float, float]] = []
        self._last = clock()

    def __call__(self, lr: float, loss: float, smoothed: float) -> None:
        self._points.append((lr, loss, smoothed))
        if self.clock() - self._last >= self.interval:
            self.flush()

    def flush(self) -> None:
        self._last = self.clock()
        if not self._points:
            return
        table = np.asarray(self._points, dtype=np.float64)
        self._points = []
        self.emit({"lr": table[:, 0].copy(), "loss": table[:, 1].copy(),
                   "smoothed": table[:, 2].copy()})


class LRFinderWorker(QObject):
    """Runs one LR range test for ``config`` when ``run()`` is called on its thread."""

    points_batched = Signal(object)  # {"lr", "loss", "smoothed": numpy arrays}
    test_finished = Signal(dict)  # LRFinderResult fields + "test_id", "stopped_by_user"
    test_failed = Signal(str)
    finished = Signal()

    def __init__(self, db_path: Path, config: RunConfig, settings: dict[str, Any],
                 max_rate: float = 30.0):
        super().__init__()
        self.db_path = Path(db_path)
        self.config = config
        self.settings = dict(settings)  # min_lr, max_lr, num_steps ...
        self.max_rate = max_rate
        self.stop_event = threading.Event()

    @Slot()
    def run(self) -> None:
        """Test, save, report; ``finished`` always follows."""
        from dlstudio.store import Store
        from dlstudio.training.lr_finder import find_lr

        batcher = LRPointBatcher(self.points_batched.emit, self.max_rate)
        try:
            result = find_lr(self.config, stop=self.stop_event, on_point=batcher, **self.settings)
            batcher.flush()
            with Store(self.db_path, mark_orphans=False) as store:
                test_id = store.save_lr_test(self.config.to_dict(), result.lrs, result.losses,
                                             result.suggestions, result.details())
            self.test_finished.emit({**result.to_dict(), "test_id": test_id,
                                     "stopped_by_user": self.stop_event.is_set()})
        except ConfigError as error:
            batcher.flush()
            self.test_failed.emit(self._message(error))
        except Exception as error:  # a broken dataset file, out of memory, ...
            batcher.flush()
            self.test_failed.emit(f"The test failed: {type(error).__name__}: {error}")
        finally:
            self.finished.emit()

    def _message(self, error: ConfigError) -> str:
        if self.stop_event.is_set():
            return "Stopped before the test had measured 3 points; nothing was saved."
        return "\n".join(error.problems)


class LRFinderSession(WorkerSession):
    """One test's thread and worker; its signals carry the worker's to the GUI thread.

    ``session_ended`` fires once the thread has really ended (after ``test_finished``
    or ``test_failed``).
    """

    points_received = Signal(object)
    test_finished = Signal(dict)
    test_failed = Signal(str)
    session_ended = Signal()
    relays = {"points_batched": "points_received", "test_finished": "test_finished",
              "test_failed": "test_failed"}

    def __init__(self, db_path: Path, config: RunConfig, settings: dict[str, Any],
                 parent: QObject | None = None):
        super().__init__(LRFinderWorker(db_path, config, settings), "dlstudio-lr-finder",
                         parent)
        self._stop_event = self.worker.stop_event

    def stop(self) -> None:
        """Ask the test to stop; it takes effect within one mini-batch."""
        self._stop_event.set()

    @property
    def stopping(self) -> bool:
        return self._stop_event.is_set()

    def shutdown(self) -> None:
        """Stop, then quit and wait for the thread (never terminate)."""
        self.stop()
        super().shutdown()

    def _thread_ended(self) -> None:
        self.session_ended.emit()
