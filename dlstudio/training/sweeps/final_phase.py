"""The final-seeds phase of a sweep run: jobs for ``SweepRunner``'s worker pool.

The re-runs are planned once, when the search is done, and stored in the sweep state
(``final.jobs``: rank, configuration, epochs, seed, run id, status, score); a killed app
continues them like trials: an ended run is read back, a stopped or interrupted one
continues from its last checkpoint. Their runs belong to the sweep (``sweep_id``) but
to no trial (``trial_id`` is None).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dlstudio.errors import ConfigError
from dlstudio.training.events import RunEnded
from dlstudio.training.run_job import check_config
from dlstudio.training.sweeps.events import FinalRunFinished, FinalRunStarted
from dlstudio.training.sweeps.final import plan_final
from dlstudio.training.sweeps.jobs import ENDED, Job, continue_job, last_line, run_config
from dlstudio.training.sweeps.objective import objective_score

if TYPE_CHECKING:
    from dlstudio.training.sweeps.runner import SweepRunner


class FinalPhase:
    """Hands out the final-seed re-runs that have no result yet and records theirs."""

    def __init__(self, runner: SweepRunner, setting: dict[str, int]):
        self.runner = runner
        state = runner._state
        if state.final is None:
            state.final = plan_final(state.strategy, setting["top"], setting["seeds"],
                                     runner._base.train.seed)
            state.save(runner._store)
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
                self.runner._notify(FinalRunStarted(self.runner.sweep_id, entry["rank"],
                                                    entry["seed"], job.run_id))
                return job
        return None

    def done(self, job: Job, ended: RunEnded) -> None:
        """Record a re-run's outcome (a stopped one stays to be continued)."""
        assert job.final_index is not None
        if ended.status == "stopped":
            self._record(job.final_index, None, "stopped")
            return
        score = objective_score(self.runner._state.metric, ended.summary) \
            if ended.status == "finished" else None
        self._record(job.final_index, score, ended.status, ended.error)

    def _job(self, index: int, slot: int) -> Job | None:
        runner, entry = self.runner, self.jobs[index]
        store, db_path = runner._store, runner.db_path
        if entry["run_id"] is not None:
            run = store.get_run(entry["run_id"])
            if run["status"] in ENDED:  # ended before a crash kept its result from the state
                score = objective_score(runner._state.metric, run["summary"]) \
                    if run["status"] == "finished" else None
                self._record(index, score, run["status"], last_line(run["error"]))
                return None
            return continue_job(db_path, run["id"], slot, final_index=index)
        overrides = {**runner._overrides[slot], "train.seed": entry["seed"]}
        try:
            config = run_config(runner._base, entry["config"], entry["epochs"], overrides)
            check_config(config)
        except ConfigError as exc:
            self._record(index, None, "failed", str(exc))
            return None
        with store.transaction():
            entry["run_id"] = store.create_run(
                config.to_dict(), name=f"{runner._name} final {entry['rank']} seed {entry['seed']}",
                sweep_id=runner.sweep_id)
            entry["status"] = "running"
            runner._state.save(store)
        return Job(entry["run_id"], slot, final_index=index)

    def _record(self, index: int, score: float | None, status: str, error: str = "") -> None:
        runner, entry = self.runner, self.jobs[index]
        entry["score"], entry["status"] = score, status
        runner._state.save(runner._store)
        runner._notify(FinalRunFinished(runner.sweep_id, entry["rank"], entry["seed"],
                                        entry["run_id"], score, status, error))
