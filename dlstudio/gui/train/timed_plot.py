"""``TimedPlot``: a plot widget that knows how long its last paint took."""

from __future__ import annotations

import time

import pyqtgraph as pg


class TimedPlot(pg.PlotWidget):
    """A ``PlotWidget`` that remembers how long its last paint took (for redraw pacing)."""

    last_paint_seconds = 0.0

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        started = time.perf_counter()
        super().paintEvent(event)
        self.last_paint_seconds = time.perf_counter() - started
