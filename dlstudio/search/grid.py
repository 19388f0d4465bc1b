"""Grid search: the cartesian product of every parameter's grid values.

Categoricals contribute their values, constants their one value, numeric parameters
``points`` values spread evenly over their range (log-spaced on a log scale; integer
ranges with fewer values than ``points`` give all of them). A conditional parameter only
multiplies the grid under the parent values where it applies: with optim.name in
{adam, momentum} and momentum in 3 values only for momentum, the grid has 1 + 3 entries.
The order is deterministic: the first parameter varies slowest.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from itertools import islice
from typing import Any

from dlstudio.search.space import SearchSpace
from dlstudio.search.strategy import FixedEpochsStrategy, check_int
from dlstudio.search.params import MAX_POINTS
from dlstudio.search.trial import Trial


def grid_configs(space: SearchSpace, points: int) -> Iterator[dict[str, Any]]:
    """Every grid configuration, lazily, in a fixed order."""
    yield from _expand(space, points, 0, {})


def grid_size(space: SearchSpace, points: int) -> int:
    """How many configurations :func:`grid_configs` yields, without listing them."""
    return _count(space, points, 0, {})


def _values(space: SearchSpace, index: int, points: int) -> list[Any]:
    param = space.params[index]
    return param.grid(param.points or points)


def _expand(space: SearchSpace, points: int, index: int,
            config: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if index == len(space.params):
        yield copy.deepcopy(config)  # configs must not share list values
        return
    param = space.params[index]
    if not param.active(config):
        yield from _expand(space, points, index + 1, config)
        return
    for value in _values(space, index, points):
        config[param.name] = value
        yield from _expand(space, points, index + 1, config)
    del config[param.name]


def _count(space: SearchSpace, points: int, index: int, config: dict[str, Any]) -> int:
    if index == len(space.params):
        return 1
    param = space.params[index]
    if not param.active(config):
        return _count(space, points, index + 1, config)
    values = _values(space, index, points)
    if not space.is_parent(param.name):  # nobody depends on it: multiply, don't branch
        return len(values) * _count(space, points, index + 1, config)
    total = 0
    for value in values:
        total += _count(space, points, index + 1, {**config, param.name: value})
    return total


class Grid(FixedEpochsStrategy):
    """Try every grid configuration once (or the first ``max_trials``), in order.

    ``points``: values per numeric parameter (a parameter's own ``points`` wins).
    """

    method = "grid"

    def __init__(self, space: SearchSpace, *, points: int = 3, max_trials: int | None = None,
                 epochs: int = 10, goal: str = "minimize", seed: int = 0):
        super().__init__(space, epochs=epochs, goal=goal, seed=seed)
        check_int("points", points, 1)
        if points > MAX_POINTS:
            raise ValueError(f"points: got {points:,}, expected at most {MAX_POINTS:,} values "
                             "per parameter")
        if max_trials is not None:
            check_int("max_trials", max_trials, 1)
        self.points = points
        self.max_trials = max_trials
        self.size = grid_size(space, points)
        """Configurations in the full grid."""
        self._n_trials = self.size if max_trials is None else min(self.size, max_trials)
        self._configs = grid_configs(space, points)

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "points": self.points, "max_trials": self.max_trials}

    def describe(self) -> str:
        capped = f" (first {self._n_trials})" if self._n_trials < self.size else ""
        return (f"Grid: {self.size} configurations{capped}, {self._epochs_text()}")

    def _finished(self) -> bool:
        return len(self._trials) >= self._n_trials

    def _propose(self) -> Trial | None:
        if self._finished():
            return None
        config = next(self._configs)
        return self._new_trial(config, self._trial_epochs(config))

    def _load_extra_state(self, extra: dict[str, Any]) -> None:
        # The grid order is fixed: skip what was already handed out.
        self._configs = islice(grid_configs(self.space, self.points), len(self._trials), None)
