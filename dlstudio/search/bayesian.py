"""Bayesian optimisation: proposals from Optuna's TPE (or GP) sampler via ask-and-tell.

Optuna keeps the model; we keep the record. Each proposal asks an in-memory Optuna study
with a sampler freshly seeded from ``(seed, trial id)``, so the proposal depends only on
the results so far, never on the sampler's earlier draws. That is what makes a restart
exact: :meth:`Bayesian.from_state` replays the stored trials into a new study
(``study.add_trial(optuna.trial.create_trial(...))``; asked-but-untold ones as RUNNING,
as they were) and the next proposal equals the uninterrupted one. A fresh sampler per
proposal also means the GP sampler re-fits its kernel from scratch each time (it would
otherwise warm-start from the previous fit, which a restart could not reproduce).

A failed trial is told to Optuna as the worst value seen so far, so the model learns to
avoid its region (before any success it is marked FAIL, which the model ignores).
TPE runs multivariate, with ``group=True`` when the space has conditional parameters,
and with the constant liar so that trials running at once do not all land on one spot.
The GP sampler (``sampler="gp"``) needs torch and scipy at run time, through Optuna.
"""

from __future__ import annotations

import math
from typing import Any

from dlstudio.search.rng import STREAM_BAYES, seed_for
from dlstudio.search.space import SearchSpace
from dlstudio.search.strategy import FixedEpochsStrategy, check_int
from dlstudio.search.trial import Trial


SAMPLERS = ("tpe", "gp")


def _bridge() -> Any:
    from dlstudio.search import optuna_bridge  # Optuna loads on first use, not on import

    return optuna_bridge


class Bayesian(FixedEpochsStrategy):
    """``n_trials`` proposals (None: until stopped); the first ``n_startup_trials`` random."""

    method = "bayes"

    def __init__(self, space: SearchSpace, *, n_trials: int | None = 50, sampler: str = "tpe",
                 n_startup_trials: int = 10, constant_liar: bool = True, epochs: int = 10,
                 goal: str = "minimize", seed: int = 0):
        super().__init__(space, epochs=epochs, goal=goal, seed=seed)
        if n_trials is not None:
            check_int("n_trials", n_trials, 1)
        check_int("n_startup_trials", n_startup_trials, 0)
        if sampler not in SAMPLERS:
            raise ValueError(f"sampler: got {sampler!r}, expected one of tpe, gp")
        if not isinstance(constant_liar, bool):
            raise ValueError(f"constant_liar: got {constant_liar!r}, expected true or false")
        self.n_trials = n_trials
        self.sampler = sampler
        self.n_startup_trials = n_startup_trials
        self.constant_liar = constant_liar
        self._study = _bridge().new_study()
        self._raw: dict[int, dict[str, Any]] = {}  # Optuna's params of each trial
        self._told_values: dict[int, float | None] = {}  # what Optuna was told (None: FAIL)

    @property
    def in_startup(self) -> bool:
        """True while proposals are still random (fewer than n_startup_trials results)."""
        complete = sum(value is not None for value in self._told_values.values())
        return complete < self.n_startup_trials

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "n_trials": self.n_trials, "sampler": self.sampler,
                "n_startup_trials": self.n_startup_trials, "constant_liar": self.constant_liar}

    def describe(self) -> str:
        count = "until stopped" if self.n_trials is None else f"{self.n_trials} trials"
        model = "TPE" if self.sampler == "tpe" else "Gaussian process"
        return (f"Bayesian ({model}): {count}, the first {self.n_startup_trials} random, "
                f"{self._epochs_text()}")

    def _finished(self) -> bool:
        return self.n_trials is not None and len(self._trials) >= self.n_trials

    def _propose(self) -> Trial | None:
        if self._finished():
            return None
        sampler = _bridge().make_sampler(
            self.sampler, seed_for(self.seed, STREAM_BAYES, len(self._trials)),
            self.n_startup_trials, constant_liar=self.constant_liar,
            conditional=self.space.has_conditions)
        optuna_trial, config, raw = _bridge().propose(self._study, self.space, sampler)
        trial = self._new_trial(config, self._trial_epochs(config))
        assert optuna_trial.number == trial.id, "study and strategy out of step"
        self._raw[trial.id] = raw
        return trial

    def _on_told(self, trial: Trial, loss: float) -> None:
        value = loss if math.isfinite(loss) else self._worst_told()
        self._told_values[trial.id] = value
        _bridge().tell(self._study, trial.id, value)

    def _worst_told(self) -> float | None:
        finite = [v for v in self._told_values.values() if v is not None]
        return max(finite) if finite else None

    def _extra_state(self) -> dict[str, Any]:
        return {"raw": [[i, raw] for i, raw in self._raw.items()],
                "told_values": [[i, v] for i, v in self._told_values.items()]}

    def _load_extra_state(self, extra: dict[str, Any]) -> None:
        self._raw = {int(i): raw for i, raw in extra["raw"]}
        self._told_values = {int(i): v for i, v in extra["told_values"]}
        self._study = _bridge().new_study()
        for trial_id in sorted(self._trials):
            running = trial_id not in self._told_values
            _bridge().add_record(self._study, self.space, self._raw[trial_id],
                              None if running else self._told_values[trial_id], running)
