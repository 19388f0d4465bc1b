"""The LR range test's plot: loss against learning rate on a log axis.

Two curves, created once and fed with ``setData``: the raw mini-batch loss (faint) and
the smoothed loss (bold). The two suggestions are vertical lines with labels. The y
range ignores the explosion at the end of the test, which would otherwise flatten the
part of the curve that matters.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from dlstudio.gui.common.theme import dim
from dlstudio.gui.common.legend_placement import add_legend
from dlstudio.gui.common.number_field import format_number
from dlstudio.gui.common.plot_tools import Crosshair, GrowingSeries, configure_plot

SUGGESTION_STYLE = {  # key -> (label, colour)
    "steepest": ("steepest descent", (46, 125, 50)),
    "min_div_10": ("minimum / 10", (230, 81, 0)),
}


class LRCurvePlot(QWidget):
    """Loss vs LR (log x) with raw and smoothed curves and the suggestion lines."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot_widget = pg.PlotWidget(background="w")
        self.plot: pg.PlotItem = self.plot_widget.getPlotItem()
        configure_plot(self.plot, "Training loss (mini-batch)")
        self.plot.setLabel("bottom", "Learning rate (log scale)")
        self.plot.setLogMode(x=True, y=False)
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)  # else "(x0.001)" on a log axis
        add_legend(self.plot)
        self.raw_curve = self.plot.plot(pen=pg.mkPen((120, 144, 200, 110), width=1),
                                        name="loss per mini-batch")
        self.smoothed_curve = self.plot.plot(pen=pg.mkPen((21, 67, 160), width=3),
                                             name="smoothed loss (EMA)")
        self.raw = GrowingSeries(256)
        self.smoothed = GrowingSeries(256)
        self.suggestion_lines: dict[str, pg.InfiniteLine] = {}
        for key, (label, colour) in SUGGESTION_STYLE.items():
            line = pg.InfiniteLine(angle=90, movable=False,
                                   pen=pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine),
                                   label="", labelOpts={"position": 0.92 if key == "steepest"
                                                        else 0.78, "color": colour,
                                                        "fill": (255, 255, 255, 220)})
            line.setVisible(False)
            self.plot.addItem(line, ignoreBounds=True)
            self.suggestion_lines[key] = line
        self.readout = QLabel("Move the mouse over the plot to read a point.")
        dim(self.readout)
        self.crosshair = Crosshair(self.plot, self.readout)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.readout)

    def clear(self, lr_span: tuple[float, float] | None = None) -> None:
        """Empty curves, no suggestion lines; ``lr_span`` frames the LRs to be tested."""
        self.raw.clear()
        self.smoothed.clear()
        self._show_curves()
        if lr_span is not None:
            # Fixed while the points stream in; set_curve gives the x axis back to the data.
            self.plot.setXRange(math.log10(lr_span[0]), math.log10(lr_span[1]))
        for line in self.suggestion_lines.values():
            line.setVisible(False)

    def add_points(self, lrs: np.ndarray, losses: np.ndarray, smoothed: np.ndarray) -> None:
        """Append streamed points (one batch from the worker)."""
        self.raw.extend(lrs, losses)
        self.smoothed.extend(lrs, smoothed)
        self._show_curves()

    def set_curve(self, lrs, losses, smoothed) -> None:
        """Replace the curves by a whole test (finished or reopened)."""
        self.raw.clear()
        self.smoothed.clear()
        self.plot.enableAutoRange(axis="x")
        self.add_points(np.asarray(lrs, float), np.asarray(losses, float),
                        np.asarray(smoothed, float))

    def show_suggestions(self, suggestions: dict[str, float]) -> None:
        """A labelled vertical line at each suggested LR."""
        for key, line in self.suggestion_lines.items():
            lr = suggestions.get(key)
            visible = lr is not None and lr > 0 and math.isfinite(lr)
            line.setVisible(visible)
            if visible:
                line.setValue(math.log10(lr))  # the view is in log10 units on a log axis
                line.label.setFormat(f"{SUGGESTION_STYLE[key][0]}\n{format_number(lr, 2)}")

    def _show_curves(self) -> None:
        x, y = self.raw.view()
        self.raw_curve.setData(x, y)
        self.smoothed_curve.setData(*self.smoothed.view())
        self._fit_y(y, self.smoothed.view()[1])

    def _fit_y(self, raw: np.ndarray, smoothed: np.ndarray) -> None:
        finite = raw[np.isfinite(raw)]
        if len(finite) == 0:
            self.plot.enableAutoRange(axis="y")
            return
        # Top: a little above where the loss started, so the explosion runs off the top.
        first_half = smoothed[: max(3, len(smoothed) // 2)]
        high = min(float(finite.max()), 1.5 * float(np.nanmax(first_half)))
        low = float(finite.min())
        pad = 0.05 * max(high - low, 1e-9)
        self.plot.setYRange(low - pad, high + pad, padding=0)
