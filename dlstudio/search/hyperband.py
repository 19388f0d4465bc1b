"""Hyperband (Li et al. 2018), optionally with TPE proposals as in BOHB.

Hyperband hedges over how aggressively to stop: it runs successive-halving brackets
from "many configurations, one epoch each" down to "a few configurations, all epochs".
With ``max_epochs`` R=81 and ``eta=3`` one iteration is exactly the paper's Table 1
(see ``brackets``): 128 configurations and 1404 epochs when survivors resume from their
checkpoints. Brackets run in order; when every started bracket waits for results, the
next one starts, so parallel workers stay busy. Bracket ids are list positions, never
``hash()`` values (Optuna #3083).

``budget_epochs``: repeat iterations until the total reaches the budget; with
``finish_last_bracket=False`` the sweep stops before a bracket that would cross it, with
True the bracket that crosses it still runs to its end. The plan is fixed up front, so
``plan()`` shows exactly what will run (failures can only make it cheaper).

``sampler="tpe"`` (BOHB, Falkner et al. 2018): a new configuration is drawn from a TPE
model fitted on the results at the *largest number of epochs that has at least
``n_startup_trials`` results* (BOHB's rule: the longest budget with enough data says
most about full training); a share ``random_fraction`` of configurations, and all of
them before any budget has enough results, stay random so the search keeps exploring.
Each proposal rebuilds a small in-memory Optuna study from the stored results and uses a
sampler seeded by ``(seed, n-th configuration)``: deterministic, and exact on restart.
"""

from __future__ import annotations

import math
from typing import Any

from dlstudio.search.brackets import Rungs, bracket_budget, bracket_cost, hyperband_brackets
from dlstudio.search.rng import (
    STREAM_BOHB_COIN, STREAM_BOHB_TPE, STREAM_HYPERBAND, rng_for, seed_for,
)
from dlstudio.search.space import SearchSpace
from dlstudio.search.strategy import check_int
from dlstudio.search.successive_halving import BracketStrategy

HYPERBAND_SAMPLERS = ("random", "tpe")


def plan_brackets(max_epochs: int, eta: int, min_epochs: int, resume: bool,
                  budget_epochs: int | None, finish_last_bracket: bool) -> list[Rungs]:
    """The brackets to run: one iteration, or iterations repeated up to the budget."""
    iteration = hyperband_brackets(max_epochs, eta, min_epochs)
    if budget_epochs is None:
        return iteration
    brackets: list[Rungs] = []
    spent = 0
    while True:
        for rungs in iteration:
            cost = bracket_cost(rungs, resume)
            if spent + cost > budget_epochs and not finish_last_bracket:
                return brackets
            brackets.append(rungs)
            spent += cost
            if spent >= budget_epochs:
                return brackets


class Hyperband(BracketStrategy):
    """Hyperband over ``max_epochs`` (R) with reduction factor ``eta``.

    ``min_epochs``: the fewest epochs a trial trains (1 gives the paper's table).
    ``resume``: survivors continue from their checkpoints (else retrain from scratch).
    ``sampler``: ``"random"`` or ``"tpe"`` (BOHB; see the module docstring).
    """

    method = "hyperband"
    _stream = STREAM_HYPERBAND

    def __init__(self, space: SearchSpace, *, max_epochs: int = 81, eta: int = 3,
                 min_epochs: int = 1, budget_epochs: int | None = None,
                 finish_last_bracket: bool = False, resume: bool = True,
                 sampler: str = "random", n_startup_trials: int = 10,
                 random_fraction: float = 1 / 3, goal: str = "minimize", seed: int = 0):
        check_int("max_epochs", max_epochs, 1)
        check_int("eta", eta, 2)
        check_int("min_epochs", min_epochs, 1)
        if min_epochs > max_epochs:
            raise ValueError(f"min_epochs: got {min_epochs}, more than max_epochs={max_epochs}")
        if budget_epochs is not None:
            check_int("budget_epochs", budget_epochs, 1)
        if not isinstance(finish_last_bracket, bool):
            raise ValueError(f"finish_last_bracket: got {finish_last_bracket!r}, expected "
                             f"true or false")
        if sampler not in HYPERBAND_SAMPLERS:
            raise ValueError(f"sampler: got {sampler!r}, expected random or tpe")
        check_int("n_startup_trials", n_startup_trials, 1)
        if not (isinstance(random_fraction, (int, float)) and 0 <= random_fraction <= 1):
            raise ValueError(f"random_fraction: got {random_fraction!r}, expected 0..1")
        brackets = plan_brackets(max_epochs, eta, min_epochs, resume is True, budget_epochs,
                                 finish_last_bracket)
        if not brackets:
            cheapest = bracket_cost(hyperband_brackets(max_epochs, eta, min_epochs)[0],
                                    resume is True)
            raise ValueError(f"budget_epochs: got {budget_epochs}, less than the first "
                             f"bracket's {cheapest} epochs")
        self.max_epochs, self.eta, self.min_epochs = max_epochs, eta, min_epochs
        self.budget_epochs, self.finish_last_bracket = budget_epochs, finish_last_bracket
        self.sampler, self.n_startup_trials = sampler, n_startup_trials
        self.random_fraction = float(random_fraction)
        super().__init__(space, brackets, resume=resume, goal=goal, seed=seed)

    @property
    def s_max(self) -> int:
        """Index of the most aggressive bracket: brackets per iteration minus one."""
        return len(hyperband_brackets(self.max_epochs, self.eta, self.min_epochs)) - 1

    @property
    def bracket_budget(self) -> int:
        """The course's budget per bracket, B = (s_max + 1) R (``brackets.bracket_budget``)."""
        return bracket_budget(self.max_epochs, self.eta, self.min_epochs)

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "max_epochs": self.max_epochs, "eta": self.eta,
                "min_epochs": self.min_epochs, "budget_epochs": self.budget_epochs,
                "finish_last_bracket": self.finish_last_bracket, "resume": self.resume,
                "sampler": self.sampler, "n_startup_trials": self.n_startup_trials,
                "random_fraction": self.random_fraction}

    def describe(self) -> str:
        plan = self.plan()
        kind = "BOHB (TPE proposals)" if self.sampler == "tpe" else "Hyperband"
        return (f"{kind}: R={self.max_epochs}, eta={self.eta}, {len(plan.brackets)} brackets, "
                f"{plan.n_configs} configurations, {plan.total_epochs} epochs")

    def _new_config(self) -> dict[str, Any]:
        index = self._n_new
        if self.sampler == "tpe":
            coin = rng_for(self.seed, STREAM_BOHB_COIN, index).random()
            if coin >= self.random_fraction:
                config = self._tpe_config(index)
                if config is not None:
                    self._n_new += 1
                    return config
        return super()._new_config()

    def _tpe_config(self, index: int) -> dict[str, Any] | None:
        by_epochs: dict[int, list[int]] = {}
        for trial_id in sorted(self._losses):
            by_epochs.setdefault(self._trials[trial_id].epochs, []).append(trial_id)
        ready = [e for e, ids in by_epochs.items() if len(ids) >= self.n_startup_trials]
        if not ready:
            return None
        ids = by_epochs[max(ready)]
        finite = [self._losses[i] for i in ids if math.isfinite(self._losses[i])]
        if not finite:
            return None
        from dlstudio.search import optuna_bridge as bridge  # Optuna only when needed

        study = bridge.new_study()
        for trial_id in ids:  # a failure counts as the worst result at this budget
            loss = self._losses[trial_id]
            raw = bridge.encode(self.space, self._trials[trial_id].config)
            value = loss if math.isfinite(loss) else max(finite)
            bridge.add_record(study, self.space, raw, value)
        sampler = bridge.make_sampler("tpe", seed_for(self.seed, STREAM_BOHB_TPE, index),
                                      self.n_startup_trials, constant_liar=False,
                                      conditional=self.space.has_conditions)
        return bridge.propose(study, self.space, sampler)[1]
