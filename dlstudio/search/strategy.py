"""The ask/tell protocol every strategy follows, and the bookkeeping they share.

A strategy hands out :class:`Trial` s with :meth:`Strategy.ask` and learns their dev
scores through :meth:`Strategy.tell`. It never trains and never sees a test-set number.
Internally every score becomes a *loss* (lower is better: the score, negated when the
goal is maximize); a failed trial (score None, NaN or infinite) gets an infinite loss,
the worst, and the sweep goes on.

Restart safety: :meth:`Strategy.state_dict` is JSON; :meth:`Strategy.from_state` with
the same space and settings continues exactly where it stopped. Trials that were asked
but never told are handed out again by ``ask()`` (same id, same config) before anything
new, so no trial is lost or counted twice.
"""

from __future__ import annotations

import abc
import copy
import math
from typing import Any, ClassVar

from dlstudio.search.best import Result, best_result
from dlstudio.search.space import SearchSpace
from dlstudio.search.trial import Trial

GOALS = ("minimize", "maximize")
STATE_VERSION = 1


def check_int(name: str, value: Any, low: int) -> None:
    """Raise ValueError naming ``name`` unless ``value`` is a whole number >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name}: got {value!r}, expected a whole number >= {low}")


class Strategy(abc.ABC):
    """Base of every strategy: ids, pending trials, results, state, failure handling.

    Subclasses implement ``_propose()`` (a new trial or None), ``_finished()`` (nothing
    more will be proposed), and optionally ``_on_told``, ``_extra_state`` /
    ``_load_extra_state`` and ``describe``.
    """

    method: ClassVar[str] = ""
    # Halving schedules compare only the results at the most epochs (search.best).
    halving: ClassVar[bool] = False

    def __init__(self, space: SearchSpace, *, goal: str = "minimize", seed: int = 0):
        if not isinstance(space, SearchSpace):
            raise TypeError(f"space: expected a SearchSpace, got {type(space).__name__}")
        if goal not in GOALS:
            raise ValueError(f"goal: got {goal!r}, expected minimize or maximize")
        check_int("seed", seed, 0)
        self.space = space
        self.goal = goal
        self.seed = seed
        self._trials: dict[int, Trial] = {}
        self._losses: dict[int, float] = {}  # told trials, in telling order; inf = failed
        self._pending: dict[int, None] = {}  # asked, not told (an ordered set)
        self._reissue: list[int] = []  # pending trials to hand out again after a restore

    # -- the protocol --------------------------------------------------------------
    def ask(self) -> Trial | None:
        """The next trial to run, or None while waiting for results or when done."""
        if self._reissue:
            return self._trials[self._reissue.pop(0)]
        return self._propose()

    def tell(self, trial: int | Trial, score: float | None) -> None:
        """Record the dev score of ``trial`` at ``trial.epochs``; None or NaN: it failed."""
        trial_id = trial.id if isinstance(trial, Trial) else trial
        if trial_id not in self._pending:
            told = trial_id in self._losses
            raise ValueError(f"trial {trial_id!r}: " + ("already told" if told else "unknown"))
        loss = self._to_loss(score)
        del self._pending[trial_id]
        if trial_id in self._reissue:
            self._reissue.remove(trial_id)
        self._losses[trial_id] = loss
        self._on_told(self._trials[trial_id], loss)

    @property
    def done(self) -> bool:
        """True once nothing is pending and nothing more will be proposed."""
        return not self._pending and self._finished()

    # -- reading -------------------------------------------------------------------
    @property
    def trials(self) -> list[Trial]:
        """Every trial handed out so far, by id."""
        return list(self._trials.values())

    @property
    def pending(self) -> list[int]:
        """Ids of trials asked but not yet told."""
        return list(self._pending)

    def score(self, trial_id: int) -> float | None:
        """The told score as given (None for a failure); KeyError if not told."""
        loss = self._losses[trial_id]
        if not math.isfinite(loss):
            return None
        return -loss if self.goal == "maximize" else loss

    def results(self) -> list[tuple[Trial, float | None]]:
        """``(trial, score)`` for every told trial, in the order they were told."""
        return [(self._trials[i], self.score(i)) for i in self._losses]

    def best(self) -> tuple[Trial, float] | None:
        """The best told trial by the one rule of ``search.best`` (ties: the earliest)."""
        found = best_result((Result(trial.id, trial.epochs, score)
                             for trial, score in self.results()), self.goal, halving=self.halving)
        return None if found is None else (self._trials[found.trial], found.score)

    @property
    def epochs_trained(self) -> int:
        """Epochs actually trained by told trials; a resumed trial counts only its extra."""
        total = 0
        for trial_id in self._losses:
            trial = self._trials[trial_id]
            start = self._trials[trial.resume_from].epochs if trial.resume_from is not None else 0
            total += trial.epochs - start
        return total

    def describe(self) -> str:
        """One line for people: what this strategy will run."""
        return f"{type(self).__name__} over {len(self.space)} parameters"

    # -- state ---------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """Constructor keyword arguments (besides the space), JSON-serialisable."""
        return {"goal": self.goal, "seed": self.seed}

    def spec(self) -> dict[str, Any]:
        """What :func:`strategy_from_state` needs besides the state: method, space, settings."""
        return {"method": self.method, "space": self.space.to_dict(),
                "base": copy.deepcopy(self.space.base), "settings": self.settings()}

    def state_dict(self) -> dict[str, Any]:
        """Progress as JSON-serialisable data; store it after every ``tell``."""
        return {
            "version": STATE_VERSION,
            "method": self.method,
            "trials": [t.to_dict() for t in self._trials.values()],
            "told": [[i, loss if math.isfinite(loss) else None]
                     for i, loss in self._losses.items()],
            "pending": list(self._pending),
            "extra": self._extra_state(),
        }

    @classmethod
    def from_state(cls, space: SearchSpace, settings: dict[str, Any],
                   state: dict[str, Any]) -> Strategy:
        """Rebuild a strategy that continues exactly where ``state`` was taken."""
        if state.get("method") != cls.method:
            raise ValueError(f"state: written by {state.get('method')!r}, not {cls.method!r}")
        strategy = cls(space, **settings)
        strategy._load_state(state)
        return strategy

    def _load_state(self, state: dict[str, Any]) -> None:
        self._trials = {t.id: t for t in map(Trial.from_dict, state["trials"])}
        self._losses = {int(i): (math.inf if loss is None else float(loss))
                        for i, loss in state["told"]}
        self._pending = dict.fromkeys(int(i) for i in state["pending"])
        self._reissue = list(self._pending)
        self._load_extra_state(state.get("extra") or {})

    # -- for subclasses ------------------------------------------------------------
    @abc.abstractmethod
    def _propose(self) -> Trial | None:
        """A new trial (made with ``_new_trial``), or None to wait or when finished."""

    @abc.abstractmethod
    def _finished(self) -> bool:
        """True when ``_propose`` will never return another trial."""

    def _on_told(self, trial: Trial, loss: float) -> None:
        """React to a result (promote, fit a model ...)."""

    def _extra_state(self) -> dict[str, Any]:
        return {}

    def _load_extra_state(self, extra: dict[str, Any]) -> None:
        pass

    def _new_trial(self, config: dict[str, Any], epochs: int, *, resume_from: int | None = None,
                   bracket: int | None = None, rung: int | None = None) -> Trial:
        trial = Trial(id=len(self._trials), config=config, epochs=int(epochs),
                      resume_from=resume_from, bracket=bracket, rung=rung)
        self._trials[trial.id] = trial
        self._pending[trial.id] = None
        return trial

    def _to_loss(self, score: Any) -> float:
        if score is None:
            return math.inf
        if isinstance(score, bool):
            raise ValueError(f"score: got {score!r}, expected a number or None")
        try:
            value = float(score)
        except (TypeError, ValueError):
            raise ValueError(f"score: got {score!r}, expected a number or None") from None
        if not math.isfinite(value):  # NaN or a blown-up loss: diverged
            return math.inf
        return -value if self.goal == "maximize" else value


class FixedEpochsStrategy(Strategy):
    """Shared by strategies whose trials each train a fixed number of epochs.

    A trial trains ``config["train.epochs"]`` epochs when the space samples it,
    otherwise ``epochs``.
    """

    def __init__(self, space: SearchSpace, *, epochs: int = 10, goal: str = "minimize",
                 seed: int = 0):
        super().__init__(space, goal=goal, seed=seed)
        check_int("epochs", epochs, 1)
        self.epochs = epochs

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "epochs": self.epochs}

    def _epochs_text(self) -> str:
        if "train.epochs" in self.space:
            return "epochs as sampled (train.epochs)"
        return f"{self.epochs} epochs each"

    def _trial_epochs(self, config: dict[str, Any]) -> int:
        return int(config.get("train.epochs", self.epochs))
