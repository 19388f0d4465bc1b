"""What a sweep will cost before it starts: trials, epochs, and roughly how long.

Pure arithmetic over a strategy and over run records the caller read from the store
(this layer never opens it). ``sweep_cost(strategy)`` counts the trials and epochs the
strategy's settings imply; ``seconds_per_epoch(runs, base)`` measures a training speed
from past finished runs of the same dataset and model; ``format_seconds`` says it.

Counts are exact for grid, random, Bayesian and halving schedules (failures can only
make a halving schedule cheaper); for coarse-to-fine in grid mode the later rounds
depend on the results, so the count is an upper bound; ASHA's epochs are its budget, an
upper bound, and its trial count is unknown until it runs.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dlstudio.search.grid import grid_size
from dlstudio.search.strategy import Strategy
from dlstudio.search.trial import Plan

RECENT_RUNS = 5  # how many of the newest matching runs the speed is measured on


@dataclass(frozen=True)
class SweepCost:
    """Trials and epochs a strategy will run; None where its settings do not fix them."""

    trials: int | None
    epochs: int | None
    upper_bound: bool = False  # the counts are a maximum, not exact
    grid_size: int | None = None  # configurations in the full grid (grid search)
    plan: Plan | None = None  # the bracket table (successive halving, Hyperband)


def sweep_cost(strategy: Strategy) -> SweepCost:
    """Count the trials and epochs of a fresh ``strategy`` from its settings."""
    plan = getattr(strategy, "plan", None)
    if callable(plan):
        table = plan()
        trials = sum(n for rungs in table.brackets for n, _ in rungs)
        return SweepCost(trials, table.total_epochs, plan=table)
    settings = strategy.settings()
    if strategy.method == "asha":  # promotions depend on results: only the budget is fixed
        return SweepCost(None, settings["budget_epochs"], upper_bound=True)
    epochs = None if "train.epochs" in strategy.space else settings.get("epochs")
    size = None
    upper = False
    if strategy.method == "grid":
        size = strategy.size  # type: ignore[attr-defined]
        cap = settings.get("max_trials")
        trials: int | None = size if cap is None else min(size, cap)
    elif strategy.method == "coarse_to_fine":
        trials, upper = _coarse_to_fine_trials(strategy, settings)
    else:
        trials = settings.get("n_trials")
    total = None if trials is None or epochs is None else trials * epochs
    return SweepCost(trials, total, upper_bound=upper, grid_size=size)


def _coarse_to_fine_trials(strategy: Strategy, settings: Mapping[str, Any]) -> tuple[int, bool]:
    rounds = settings["rounds"]
    if settings["mode"] == "random":
        return rounds * settings["per_round"], False
    first = grid_size(strategy.space, settings["points"])
    return first + (rounds - 1) * settings["keep"] * first, rounds > 1


def seconds_per_epoch(runs: Iterable[Mapping[str, Any]], base: Mapping[str, Any],
                      recent: int = RECENT_RUNS) -> tuple[float, int] | None:
    """``(median seconds per epoch, runs measured)`` over the newest finished runs that
    trained the same dataset (and file) with the same model as ``base`` (a nested
    RunConfig dict); None when there is no such run yet. ``runs``: newest first."""
    speeds = []
    for run in runs:
        if run.get("status") != "finished" or not _same_setup(run.get("config") or {}, base):
            continue
        summary = run.get("summary") or {}
        duration, epochs = summary.get("duration"), summary.get("epochs_done")
        if _positive(duration) and _positive(epochs):
            speeds.append(float(duration) / float(epochs))
            if len(speeds) == recent:
                break
    if not speeds:
        return None
    return statistics.median(speeds), len(speeds)


def _same_setup(config: Mapping[str, Any], base: Mapping[str, Any]) -> bool:
    keys = (("data", "name"), ("data", "path"), ("model", "name"))
    return all((config.get(section) or {}).get(key) == (base.get(section) or {}).get(key)
               for section, key in keys)


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value) and value > 0


def format_seconds(seconds: float) -> str:
    """``42`` -> ``"42 s"``, ``754`` -> ``"13 min"``, ``9000`` -> ``"2.5 h"``."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
