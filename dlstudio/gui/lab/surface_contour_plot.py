"""The optimizer lab's map: a surface's contours with every optimizer's path on it.

The surface is an ``ImageItem`` (a pale colormap of the loss, or of its log when the
surface has steep walls) with ``IsocurveItem`` children at linear or log-spaced levels.
Each optimizer owns one path curve and one marker, created once; ``show_step`` moves
them with ``setData`` only. A click on the map emits ``start_picked(x, y)``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal, Slot
from PySide6.QtWidgets import QWidget

from dlstudio.gui.lab.optimizer_styles import OPTIMIZER_COLORS
from dlstudio.training.optimizer_lab import OPTIMIZERS, Trajectory
from dlstudio.training.surfaces import Surface

LEVELS = 14
_PALE = pg.ColorMap([0.0, 0.5, 1.0], [(250, 252, 255), (214, 228, 243), (150, 186, 222)])


def contour_levels(values: np.ndarray, log: bool, count: int = LEVELS) -> np.ndarray:
    """Contour levels over a grid of losses above the minimum (all >= 0)."""
    top = float(np.nanmax(values))
    if log:
        positive = values[values > 0]
        bottom = max(float(positive.min()) if len(positive) else top * 1e-6, top * 1e-6)
        return np.geomspace(bottom, top, count + 2)[1:-1]
    # Squared spacing: on a quadratic bowl the ellipses come out evenly spaced.
    return top * np.linspace(0, 1, count + 2)[1:-1] ** 2


class SurfaceContourPlot(pg.PlotWidget):
    """Contours of one surface, paths and current-step markers of each optimizer."""

    start_picked = Signal(float, float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, background="w")
        self.plot: pg.PlotItem = self.getPlotItem()
        self.plot.setLabel("bottom", "x")
        self.plot.setLabel("left", "y")
        self.plot.setAspectLocked(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(_PALE)
        self.plot.addItem(self.image)
        self.isocurves: list[pg.IsocurveItem] = []
        for _ in range(LEVELS):
            curve = pg.IsocurveItem(level=0, pen=pg.mkPen((110, 120, 140, 160), width=1),
                                    axisOrder="row-major")
            curve.setParentItem(self.image)
            self.isocurves.append(curve)
        self.minima = pg.ScatterPlotItem(symbol="star", size=16, brush=(255, 215, 0),
                                         pen=pg.mkPen((90, 70, 0), width=1))
        self.start_marker = pg.ScatterPlotItem(symbol="o", size=13, brush=None,
                                               pen=pg.mkPen((0, 0, 0), width=2.5))
        self.paths: dict[str, pg.PlotDataItem] = {}
        self.markers: dict[str, pg.ScatterPlotItem] = {}
        for name in OPTIMIZERS:
            colour = OPTIMIZER_COLORS[name]
            self.paths[name] = self.plot.plot(pen=pg.mkPen(colour, width=2))
            self.markers[name] = pg.ScatterPlotItem(size=11, brush=colour,
                                                    pen=pg.mkPen("w", width=1.5))
            self.plot.addItem(self.markers[name])
        self.newton_arrow = self.plot.plot(pen=pg.mkPen((0, 0, 0), width=2.5,
                                                        style=Qt.PenStyle.DashLine),
                                           symbol="t1", symbolSize=12, symbolBrush=(0, 0, 0))
        self.plot.addItem(self.minima)
        self.plot.addItem(self.start_marker)
        self.trajectories: dict[str, Trajectory] = {}
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)

    def set_surface(self, surface: Surface, resolution: int = 200) -> None:
        """Draw a surface's contours, minima and ranges; clears the paths."""
        _, _, losses = surface.grid(resolution)
        above = np.clip(losses - surface.min_value, 0, None)
        shown = np.log10(above + 1e-12 * max(1.0, float(above.max()))) if surface.log_contours \
            else above
        (x0, x1), (y0, y1) = surface.x_range, surface.y_range
        self.image.setImage(shown, autoLevels=True)
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        for curve, level in zip(self.isocurves, contour_levels(above, surface.log_contours)):
            curve.setData(above, level)
        # The isocurves are in image pixels; the image's rect maps them onto the plot.
        self.minima.setData(pos=np.asarray(surface.minima, float))
        self.plot.setXRange(x0, x1, padding=0)
        self.plot.setYRange(y0, y1, padding=0)
        self.set_trajectories({})
        self.show_newton(None, None)

    def set_start(self, x: float, y: float) -> None:
        self.start_marker.setData([x], [y])

    def set_trajectories(self, trajectories: dict[str, Trajectory]) -> None:
        """Which paths to draw (keyed by optimizer name); the others are hidden."""
        self.trajectories = dict(trajectories)
        for name in OPTIMIZERS:
            visible = name in self.trajectories
            self.paths[name].setVisible(visible)
            self.markers[name].setVisible(visible)
            if not visible:
                self.paths[name].setData([], [])
                self.markers[name].setData([], [])

    def show_step(self, step: int) -> None:
        """Each path up to ``step`` and its marker at that step (or its last point)."""
        for name, trajectory in self.trajectories.items():
            points = trajectory.points[: step + 1]
            self.paths[name].setData(points[:, 0], points[:, 1])
            self.markers[name].setData([points[-1, 0]], [points[-1, 1]])

    def show_newton(self, start, end) -> None:
        """A dashed arrow for one Newton step; None hides it."""
        if start is None:
            self.newton_arrow.setData([], [])
            return
        self.newton_arrow.setData([start[0], end[0]], [start[1], end[1]])

    @Slot(object)
    def _on_scene_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        view = self.plot.vb
        if not view.sceneBoundingRect().contains(event.scenePos()):
            return
        point = view.mapSceneToView(event.scenePos())
        self.start_picked.emit(float(point.x()), float(point.y()))
