"""A learning curve: train and dev error against the number of training samples.

The course's reading: dev error still falling as the train set grows means more data
helps (variance); both curves flat and high means it won't (bias). Errors, not
accuracies, so "lower is better" for classification and regression alike, with the
human-level error as a dashed target line when the diagnosis knows it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from dlstudio.gui.common.legend_placement import add_legend
from dlstudio.gui.diagnosis.run_curves_view import DEV_PEN, TRAIN_PEN

TRAIN_COLOR, DEV_COLOR = TRAIN_PEN.color(), DEV_PEN.color()
TARGET_PEN = pg.mkPen((46, 125, 50), width=1, style=Qt.PenStyle.DashLine)


def point_errors(points: list[dict], metric_name: str | None, key: str) -> np.ndarray:
    """The error plotted for ``key`` (``train_metric`` / ``dev_metric``) of each point:
    100 - accuracy in percent, or the RMSE as it is."""
    values = np.array([p[key] for p in points], dtype=float)
    return 100.0 * (1.0 - values) if metric_name == "accuracy" else values


class LearningCurvePlot(pg.PlotWidget):
    """Two curves with markers, created once and updated with ``setData``."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, background="w")
        self.plot: pg.PlotItem = self.getPlotItem()
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "Training samples")
        self.plot.setMenuEnabled(False)
        add_legend(self.plot)
        self.curves = {
            "train_metric": self.plot.plot(pen=TRAIN_PEN, symbol="o", symbolSize=7,
                                           symbolBrush=TRAIN_COLOR, symbolPen=None,
                                           name="train error"),
            "dev_metric": self.plot.plot(pen=DEV_PEN, symbol="o", symbolSize=7,
                                         symbolBrush=DEV_COLOR, symbolPen=None,
                                         name="dev error"),
        }
        self.target = pg.InfiniteLine(angle=0, movable=False, pen=TARGET_PEN,
                                      label="human level", labelOpts={
                                          "position": 0.1, "color": (46, 125, 50),
                                          "anchors": [(0, 1), (0, 1)]})
        self.plot.addItem(self.target)
        self.target.hide()
        self.show_points([], "accuracy")

    def show_points(self, points: list[dict], metric_name: str | None) -> None:
        """``points``: ``learning_curve(store, tag)["points"]`` (sorted by train size)."""
        x = np.array([p["train_size"] for p in points], dtype=float)
        for key, curve in self.curves.items():
            curve.setData(x, point_errors(points, metric_name, key))
        self.plot.setLabel("left", "Error (%)" if metric_name == "accuracy" else "RMSE")

    def set_target(self, error: float | None) -> None:
        """The human-level error as a dashed line (None hides it)."""
        self.target.setVisible(error is not None)
        if error is not None:
            self.target.setValue(error)

    def curve_data(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """What a curve shows (``train_metric`` / ``dev_metric``), for tests and export."""
        return self.curves[key].getData()
