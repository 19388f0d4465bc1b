"""Successive-halving brackets: the arithmetic and the promotion bookkeeping.

A *bracket* is one run of successive halving: ``n_0`` configurations train ``r_0``
epochs; the best ``n_0 // eta`` of them continue to ``r_1 = eta * r_0`` epochs, and so
on up to the maximum. Each step is a *rung*. Hyperband runs several brackets that trade
many short trials against few long ones (Li et al. 2018, JMLR 18(185), Table 1):

    R=81, eta=3   s=4: 81x1 27x3 9x9 3x27 1x81     s=3: 27x3 9x9 3x27 1x81
                  s=2: 9x9 3x27 1x81               s=1: 6x27 2x81      s=0: 5x81

Bracket ``s`` starts ``n = floor((s_max + 1) / (s + 1)) * eta**s`` configurations at
``R // eta**s`` epochs. That is the paper's table; its Algorithm 1 as printed
(``ceil(B/R * eta**s / (s+1))``) gives 34, 15 and 8 for s=3..1 instead. ``s_max`` is
the largest s with ``min_epochs * eta**s <= R``, found with integers: a float log gives
``log(243, 3) = 4.999...`` and one bracket too few (Optuna #6835).

Promotions rank a rung by loss (ties: the lower trial id); failed trials are never
promoted, so a rung may hold fewer configurations than planned, never more.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

Rungs = list[tuple[int, int]]  # (n_configs, epochs) per rung


def int_log_floor(ratio_num: int, ratio_den: int, base: int) -> int:
    """The largest s with ``ratio_den * base**s <= ratio_num`` (integers only)."""
    s = 0
    while ratio_den * base ** (s + 1) <= ratio_num:
        s += 1
    return s


def halving_rungs(n_configs: int, min_epochs: int, max_epochs: int, eta: int) -> Rungs:
    """Rungs of one bracket: ``n_configs // eta**i`` (at least 1) configs per rung, the
    epochs ``max_epochs // eta**(s - i)`` ending at ``max_epochs``."""
    s = int_log_floor(max_epochs, min_epochs, eta)
    return [(max(1, n_configs // eta ** i), max_epochs // eta ** (s - i)) for i in range(s + 1)]


def hyperband_brackets(max_epochs: int, eta: int, min_epochs: int = 1) -> list[Rungs]:
    """One Hyperband iteration, most aggressive bracket first (the table above)."""
    s_max = int_log_floor(max_epochs, min_epochs, eta)
    brackets = []
    for s in range(s_max, -1, -1):
        n = (s_max + 1) // (s + 1) * eta ** s
        brackets.append([(n // eta ** i, max_epochs // eta ** (s - i)) for i in range(s + 1)])
    return brackets


def bracket_budget(max_epochs: int, eta: int, min_epochs: int = 1) -> int:
    """The course's (and the paper's) budget of one Hyperband bracket, ``B = (s_max+1) R``
    epochs: 405 for R=81, eta=3. Retrained from scratch, no bracket costs more (the least
    aggressive costs exactly B, and so does the most where R is a power of eta); with
    resumed survivors, less."""
    return (int_log_floor(max_epochs, min_epochs, eta) + 1) * max_epochs


def bracket_cost(rungs: Rungs, resume: bool) -> int:
    """Epochs a bracket trains; resumed promotions pay only their extra epochs."""
    total, previous = 0, 0
    for n, epochs in rungs:
        total += n * (epochs - previous if resume else epochs)
        previous = epochs
    return total


class Bracket:
    """Runtime state of one bracket: which rung runs, what is queued, who is in it."""

    def __init__(self, index: int, rungs: Rungs):
        self.index = index
        self.rungs = [tuple(r) for r in rungs]
        self.rung = 0
        self.queue: list[int | None] = [None] * self.rungs[0][0]  # None: a new config
        self.members: list[list[int]] = [[]]
        self.finished = False

    @property
    def epochs(self) -> int:
        """Epochs of the current rung."""
        return self.rungs[self.rung][1]

    def take(self) -> tuple[bool, int | None]:
        """``(True, source)`` for the next trial to issue (source: trial to continue, or
        None for a new configuration); ``(False, None)`` when nothing is queued."""
        if not self.queue:
            return False, None
        return True, self.queue.pop(0)

    def add(self, trial_id: int) -> None:
        self.members[self.rung].append(trial_id)

    def update(self, losses: Mapping[int, float]) -> None:
        """Promote the best of the current rung once all its results are in."""
        current = self.members[self.rung]
        if self.finished or self.queue or any(t not in losses for t in current):
            return
        if self.rung + 1 == len(self.rungs):
            self.finished = True
            return
        ranked = sorted((losses[t], t) for t in current if math.isfinite(losses[t]))
        survivors = [t for _, t in ranked[: self.rungs[self.rung + 1][0]]]
        if not survivors:
            self.finished = True
            return
        self.rung += 1
        self.members.append([])
        self.queue = survivors

    def to_dict(self) -> dict[str, Any]:
        return {"rung": self.rung, "queue": list(self.queue),
                "members": [list(m) for m in self.members], "finished": self.finished}

    def load(self, data: dict[str, Any]) -> None:
        self.rung = int(data["rung"])
        self.queue = list(data["queue"])
        self.members = [list(m) for m in data["members"]]
        self.finished = bool(data["finished"])
