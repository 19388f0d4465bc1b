"""``TrainingController``: creates runs, starts their sessions, drains the queue.

The GUI-thread owner of every ``TrainingSession`` and ``SweepSession``. It creates run
rows through the core's ``create_run`` (deep checks first, so a bad config leaves no
row), keeps one job per device training (a sweep holds the devices of its workers until
it ends), and starts the next queued run or sweep whose devices are free when one ends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)
from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.gui.workers.run_queue import SWEEP, QueueEntry, RunQueue
from dlstudio.gui.workers.sweep_worker import SweepSession
from dlstudio.gui.workers.training_worker import TrainingSession
from dlstudio.training.resumable import RESUMABLE_RUNS


def device_key(config: RunConfig) -> str:
    """The device a config trains on, resolved (``auto`` -> ``cuda:0`` / ``mps`` / ``cpu``)."""
    from dlstudio.training.device import resolve_device

    return str(resolve_device(config.train.device))


class TrainingController(QObject):
    """Sessions by run id, the run queue and its hold switch."""

    session_started = Signal(object)  # TrainingSession
    run_finished = Signal(int, dict)  # run_id, {"status", "summary", "error"}
    sweep_session_started = Signal(object)  # SweepSession, before its thread starts
    sweep_session_ended = Signal(int)  # sweep_id, after its thread ended
    activity_changed = Signal()

    def __init__(self, db_path: Path, store, queue: RunQueue | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.store = store
        self.queue = queue or RunQueue(self)
        self.sessions: dict[int, TrainingSession] = {}
        self.sweep_sessions: dict[int, SweepSession] = {}
        self._sweep_devices: dict[int, tuple[str, ...]] = {}
        self.held = False
        self.closing = False
        self.queue.run_removed.connect(self._on_queue_run_removed)
        self.queue.changed.connect(self.activity_changed)

    # -- creating runs -------------------------------------------------------------
    def busy_devices(self) -> set[str]:
        busy = {session.device for session in self.sessions.values()}
        for devices in self._sweep_devices.values():
            busy.update(devices)
        return busy

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
        for sweep_id, devices in self._sweep_devices.items():
            if device in devices:
                return (f"Sweep #{sweep_id} is training on {device}: press Queue to train "
                        "this run after it, or stop the sweep.")
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

    def resume(self, run_id: int, device: str, label: str = "") -> bool:
        """Continue a stopped run from its checkpoint: now if ``device`` is free, else
        when its turn in the queue comes. Returns whether it started at once."""
        if device in self.busy_devices() or self.held:
            self.queue.enqueue(run_id, device, label, resume=True)
            return False
        self.start(run_id, device, resume=True)
        return True

    def enqueue_sweep(self, sweep_id: int, workers: int | None = None) -> bool:
        """Queue a stored sweep (new or to continue); it starts when its devices are free.

        ``workers``: trials trained at once; by default as many as the sweep was created
        with. Returns whether it started at once. Raises ``ConfigError`` when the sweep cannot
        run any more (finished or cancelled) or its base config no longer loads.
        """
        from dlstudio.training.sweeps.jobs import sweep_devices
        from dlstudio.training.sweeps.setup import RESUMABLE_SWEEPS, recorded_workers

        sweep = self.store.get_sweep(sweep_id)
        if sweep["status"] not in RESUMABLE_SWEEPS:
            raise ConfigError(f"sweep {sweep_id}: it is {sweep['status']}; only a queued, "
                              "paused or interrupted sweep can run")
        if sweep_id in self.sweep_sessions:
            return True
        if workers is None:
            workers = recorded_workers(sweep)
        devices = sweep_devices(RunConfig.from_dict(sweep["spec"].get("base") or {}), workers)
        self.queue.enqueue_sweep(sweep_id, devices, sweep["name"], workers)
        self.start_queued()
        return sweep_id in self.sweep_sessions

    def _create(self, config: RunConfig) -> int:
        from dlstudio.training.run_job import create_run

        return create_run(self.store, config, name=config.name, status="queued")

    def restore_queued(self) -> int:
        """Put the runs and sweeps left ``queued`` by an earlier session back in the
        queue, held (a sweep that had started is resumed from the Sweeps tab instead)."""
        rows = [row for row in self.store.list_runs(status="queued", sort_by="id",
                                                    descending=False)
                if row.get("sweep_id") is None and row["id"] not in self.queue]
        sweeps = [s for s in reversed(self.store.list_sweeps(status="queued"))
                  if (SWEEP, s["id"]) not in self.queue]
        if rows or sweeps:
            self.set_held(True)  # before enqueue_sweep, which would start a free sweep
        for row in rows:
            try:
                device = device_key(RunConfig.from_dict(row["config"]))
            except ConfigError:
                device = "cpu"
            self.queue.enqueue(row["id"], device, row["name"])
        for sweep in sweeps:
            try:
                self.enqueue_sweep(sweep["id"])
            except ConfigError:
                pass  # its base config no longer loads: it stays listed in the Sweeps tab
        return len(rows) + len(sweeps)

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
            if entry.kind == SWEEP:
                self._start_sweep(entry)
            elif self._still_waiting(entry):
                self.start(entry.run_id, entry.device, resume=entry.resume)

    def _start_sweep(self, entry: QueueEntry) -> None:
        from dlstudio.training.sweeps.setup import RESUMABLE_SWEEPS

        sweep_id = entry.run_id
        try:
            if self.store.get_sweep(sweep_id)["status"] not in RESUMABLE_SWEEPS:
                return  # cancelled while it waited
        except ConfigError:
            return  # deleted meanwhile
        session = SweepSession(self.db_path, sweep_id, entry.workers, parent=self)
        session.session_ended.connect(self._on_sweep_session_ended)
        self.sweep_sessions[sweep_id] = session
        self._sweep_devices[sweep_id] = entry.holds()
        self.sweep_session_started.emit(session)
        session.start()
        self.activity_changed.emit()

    def _still_waiting(self, entry: QueueEntry) -> bool:
        """The run is still what was queued: ``queued``, or stopped for a resume."""
        try:
            status = self.store.get_run(entry.run_id)["status"]
        except ConfigError:  # deleted from the runs table meanwhile
            return False
        return status in (RESUMABLE_RUNS if entry.resume else ("queued",))

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

    def active_sweeps(self) -> list[tuple[int, str]]:
        return [(sweep_id, ", ".join(devices))
                for sweep_id, devices in self._sweep_devices.items()]

    def running_count(self) -> int:
        """Runs and sweeps training now (what closing the window would stop)."""
        return len(self.sessions) + len(self.sweep_sessions)

    def shutdown(self) -> None:
        """Stop every run and sweep, then quit and wait for each thread; starts nothing more."""
        self.closing = True
        sessions = [*self.sessions.values(), *self.sweep_sessions.values()]
        for session in sessions:
            session.stop()
        for session in sessions:
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
    def _on_sweep_session_ended(self, sweep_id: int) -> None:
        session = self.sweep_sessions.pop(sweep_id, None)
        self._sweep_devices.pop(sweep_id, None)
        self.sweep_session_ended.emit(sweep_id)
        if session is not None:
            session.deleteLater()
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
