"""The three gaps of a diagnosis as bars with their confidence intervals.

Bars that count are coloured, the others grey; a dashed line marks the size from which
a gap counts, its label over a bar that stays below the line so that it covers none.
Items are created once and updated with ``setOpts`` / ``setData``. The bars are named
with their formulas when there is room, else with short names: pyqtgraph hides a label
that does not fit, and at 1024 px the first one went missing.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QWidget

from dlstudio.diagnosis import Diagnosis

GAP_NAMES = ("avoidable_bias", "variance", "dev_overfitting")
GAP_LABELS = {"avoidable_bias": "Avoidable bias\n(train - human)",
              "variance": "Variance\n(dev - train)",
              "dev_overfitting": "Dev overfitting\n(test - dev)"}
SHORT_LABELS = {"avoidable_bias": "Avoidable\nbias", "variance": "Variance",
                "dev_overfitting": "Dev over-\nfitting"}
GAP_COLORS = {"avoidable_bias": (230, 81, 0), "variance": (21, 101, 192),
              "dev_overfitting": (123, 31, 162)}
_GREY = (189, 189, 189)
X_RANGE = (-0.6, 2.6)
LABEL_GAP = 8  # pixels between two bars' labels


class GapChart(pg.PlotWidget):
    """Bars for avoidable bias, variance and dev overfitting, with CI error bars."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, background="w")
        self.plot: pg.PlotItem = self.getPlotItem()
        self.plot.showGrid(y=True, alpha=0.25)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        positions = np.arange(len(GAP_NAMES), dtype=float)
        self.plot.getAxis("bottom").setHeight(38)
        self.labels: dict[str, str] = {}
        self.plot.vb.sigResized.connect(self._on_view_resized)
        self._name_bars(GAP_LABELS)
        self.bars = pg.BarGraphItem(x=positions, height=np.zeros(3), width=0.6,
                                    brushes=[_GREY] * 3, pens=[None] * 3)
        self.error_bars = pg.ErrorBarItem(x=positions, y=np.zeros(3), top=np.zeros(3),
                                          bottom=np.zeros(3), beam=0.18,
                                          pen=pg.mkPen((40, 40, 40), width=1.5))
        self.threshold = pg.InfiniteLine(angle=0, movable=False,
                                         pen=pg.mkPen((198, 40, 40), width=1,
                                                      style=Qt.PenStyle.DashLine),
                                         label="counts\nfrom here", labelOpts={
                                             "color": (198, 40, 40),
                                             "fill": (255, 255, 255, 200),
                                             "anchors": [(0.5, 1), (0.5, 1)]})
        self.zero = pg.InfiniteLine(pos=0, angle=0, movable=False, pen=pg.mkPen((90, 90, 90)))
        for item in (self.bars, self.error_bars, self.zero, self.threshold):
            self.plot.addItem(item)
        self.values = np.zeros(3)
        self.show_diagnosis(None)

    def show_diagnosis(self, diagnosis: Diagnosis | None, min_gap: float | None = None) -> None:
        """Bars for ``diagnosis`` (None: empty); ``min_gap`` places the threshold line."""
        gaps = [None if diagnosis is None else getattr(diagnosis, n) for n in GAP_NAMES]
        self.values = np.array([np.nan if g is None else g.value for g in gaps])
        heights = np.nan_to_num(self.values)
        low = np.array([g.low if g is not None and g.low is not None else np.nan for g in gaps])
        high = np.array([g.high if g is not None and g.high is not None else np.nan for g in gaps])
        with_ci = np.isfinite(low)
        brushes = [GAP_COLORS[n] if g is not None and g.counts else _GREY
                   for n, g in zip(GAP_NAMES, gaps)]
        self.bars.setOpts(height=heights, brushes=brushes)
        self.error_bars.setData(x=np.arange(3.0), y=np.where(with_ci, heights, 0),
                                top=np.where(with_ci, high - heights, 0),
                                bottom=np.where(with_ci, heights - low, 0))
        self.threshold.setVisible(min_gap is not None and diagnosis is not None)
        if min_gap is not None:
            self.threshold.setValue(min_gap)
            self._place_threshold_label(np.fmax(heights, high), min_gap)
        unit = "RMSE" if diagnosis is not None and diagnosis.metric == "regression" \
            else "percentage points"
        self.plot.setLabel("left", f"Gap ({unit})")
        extremes = np.concatenate([heights, low[with_ci], high[with_ci], [0.0, min_gap or 0.0]])
        top, bottom = float(np.nanmax(extremes)), float(np.nanmin(extremes))
        pad = 0.1 * max(top - bottom, 1.0)
        self.plot.setYRange(bottom - pad, top + pad, padding=0)
        self.plot.setXRange(*X_RANGE, padding=0)

    def _place_threshold_label(self, tops: np.ndarray, min_gap: float) -> None:
        # Above the rightmost bar whose top and interval stay below the line, centred;
        # with none, against the right edge (its white ground keeps it readable there).
        below = [i for i, top in enumerate(tops) if top < min_gap]
        x, anchor = (float(below[-1]), (0.5, 1)) if below else (X_RANGE[1], (1, 1))
        label = self.threshold.label
        label.anchors = [anchor, anchor]
        label.setPosition((x - X_RANGE[0]) / (X_RANGE[1] - X_RANGE[0]))

    def _name_bars(self, labels: dict[str, str]) -> None:
        if labels != self.labels:
            self.labels = labels
            self.plot.getAxis("bottom").setTicks([[(float(i), labels[name])
                                                   for i, name in enumerate(GAP_NAMES)]])

    def _on_view_resized(self, _view=None) -> None:
        # One bar's slot, in pixels, against the widest line of each label set.
        slot = self.plot.vb.width() / (X_RANGE[1] - X_RANGE[0])
        metrics = QFontMetrics(self.plot.getAxis("bottom").style["tickFont"] or self.font())
        widest = max(metrics.horizontalAdvance(line) for label in GAP_LABELS.values()
                     for line in label.split("\n"))
        self._name_bars(GAP_LABELS if widest + LABEL_GAP <= slot else SHORT_LABELS)
