"""Every trial's learning curve overlaid: the sweep metric per epoch, or loss per step.

One ``PlotDataItem`` per run, made when the run first shows up and afterwards only
``setData``; its points live in growing numpy buffers (live batches append, a stored
sweep loads them from the store). Curves are coloured like the parallel coordinates
(yellow = best score), running trials blue, and trials a halving schedule eliminated
are dimmed. A promoted trial is its own run continuing at the epoch its parent ended.
The curve under the mouse is drawn thicker, on top, and named in the read-out line.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.theme import dim
from dlstudio.gui.common.plot_tools import GrowingSeries, clickable_curve, configure_plot
from dlstudio.gui.common.whole_number_axis import whole_number_axes
from dlstudio.gui.sweeps.curve_hover import (HOVERED_WIDTH, HOVERED_Z, LINE_HINT, CurveHover,
                                             Hit)
from dlstudio.gui.sweeps.sweep_plots import plain_axes, readout_label
from dlstudio.gui.sweeps.progress import format_score, metric_curve, metric_label

MODES = {"metric": "Sweep metric per epoch", "loss": "Train loss per step"}
RUNNING_COLOR = QColor("#1565c0")
DIMMED_COLOR = QColor(160, 160, 160, 70)


class TrialCurvesPlot(QWidget):
    """All trial runs of one sweep as curves; ``mode`` is ``"metric"`` or ``"loss"``."""

    run_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.mode_choice = QComboBox()
        for key, label in MODES.items():
            self.mode_choice.addItem(label, key)
        self.note = QLabel()
        dim(self.note)
        self.plot_widget = pg.PlotWidget(axisItems=whole_number_axes("bottom"))  # epochs, steps
        self.plot_item = self.plot_widget.getPlotItem()
        configure_plot(self.plot_item, "Dev metric", x_axis="epoch")
        plain_axes(self.plot_item)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.mode_choice)
        top.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.plot_widget, 1)
        self.readout = readout_label(LINE_HINT)
        layout.addWidget(self.readout)
        self.items: dict[int, pg.PlotDataItem] = {}  # filled and cleared in place: hover reads it
        self.series: dict[int, dict[str, GrowingSeries]] = {}
        self._styles: dict[int, tuple[QColor, bool]] = {}
        self._metric = "dev_loss"
        self._downsampled: set[int] = set()
        self._parents: dict[int, int] = {}
        self._names: dict[int, str] = {}
        self.hovered: int | None = None
        self.hover = CurveHover(self.plot_item, self.items, parent=self)
        self.hover.hovered.connect(self._on_hovered)
        self.mode_choice.currentIndexChanged.connect(self._on_mode_changed)
        self._label_axes()

    @property
    def mode(self) -> str:
        return self.mode_choice.currentData()

    # -- filling -------------------------------------------------------------------
    def reset(self, metric: str) -> None:
        """Forget every curve; the next ones show ``metric``."""
        self.hover.clear()
        for item in self.items.values():
            self.plot_item.removeItem(item)
        self.items.clear()
        self.series.clear()
        self._styles.clear()
        self._downsampled.clear()
        self._parents.clear()
        self._names.clear()
        self._metric = metric
        self._label_axes()

    def add_points(self, run_id: int, curves: dict[str, Any]) -> None:
        """Append a live batch's points (``SweepEventBatcher`` curves of one run)."""
        series = self._series(run_id)
        steps, epochs = curves.get("steps"), curves.get("epochs")
        if steps is not None:
            _extend_after(series["loss"], steps["step"], steps["loss"])
        if epochs is not None:
            key, transform = metric_curve(self._metric)
            _extend_after(series["metric"], epochs["epoch"], transform(epochs[key]))
        self._show(run_id)

    def load_run(self, run_id: int, metric_points: dict[str, Any],
                 loss_points: dict[str, Any]) -> None:
        """Replace a run's curves with stored ones (``Store.read_curve`` results)."""
        series = self._series(run_id)
        _, transform = metric_curve(self._metric)
        series["metric"].clear()
        series["metric"].extend(metric_points["epoch"], transform(metric_points["value"]))
        series["loss"].clear()
        series["loss"].extend(loss_points["step"], loss_points["value"])
        if loss_points.get("downsampled") or metric_points.get("downsampled"):
            self._downsampled.add(run_id)
        self._show(run_id)
        self._update_note()

    def set_styles(self, styles: dict[int, tuple[QColor | None, bool]]) -> None:
        """Per run: its colour (None: running) and whether it is dimmed (eliminated)."""
        for run_id, (color, dimmed) in styles.items():
            style = (DIMMED_COLOR if dimmed else (color or RUNNING_COLOR), dimmed)
            if self._styles.get(run_id) != style:
                self._styles[run_id] = style
                if run_id in self.items:
                    self._apply_style(run_id)

    def set_names(self, names: dict[int, str]) -> None:
        """``{run: how the read-out names it}`` (``progress.trial_name``)."""
        self._names.update(names)

    def set_parents(self, parents: dict[int, int]) -> None:
        """``{run: run it continues}``: a promotion's curve starts at its parent's end."""
        changed = [run for run, parent in parents.items() if self._parents.get(run) != parent]
        self._parents.update(parents)
        for run_id in changed:
            if run_id in self.items:
                self._show(run_id)

    def curve_data(self, run_id: int) -> tuple[np.ndarray, np.ndarray]:
        """The shown x, y of a run's curve (for tests and readouts)."""
        return self.items[run_id].getData()

    # -- drawing -------------------------------------------------------------------
    def _series(self, run_id: int) -> dict[str, GrowingSeries]:
        if run_id not in self.series:
            self.series[run_id] = {"metric": GrowingSeries(64), "loss": GrowingSeries(256)}
        return self.series[run_id]

    def _show(self, run_id: int) -> None:
        item = self.items.get(run_id)
        if item is None:
            item = clickable_curve(self.plot_item, self._on_curve_clicked)
            self.items[run_id] = item
            self._apply_style(run_id)
        item.setData(*self._xy(run_id))

    def _xy(self, run_id: int) -> tuple[np.ndarray, np.ndarray]:
        x, y = self.series[run_id][self.mode].view()
        parent = self.series.get(self._parents.get(run_id, -1), {}).get(self.mode)
        if parent is None or parent.n == 0 or (len(x) and parent.x[parent.n - 1] > x[0]):
            return x, y
        return (np.concatenate((parent.x[parent.n - 1:parent.n], x)),
                np.concatenate((parent.y[parent.n - 1:parent.n], y)))

    def _apply_style(self, run_id: int) -> None:
        color, dimmed = self._styles.get(run_id, (RUNNING_COLOR, False))
        item = self.items[run_id]
        hovered = run_id == self.hovered
        width = HOVERED_WIDTH if hovered else 1 if dimmed else 2
        item.setPen(pg.mkPen(color, width=width))
        item.setZValue(HOVERED_Z if hovered else -1 if dimmed else 1)
        if self.mode == "metric":
            item.setSymbol("o")
            item.setSymbolSize(4)
            item.setSymbolBrush(pg.mkBrush(color))
            item.setSymbolPen(None)
        else:
            item.setSymbol(None)

    def _label_axes(self) -> None:
        if self.mode == "metric":
            self.plot_item.setLabel("left", metric_label(self._metric))
            self.plot_item.setLabel("bottom", "Epoch")
        else:
            self.plot_item.setLabel("left", "Train loss")
            self.plot_item.setLabel("bottom", "Step")

    def _update_note(self) -> None:
        count = len(self._downsampled)
        self.note.setText(f"{count} long curves show min/max-downsampled points"
                          if count else "")

    @Slot(int)
    def _on_mode_changed(self, index: int) -> None:
        self.hover.clear()  # its point was the other mode's
        self._label_axes()
        for run_id in self.items:
            self._apply_style(run_id)
            self.items[run_id].setData(*self._xy(run_id))
        self.plot_item.enableAutoRange()

    def _on_hovered(self, hit: Hit | None) -> None:
        before, self.hovered = self.hovered, None if hit is None else hit.key
        for run_id in {before, self.hovered} - {None}:
            if run_id in self.items:
                self._apply_style(run_id)
        self.readout.setText(LINE_HINT if hit is None else self._describe(hit))

    def _describe(self, hit: Hit) -> str:
        name = self._names.get(hit.key, f"Run #{hit.key}")
        if self.mode == "metric":
            return (f"{name} — epoch {hit.x:g}: {metric_label(self._metric)} "
                    f"{format_score(hit.y)}")
        return f"{name} — step {hit.x:g}: train loss {format_score(hit.y)}"

    def _on_curve_clicked(self, item, *args) -> None:
        for run_id, candidate in self.items.items():
            if candidate is item:
                self.run_clicked.emit(run_id)
                return


def _extend_after(series: GrowingSeries, xs: np.ndarray, ys: np.ndarray) -> None:
    """Append, first dropping points at or after ``xs[0]`` (a resumed run redoes them)."""
    if len(xs) and series.n and series.x[series.n - 1] >= xs[0]:
        series.n = int(np.searchsorted(series.x[:series.n], xs[0], side="left"))
    series.extend(xs, ys)
