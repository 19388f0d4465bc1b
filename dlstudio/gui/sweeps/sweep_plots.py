"""Small sweep plots: best score so far against epochs spent, and the metric against one
chosen hyperparameter; plus the colouring by score and the hover read-out line they
share.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.plot_tools import configure_plot
from dlstudio.gui.common.whole_number_axis import whole_number_axes
from dlstudio.gui.sweeps.curve_hover import POINT_HINT, CurveHover, Hit
from dlstudio.gui.sweeps.param_axis import ParamAxis
from dlstudio.gui.sweeps.progress import format_score, metric_label

COLORMAP = "viridis"
FAILED_COLOR = QColor(200, 80, 80, 160)


def score_colors(scores: list[float | None], goal: str) -> list[QColor]:
    """One colour per score by its rank: yellow for the best, dark blue for the worst,
    so one diverged outlier does not paint everything else alike; failures red."""
    finite = sorted(s for s in scores if s is not None and math.isfinite(s))
    if goal == "maximize":
        finite.reverse()
    ranks: dict[float, int] = {}
    for rank, score in enumerate(finite):
        ranks.setdefault(score, rank)
    cmap = pg.colormap.get(COLORMAP)
    colors = []
    for score in scores:
        if score is None or not math.isfinite(score):
            colors.append(FAILED_COLOR)
            continue
        rank = ranks[score]
        goodness = 1.0 - rank / (len(finite) - 1) if len(finite) > 1 else 1.0
        colors.append(cmap.map(0.1 + 0.9 * goodness, mode="qcolor"))
    return colors


def plain_axes(plot: pg.PlotItem) -> None:
    """Tick labels as the values read (0.05, not 50 x0.001): scores are small numbers."""
    for name in ("left", "bottom"):
        plot.getAxis(name).enableAutoSIPrefix(False)


def readout_label(hint: str) -> QLabel:
    """The line under a plot that names the trial under the mouse (else says how)."""
    label = QLabel(hint)  # the palette's text colour: readable in light and dark themes
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


HALVING_METHODS = ("successive_halving", "hyperband", "bohb")
HALVING_NOTE = ("Under successive halving and Hyperband a configuration counts with its "
                "score at the most epochs it reached: when survivors reach a new rung the "
                "best can change, even for the worse.")
HALVING_TITLE = "Each configuration at the most epochs it reached"


class BestSoFarPlot(pg.PlotWidget):
    """The best score so far (``sweep_summary(...)["curve"]``) against epochs spent."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, axisItems=whole_number_axes("bottom"))
        self.plot_item = self.getPlotItem()
        self.halving = False
        configure_plot(self.plot_item, "Best so far", x_axis="epoch")
        plain_axes(self.plot_item)
        self.plot_item.setLabel("bottom", "Epochs spent (all trials)")
        self.curve = self.plot_item.plot(pen=pg.mkPen("#1565c0", width=2), symbol="o",
                                         symbolSize=6, symbolBrush="#1565c0",
                                         connect="finite")

    def set_curve(self, curve: dict[str, list], metric: str | None, method: str = "") -> None:
        x = np.asarray(curve.get("epochs", []), dtype=np.float64)
        y = np.asarray([np.nan if v is None else v for v in curve.get("best", [])],
                       dtype=np.float64)
        self.curve.setData(x, y)
        self.plot_item.setLabel("left", f"Best {metric_label(metric).lower()} so far")
        # Under halving a configuration's score is the one at its last rung: the best can
        # get worse when a rung is reached (more epochs, a truer and higher loss).
        halving = method in HALVING_METHODS
        if halving != self.halving:
            self.halving = halving
            self.plot_item.setTitle(HALVING_TITLE if halving else None)
            self.setToolTip(HALVING_NOTE if halving else "")


class MetricScatterPlot(QWidget):
    """The sweep metric of every scored trial against one chosen hyperparameter.

    Log parameters get a log x axis, categorical ones an axis of their values. The point
    under the mouse is ringed and named in the read-out line; clicking a point emits
    ``run_clicked`` with its run id.
    """

    run_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.param_choice = QComboBox()
        self.param_choice.setMinimumContentsLength(18)
        self.plot_widget = pg.PlotWidget()
        self.plot_item = self.plot_widget.getPlotItem()
        configure_plot(self.plot_item, "Score", x_axis="step")
        plain_axes(self.plot_item)
        self.scatter = self.plot_item.plot(pen=None, symbol="o", symbolSize=9,
                                           symbolPen=pg.mkPen(40, 40, 40, 120))
        # Each point has its own colour and run: the plot's peak downsampling and
        # clipping to the view dropped points (close learning rates) but not their
        # colours, and pyqtgraph raised. A sweep's trials are few; all are drawn.
        self.scatter.setDownsampling(ds=1, auto=False)
        self.scatter.setClipToView(False)
        self.ring = self.plot_item.plot(pen=None, symbol="o", symbolSize=17, symbolBrush=None)
        self.readout = readout_label(POINT_HINT)
        self.hover = CurveHover(self.plot_item, {0: self.scatter}, parent=self, lines=False)
        self.hover.hovered.connect(self._on_hovered)
        top = QHBoxLayout()
        top.addWidget(QLabel("Hyperparameter"))
        top.addWidget(self.param_choice)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.readout)
        self._names: dict[int, str] = {}
        self._axes: list[ParamAxis] = []
        self._trials: list[dict[str, Any]] = []
        self._metric, self._goal = "dev_loss", "minimize"
        self.param_choice.currentIndexChanged.connect(self._on_param_chosen)
        self.scatter.sigPointsClicked.connect(self._on_points_clicked)

    def set_data(self, axes: list[ParamAxis], trials: list[dict[str, Any]], metric: str,
                 goal: str) -> None:
        names = [axis.name for axis in axes]
        if names != [axis.name for axis in self._axes]:
            self.param_choice.blockSignals(True)
            self.param_choice.clear()
            self.param_choice.addItems(names)
            self.param_choice.blockSignals(False)
        self._axes, self._trials, self._metric, self._goal = axes, trials, metric, goal
        self._draw()

    def set_names(self, names: dict[int, str]) -> None:
        """``{run: how the read-out names it}`` (``progress.trial_name``)."""
        self._names.update(names)

    @property
    def axis(self) -> ParamAxis | None:
        index = self.param_choice.currentIndex()
        return self._axes[index] if 0 <= index < len(self._axes) else None

    @Slot(int)
    def _on_param_chosen(self, index: int) -> None:
        self._draw()

    def _draw(self) -> None:
        self.hover.clear()
        axis = self.axis
        scored = [t for t in self._trials if t["score"] is not None]
        if axis is None:
            self.scatter.setData([], [])
            return
        xs = [self._x(axis, t["config"].get(axis.name)) for t in scored]
        colors = score_colors([t["score"] for t in scored], self._goal)
        shown = [(x, t, c) for x, t, c in zip(xs, scored, colors) if math.isfinite(x)]
        self.scatter.setData(
            np.array([x for x, _, _ in shown], dtype=np.float64),
            np.array([t["score"] for _, t, _ in shown], dtype=np.float64),
            symbolBrush=[pg.mkBrush(c) for _, _, c in shown],
            data=[t["run_id"] for _, t, _ in shown])
        self.plot_item.setLogMode(x=axis.log and not axis.categorical, y=False)
        bottom = self.plot_item.getAxis("bottom")
        if axis.categorical:
            bottom.setTicks([[(i, text) for i, (_, text) in enumerate(axis.ticks)]])
        else:
            bottom.setTicks(None)
        self.plot_item.setLabel("bottom", axis.name + (" (log scale)" if axis.log else ""))
        self.plot_item.setLabel("left", metric_label(self._metric))
        self.plot_item.enableAutoRange()
        if axis.categorical:
            self.plot_item.setXRange(-0.5, len(axis.ticks) - 0.5)

    @staticmethod
    def _x(axis: ParamAxis, value: Any) -> float:
        if value is None:
            return math.nan
        if axis.categorical:
            return axis.index(value)
        try:
            return float(value)
        except (TypeError, ValueError):
            return math.nan

    def _on_hovered(self, hit: Hit | None) -> None:
        if hit is None:
            self.ring.setData([], [])
            self.readout.setText(POINT_HINT)
            return
        # The theme's foreground at the time: the ring shows on a light or a dark plot.
        self.ring.setData([hit.x], [hit.y], symbolPen=pg.mkPen(pg.getConfigOption("foreground"),
                                                                width=2))
        run_id = self.scatter.scatter.data["data"][hit.index]
        name = self._names.get(run_id, f"Run #{run_id}")  # the name has its values
        self.readout.setText(f"{name} — {metric_label(self._metric)} {format_score(hit.y)}")

    def _on_points_clicked(self, item, points, *args) -> None:
        if len(points):
            run_id = points[0].data()
            if run_id is not None:
                self.run_clicked.emit(int(run_id))
