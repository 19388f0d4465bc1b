"""Asynchronous Hyperband (Li et al. 2020, section 3.3; a benchmark variant).

ASHA brackets side by side over dlstudio's ASHA rungs (R=81, eta=4: 1, 5, 20, 81):
bracket ``s`` starts new configurations at rung ``s`` and promotes the top ``1/eta`` of
its own rungs only. A new configuration goes to the listed bracket whose epochs so far,
divided by its ``share``, are the fewest (equal shares: Hyperband's equal budget per
bracket). Workers wait for due promotions per bracket as ASHA's do.
"""

from __future__ import annotations

import math
from typing import Any

from dlstudio.search import AsyncHalving
from dlstudio.search.rng import STREAM_ASHA, rng_for
from dlstudio.search.trial import Trial


class AsyncHyperband(AsyncHalving):
    def __init__(self, *args: Any, brackets: tuple[int, ...] = (0, 1, 2),
                 shares: tuple[float, ...] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        shares = shares or (1.0,) * len(brackets)
        if len(shares) != len(brackets):
            raise ValueError(f"shares: got {len(shares)}, expected one per bracket")
        # A short table has fewer rungs: brackets that would start past the last go.
        kept = [(b, w) for b, w in zip(brackets, shares) if b < len(self.rung_epochs)]
        self.brackets = tuple(b for b, _ in kept)
        self.shares = tuple(w for _, w in kept)

    def _bracket_rungs(self, bracket: int) -> dict[int, list[int]]:
        by_rung: dict[int, list[int]] = {}
        for i in self._losses:
            if self._trials[i].bracket == bracket:
                by_rung.setdefault(self._trials[i].rung, []).append(i)  # type: ignore
        return by_rung

    def _promotable(self) -> int | None:
        promoted = set(self._source.values())
        for rung in range(len(self.rung_epochs) - 2, -1, -1):
            for bracket in self.brackets:
                told = self._bracket_rungs(bracket).get(rung, [])
                ranked = sorted((self._losses[i], i) for i in told
                                if math.isfinite(self._losses[i]))
                for _, trial_id in ranked[: len(told) // self.eta]:
                    if trial_id not in promoted:
                        return trial_id
        return None

    def _promotion_due(self) -> bool:
        if not self.wait_for_promotions or not self._pending:
            return False
        for bracket in self.brackets:
            n = len(self.rung_epochs)
            told, running, promoted = [0] * n, [0] * n, [0] * n
            for i in self._losses:
                if self._trials[i].bracket == bracket:
                    told[self._trials[i].rung] += 1  # type: ignore[index]
            for i in self._pending:
                if self._trials[i].bracket == bracket:
                    running[self._trials[i].rung] += 1  # type: ignore[index]
            for source in self._source.values():
                if self._trials[source].bracket == bracket:
                    promoted[self._trials[source].rung] += 1  # type: ignore[index]
            if any(0 < running[k] < self.eta and (told[k] + running[k]) // self.eta
                   > promoted[k] for k in range(n - 1)):
                return True
        return False

    def _finished(self) -> bool:
        cheapest = min(self.rung_epochs[s] for s in self.brackets)
        return self.epochs_committed + cheapest > self.budget_epochs

    def _propose(self) -> Trial | None:
        left = self.budget_epochs - self.epochs_committed
        promotion = self._promotion(left)  # in the promoted trial's own bracket
        if promotion is not None:
            return promotion
        if self._promotion_due():
            return None
        spent = {b: 0 for b in self.brackets}
        for trial in self._trials.values():
            spent[trial.bracket] += self._cost(trial)  # type: ignore[index]
        order = sorted(range(len(self.brackets)),
                       key=lambda j: (spent[self.brackets[j]] / self.shares[j], j))
        for j in order:
            bracket = self.brackets[j]
            if self.rung_epochs[bracket] <= left:
                index = sum(1 for t in self._trials.values() if t.resume_from is None
                            and t.id not in self._source)
                config = self.space.sample(rng_for(self.seed, STREAM_ASHA, index))
                return self._new_trial(config, self.rung_epochs[bracket],
                                       bracket=bracket, rung=bracket)
        return None
