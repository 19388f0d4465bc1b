"""A run's train and dev curves per epoch, beside its diagnosis.

The metric (accuracy in percent, or RMSE) on top and the loss below, train and dev in
the same colours as everywhere in dlstudio's plots: one ``PlotDataItem`` each, created
once. A dotted line marks the epoch with the best dev metric.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from dlstudio.gui.common.theme import dim
from dlstudio.gui.common.legend_placement import add_legend
from dlstudio.gui.common.whole_number_axis import whole_number_axes

TRAIN_PEN = pg.mkPen((21, 101, 192), width=2)
DEV_PEN = pg.mkPen((230, 81, 0), width=2)
BEST_PEN = pg.mkPen((100, 100, 100), style=Qt.PenStyle.DotLine)
EMPTY_TEXT = "Pick a stored run to see its train and dev curves per epoch."


class RunCurvesView(QWidget):
    """Train / dev metric and loss against epoch for one run."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.metric_plot: pg.PlotItem = self.graphics.addPlot(
            row=0, col=0, axisItems=whole_number_axes("bottom"))
        self.loss_plot: pg.PlotItem = self.graphics.addPlot(
            row=1, col=0, axisItems=whole_number_axes("bottom"))
        self.loss_plot.setXLink(self.metric_plot)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.best_lines: list[pg.InfiniteLine] = []
        for plot, kind in ((self.metric_plot, "metric"), (self.loss_plot, "loss")):
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setLabel("bottom", "Epoch")
            add_legend(plot)
            self.curves[f"train_{kind}"] = plot.plot(pen=TRAIN_PEN, name="train")
            self.curves[f"dev_{kind}"] = plot.plot(pen=DEV_PEN, name="dev")
            line = pg.InfiniteLine(angle=90, movable=False, pen=BEST_PEN)
            plot.addItem(line, ignoreBounds=True)
            if kind == "metric":
                # Named in the legend, not beside the line: a label there sat on the
                # legend whenever the best epoch was the last (a small plot at 1024 px).
                plot.plot(pen=BEST_PEN, name="best dev epoch")
            self.best_lines.append(line)
        self.loss_plot.setLabel("left", "Loss")
        self.empty = QLabel(EMPTY_TEXT, wordWrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        dim(self.empty)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.graphics)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def show_curves(self, curves: dict[str, dict] | None, metric: str = "accuracy",
                    best_epoch: int | None = None) -> None:
        """``curves``: ``Store.read_curve`` results by key; None shows the empty state."""
        if not curves or not any(len(c["epoch"]) for c in curves.values()):
            self.empty.setText(EMPTY_TEXT if curves is None else
                               "This run has no per-epoch curves stored.")
            self.stack.setCurrentWidget(self.empty)
            return
        scale = 100.0 if metric == "accuracy" else 1.0
        self.metric_plot.setLabel("left", "Accuracy (%)" if metric == "accuracy" else "RMSE")
        for key, item in self.curves.items():
            curve = curves.get(key)
            if curve is None or not len(curve["epoch"]):
                item.setData([], [])
                continue
            values = curve["value"] * (scale if key.endswith("metric") else 1.0)
            item.setData(curve["epoch"].astype(float), values)
        for line in self.best_lines:
            line.setVisible(best_epoch is not None)
            if best_epoch is not None:
                line.setValue(best_epoch)
        self.stack.setCurrentWidget(self.graphics)

    def curve_data(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """What one curve shows (for tests and export)."""
        return self.curves[key].getData()
