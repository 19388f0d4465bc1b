"""Random search: independent draws from the space (log-uniform where declared).

Configuration ``k`` is drawn from a generator keyed by ``(seed, k)``, so a restored
search draws exactly what an uninterrupted one would.
"""

from __future__ import annotations

from typing import Any

from dlstudio.search.rng import STREAM_RANDOM, rng_for
from dlstudio.search.space import SearchSpace
from dlstudio.search.strategy import FixedEpochsStrategy, check_int
from dlstudio.search.trial import Trial


class RandomSearch(FixedEpochsStrategy):
    """``n_trials`` random configurations (None: until stopped), ``epochs`` each."""

    method = "random"

    def __init__(self, space: SearchSpace, *, n_trials: int | None = 20, epochs: int = 10,
                 goal: str = "minimize", seed: int = 0):
        super().__init__(space, epochs=epochs, goal=goal, seed=seed)
        if n_trials is not None:
            check_int("n_trials", n_trials, 1)
        self.n_trials = n_trials

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "n_trials": self.n_trials}

    def describe(self) -> str:
        count = "until stopped" if self.n_trials is None else f"{self.n_trials} configurations"
        return f"Random search: {count}, {self._epochs_text()}"

    def _finished(self) -> bool:
        return self.n_trials is not None and len(self._trials) >= self.n_trials

    def _propose(self) -> Trial | None:
        if self._finished():
            return None
        config = self.space.sample(rng_for(self.seed, STREAM_RANDOM, len(self._trials)))
        return self._new_trial(config, self._trial_epochs(config))
