"""A grid of metric panels with linked x axes: runs or groups (mean and band) per panel.

Drawn on a white background with dark axes and text, so the image reads the same on
screen, in a PNG on a slide and in an SVG in a paper. One grid holds one section's
panels (``panel_sections``); the legend of all of them is drawn once, above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QSizePolicy

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.plot_tools import major_grid_only
from dlstudio.gui.compare.curve_bands import band
from dlstudio.gui.compare.run_curves_plot import run_color

DRAW_RUNS, DRAW_MIN_MAX, DRAW_SD = "runs", "min-max", "sd"
DRAW_CHOICES = {DRAW_MIN_MAX: "Mean, min–max band", DRAW_SD: "Mean ± sd band",
                DRAW_RUNS: "Single runs"}
COLUMNS = 2
MIN_PANEL_WIDTH = 200
INK, AXIS_PEN = "#202020", "#555555"
BAND_ALPHA = 60


@dataclass
class Series:
    """One run's curve in a panel: its group (an index) and its points."""

    group: int
    x: np.ndarray
    y: np.ndarray


class MetricPanelGrid(pg.GraphicsLayoutWidget):
    """One section's panels: ``show_panels`` draws them; ``plots`` maps a key to its plot."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        self.plots: dict[str, pg.PlotItem] = {}

    def show_panels(self, panels: dict[str, list[Series]], titles: dict[str, str],
                    groups: list[str], draw: str, x_label: str, wall_time: bool,
                    log_y: bool, link_to: pg.PlotItem | None = None
                    ) -> dict[int, pg.PlotDataItem]:
        """One panel per key of ``panels`` (in order), x axes linked to ``link_to`` (or
        to the first panel); ``groups`` are the group labels. Returns each group's first
        named curve, for the one legend of all sections (a group may lack a key)."""
        self.clear()
        self.plots = {}
        first, legend_items = link_to, {}
        for index, (key, series) in enumerate(panels.items()):
            axes = {"bottom": pg.DateAxisItem()} if wall_time else {}
            plot = self.addPlot(row=index // COLUMNS, col=index % COLUMNS, axisItems=axes)
            self._style(plot, titles.get(key, key), x_label, log_y)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            for group, item in self._draw(plot, series, groups, draw).items():
                legend_items.setdefault(group, item)
            self.plots[key] = plot
        self._keep_columns_even(len(panels))
        return legend_items

    def _keep_columns_even(self, count: int) -> None:
        # Columns of one width in every grid, a lone last panel in one column: linked x
        # axes line panels up by their pixels, so a panel of another width (or in a
        # grid with other column widths) showed another x range.
        widgets = list(self.plots.values())
        for col in range(count % COLUMNS or COLUMNS, COLUMNS):
            filler = pg.GraphicsWidget()
            self.addItem(filler, row=count // COLUMNS, col=col)
            widgets.append(filler)
        for widget in widgets:
            widget.setMinimumWidth(MIN_PANEL_WIDTH)
            widget.setPreferredWidth(MIN_PANEL_WIDTH)
            widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        for col in range(COLUMNS):
            self.ci.layout.setColumnStretchFactor(col, 1)

    def rows(self) -> int:
        return -(-len(self.plots) // COLUMNS)

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
              draw: str) -> dict[int, pg.PlotDataItem]:
        """Draw the series; returns each group's item that carries its legend name."""
        named = {}
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
                        named[group] = item
                continue
            named[group] = self._draw_band(plot, members, color, label, draw)
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
