"""A grid of metric panels with linked x axes: runs or groups (mean and band) per panel.

Drawn on a white background with dark axes and a light legend box with dark text, so
the image reads the same on screen, in a PNG on a slide and in an SVG in a paper.
``export`` renders the grid at the size asked for (not a scaled screenshot): the
layout is laid out again at that size, so text stays at its point size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.plot_tools import major_grid_only
from dlstudio.gui.compare.curve_bands import band
from dlstudio.gui.compare.run_curves_plot import run_color

DRAW_RUNS, DRAW_MIN_MAX, DRAW_SD = "runs", "min-max", "sd"
DRAW_CHOICES = {DRAW_MIN_MAX: "Mean, min–max band", DRAW_SD: "Mean ± sd band",
                DRAW_RUNS: "Single runs"}
COLUMNS = 2
LEGEND_COLUMNS = 2
INK, AXIS_PEN = "#202020", "#555555"
LEGEND_BRUSH, LEGEND_PEN = (255, 255, 255, 235), "#999999"
BAND_ALPHA = 60


@dataclass
class Series:
    """One run's curve in a panel: its group (an index) and its points."""

    group: int
    x: np.ndarray
    y: np.ndarray


class MetricPanelGrid(pg.GraphicsLayoutWidget):
    """``show_panels`` draws the panels; ``plots`` maps a metric key to its plot."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        self.plots: dict[str, pg.PlotItem] = {}
        self.legend: pg.LegendItem | None = None

    def show_panels(self, panels: dict[str, list[Series]], titles: dict[str, str],
                    groups: list[str], draw: str, x_label: str, wall_time: bool,
                    log_y: bool) -> None:
        """One panel per key of ``panels`` (in order); ``groups`` are the group labels."""
        self.clear()
        self.plots = {}
        # One legend above the grid: every panel shows the same runs or groups, and a
        # legend inside each panel covered its curves.
        self.legend = pg.LegendItem(brush=pg.mkBrush(*LEGEND_BRUSH), pen=pg.mkPen(LEGEND_PEN),
                                    labelTextColor=INK, colCount=LEGEND_COLUMNS)
        self.addItem(self.legend, row=0, col=0, colspan=COLUMNS)
        first = None
        for index, (key, series) in enumerate(panels.items()):
            axes = {"bottom": pg.DateAxisItem()} if wall_time else {}
            plot = self.addPlot(row=1 + index // COLUMNS, col=index % COLUMNS, axisItems=axes)
            self._style(plot, titles.get(key, key), x_label, log_y)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            named = self._draw(plot, series, groups, draw)
            if plot is first:
                for item in named:
                    self.legend.addItem(item, item.name())
            self.plots[key] = plot

    def _style(self, plot: pg.PlotItem, title: str, x_label: str, log_y: bool) -> None:
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)
        plot.showGrid(x=True, y=True, alpha=0.2)
        major_grid_only(plot)
        plot.setTitle(title, color=INK, size="11pt")
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(AXIS_PEN)
            axis.setTextPen(INK)
        plot.getAxis("left").enableAutoSIPrefix(False)
        plot.setLabel("bottom", x_label, color=INK)
        plot.setLogMode(y=log_y)

    def _draw(self, plot: pg.PlotItem, series: list[Series], groups: list[str],
              draw: str) -> list[pg.PlotDataItem]:
        """Draw the series; returns the items that carry a legend name."""
        named = []
        by_group: dict[int, list[Series]] = {}
        for one in series:
            by_group.setdefault(one.group, []).append(one)
        for group, members in by_group.items():
            color = run_color(group)
            label = groups[group]
            if draw == DRAW_RUNS or len(members) == 1:
                for n, one in enumerate(members):
                    item = plot.plot(one.x, one.y, pen=pg.mkPen(color, width=1),
                                     name=(f"{label} ({len(members)} runs)" if len(members) > 1
                                           else label) if n == 0 else None)
                    if n == 0:
                        named.append(item)
                continue
            named.append(self._draw_band(plot, members, color, label, draw))
        return named

    @staticmethod
    def _draw_band(plot: pg.PlotItem, members: list[Series], color: QColor, label: str,
                   draw: str) -> pg.PlotDataItem:
        summary = band([(one.x, one.y) for one in members])
        low, high = ((summary.low, summary.high) if draw == DRAW_MIN_MAX else
                     (summary.mean - summary.sd, summary.mean + summary.sd))
        edge = QColor(color)
        edge.setAlpha(BAND_ALPHA)
        lower = plot.plot(summary.x, low, pen=pg.mkPen(edge, width=1))
        upper = plot.plot(summary.x, high, pen=pg.mkPen(edge, width=1))
        fill = pg.FillBetweenItem(lower, upper, brush=pg.mkBrush(edge))
        plot.addItem(fill)
        how = "min–max" if draw == DRAW_MIN_MAX else "± sd"
        return plot.plot(summary.x, summary.mean, pen=pg.mkPen(color, width=2),
                         name=f"{label}: mean of {len(members)}, {how}")

    def export(self, path: str | Path, width: int, height: int) -> Path:
        """Write the grid as a ``width`` x ``height`` PNG or SVG (by the suffix)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".png", ".svg"):
            raise ValueError(f"path: got {path.name!r}, expected a .png or .svg file name")
        layout, scene = self.ci, self.scene()
        old = layout.geometry()
        target = QRectF(0, 0, width, height)
        layout.setGeometry(target)
        layout.layout.activate()
        try:
            if suffix == ".svg":
                generator = QSvgGenerator()
                generator.setFileName(str(path))
                generator.setSize(QSize(width, height))
                generator.setViewBox(QRect(0, 0, width, height))
                generator.setTitle(path.stem)
                self._render(generator, scene, target)
            else:
                image = QImage(width, height, QImage.Format.Format_ARGB32)
                image.fill(Qt.GlobalColor.white)
                self._render(image, scene, target)
                if not image.save(str(path)):
                    raise OSError(f"{path}: could not write the image")
        finally:
            layout.setGeometry(old)
        return path

    @staticmethod
    def _render(device, scene, target: QRectF) -> None:
        painter = QPainter(device)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.fillRect(target, Qt.GlobalColor.white)
            scene.render(painter, target, target)
        finally:
            painter.end()
