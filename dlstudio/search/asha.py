"""Asynchronous successive halving (ASHA, Li et al. 2020), random or TPE proposals.

Rungs train ``max_epochs // eta**k`` epochs, down to the last that is at least
``min_epochs`` (R=27, eta=4: 1, 6, 27). Whenever a worker asks, the highest rung that
has an unpromoted configuration in the best ``1/eta`` of its results promotes it one
rung up (a resumed trial: it pays only the extra epochs); with nothing to promote, a new
configuration starts at the lowest rung. Nothing ever waits for a whole rung to finish,
and the sweep is *anytime*: whenever it stops, its best full-length result is recent.
eta defaults to 4, as in Ray Tune's ASHA and Optuna's SuccessiveHalvingPruner.

Parallel workers (``wait_for_promotions``, on by default): the paper's ASHA never idles
a worker, so with several workers new configurations keep starting while the results
that would promote one are still running, and a fixed epoch budget goes to breadth that
one worker would have spent on the promotion (``benchmarks/sweep_tabular.py``, R=27,
sweeps told a third of a Hyperband iteration's epochs: mean regret 0.0112 with 4
workers against 0.0066 with one; 0.0073 with the wait). So a worker waits instead of
starting a new configuration when a promotion is due as soon as running trials report:
some rung's next promotion lacks only results that are running there, and fewer than
``eta`` trials run in that rung. The second
condition keeps many workers busy (with ``eta`` or more running in a rung, new work
starts as in the paper); with one worker nothing is ever running at an ask, so it
never waits. Off: the paper's never-idle ASHA.

``sampler="tpe"`` proposes from an Optuna TPE model fitted on *every* configuration
tried, not only on one budget as in BOHB: each is scored by the highest rung it reached
and its rank there (reaching rung 3 beats any rung-2 result; within a rung, the lower
dev loss wins), so TPE's "good" set is the configurations that survived the most
halvings. Configurations still running are in the model as running trials (constant
liar). A share ``random_fraction`` of proposals stay random. Every proposal rebuilds a
small in-memory study from the stored results with a sampler seeded by ``(seed, n-th
configuration)``: a restart continues exactly. On our tabular benchmark
(``benchmarks/sweep_tabular.py``) TPE proposals concentrated on near-duplicates of the
first survivors and found worse final models than random ones, hence the default
``sampler="random"``. BOHB's rule instead (fit on the highest rung with enough results)
is worse still as a model: every configuration there survived, so TPE's "bad" set is
the near-best and it proposes the far ends of the ranges.

The incumbent (``best()``, by the one rule of ``search.best``) is the best result at the
highest rung reached, never a one-epoch fluke. ``budget_epochs`` caps the epochs the sweep trains
(resumed epochs counted once; by default one Hyperband iteration's worth for the same
R, eta and min_epochs); a trial that would cross it is not started.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from dlstudio.search.brackets import bracket_cost, halving_rungs, hyperband_brackets
from dlstudio.search.rng import STREAM_ASHA, STREAM_ASHA_COIN, STREAM_ASHA_TPE, rng_for, seed_for
from dlstudio.search.space import SearchSpace
from dlstudio.search.strategy import Strategy, check_int
from dlstudio.search.trial import Trial

ASHA_SAMPLERS = ("random", "tpe")


class AsyncHalving(Strategy):
    """ASHA over rungs of ``max_epochs // eta**k`` epochs, random or TPE proposals.

    ``budget_epochs``: stop starting trials that would cross it (None: the epochs of one
    Hyperband iteration).
    ``resume``: promotions continue from the checkpoint (else retrain from scratch).
    ``wait_for_promotions``: a worker waits rather than start a new configuration when
    running trials are about to make a promotion due (see the module docstring).
    """

    method = "asha"
    halving = True  # best(): the best result at the most epochs reached (search.best)

    def __init__(self, space: SearchSpace, *, max_epochs: int = 81, eta: int = 4,
                 min_epochs: int = 1, budget_epochs: int | None = None, resume: bool = True,
                 sampler: str = "random", n_startup_trials: int = 10,
                 random_fraction: float = 0.2, wait_for_promotions: bool = True,
                 goal: str = "minimize", seed: int = 0):
        super().__init__(space, goal=goal, seed=seed)
        if "train.epochs" in space:
            raise ValueError("space: train.epochs is set by the rungs; remove it from the "
                             "parameters")
        check_int("max_epochs", max_epochs, 1)
        check_int("eta", eta, 2)
        check_int("min_epochs", min_epochs, 1)
        if min_epochs > max_epochs:
            raise ValueError(f"min_epochs: got {min_epochs}, more than max_epochs={max_epochs}")
        if budget_epochs is None:
            budget_epochs = sum(bracket_cost(rungs, resume is True)
                                for rungs in hyperband_brackets(max_epochs, eta, min_epochs))
        check_int("budget_epochs", budget_epochs, min_epochs)
        if not isinstance(resume, bool):
            raise ValueError(f"resume: got {resume!r}, expected true or false")
        if not isinstance(wait_for_promotions, bool):
            raise ValueError(f"wait_for_promotions: got {wait_for_promotions!r}, expected "
                             "true or false")
        if sampler not in ASHA_SAMPLERS:
            raise ValueError(f"sampler: got {sampler!r}, expected random or tpe")
        check_int("n_startup_trials", n_startup_trials, 1)
        if isinstance(random_fraction, bool) or not (
                isinstance(random_fraction, (int, float)) and 0 <= random_fraction <= 1):
            raise ValueError(f"random_fraction: got {random_fraction!r}, expected 0..1")
        self.max_epochs, self.eta, self.min_epochs = max_epochs, eta, min_epochs
        self.budget_epochs, self.resume, self.sampler = budget_epochs, resume, sampler
        self.n_startup_trials, self.random_fraction = n_startup_trials, float(random_fraction)
        self.wait_for_promotions = wait_for_promotions
        self.rung_epochs = [r for _, r in halving_rungs(1, min_epochs, max_epochs, eta)]
        self._source: dict[int, int] = {}  # promoted trial -> the trial it continues

    # -- reading -------------------------------------------------------------------
    @property
    def epochs_committed(self) -> int:
        """Epochs of every trial handed out, running ones included (resumed: the extra)."""
        return sum(self._cost(t) for t in self._trials.values())

    def describe(self) -> str:
        rungs = ", ".join(map(str, self.rung_epochs))
        kind = "TPE proposals over every rung" if self.sampler == "tpe" else "random proposals"
        return (f"ASHA ({kind}): rungs of {rungs} epochs, keep 1/{self.eta}; "
                f"{self.budget_epochs} epochs in all")

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "max_epochs": self.max_epochs, "eta": self.eta,
                "min_epochs": self.min_epochs, "budget_epochs": self.budget_epochs,
                "resume": self.resume, "sampler": self.sampler,
                "n_startup_trials": self.n_startup_trials,
                "random_fraction": self.random_fraction,
                "wait_for_promotions": self.wait_for_promotions}

    # -- the schedule ----------------------------------------------------------------
    def _finished(self) -> bool:
        return self.epochs_committed + self.rung_epochs[0] > self.budget_epochs

    def _propose(self) -> Trial | None:
        left = self.budget_epochs - self.epochs_committed
        promotion = self._promotion(left)
        if promotion is not None:
            return promotion
        if self.rung_epochs[0] > left or self._promotion_due():
            return None  # out of budget, or wait: running trials are about to promote one
        return self._new_trial(self._new_config(), self.rung_epochs[0], rung=0)

    def _promotion(self, left: int) -> Trial | None:
        """The promotable trial (``_promotable``) continued at its next rung, in its
        bracket, when the extra epochs fit in ``left``; else None."""
        source = self._promotable()
        if source is None:
            return None
        parent = self._trials[source]
        epochs = self.rung_epochs[parent.rung + 1]  # type: ignore[operator]
        if epochs - parent.epochs > left:
            return None
        trial = self._new_trial(copy.deepcopy(parent.config), epochs,
                                resume_from=source if self.resume else None,
                                bracket=parent.bracket,
                                rung=parent.rung + 1)  # type: ignore[operator]
        self._source[trial.id] = source
        return trial

    def _promotable(self) -> int | None:
        """The best unpromoted trial in the top 1/eta of the highest rung that has one."""
        promoted = set(self._source.values())
        by_rung: dict[int, list[int]] = {}
        for trial_id in self._losses:
            by_rung.setdefault(self._trials[trial_id].rung, []).append(trial_id)  # type: ignore
        for rung in range(len(self.rung_epochs) - 2, -1, -1):
            told = by_rung.get(rung, [])
            ranked = sorted((self._losses[i], i) for i in told if math.isfinite(self._losses[i]))
            for _, trial_id in ranked[: len(told) // self.eta]:
                if trial_id not in promoted:
                    return trial_id
        return None

    def _promotion_due(self) -> bool:
        """Some rung's next promotion lacks only results running there, and fewer than
        ``eta`` trials run in it (so many workers still start new work)."""
        if not self.wait_for_promotions or not self._pending:
            return False
        told = [0] * len(self.rung_epochs)
        running = [0] * len(self.rung_epochs)
        promoted = [0] * len(self.rung_epochs)
        for trial_id in self._losses:
            told[self._trials[trial_id].rung] += 1  # type: ignore[index]
        for trial_id in self._pending:
            running[self._trials[trial_id].rung] += 1  # type: ignore[index]
        for source in self._source.values():
            promoted[self._trials[source].rung] += 1  # type: ignore[index]
        return any(0 < running[k] < self.eta
                   and (told[k] + running[k]) // self.eta > promoted[k]
                   for k in range(len(self.rung_epochs) - 1))

    def _cost(self, trial: Trial) -> int:
        start = self._trials[trial.resume_from].epochs if trial.resume_from is not None else 0
        return trial.epochs - start

    # -- proposals -------------------------------------------------------------------
    def _new_config(self) -> dict[str, Any]:
        index = sum(1 for t in self._trials.values() if t.rung == 0)
        if self.sampler == "tpe":
            coin = rng_for(self.seed, STREAM_ASHA_COIN, index).random()
            if coin >= self.random_fraction:
                config = self._tpe_config(index)
                if config is not None:
                    return config
        return self.space.sample(rng_for(self.seed, STREAM_ASHA, index))

    def _scores(self) -> dict[int, float | None]:
        """Every configuration (its rung-0 trial id): highest rung reached, then its rank
        there, as one lower-is-better number; None while its first trial runs."""
        top = len(self.rung_epochs) - 1
        by_rung: dict[int, list[int]] = {}
        for trial_id in self._losses:
            by_rung.setdefault(self._trials[trial_id].rung, []).append(trial_id)  # type: ignore
        quantile: dict[int, float] = {}
        for told in by_rung.values():
            ranked = sorted((self._losses[i], i) for i in told if math.isfinite(self._losses[i]))
            quantile.update({i: place / len(told) for place, (_, i) in enumerate(ranked)})
        scores: dict[int, float | None] = {}
        for trial_id, trial in self._trials.items():  # by id: a promotion after its source
            root = trial_id
            while root in self._source:
                root = self._source[root]
            if trial_id not in self._losses:
                scores.setdefault(root, None)
            elif trial_id in quantile:
                scores[root] = top - trial.rung + quantile[trial_id]  # type: ignore[operator]
            else:  # failed: worse than anything that ran
                scores[root] = top + 1.0
        return scores

    def _tpe_config(self, index: int) -> dict[str, Any] | None:
        scores = self._scores()
        if sum(v is not None for v in scores.values()) < self.n_startup_trials:
            return None
        from dlstudio.search import optuna_bridge as bridge  # Optuna only when needed

        study = bridge.new_study()
        for root, value in scores.items():
            raw = bridge.encode(self.space, self._trials[root].config)
            bridge.add_record(study, self.space, raw, value, running=value is None)
        sampler = bridge.make_sampler("tpe", seed_for(self.seed, STREAM_ASHA_TPE, index),
                                      self.n_startup_trials, constant_liar=True,
                                      conditional=self.space.has_conditions)
        return bridge.propose(study, self.space, sampler)[1]

    # -- state -----------------------------------------------------------------------
    def _extra_state(self) -> dict[str, Any]:
        return {"source": [[t, s] for t, s in self._source.items()]}

    def _load_extra_state(self, extra: dict[str, Any]) -> None:
        self._source = {int(t): int(s) for t, s in extra["source"]}
