"""Which told trial is a sweep's best: one rule for the strategy, the summary, the CLI and
every view of a sweep.

The best score wins, ties to the earlier result. Under a halving schedule (successive
halving, Hyperband) only the results that reached the most epochs so far compete: a
1-epoch score is not comparable with a 27-epoch one, and the configuration the schedule
trained longest is the one it chose. So the best so far can get worse when a new rung is
reached, and every place that shows a best shows that same one.
"""

from __future__ import annotations

import math
from typing import Iterable, NamedTuple


class Result(NamedTuple):
    trial: int
    epochs: int
    score: float | None  # as reported (None or non-finite: failed)


def running_best(results: Iterable[Result], goal: str, *, halving: bool) -> list[Result | None]:
    """After each result in turn, the best so far (None until one has a score)."""
    sign = -1.0 if goal == "maximize" else 1.0
    best: Result | None = None
    out: list[Result | None] = []
    for result in results:
        if result.score is not None and math.isfinite(result.score):
            if best is None or (halving and result.epochs > best.epochs):
                best = result
            elif (not halving or result.epochs == best.epochs) \
                    and sign * result.score < sign * best.score:
                best = result
        out.append(best)
    return out


def best_result(results: Iterable[Result], goal: str, *, halving: bool) -> Result | None:
    """The best of ``results`` (see the module docstring), or None."""
    history = running_best(results, goal, halving=halving)
    return history[-1] if history else None
