"""Creating a sweep: read and validate a sweep file or mapping, then add its row.

Everything a user can get wrong is checked before the row exists: the sweep file
(``parse_sweep``), the base RunConfig deeply (data file, columns, device: what
``check_config`` checks for a run), whether the metric exists for the dataset's task,
and the strategy's settings. The row stores what a later session needs to continue: the
strategy's spec and its initial state (see ``sweep_state``).

Besides the W&B-shaped keys that ``parse_sweep`` reads, a sweep file may hold::

    final_seeds: {top: 3, seeds: 3}   # re-train the 3 best configurations with 3 seeds
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlstudio.config import RunConfig, load_mapping
from dlstudio.errors import ConfigError
from dlstudio.search import SweepSpec, parse_sweep, strategy_from_sweep
from dlstudio.store import Store
from dlstudio.training.run_job import check_config
from dlstudio.training.sweep_objective import check_objective, objective_name
from dlstudio.training.sweep_state import SPEC_VERSION, SweepState

FINAL_KEY = "final_seeds"
# Sweeps that can (still) run; "running" is also a closed or killed app's sweep.
RESUMABLE_SWEEPS = ("queued", "paused", "running")
BRACKET_METHODS = ("successive_halving", "hyperband")


@dataclass(frozen=True)
class FinalSeeds:
    """Re-train the ``top`` best configurations with ``seeds`` new seeds each."""

    top: int = 3
    seeds: int = 3

    @classmethod
    def parse(cls, raw: Any) -> FinalSeeds:
        """From ``{top: 3, seeds: 3}``; ConfigError names each bad key."""
        if isinstance(raw, FinalSeeds):
            return raw
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{FINAL_KEY}: expected {{top: 3, seeds: 3}}")
        problems = [f"{FINAL_KEY}.{key}: unknown setting; expected top, seeds"
                    for key in raw if key not in ("top", "seeds")]
        for key in ("top", "seeds"):
            value = raw.get(key, getattr(cls, key))
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.append(f"{FINAL_KEY}.{key}: got {value!r}, expected a whole "
                                "number >= 1")
        if problems:
            raise ConfigError(problems)
        return cls(top=raw.get("top", cls.top), seeds=raw.get("seeds", cls.seeds))


def read_sweep(source: SweepSpec | Mapping[str, Any] | str | Path
               ) -> tuple[SweepSpec, FinalSeeds | None]:
    """Parse a sweep file path, a raw mapping or a parsed spec; every problem at once."""
    if isinstance(source, SweepSpec):
        return source, None
    label = "<sweep>"
    if isinstance(source, (str, Path)):
        label = str(source)
        try:
            source = load_mapping(source)
        except ConfigError as exc:
            raise ConfigError([m.replace("config file", "sweep file", 1)
                               for m in exc.problems]) from None
    data = dict(source)
    problems: list[str] = []
    final = None
    if data.get(FINAL_KEY) is not None:
        try:
            final = FinalSeeds.parse(data[FINAL_KEY])
        except ConfigError as exc:
            problems += [f"{label}: {m}" for m in exc.problems]
    data.pop(FINAL_KEY, None)
    spec = None
    try:
        spec = parse_sweep(data, source=label)
    except ConfigError as exc:
        problems += exc.problems
    if problems:
        raise ConfigError(problems)
    return spec, final  # type: ignore[return-value]


def create_sweep(store: Store, spec: SweepSpec | Mapping[str, Any] | str | Path,
                 name: str = "", *, seed: int = 0,
                 final_seeds: FinalSeeds | Mapping[str, int] | None = None) -> int:
    """Validate the sweep and its base config deeply, then add the sweep row (queued).

    ``spec``: a :class:`SweepSpec`, a raw sweep mapping or a sweep file path.
    ``final_seeds`` (or the file's ``final_seeds``) re-trains the best configurations
    with several seeds once the search is done. Returns the sweep id.
    """
    spec, from_file = read_sweep(spec)
    final = FinalSeeds.parse(final_seeds) if final_seeds is not None else from_file
    problems = _deep_problems(spec)
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
    }
    with store.transaction():
        sweep_id = store.create_sweep(name or _default_name(spec), record)
        SweepState(sweep_id, record, strategy).save(store)
    return sweep_id


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
        task = check_config(base).dataset.task
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
