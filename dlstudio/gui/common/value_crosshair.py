"""A crosshair that reads the curves' values at the mouse's x, not just the mouse position."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel

from dlstudio.gui.common.plot_tools import Crosshair
from dlstudio.gui.common.text_line import TextLine


def value_at(curve: pg.PlotDataItem, x: float) -> tuple[float, float] | None:
    """The stored point of ``curve`` nearest to ``x`` (original data, not the drawn one);
    None past either end of the curve (by more than half its mean spacing): a run
    has no value after its last step."""
    xs, ys = curve.getOriginalDataset()
    if xs is None or len(xs) == 0:
        return None
    slack = (xs[-1] - xs[0]) / max(len(xs) - 1, 1) / 2
    if x < xs[0] - slack or x > xs[-1] + slack:
        return None
    index = int(np.searchsorted(xs, x))
    if index >= len(xs):
        index = len(xs) - 1
    elif index > 0 and abs(xs[index - 1] - x) <= abs(xs[index] - x):
        index -= 1
    return float(xs[index]), float(ys[index])


class ValueCrosshair(Crosshair):
    """Follows the mouse over one plot and writes each visible curve's nearest value;
    ``x_name`` names the x axis in the read-out (the owner sets it when the axis changes).

    It takes the name, not a callable of its owner: the owner holds the crosshair, so a
    bound method back made a reference cycle, and a dropped plot waited for the cyclic
    garbage collector to free its widgets at some later moment, in the middle of
    whatever Qt was doing then.
    """

    def __init__(self, plot: pg.PlotItem, label: QLabel | TextLine, x_name: str = "x"):
        self.x_name = x_name
        super().__init__(plot, label)
        self.v_line.hide()  # until the mouse is over the plot
        self.h_line.hide()

    def _on_mouse_moved(self, position) -> None:
        if not self.plot.sceneBoundingRect().contains(position):
            return
        super()._on_mouse_moved(position)
        self.v_line.show()
        self.h_line.show()
        x = self.plot.vb.mapSceneToView(position).x()
        if self.plot.ctrl.logXCheck.isChecked():
            x = 10 ** x
        parts, at = [], None
        for curve in self.plot.listDataItems():
            name = curve.name()
            found = value_at(curve, x) if name and curve.isVisible() else None
            if found is not None:
                at = found[0] if at is None else at
                parts.append(f"{name} {found[1]:.4g}")
        # The x of the point read, not of the mouse: the step the values belong to.
        self.label.setText(f"{self.x_name} {at:.6g}:  " + "   ".join(parts) if parts
                           else f"{self.x_name} {x:.4g}: no point here")
