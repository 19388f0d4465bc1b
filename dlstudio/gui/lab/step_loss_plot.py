"""The optimizer lab's second plot: loss above the minimum per step, on a log axis."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from dlstudio.gui.common.legend_placement import add_legend
from dlstudio.gui.lab.optimizer_styles import OPTIMIZER_COLORS, OPTIMIZER_NAMES
from dlstudio.training.optimizer_lab import OPTIMIZERS, Trajectory
from dlstudio.training.surfaces import Surface

FLOOR = 1e-16  # float64 round-off: an exact minimum plots here instead of at -inf


def loss_above_minimum(trajectory: Trajectory, surface: Surface) -> np.ndarray:
    """f - f* per step, floored so a log axis can show a minimum reached exactly."""
    return np.clip(trajectory.losses - surface.min_value, FLOOR, None)


class StepLossPlot(pg.PlotWidget):
    """One curve per optimizer (created once), a cursor at the current step, a legend
    that marks diverged runs."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, background="w")
        self.plot: pg.PlotItem = self.getPlotItem()
        self.plot.setDownsampling(auto=True, mode="peak")
        self.plot.setClipToView(True)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "Step")
        self.plot.setLabel("left", "f - f* (log)")
        self.plot.setLogMode(x=False, y=True)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.legend = add_legend(self.plot, colCount=3)
        self.curves: dict[str, pg.PlotDataItem] = {
            name: self.plot.plot(pen=pg.mkPen(OPTIMIZER_COLORS[name], width=2))
            for name in OPTIMIZERS
        }
        self.legend.clear()
        self.cursor = pg.InfiniteLine(angle=90, movable=False,
                                      pen=pg.mkPen((90, 90, 90), style=Qt.PenStyle.DashLine))
        self.plot.addItem(self.cursor, ignoreBounds=True)

    def set_trajectories(self, trajectories: dict[str, Trajectory], surface: Surface) -> None:
        """Show these optimizers' losses; hide the others."""
        self.legend.clear()
        for name, curve in self.curves.items():
            trajectory = trajectories.get(name)
            curve.setVisible(trajectory is not None)
            if trajectory is None:
                curve.setData([], [])
                continue
            losses = loss_above_minimum(trajectory, surface)
            curve.setData(np.arange(len(losses)), losses)
            label = OPTIMIZER_NAMES[name] + (" (diverged)" if trajectory.diverged else "")
            self.legend.addItem(curve, label)
        self.plot.enableAutoRange()

    def show_step(self, step: int) -> None:
        self.cursor.setValue(step)
