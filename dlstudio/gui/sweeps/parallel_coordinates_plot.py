"""Parallel coordinates: every trial as one polyline across its hyperparameters and score.

Each searched parameter is a vertical axis scaled to [0, 1] (log parameters on a log
scale, categorical ones at their value's index); the last axis is the sweep metric.
Lines are coloured by their rank on the metric (yellow = best) and the best lie on top,
so the region of good configurations shows as a bright band. A failed trial's line stops before the
metric axis. One ``PlotDataItem`` per trial, made once, then ``setData``. The line under
the mouse is drawn thicker, on top, and named in the read-out line; clicking a line
emits ``run_clicked`` with the trial's run id.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.plot_tools import clickable_curve
from dlstudio.gui.sweeps.param_axis import ParamAxis
from dlstudio.gui.sweeps.curve_hover import (HOVERED_WIDTH, HOVERED_Z, LINES_HINT,
                                             CurveHover, Hit)
from dlstudio.gui.sweeps.sweep_plots import readout_label, score_colors
from dlstudio.gui.sweeps.progress import format_score, metric_label

AXIS_PEN = (120, 120, 120)
LABEL_COLOR = (60, 60, 60)


class ParallelCoordinatesPlot(QWidget):
    """Trials over normalised parameter axes plus the metric axis."""

    run_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot_widget = pg.PlotWidget()
        self.plot_item = self.plot_widget.getPlotItem()
        self.readout = readout_label(LINES_HINT)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.readout)
        self.plot_item.hideAxis("left")
        self.plot_item.getAxis("bottom").setStyle(tickLength=0)
        self.plot_item.setMouseEnabled(x=False, y=False)
        self.plot_item.setMenuEnabled(False)
        self.plot_item.hideButtons()
        self.lines: dict[int, pg.PlotDataItem] = {}  # trial id -> its polyline (in place)
        self._run_of_line: dict[int, int | None] = {}
        self._looks: dict[int, tuple[QColor, float, float | None]] = {}  # colour, z, score
        self._names: dict[int, str] = {}
        self.hovered: int | None = None  # trial id
        self.hover = CurveHover(self.plot_item, self.lines, parent=self)
        self.hover.hovered.connect(self._on_hovered)
        self._decorations: list[Any] = []
        self._metric_labels: list[pg.TextItem] = []
        self._axis_names: list[str] = []
        self._metric = ""

    def set_data(self, axes: list[ParamAxis], trials: list[dict[str, Any]], metric: str,
                 goal: str) -> None:
        """Draw ``trials`` (``sweep_summary`` trials) over ``axes`` and the metric."""
        scores = [t["score"] for t in trials]
        finite = [s for s in scores if s is not None and math.isfinite(s)]
        low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
        names = [axis.name for axis in axes]
        if names != self._axis_names or metric != self._metric:
            self._rebuild_axes(axes, metric)
        self._label_metric_axis(len(axes), low, high)
        colors = score_colors(scores, goal)
        xs = np.arange(len(axes) + 1, dtype=np.float64)
        for trial, color in zip(trials, colors):
            ys = [axis.position(trial["config"].get(axis.name)) for axis in axes]
            ys.append(self._unit(trial["score"], low, high))
            line = self._line(trial["trial"])
            line.setData(xs, np.asarray(ys, dtype=np.float64), connect="finite")
            self._looks[trial["trial"]] = (color, self._z(trial["score"], low, high, goal),
                                           trial["score"])
            self._apply_look(trial["trial"])
            self._run_of_line[id(line)] = trial["run_id"]
        self.plot_item.setXRange(-0.45, len(axes) + 0.75, padding=0)
        self.plot_item.setYRange(-0.06, 1.06, padding=0)

    def set_names(self, names: dict[int, str]) -> None:
        """``{run: how the read-out names it}`` (``progress.trial_name``)."""
        self._names.update(names)

    def clear_trials(self) -> None:
        self.hover.clear()
        for line in self.lines.values():
            self.plot_item.removeItem(line)
        self.lines.clear()
        self._run_of_line.clear()
        self._looks.clear()

    # -- drawing -------------------------------------------------------------------
    def _line(self, trial_id: int) -> pg.PlotDataItem:
        line = self.lines.get(trial_id)
        if line is None:
            line = clickable_curve(self.plot_item, self._on_line_clicked)
            self.lines[trial_id] = line
        return line

    def _apply_look(self, trial_id: int) -> None:
        color, z, _ = self._looks[trial_id]
        hovered = trial_id == self.hovered
        line = self.lines[trial_id]
        line.setPen(pg.mkPen(color, width=HOVERED_WIDTH if hovered else 2))
        line.setZValue(HOVERED_Z if hovered else z)

    def _rebuild_axes(self, axes: list[ParamAxis], metric: str) -> None:
        self.clear_trials()
        for item in self._decorations:
            self.plot_item.removeItem(item)
        self._decorations = []
        for x, axis in enumerate(axes):
            self._add_axis_line(x)
            for y, text in axis.ticks:
                self._add_label(x, y, text)
        self._add_axis_line(len(axes))
        names = [axis.name + (" (log)" if axis.log else "") for axis in axes]
        ticks = list(enumerate([*names, metric_label(metric)]))
        self.plot_item.getAxis("bottom").setTicks([ticks, []])
        self._axis_names, self._metric = [axis.name for axis in axes], metric
        self._metric_labels = []

    def _label_metric_axis(self, x: int, low: float, high: float) -> None:
        for item in self._metric_labels:
            self.plot_item.removeItem(item)
            self._decorations.remove(item)
        self._metric_labels = [self._add_label(x, 0.0, format_score(low)),
                               self._add_label(x, 1.0, format_score(high))]

    def _add_axis_line(self, x: float) -> None:
        line = pg.InfiniteLine(pos=x, angle=90, movable=False, pen=pg.mkPen(AXIS_PEN, width=1))
        line.setZValue(-10)
        self.plot_item.addItem(line, ignoreBounds=True)
        self._decorations.append(line)

    def _add_label(self, x: float, y: float, text: str) -> pg.TextItem:
        label = pg.TextItem(text, color=LABEL_COLOR, anchor=(0, 0.5),
                            fill=pg.mkBrush(255, 255, 255, 190))
        label.setPos(x + 0.03, y)
        label.setZValue(1000)
        self.plot_item.addItem(label, ignoreBounds=True)
        self._decorations.append(label)
        return label

    @staticmethod
    def _unit(score: float | None, low: float, high: float) -> float:
        if score is None or not math.isfinite(score):
            return math.nan
        return 0.5 if high == low else (score - low) / (high - low)

    @staticmethod
    def _z(score: float | None, low: float, high: float, goal: str) -> float:
        if score is None or not math.isfinite(score) or high == low:
            return 0.0
        unit = (score - low) / (high - low)
        return unit if goal == "maximize" else 1.0 - unit

    def _on_hovered(self, hit: Hit | None) -> None:
        before, self.hovered = self.hovered, None if hit is None else hit.key
        for trial_id in {before, self.hovered} - {None}:
            if trial_id in self._looks:
                self._apply_look(trial_id)
        if hit is None:
            self.readout.setText(LINES_HINT)
            return
        run_id = self._run_of_line.get(id(self.lines[hit.key]))
        name = self._names.get(run_id, f"Trial {hit.key}")
        score = format_score(self._looks[hit.key][2])
        self.readout.setText(f"{name} — {metric_label(self._metric)} {score}")

    def _on_line_clicked(self, line, *args) -> None:
        run_id = self._run_of_line.get(id(line))
        if run_id is not None:
            self.run_clicked.emit(int(run_id))
