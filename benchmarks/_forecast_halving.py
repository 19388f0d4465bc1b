"""ASHA plus a learning-curve forecast for promotions (a benchmark variant).

Besides ASHA's top ``1/eta`` of a rung, a trial is promoted when a power law
``a + b * t**-alpha`` (b >= 0, alpha on a small grid, least squares for a and b) fitted
to the later part of its dev curve forecasts, at ``max_epochs``, a loss below the
incumbent's at the top rung (Domhan et al.'s "could it still beat the best?"). The
first rung has one point and is never forecast. The curve of every told trial comes
from the replay (``observe_curve``), which dlstudio's ask/tell protocol does not carry.
"""

from __future__ import annotations

import math

import numpy as np

from dlstudio.search import AsyncHalving

ALPHAS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)


def power_law_forecast(curve: list[float], at: int, window: float) -> float:
    """Loss at epoch ``at`` by a power law fitted to the last ``window`` of ``curve``."""
    keep = max(3, int(len(curve) * window))
    t = np.arange(1, len(curve) + 1, dtype=float)[-keep:]
    y = np.asarray(curve, dtype=float)[-keep:]
    if len(y) < 3 or not np.all(np.isfinite(y)):
        return curve[-1]
    best = (math.inf, curve[-1])
    for alpha in ALPHAS:
        x = t ** -alpha
        (a, b), *_ = np.linalg.lstsq(np.stack([np.ones_like(x), x], 1), y, rcond=None)
        if b < 0:
            a, b = float(y.mean()), 0.0
        sse = float(((a + b * x - y) ** 2).sum())
        if sse < best[0]:
            best = (sse, float(a + b * at ** -alpha))
    return max(best[1], 0.0)


class ForecastHalving(AsyncHalving):
    def __init__(self, *args, window: float = 0.5, **kwargs):
        super().__init__(*args, **kwargs)
        self.window = window
        self._forecast: dict[int, float] = {}

    def observe_curve(self, trial_id: int, curve: list[float]) -> None:
        """The dev loss after every epoch 1..trial.epochs (before its tell)."""
        if len(curve) > 1:
            self._forecast[trial_id] = power_law_forecast(curve, self.max_epochs, self.window)

    def _promotable(self) -> int | None:
        """Per rung, highest first: ASHA's top 1/eta, then trials forecast to beat the
        incumbent at the top rung (best forecast first)."""
        top = len(self.rung_epochs) - 1
        at_top = [loss for i, loss in self._losses.items() if self._trials[i].rung == top]
        incumbent = min(at_top) if at_top else -math.inf
        promoted = set(self._source.values())
        for rung in range(top - 1, -1, -1):
            told = [i for i in self._losses if self._trials[i].rung == rung]
            ranked = sorted((self._losses[i], i) for i in told
                            if math.isfinite(self._losses[i]))
            for _, trial_id in ranked[: len(told) // self.eta]:
                if trial_id not in promoted:
                    return trial_id
            hopeful = sorted((self._forecast[i], i) for i in told if i in self._forecast
                             and i not in promoted and self._forecast[i] < incumbent)
            if hopeful:
                return hopeful[0][1]
        return None
