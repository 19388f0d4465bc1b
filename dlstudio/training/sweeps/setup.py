"""Creating a sweep: read and validate a sweep file or mapping, then add its row.

Everything a user can get wrong is checked before the row exists: the sweep file
(``parse_sweep``), the base RunConfig deeply (data file, columns, device: what
``check_config`` checks for a run), whether the metric exists for the dataset's task,
and the strategy's settings. The row stores what a later session needs to continue: the
strategy's spec and its initial state (see ``sweep_state``).

A sweep file's ``final_seeds: {top: 3, seeds: 3}`` (see ``search.final_seeds``)
re-trains the best configurations with new seeds once the search is done.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.search import SweepSpec, load_sweep_file, parse_sweep, strategy_from_sweep
from dlstudio.search.executor_spec import ExecutorSpec
from dlstudio.search.final_seeds import FinalSeeds
from dlstudio.store import Store
from dlstudio.training.sweeps.executors import check_executor, check_trial_config
from dlstudio.training.sweeps.jobs import default_workers
from dlstudio.training.sweeps.objective import check_objective, objective_name
from dlstudio.training.sweeps.state import SPEC_VERSION, SweepState

# Sweeps that can (still) run; "running" is also a closed or killed app's sweep.
RESUMABLE_SWEEPS = ("queued", "paused", "interrupted", "running")
BRACKET_METHODS = ("successive_halving", "hyperband", "asha")  # promotions resume


def read_sweep(source: SweepSpec | Mapping[str, Any] | str | Path
               ) -> tuple[SweepSpec, FinalSeeds | None]:
    """Parse a sweep file path, a raw mapping or a parsed spec; every problem at once.

    Returns the spec and its ``final_seeds`` (None when the file has none).
    """
    if isinstance(source, SweepSpec):
        return source, source.final_seeds
    if isinstance(source, (str, Path)):
        spec = load_sweep_file(source)
    else:
        spec = parse_sweep(dict(source))
    return spec, spec.final_seeds


def create_sweep(store: Store, spec: SweepSpec | Mapping[str, Any] | str | Path,
                 name: str = "", *, seed: int = 0,
                 final_seeds: FinalSeeds | Mapping[str, int] | None = None,
                 workers: int | None = None) -> int:
    """Validate the sweep and its base config deeply, then add the sweep row (queued).

    ``spec``: a :class:`SweepSpec`, a raw sweep mapping or a sweep file path.
    ``final_seeds`` (or the file's ``final_seeds``) re-trains the best configurations
    with several seeds once the search is done. ``workers`` (trials trained at once) is
    recorded so that a sweep continued later, or queued again after a restart, runs with
    as many; None: ``default_workers`` (one per GPU on a machine with several). Returns
    the sweep id.
    """
    spec, from_file = read_sweep(spec)
    final = FinalSeeds.parse(final_seeds) if final_seeds is not None else from_file
    problems = _deep_problems(spec)
    if workers is None:  # the base config is only readable when it has no problems
        workers = 1 if problems else default_workers(RunConfig.from_dict(spec.base),
                                                     spec.executor.kind)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        problems.append(f"workers: got {workers!r}, expected a whole number >= 1")
    try:
        check_executor(spec.executor)
    except ConfigError as exc:
        problems += exc.problems
    try:
        strategy = strategy_from_sweep(spec, seed=seed)
    except (ConfigError, ValueError) as exc:
        problems += exc.problems if isinstance(exc, ConfigError) else [str(exc)]
    if problems:
        raise ConfigError([f"{spec.source}: {p}" for p in problems])
    record = {
        "version": SPEC_VERSION, "source": spec.source, "method": spec.method,
        "metric": objective_name(spec.metric_name), "goal": spec.goal, "base": spec.base,
        "budget": spec.budget, "settings": spec.settings, "seed": seed,
        "strategy": strategy.spec(), "description": strategy.describe(),
        "final_seeds": None if final is None else {"top": final.top, "seeds": final.seeds},
        "workers": workers, "executor": spec.executor.to_dict(),
    }
    with store.transaction():
        sweep_id = store.create_sweep(name or _default_name(spec), record)
        SweepState(sweep_id, record, strategy).save(store)
    return sweep_id


def recorded_workers(sweep: Mapping[str, Any]) -> int:
    """The trials a stored sweep trains at once: as recorded by ``create_sweep`` (1 for
    sweeps created before it recorded them)."""
    return int(sweep["spec"].get("workers") or 1)


def recorded_executor(sweep: Mapping[str, Any]) -> ExecutorSpec:
    """Where a stored sweep's trials train: the sweep file's ``executor`` section
    (local threads for sweeps created before it was recorded)."""
    return ExecutorSpec.parse(sweep["spec"].get("executor"))


def cancel_sweep(store: Store, sweep_id: int) -> None:
    """Mark a sweep ``cancelled`` for good (stop its runner first); it cannot resume."""
    sweep = store.get_sweep(sweep_id)
    if sweep["status"] == "finished":
        raise ConfigError(f"sweep {sweep_id}: already finished")
    with store.transaction():
        store.update_sweep(sweep_id, status="cancelled")
        for trial in store.list_trials(sweep_id):
            if trial["status"] in ("queued", "running", "stopped", "interrupted"):
                store.update_trial(trial["id"], status="cancelled")


def _deep_problems(spec: SweepSpec) -> list[str]:
    problems: list[str] = []
    try:
        base = RunConfig.from_dict(spec.base)
        task = check_trial_config(base, spec.executor).dataset.task
        check_objective(spec.metric_name, task)
    except ConfigError as exc:
        return [f"base: {m}" if not m.startswith("metric.") else m for m in exc.problems]
    if spec.method in BRACKET_METHODS and spec.settings.get("resume", True) \
            and not base.train.checkpoints:
        problems.append("base: train.checkpoints is false, but promoted trials resume from "
                        "checkpoints; turn them on or set resume: false")
    return problems


def _default_name(spec: SweepSpec) -> str:
    if spec.name:
        return spec.name
    if spec.source != "<sweep>":
        return Path(spec.source).stem
    return f"{spec.method} sweep"
