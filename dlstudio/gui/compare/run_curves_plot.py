"""One plot overlaying a metric of several runs: a colour and a legend entry per run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.value_crosshair import ValueCrosshair
from dlstudio.gui.common.export import export_plot
from dlstudio.gui.common.legend_placement import add_legend
from dlstudio.gui.common.plot_tools import (X_AXES, configure_plot, ema_smooth, major_grid_only,
                                     steps_to_epochs)

# Tableau 10: distinct on light and dark backgrounds; pyqtgraph's hues after that.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")
# Curves are drawn 1 px wide, as the live view's raw curves: Qt strokes any wider line
# as polygons, one per segment. Measured offscreen, 20 runs of ~2,300 points: 1 px
# repaints in ~5 ms, 2 px in ~40 ms, so every pan, zoom or resize of a full compare
# plot stuttered. Raw curves behind a smoothed one are told apart by their faint colour.
CURVE_WIDTH = 1
RAW_ALPHA = 70


def run_color(index: int) -> pg.QtGui.QColor:
    """The colour of the ``index``-th compared run, in the plot and the config table."""
    if index < len(PALETTE):
        return pg.mkColor(PALETTE[index])
    return pg.intColor(index - len(PALETTE), hues=13)


def points_budget(width_px: int) -> int:
    """How many points to load per curve: a min and a max per pixel column, even.

    More points than that cannot show: peak downsampling would fold them back into the
    same min/max pair per column, while each extra bucket costs a range read.
    """
    return int(np.clip(2 * max(width_px, 1), 1000, 8000)) // 2 * 2


@dataclass
class LoadedCurve:
    """One run's points for the chosen metric, as ``Store.read_curve`` returned them."""

    label: str
    step: np.ndarray
    epoch: np.ndarray
    value: np.ndarray
    time: np.ndarray
    total: int
    downsampled: bool
    epoch_end_steps: np.ndarray  # step that ended each epoch, for the epoch x axis

    def x(self, x_key: str) -> np.ndarray:
        if x_key == "time":
            return self.time
        if x_key == "epoch":
            if len(self.epoch_end_steps):
                return steps_to_epochs(self.step, self.epoch_end_steps)
            return self.epoch.astype(np.float64)
        return self.step.astype(np.float64)


def x_name(x_key: str) -> str:
    """The x axis ``x_key`` as the crosshair read-out names it ("step", "epoch" ...)."""
    return X_AXES[x_key].split(" (")[0].lower()


class RunCurvesPlot(QWidget):
    """The overlay plot, the crosshair read-out and the downsampling notice."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot_widget = pg.PlotWidget()
        self.plot: pg.PlotItem = self.plot_widget.getPlotItem()
        configure_plot(self.plot, "Value", "step")
        major_grid_only(self.plot)
        # 0.5 .. 0.97 would read "500 .. 970 (x0.001)" with pyqtgraph's SI prefixes.
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.legend = add_legend(self.plot, brush=pg.mkBrush(0, 0, 0, 160))
        self.crosshair_label = QLabel("Move the mouse over the plot to read each run's value.")
        self.crosshair_label.setWordWrap(True)
        self.crosshair_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice_label = QLabel()
        self.notice_label.setWordWrap(True)
        self.notice_label.setStyleSheet("color: #b35900;")
        self.crosshair = ValueCrosshair(self.plot, self.crosshair_label, x_name("step"))
        self._crosshair_lines = (self.crosshair.v_line, self.crosshair.h_line)
        for line in self._crosshair_lines:  # shown once the mouse is over the plot
            line.hide()
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.items: dict[int, pg.PlotDataItem] = {}
        self.raw_items: dict[int, pg.PlotDataItem] = {}
        self.curves: dict[int, LoadedCurve] = {}
        self.scale = 1.0
        self.x_key, self.smoothing, self.log_y = "step", 0.0, False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.crosshair_label)
        layout.addWidget(self.notice_label)

    def export(self, path: str) -> None:
        """Save the plot as PNG or SVG (by extension), without the crosshair lines."""
        shown = [line for line in self._crosshair_lines if line.isVisible()]
        for line in shown:
            line.hide()
        try:
            export_plot(self.plot, path)
        finally:
            for line in shown:
                line.show()

    @Slot(object)
    def _on_mouse_moved(self, position) -> None:
        if self.plot.sceneBoundingRect().contains(position):
            for line in self._crosshair_lines:
                line.show()

    def plot_width(self) -> int:
        """Pixel columns of the data area, without the axes (the widget's width until it
        has been shown and laid out)."""
        if self.plot_widget.isVisible():
            return int(self.plot.getViewBox().width())
        return self.plot_widget.width()

    def set_runs(self, labels: dict[int, str]) -> None:
        """One curve item per run (``{run_id: legend label}``), replacing the old ones."""
        for item in [*self.items.values(), *self.raw_items.values()]:
            self.plot.removeItem(item)
        self.legend.clear()
        self.items, self.raw_items, self.curves = {}, {}, {}
        for index, (run_id, label) in enumerate(labels.items()):
            self.items[run_id] = self.plot.plot(pen=pg.mkPen(run_color(index), width=CURVE_WIDTH),
                                                name=label)

    def show_curves(self, curves: dict[int, LoadedCurve], y_label: str, scale: float = 1.0,
                    refit: bool = True) -> None:
        """Plot a new metric: ``value * scale`` for each run; the view fits them all
        (``refit=False``: it stays where the user zoomed, or follows the data if untouched)."""
        self.curves = curves
        self.scale = scale
        self.plot.setLabel("left", y_label)
        self._redraw()
        self._update_notice()
        if refit:
            self.plot.enableAutoRange()

    def apply_options(self, x_key: str, smoothing: float, log_y: bool) -> None:
        """The shared plot options: x axis, EMA smoothing weight, log y."""
        refit = x_key != self.x_key or log_y != self.log_y
        self.x_key, self.smoothing, self.log_y = x_key, smoothing, log_y
        self.plot.setLabel("bottom", X_AXES[x_key])
        self.crosshair.x_name = x_name(x_key)
        self.plot.setLogMode(y=log_y)
        self._redraw()
        if refit:
            self.plot.enableAutoRange()

    def _raw_item(self, run_id: int) -> pg.PlotDataItem:
        # The faint unsmoothed curve behind a smoothed one, made when smoothing is first
        # asked for: most comparisons never smooth, and each item costs its creation.
        if run_id not in self.raw_items:
            faint = pg.mkColor(self.items[run_id].opts["pen"].color())
            faint.setAlpha(RAW_ALPHA)
            raw = self.plot.plot(pen=pg.mkPen(faint, width=CURVE_WIDTH))
            raw.setZValue(self.items[run_id].zValue() - 1)
            self.raw_items[run_id] = raw
        return self.raw_items[run_id]

    def _redraw(self) -> None:
        for run_id, item in self.items.items():
            raw = self.raw_items.get(run_id)
            curve = self.curves.get(run_id)
            if curve is None or len(curve.step) == 0:
                item.setData(np.empty(0), np.empty(0))
                if raw is not None:
                    raw.setData(np.empty(0), np.empty(0))
                continue
            x, y = curve.x(self.x_key), curve.value * self.scale
            if self.smoothing > 0:
                self._raw_item(run_id).setData(x, y)
                item.setData(x, ema_smooth(y, self.smoothing))
            else:
                if raw is not None:
                    raw.setData(np.empty(0), np.empty(0))
                item.setData(x, y)

    def _update_notice(self) -> None:
        curves = list(self.curves.values())
        shrunk = [f"{c.label}: {len(c.step):,} of {c.total:,} points"
                  for c in curves if c.downsampled]
        missing = [c.label for c in curves if c.total == 0]
        parts = []
        if shrunk:
            parts.append("Downsampled (min/max per bucket, so no spike is hidden): "
                         + "; ".join(shrunk))
        if missing:
            parts.append("No points for this metric: " + ", ".join(missing))
        self.notice_label.setText("\n".join(parts))
