"""Build strategies from sweep files and rebuild them from stored state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.search.bayesian import Bayesian
from dlstudio.search.coarse_to_fine import CoarseToFine
from dlstudio.search.grid import Grid
from dlstudio.search.hyperband import Hyperband
from dlstudio.search.random_search import RandomSearch
from dlstudio.search.space import SearchSpace
from dlstudio.search.strategy import Strategy
from dlstudio.search.successive_halving import SuccessiveHalving
from dlstudio.search.sweep_spec import SweepSpec

STRATEGIES: dict[str, type[Strategy]] = {
    cls.method: cls
    for cls in (Grid, RandomSearch, CoarseToFine, SuccessiveHalving, Hyperband, Bayesian)
}
DEFAULT_TRIALS = 20  # random and bayes sweeps without a budget: W&B would run forever


def build_strategy(spec: SweepSpec, seed: int = 0) -> Strategy:
    """The strategy a parsed sweep names, seeded with ``seed``.

    Trials of grid / random / bayes / coarse_to_fine train the base config's
    ``train.epochs`` (unless train.epochs is a parameter); successive halving and
    Hyperband default ``max_epochs`` to it. ``sweep_file.strategy_from_sweep`` also
    takes a raw sweep mapping and parses it first.
    """
    cls = STRATEGIES[spec.method]
    return cls(spec.space, **_kwargs(spec), goal=spec.goal, seed=seed)


def _kwargs(spec: SweepSpec) -> dict[str, Any]:
    epochs = RunConfig.from_dict(spec.base).train.epochs
    settings = dict(spec.settings)
    if spec.method in ("successive_halving", "hyperband"):
        settings.setdefault("max_epochs", epochs)
        if spec.method == "hyperband" and "epochs" in spec.budget:
            settings["budget_epochs"] = spec.budget["epochs"]
        return settings
    settings["epochs"] = epochs
    trials = _trial_budget(spec.budget, epochs)
    if spec.method == "grid":
        settings["max_trials"] = trials
    elif spec.method == "coarse_to_fine":
        if trials is not None:
            settings["per_round"] = max(1, trials // settings.get("rounds", 3))
    else:
        settings["n_trials"] = DEFAULT_TRIALS if trials is None else trials
    return settings


def _trial_budget(budget: dict[str, int], epochs: int) -> int | None:
    trials = budget.get("trials")
    if "epochs" in budget:
        by_epochs = budget["epochs"] // epochs
        if by_epochs < 1:
            raise ConfigError(f"budget.epochs: {budget['epochs']} is less than one trial's "
                              f"{epochs} epochs (base train.epochs)")
        trials = by_epochs if trials is None else min(trials, by_epochs)
    return trials


def strategy_from_state(spec: Mapping[str, Any], state: Mapping[str, Any]) -> Strategy:
    """Rebuild a strategy from ``strategy.spec()`` and ``strategy.state_dict()``.

    Asking and telling then continue exactly as if it had never stopped; trials that
    were asked but not told come back from ``ask()`` first, with their ids.
    """
    method = spec.get("method")
    if method not in STRATEGIES:
        raise ValueError(f"spec.method: unknown {method!r}; expected one of "
                         f"{', '.join(STRATEGIES)}")
    space = SearchSpace.from_dict(spec["space"], spec.get("base"))
    return STRATEGIES[method].from_state(space, dict(spec["settings"]), dict(state))
