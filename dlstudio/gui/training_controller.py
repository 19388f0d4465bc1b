"""``TrainingController``: creates runs, starts their sessions, drains the queue.

The GUI-thread owner of every ``TrainingSession``. It creates run rows through the
core's ``create_run`` (deep checks first, so a bad config leaves no row), keeps one run
per device training, and starts the next queued run whose device is free when one ends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)
from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.gui.run_queue import RunQueue
from dlstudio.gui.training_worker import TrainingSession


def device_key(config: RunConfig) -> str:
    """The device a config trains on, resolved (``auto`` -> ``cuda:0`` / ``mps`` / ``cpu``)."""
    from dlstudio.training.device import resolve_device

    return str(resolve_device(config.train.device))


class TrainingController(QObject):
    """Sessions by run id, the run queue and its hold switch."""

    session_started = Signal(object)  # TrainingSession
    run_finished = Signal(int, dict)  # run_id, {"status", "summary", "error"}
    activity_changed = Signal()

    def __init__(self, db_path: Path, store, queue: RunQueue | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.store = store
        self.queue = queue or RunQueue(self)
        self.sessions: dict[int, TrainingSession] = {}
        self.held = False
        self.closing = False
        self.queue.run_removed.connect(self._on_queue_run_removed)
        self.queue.changed.connect(self.activity_changed)

    # -- creating runs -------------------------------------------------------------
    def busy_devices(self) -> set[str]:
        return {session.device for session in self.sessions.values()}

    def busy_reason(self, config: RunConfig) -> str:
        """Why ``run_now`` would refuse ``config`` ("" when it would not)."""
        try:
            device = device_key(config)
        except ConfigError:
            return ""  # create_run reports it, next to the field
        for run_id, session in self.sessions.items():
            if session.device == device:
                return (f"Run #{run_id} is training on {device}: press Queue to train this "
                        "one next, or Stop the current run.")
        return ""

    def run_now(self, config: RunConfig) -> int:
        """Create the run and start it; raises ``ConfigError`` (no row) or if its device is busy."""
        reason = self.busy_reason(config)
        if reason:
            raise ConfigError(f"train.device: {reason}")
        device = device_key(config)
        run_id = self._create(config)
        self.start(run_id, device)
        return run_id

    def enqueue(self, config: RunConfig) -> int:
        """Create the run as ``queued`` and add it to the queue (it starts if its device is free)."""
        device = device_key(config)
        run_id = self._create(config)
        label = self.store.get_run(run_id)["name"]
        self.queue.enqueue(run_id, device, label)
        self.start_queued()
        return run_id

    def enqueue_created(self, run_ids: list[int]) -> None:
        """Queue runs already stored as ``queued`` (a run group's members), in this order."""
        for run_id in run_ids:
            row = self.store.get_run(run_id)
            self.queue.enqueue(run_id, device_key(RunConfig.from_dict(row["config"])),
                               row["name"])
        self.start_queued()

    def _create(self, config: RunConfig) -> int:
        from dlstudio.training.run_job import create_run

        return create_run(self.store, config, name=config.name, status="queued")

    def restore_queued(self) -> int:
        """Put the runs left ``queued`` by an earlier session back in the queue, held."""
        rows = [row for row in self.store.list_runs(status="queued", sort_by="id",
                                                    descending=False)
                if row.get("sweep_id") is None and row["id"] not in self.queue]
        for row in rows:
            try:
                device = device_key(RunConfig.from_dict(row["config"]))
            except ConfigError:
                device = "cpu"
            self.queue.enqueue(row["id"], device, row["name"])
        if rows:
            self.set_held(True)
        return len(rows)

    # -- running -------------------------------------------------------------------
    def start(self, run_id: int, device: str, resume: bool = False) -> TrainingSession:
        """Train ``run_id`` on its own thread now."""
        session = TrainingSession(self.db_path, run_id, device, resume, parent=self)
        session.run_finished.connect(self._on_session_finished)
        self.sessions[run_id] = session
        self.session_started.emit(session)
        session.start()
        self.activity_changed.emit()
        return session

    def start_queued(self) -> None:
        """Start queued runs whose device is free (unless held or closing)."""
        while not (self.held or self.closing):
            entry = self.queue.next(self.busy_devices())
            if entry is None:
                return
            if self._still_queued(entry.run_id):
                self.start(entry.run_id, entry.device)

    def _still_queued(self, run_id: int) -> bool:
        try:
            return self.store.get_run(run_id)["status"] == "queued"
        except ConfigError:  # deleted from the runs table meanwhile
            return False

    def stop(self, run_id: int) -> None:
        if run_id in self.sessions:
            self.sessions[run_id].stop()

    def set_paused(self, run_id: int, paused: bool) -> None:
        if run_id in self.sessions:
            self.sessions[run_id].set_paused(paused)

    def set_held(self, held: bool) -> None:
        self.held = held
        self.activity_changed.emit()
        if not held:
            self.start_queued()

    def active_runs(self) -> list[tuple[int, str]]:
        return [(run_id, session.device) for run_id, session in self.sessions.items()]

    def shutdown(self) -> None:
        """Stop every run, then quit and wait for each thread; starts nothing more."""
        self.closing = True
        for session in list(self.sessions.values()):
            session.stop()
        for session in list(self.sessions.values()):
            session.shutdown()

    # -- events --------------------------------------------------------------------
    @Slot(int, dict)
    def _on_session_finished(self, run_id: int, ended: dict[str, Any]) -> None:
        session = self.sessions.pop(run_id, None)
        if session is not None:
            session.deleteLater()
        self.run_finished.emit(run_id, ended)
        self.activity_changed.emit()
        if not self.closing:
            self.start_queued()

    @Slot(int)
    def _on_queue_run_removed(self, run_id: int) -> None:
        if self.closing:
            return
        try:
            if self.store.get_run(run_id)["status"] == "queued":
                self.store.delete_run(run_id)
        except ConfigError:
            pass  # already gone
