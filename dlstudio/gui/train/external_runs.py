"""Runs that another process trains (the command line, a script calling the API),
followed live in the Train tab without a restart.

``poll`` runs when the ``DatabaseWatcher`` says another connection wrote: it offers each
new ``running`` run of another process to the live view and appends to each followed
run only the points past the last step it holds (one primary-key range read per curve,
never the whole table). A followed run that is no longer ``running`` is ended with its
stored status and summary. The app's own runs and sweep trials (this process owns them)
come through their own sessions and are left alone. Another process's run can be
watched, not paused or stopped: the live view shows no controls for it.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Slot

from dlstudio.errors import ConfigError
from dlstudio.gui.train.run_trace import EPOCH_KEYS, STEP_KEYS, RunTrace
from dlstudio.store.owners import HOST


def is_external(run: dict) -> bool:
    """Whether another process (or another machine) trains ``run``."""
    return run.get("owner_pid") != os.getpid() or run.get("owner_host") != HOST


class ExternalRuns(QObject):
    """Keeps the live view's traces of other processes' running runs up to date."""

    def __init__(self, store, live_view, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.live_view = live_view
        self.followed: dict[int, RunTrace] = {}

    @Slot()
    def poll(self) -> None:
        """Offer new external runs; read the new points of the followed ones."""
        for run in self.store.list_runs(status="running"):
            if run["id"] not in self.followed and is_external(run):
                self.followed[run["id"]] = trace = RunTrace(run["id"], run.get("name") or "")
                trace.start(_start_info(run))
                self.live_view.follow_external(trace)
        for run_id, trace in list(self.followed.items()):
            try:
                run = self.store.get_run(run_id)
            except ConfigError:  # deleted meanwhile (e.g. from the command line)
                run = {"status": "deleted", "summary": {}}
            else:
                self._read_new_points(run_id, trace)
            if run["status"] != "running":
                del self.followed[run_id]
                error = (run.get("error") or "").strip().splitlines()
                self.live_view.external_ended(run_id, {
                    "status": run["status"], "summary": run.get("summary") or {},
                    "error": error[-1] if error else ""})
            else:
                self.live_view.external_grew(run_id)

    def _read_new_points(self, run_id: int, trace: RunTrace) -> None:
        for key in (*STEP_KEYS, *EPOCH_KEYS):
            trace.extend_curve(key, self.store.read_curve_after(
                run_id, key, trace.last_stored_step(key)))
        trace.set_stored_keys(self.store.metric_keys(run_id),  # an index seek per key
                              lambda keys: self.store.last_point(run_id, keys))
        if not trace.info.get("steps_per_epoch") and trace.count("dev_loss"):
            trace.info["steps_per_epoch"] = round(trace.steps_per_epoch())


def _start_info(run: dict) -> dict:
    train = (run.get("config") or {}).get("train") or {}
    epochs = train.get("epochs", 0) if isinstance(train, dict) else 0
    return {"epochs": epochs if isinstance(epochs, int) else 0, "steps_per_epoch": 0,
            "start_step": 0, "metric_name": "accuracy"}
