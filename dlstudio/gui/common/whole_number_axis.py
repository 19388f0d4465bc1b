"""An axis of counts: epochs, steps, trials. pyqtgraph ticks a short range at halves
(1, 1.5, 2, ... epochs on a small plot), which reads as if there were half epochs."""

from __future__ import annotations

import pyqtgraph as pg


class WholeNumberAxis(pg.AxisItem):
    """Ticks at whole numbers only: levels finer than 1 are dropped, and a range too
    short for pyqtgraph's own levels is ticked at every whole number."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float):  # noqa: N802,N803
        levels = [(spacing, offset) for spacing, offset
                  in super().tickSpacing(minVal, maxVal, size) if spacing >= 1]
        return levels or [(1.0, 0.0)]


def whole_number_axes(*sides: str) -> dict[str, WholeNumberAxis]:
    """``axisItems`` for a plot whose ``sides`` ("bottom", "left") count things."""
    return {side: WholeNumberAxis(side) for side in sides}
