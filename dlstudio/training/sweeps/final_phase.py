"""The final-seeds phase of a sweep run: jobs for ``SweepRunner``'s worker pool.

The re-runs are planned once, when the search is done, and stored in the sweep state
(``final.jobs``: rank, configuration, epochs, seed, run id, status, score); a killed app
continues them like trials: an ended run is read back, a stopped or interrupted one
continues from its last checkpoint. Their runs belong to the sweep (``sweep_id``) but
to no trial (``trial_id`` is None).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from dlstudio.config import RunConfig

from dlstudio.errors import ConfigError
from dlstudio.training.events import RunEnded
from dlstudio.training.run_job import check_config
from dlstudio.training.sweeps.events import FinalRunFinished, FinalRunStarted
from dlstudio.training.sweeps.final import plan_final
from dlstudio.training.sweeps.jobs import ENDED, Job, continue_job, last_line, run_config
from dlstudio.store import Store
from dlstudio.training.sweeps.events import SweepEvent
from dlstudio.training.sweeps.objective import objective_score
from dlstudio.training.sweeps.state import SweepState


@dataclass
class SweepSession:
    """What a phase of one sweep run works with: given by ``SweepRunner`` while it runs."""

    db_path: Path
    sweep_id: int
    name: str
    store: Store
    state: SweepState
    base: RunConfig
    overrides: list[dict[str, Any]]  # per worker slot (its device)
    notify: Callable[[SweepEvent], None]


class FinalPhase:
    """Hands out the final-seed re-runs that have no result yet and records theirs."""

    def __init__(self, sweep: SweepSession, setting: dict[str, int]):
        self.sweep = sweep
        state = sweep.state
        if state.final is None:
            state.final = plan_final(state.strategy, setting["top"], setting["seeds"],
                                     sweep.base.train.seed)
            state.save(sweep.store)
        self.jobs: list[dict[str, Any]] = state.final["jobs"]
        self._queue = [i for i, job in enumerate(self.jobs) if job["status"] not in ENDED]

    def complete(self) -> bool:
        """True when every re-run has its result."""
        return all(job["status"] in ENDED for job in self.jobs)

    def next_job(self, slot: int) -> Job | None:
        """The next re-run to train; ones that already ended are recorded on the way."""
        while self._queue:
            index = self._queue.pop(0)
            job = self._job(index, slot)
            if job is not None:
                entry = self.jobs[index]
                self.sweep.notify(FinalRunStarted(self.sweep.sweep_id, entry["rank"],
                                                  entry["seed"], job.run_id))
                return job
        return None

    def done(self, job: Job, ended: RunEnded) -> None:
        """Record a re-run's outcome (a stopped one stays to be continued)."""
        assert job.final_index is not None
        if ended.status == "stopped":
            self._record(job.final_index, None, "stopped")
            return
        score = objective_score(self.sweep.state.metric, ended.summary) \
            if ended.status == "finished" else None
        self._record(job.final_index, score, ended.status, ended.error)

    def _job(self, index: int, slot: int) -> Job | None:
        sweep, entry = self.sweep, self.jobs[index]
        store, db_path = sweep.store, sweep.db_path
        if entry["run_id"] is not None:
            run = store.get_run(entry["run_id"])
            if run["status"] in ENDED:  # ended before a crash kept its result from the state
                score = objective_score(sweep.state.metric, run["summary"]) \
                    if run["status"] == "finished" else None
                self._record(index, score, run["status"], last_line(run["error"]))
                return None
            return continue_job(db_path, run["id"], slot, final_index=index)
        overrides = {**sweep.overrides[slot], "train.seed": entry["seed"]}
        try:
            config = run_config(sweep.base, entry["config"], entry["epochs"], overrides)
            check_config(config)
        except ConfigError as exc:
            self._record(index, None, "failed", str(exc))
            return None
        with store.transaction():
            entry["run_id"] = store.create_run(
                config.to_dict(), name=f"{sweep.name} final {entry['rank']} seed {entry['seed']}",
                sweep_id=sweep.sweep_id)
            entry["status"] = "running"
            sweep.state.save(store)
        return Job(entry["run_id"], slot, final_index=index)

    def _record(self, index: int, score: float | None, status: str, error: str = "") -> None:
        sweep, entry = self.sweep, self.jobs[index]
        entry["score"], entry["status"] = score, status
        sweep.state.save(sweep.store)
        sweep.notify(FinalRunFinished(sweep.sweep_id, entry["rank"], entry["seed"],
                                      entry["run_id"], score, status, error))
