"""The driver's side of a run that trains in another process (a Ray worker).

The worker has no database: it streams its training events and resource samples back,
and the driver, the only writer of the SQLite file, records them here exactly as
``execute_run`` records a local run (same rows, same metric points, same events to the
sweep's subscribers), so the app and the CLI cannot tell where a run trained.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from dlstudio.store import MetricWriter, Store
from dlstudio.training.events import Event, RunEnded, RunStarted
from dlstudio.training.recorder import MetricRecorder


class StreamedRun:
    """Marks the run started; records what its worker streams; ends the row."""

    def __init__(self, store: Store, run_id: int, directory: Path,
                 forward: Callable[[Event], None]):
        self.store = store
        self.run_id = run_id
        self.forward = forward
        store.set_checkpoint_dir(run_id, str(directory))
        store.start_run(run_id)  # owned by the driver: a dead driver's runs get interrupted
        self.writer = MetricWriter(store)
        self._recorder = MetricRecorder(self.writer, run_id)
        self.ended: RunEnded | None = None

    def event(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            # Points past the step it starts from belong to an attempt that died or
            # stopped; they are trained again.
            self.store.delete_metrics_after(self.run_id, event.start_step)
        elif isinstance(event, RunEnded):
            self.ended = event
        self._recorder(event)
        self.forward(event)

    def resources(self, step: int, epoch: int, elapsed: float,
                  sample: dict[str, float]) -> None:
        for key, value in sample.items():
            self.writer.add(self.run_id, key, step, epoch, value, elapsed)

    def end(self, ended: RunEnded, detail: str = "") -> None:
        """Write what is buffered and the outcome (``detail``: a failure's traceback)."""
        self.writer.close()
        if self.ended is None:  # the worker never sent it (it died)
            self.forward(ended)
        self.store.end_run(self.run_id, ended.status, ended.summary,
                           error=detail or ended.error)
