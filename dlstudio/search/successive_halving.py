"""Successive halving (successive elimination) and the base that Hyperband shares.

``SuccessiveHalving(space, n_configs=27, min_epochs=1, max_epochs=27, eta=3)`` runs
27 configurations for 1 epoch, the best 9 to 3 epochs, the best 3 to 9, the best one to
27, then is done. A promotion is a new trial whose ``epochs`` is the rung's total and
whose ``resume_from`` is the same configuration's previous trial, so it costs only the
extra epochs (KerasTuner #372 retrained from scratch); ``resume=False`` retrains from
scratch instead (``resume_from`` None). A rung's results must all be in before its best
are promoted: ``ask()`` returns None meanwhile.
"""

from __future__ import annotations

import copy
from typing import Any

from dlstudio.search.brackets import Bracket, Rungs, bracket_cost, halving_rungs
from dlstudio.search.rng import STREAM_HALVING, rng_for
from dlstudio.search.space import SearchSpace
from dlstudio.search.strategy import Strategy, check_int
from dlstudio.search.trial import Plan, Trial


class BracketStrategy(Strategy):
    """Runs a fixed list of brackets; a waiting bracket lets the next one start.

    Subclasses give the bracket table and may override ``_new_config``.
    """

    _stream = STREAM_HALVING
    halving = True

    def __init__(self, space: SearchSpace, brackets: list[Rungs], *, resume: bool,
                 goal: str, seed: int):
        super().__init__(space, goal=goal, seed=seed)
        if "train.epochs" in space:
            raise ValueError("space: train.epochs is set by the schedule's rungs; remove it "
                             "from the parameters")
        if not isinstance(resume, bool):
            raise ValueError(f"resume: got {resume!r}, expected true or false")
        self.resume = resume
        self._brackets = [Bracket(i, rungs) for i, rungs in enumerate(brackets)]
        self._n_started = 0  # brackets handed out trials so far (in order)
        self._n_new = 0  # new configurations drawn so far

    def plan(self) -> Plan:
        """The bracket table and the epochs it will cost (resumed epochs counted once)."""
        tables = [list(b.rungs) for b in self._brackets]
        total = sum(bracket_cost(rungs, self.resume) for rungs in tables)
        return Plan(brackets=tables, total_epochs=total, resume=self.resume)

    def _finished(self) -> bool:
        return self._n_started == len(self._brackets) and all(b.finished for b in self._brackets)

    def _propose(self) -> Trial | None:
        for bracket in self._brackets[: self._n_started]:
            trial = self._issue(bracket)
            if trial is not None:
                return trial
        while self._n_started < len(self._brackets):
            self._n_started += 1
            trial = self._issue(self._brackets[self._n_started - 1])
            if trial is not None:
                return trial
        return None

    def _issue(self, bracket: Bracket) -> Trial | None:
        available, source = bracket.take()
        if not available:
            return None
        if source is None:
            config, resume_from = self._new_config(), None
        else:
            config = copy.deepcopy(self._trials[source].config)
            resume_from = source if self.resume else None
        trial = self._new_trial(config, bracket.epochs, resume_from=resume_from,
                                bracket=bracket.index, rung=bracket.rung)
        bracket.add(trial.id)
        return trial

    def _new_config(self) -> dict[str, Any]:
        self._n_new += 1
        return self.space.sample(rng_for(self.seed, self._stream, self._n_new - 1))

    def _on_told(self, trial: Trial, loss: float) -> None:
        self._brackets[trial.bracket].update(self._losses)  # type: ignore[index]

    def _extra_state(self) -> dict[str, Any]:
        return {"brackets": [b.to_dict() for b in self._brackets],
                "n_started": self._n_started, "n_new": self._n_new}

    def _load_extra_state(self, extra: dict[str, Any]) -> None:
        for bracket, data in zip(self._brackets, extra["brackets"]):
            bracket.load(data)
        self._n_started = int(extra["n_started"])
        self._n_new = int(extra["n_new"])


class SuccessiveHalving(BracketStrategy):
    """One bracket: ``n_configs`` at ``min_epochs``, the best ``1/eta`` promoted each rung
    (at least one) up to ``max_epochs``. ``plan()`` shows the rungs and their cost."""

    method = "successive_halving"

    def __init__(self, space: SearchSpace, *, n_configs: int = 27, min_epochs: int = 1,
                 max_epochs: int = 27, eta: int = 3, resume: bool = True,
                 goal: str = "minimize", seed: int = 0):
        check_int("n_configs", n_configs, 1)
        check_int("min_epochs", min_epochs, 1)
        check_int("max_epochs", max_epochs, min_epochs)
        check_int("eta", eta, 2)
        self.n_configs, self.min_epochs, self.max_epochs, self.eta = (
            n_configs, min_epochs, max_epochs, eta)
        rungs = halving_rungs(n_configs, min_epochs, max_epochs, eta)
        super().__init__(space, [rungs], resume=resume, goal=goal, seed=seed)

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "n_configs": self.n_configs, "min_epochs": self.min_epochs,
                "max_epochs": self.max_epochs, "eta": self.eta, "resume": self.resume}

    def describe(self) -> str:
        plan = self.plan()
        rungs = ", ".join(f"{n}x{r}" for n, r in plan.brackets[0])
        return (f"Successive halving (eta={self.eta}): {rungs} epochs; "
                f"{plan.total_epochs} epochs in all")
