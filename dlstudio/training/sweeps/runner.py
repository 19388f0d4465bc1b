"""The sweep runner: trials from a strategy, trained by an executor, told back.

::

    with Store(db_path) as store:
        sweep_id = create_sweep(store, example_path("hyperband.yaml"))
    summary = SweepRunner(db_path, sweep_id, workers=2, subscribers=[print]).run()

``run()`` starts a new sweep or continues a stopped or killed one: the strategy comes
back from its stored state, trials whose run had already ended are told from the stored
result (no retraining), and trials whose run was stopped or interrupted continue from
their last checkpoint, so no trial is lost or counted twice. Each trial is a run row
(``sweep_id``, ``trial_id`` = its trials-table row); a worker trains it with
``execute_run``, which opens its own store connection. Only the runner's own thread
touches the strategy and writes sweep and trial rows.

Where the runs train is the sweep's executor (``executors``): ``local`` worker threads,
or ``ray`` tasks on a cluster, whose events the runner's thread records (the database's
only writer then). A Ray trial whose worker died is ``interrupted`` and queued again
from its last checkpoint, at most ``MAX_LOST`` times; it is told once, when it ends.

The strategy is told the sweep's dev metric only (``sweep_objective``); a failed or
diverged trial is told None (the worst score) and the sweep goes on. ``stop`` and
``pause`` are ``threading.Event`` s: checked between trials and passed to every run, so
a stop takes effect within one step and leaves the sweep ``paused`` (resumable).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from dlstudio.errors import ConfigError
from dlstudio.search import Trial
from dlstudio.search.executor_spec import ExecutorSpec
from dlstudio.store import Store
from dlstudio.training.events import RunEnded
from dlstudio.training.sweeps.events import (SweepEnded, SweepEvent, SweepPaused,
                                            SweepStarted, TrialFinished, TrialStarted)
from dlstudio.training.sweeps.executors import (ExecutorContext, check_trial_config,
                                               executor_overrides, open_executor)
from dlstudio.training.sweeps.final_phase import FinalPhase, SweepSession
from dlstudio.training.sweeps.jobs import (ENDED, Job, continue_job, last_checkpoint,
                                          last_line, run_config)
from dlstudio.training.sweeps.objective import objective_score
from dlstudio.training.sweeps.setup import recorded_executor
from dlstudio.training.sweeps.state import SweepState
from dlstudio.training.sweeps.summary import sweep_summary

POLL_SECONDS = 0.1  # how often an idle loop looks at the pause event
MAX_LOST = 3  # a run whose worker died this often fails (e.g. it kills its worker itself)

# (database file, sweep id) of the sweeps a runner of this process is running now.
_ACTIVE: set[tuple[str, int]] = set()
_ACTIVE_LOCK = threading.Lock()


class SweepRunner:
    """Runs one stored sweep to its end, or until ``stop`` is set.

    ``workers``: trials trained at once (local threads share ``cores - 1`` CPU threads,
    with several GPUs each worker gets its own; Ray tasks get the resources the
    executor asks). ``executor``: where they train (default: the sweep file's
    ``executor`` section, as recorded). ``subscribers`` get the events of
    ``sweep_events``, one call at a time, from this thread or a worker's.
    """

    def __init__(self, db_path: str | Path, sweep_id: int, workers: int = 1,
                 subscribers: Sequence[Callable[[SweepEvent], None]] = (),
                 stop: threading.Event | None = None, pause: threading.Event | None = None,
                 executor: ExecutorSpec | None = None):
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers: got {workers!r}, expected a whole number >= 1")
        self.db_path = Path(db_path)
        self.sweep_id = sweep_id
        self.workers = workers
        self.subscribers = list(subscribers)
        self.stop = stop or threading.Event()
        self.pause = pause or threading.Event()
        self.executor = executor
        self._lost: dict[int, int] = {}  # run id -> times its worker died
        self._notify_lock = threading.Lock()
        self._shown_paused = False

    def run(self) -> dict[str, Any]:
        """Run (or continue) the sweep; returns ``sweep_summary`` at the end."""
        key = (os.path.realpath(self.db_path), self.sweep_id)
        with _ACTIVE_LOCK:
            if key in _ACTIVE:
                raise ConfigError(f"sweep {self.sweep_id}: already running")
            _ACTIVE.add(key)
        try:
            with Store(self.db_path) as store:
                return self._run(store)
        finally:
            with _ACTIVE_LOCK:
                _ACTIVE.discard(key)

    # -- the session ---------------------------------------------------------------
    def _run(self, store: Store) -> dict[str, Any]:
        sweep = store.get_sweep(self.sweep_id)
        if sweep["status"] == "cancelled":
            raise ConfigError(f"sweep {self.sweep_id}: cancelled; it cannot be resumed")
        if sweep["status"] == "finished":
            return sweep_summary(store, self.sweep_id)
        self._check_no_live_runs(store)
        spec = self.executor or recorded_executor(sweep)
        self._spec, self._root = spec, spec.checkpoints
        # Connected before the claim: a missing Ray or an unreachable cluster changes nothing.
        self._executor = open_executor(spec, ExecutorContext(
            self.db_path, self.sweep_id, store, self.workers, self._notify, self.stop,
            self.pause, spec.checkpoints))
        try:
            return self._session(store, sweep)
        finally:
            self._executor.close()

    def _session(self, store: Store, sweep: dict[str, Any]) -> dict[str, Any]:
        spec = self._spec
        with store.transaction():  # check and claim at once: two apps cannot both win
            state = SweepState.load(store, self.sweep_id)
            if state.owned_elsewhere():
                raise ConfigError(f"sweep {self.sweep_id}: being run by process "
                                  f"{state.owner['pid']}; stop it there first")
            self._base = state.base_config()
            self._overrides = executor_overrides(spec, self._base, self.workers)
            state.claim()
            state.save(store)
            store.update_sweep(self.sweep_id, status="running")
        self._store, self._state, self._name = store, state, sweep["name"]
        self._notify(SweepStarted(self.sweep_id, sweep["name"], state.record["description"],
                                  state.metric, state.goal, resumed=sweep["status"] != "queued",
                                  workers=self.workers, executor=spec.kind,
                                  gpus=tuple(o["train.device"] for o in self._overrides
                                             if "train.device" in o)))
        status = "paused"
        try:
            self._drive(self._next_trial_job, self._trial_done)
            if not self.stop.is_set():
                if not state.strategy.done:
                    raise RuntimeError(f"sweep {self.sweep_id}: the strategy waits for "
                                       "trials that are not running")
                status = "finished" if self._final_phase() else "paused"
        finally:
            with store.transaction():
                state.owner = None
                state.save(store)
                store.update_sweep(self.sweep_id, status=status)
            summary = sweep_summary(store, self.sweep_id)
            self._notify(SweepEnded(self.sweep_id, status, summary["best"]))
        return summary

    def _check_no_live_runs(self, store: Store) -> None:
        # Opening the store turned runs of dead processes into ``interrupted``; a run
        # still ``running`` belongs to a live process (another app, another host).
        live = [run["id"] for run in store.list_runs(status="running", sweep_id=self.sweep_id)]
        if live:
            raise ConfigError(f"sweep {self.sweep_id}: run {', '.join(map(str, live))} is "
                              "still running in another process; stop it there first")

    def _final_phase(self) -> bool:
        final = self._state.record.get("final_seeds")
        if not final:
            return True
        phase = FinalPhase(SweepSession(self.db_path, self.sweep_id, self._name, self._store,
                                        self._state, self._base, self._overrides,
                                        self._notify, self._spec), final)
        self._drive(phase.next_job, phase.done)
        return phase.complete()

    # -- the worker pool -----------------------------------------------------------
    def _drive(self, next_job: Callable[[int], Job | None],
               on_done: Callable[[Job, RunEnded], None]) -> None:
        """Keep every worker slot busy with ``next_job(slot)`` until it has none."""
        free = list(range(self.workers))
        executor = self._executor
        try:
            while True:
                self._follow_pause()
                while free and not self.stop.is_set() and not self.pause.is_set():
                    job = next_job(free[0])
                    if job is None:
                        break
                    free.remove(job.slot)
                    executor.submit(job)
                if not executor.running:
                    if self.pause.is_set() and not self.stop.is_set():
                        time.sleep(POLL_SECONDS)
                        continue
                    return
                for job, ended in executor.finished(POLL_SECONDS):
                    again = self._settle(job, ended, on_done)
                    if again is None:
                        free.append(job.slot)
                    else:  # the same slot: Ray places it wherever there is room
                        executor.submit(again)
        except BaseException:
            # Ctrl-C or an error: the runs stop within a step; record how each
            # ended so that the next session continues them.
            self.stop.set()
            for job, ended in executor.settle():
                self._settle(job, ended, on_done)
            raise

    def _settle(self, job: Job, ended: RunEnded,
                on_done: Callable[[Job, RunEnded], None]) -> Job | None:
        """Record how a job ended; returns the job that continues it when its worker
        died (None when it has its result, or when the sweep is stopping)."""
        if ended.status != "interrupted":
            on_done(job, ended)
            return None
        lost = self._lost[job.run_id] = self._lost.get(job.run_id, 0) + 1
        if lost >= MAX_LOST:
            failed = RunEnded("failed", error=f"{ended.error} ({lost} times)")
            self._store.end_run(job.run_id, "failed", {}, error=failed.error)
            on_done(job, failed)
            return None
        if job.trial is not None:
            self._store.update_trial(self._state.rows[job.trial.id], status="interrupted")
            self._notify(TrialFinished(self.sweep_id, job.trial.id, job.run_id, None,
                                       "interrupted", ended.error))
        if self.stop.is_set():  # the next session continues it
            return None
        again = continue_job(self.db_path, job.run_id, job.slot, trial=job.trial,
                             final_index=job.final_index, init_from=job.init_from,
                             start_epoch=job.start_epoch, root=self._root)
        if job.trial is not None:
            self._store.update_trial(self._state.rows[job.trial.id], status="running")
            self._notify(TrialStarted(self.sweep_id, job.trial, job.run_id,
                                      again.start_epoch, resumed=True))
        return again

    def _follow_pause(self) -> None:
        paused = self.pause.is_set() and not self.stop.is_set()
        if paused != self._shown_paused:
            self._shown_paused = paused
            self._store.update_sweep(self.sweep_id, status="paused" if paused else "running")
            # Followers re-read the row on this event: when the mark lands depends on
            # this thread's next look at the pause event, which no fixed delay can know.
            self._notify(SweepPaused(self.sweep_id, paused))

    def _notify(self, event: SweepEvent) -> None:
        with self._notify_lock:
            for subscriber in self.subscribers:
                subscriber(event)

    # -- trials ----------------------------------------------------------------------
    def _next_trial_job(self, slot: int) -> Job | None:
        """The next trial to train; trials settled without training are told on the way."""
        while True:
            trial = self._state.strategy.ask()
            if trial is None:
                return None
            row_id = self._state.trial_row(trial.id)
            if row_id is None:
                job = self._new_trial_job(trial, slot)
            else:
                job = self._existing_trial_job(trial, row_id, slot)
            if job is not None:
                self._store.update_trial(self._state.rows[trial.id], status="running")
                self._notify(TrialStarted(self.sweep_id, trial, job.run_id, job.start_epoch,
                                          resumed=job.resume))
                return job

    def _new_trial_job(self, trial: Trial, slot: int) -> Job | None:
        earlier_run = self._run_of(trial.resume_from)
        store, state = self._store, self._state
        try:
            config = run_config(self._base, trial.config, trial.epochs, self._overrides[slot])
            check_trial_config(config, self._spec)
        except ConfigError as exc:  # a value this dataset or model refuses: a failed trial
            with store.transaction():
                row_id = self._add_trial_row(trial, earlier_run, status="failed")
                state.save(store)
            self._tell(trial, None, None, "failed", error=f"config refused: {exc}")
            return None
        with store.transaction():
            row_id = self._add_trial_row(trial, earlier_run)
            run_id = store.create_run(config.to_dict(), name=f"{self._name} trial {trial.id}",
                                      sweep_id=self.sweep_id, trial_id=row_id)
            store.update_trial(row_id, run_id=run_id)
            state.save(store)
        init_from = last_checkpoint(self.db_path, earlier_run, self._root) \
            if earlier_run else None
        return Job(run_id, slot, trial, init_from=init_from, start_epoch=self._start(trial))

    def _add_trial_row(self, trial: Trial, earlier_run: int | None,
                       status: str = "queued") -> int:
        row_id = self._store.add_trial(self.sweep_id, trial.config, trial.epochs,
                                       resume_from=earlier_run, bracket=trial.bracket,
                                       rung=trial.rung, status=status)
        self._state.rows[trial.id] = row_id
        return row_id

    def _existing_trial_job(self, trial: Trial, row_id: int, slot: int) -> Job | None:
        """A trial handed out again after a restart: tell its result or continue it."""
        row = self._store.get_trial(row_id)
        if row["run_id"] is None:  # refused before a run existed
            self._tell(trial, None, None, "failed")
            return None
        run = self._store.get_run(row["run_id"])
        if run["status"] in ENDED:  # ended, but the process died before the tell was stored
            score = objective_score(self._state.metric, run["summary"]) \
                if run["status"] == "finished" else None
            self._tell(trial, run["id"], score, run["status"], last_line(run["error"]))
            return None
        earlier_run = self._run_of(trial.resume_from)
        init_from = last_checkpoint(self.db_path, earlier_run, self._root) \
            if earlier_run else None
        return continue_job(self.db_path, run["id"], slot, trial=trial, init_from=init_from,
                            start_epoch=self._start(trial), root=self._root)

    def _trial_done(self, job: Job, ended: RunEnded) -> None:
        trial = job.trial
        assert trial is not None
        if ended.status == "stopped":  # not a result: the next session continues it
            self._store.update_trial(self._state.rows[trial.id], status="stopped")
            self._notify(TrialFinished(self.sweep_id, trial.id, job.run_id, None, "stopped"))
            return
        score = objective_score(self._state.metric, ended.summary) \
            if ended.status == "finished" else None
        self._tell(trial, job.run_id, score, ended.status, ended.error)

    def _tell(self, trial: Trial, run_id: int | None, score: float | None, status: str,
              error: str = "") -> None:
        """Store the trial's score and the strategy that has been told it, together."""
        store, state = self._store, self._state
        with store.transaction():
            store.update_trial(state.rows[trial.id], status=status, score=score)
            state.strategy.tell(trial.id, score)
            state.save(store)
        self._notify(TrialFinished(self.sweep_id, trial.id, run_id, score, status, error))

    def _run_of(self, trial_id: int | None) -> int | None:
        if trial_id is None or trial_id not in self._state.rows:
            return None
        return self._store.get_trial(self._state.rows[trial_id])["run_id"]

    def _start(self, trial: Trial) -> int:
        if trial.resume_from is None:
            return 0
        return next(t.epochs for t in self._state.strategy.trials if t.id == trial.resume_from)
