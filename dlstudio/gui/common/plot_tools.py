"""Pieces every dlstudio plot shares: growing buffers, smoothing, options, crosshair."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSlider, QWidget

X_AXES = {"step": "Step", "epoch": "Epoch", "time": "Wall time (s)"}


class GrowingSeries:
    """x/y numpy buffers that double when full; ``view()`` returns slices, not copies."""

    def __init__(self, capacity: int = 1024):
        self.x = np.empty(capacity, dtype=np.float64)
        self.y = np.empty(capacity, dtype=np.float64)
        self.n = 0

    def extend(self, xs: np.ndarray, ys: np.ndarray) -> None:
        count = len(xs)
        needed = self.n + count
        if needed > len(self.x):
            capacity = max(needed, 2 * len(self.x))
            self.x = np.resize(self.x, capacity)
            self.y = np.resize(self.y, capacity)
        self.x[self.n:needed] = xs
        self.y[self.n:needed] = ys
        self.n = needed

    def view(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x[:self.n], self.y[:self.n]

    def clear(self) -> None:
        self.n = 0


def ema_smooth(values: np.ndarray, weight: float) -> np.ndarray:
    """Debiased exponential moving average, as TensorBoard's smoothing slider does.

    ``weight`` in [0, 1): 0 returns the values; NaNs are carried through unsmoothed.
    """
    if weight <= 0 or len(values) == 0:
        return values
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    out = values.copy()
    # The EMA is a first-order IIR filter; lfilter runs it in C over a million points.
    # Imported here: scipy.signal adds most of a second to the app's start-up.
    from scipy.signal import lfilter

    running = lfilter([1 - weight], [1, -weight], values[finite])
    out[finite] = running / (1 - weight ** np.arange(1, len(running) + 1))
    return out


# Share of an axis that tick labels may fill, per tick level: stricter than pyqtgraph's
# (0.8 for the major level), whose labels ran together on the ~180 px small plots.
TEXT_FILL_LIMITS = [(0, 0.6), (2, 0.4), (4, 0.3), (6, 0.2)]


def readable_log_ticks(minimum: float, maximum: float, std_ticks) -> list:
    """Log-axis ticks whose labels do not run together: whole decades, and between them
    only the 2 and 5 multiples (pyqtgraph labels 2..9 of every decade, which crowd at
    the top of each decade), or every multiple when less than a decade is shown."""
    ticks = [(spacing, values) for spacing, values in std_ticks if spacing >= 1.0]
    if len(ticks) >= 3:
        return ticks
    span = maximum - minimum
    mantissas = range(1, 10) if span < 1 else (1, 2, 5) if span < 3 else ()
    minor = [decade + math.log10(m) for decade in range(math.floor(minimum), math.ceil(maximum))
             for m in mantissas]
    ticks.append((None, [value for value in minor if minimum < value < maximum]))
    return ticks


def readable_axes(plot: pg.PlotItem) -> None:
    """Tick labels that keep apart on small plots and log axes (see above)."""
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setStyle(textFillLimits=TEXT_FILL_LIMITS)
        axis.logTickValues = (lambda low, high, size, std:  # noqa: E731  (per axis)
                              readable_log_ticks(low, high, std))


def configure_plot(plot: pg.PlotItem, y_label: str, x_axis: str = "step") -> None:
    """Peak downsampling and clip-to-view; call it before any curve is added."""
    readable_axes(plot)
    plot.setDownsampling(auto=True, mode="peak")
    plot.setClipToView(True)
    plot.showGrid(x=True, y=True, alpha=0.25)
    plot.setLabel("left", y_label)
    plot.setLabel("bottom", X_AXES[x_axis])


def major_grid_only(plot: pg.PlotItem) -> None:
    """Grid lines (and ticks) at major ticks only.

    pyqtgraph's minor grid lines are drawn across the whole plot with alpha blending:
    they cost about two thirds of a repaint of a plot with a few thin curves (measured
    on the live view: 21 ms -> 8 ms for three plots).
    """
    for axis in ("bottom", "left"):
        plot.getAxis(axis).setStyle(maxTickLevel=0)


class PlotOptionsBar(QWidget):
    """Log y, EMA smoothing and x-axis choice, shared by the live and compare views."""

    options_changed = Signal()

    def __init__(self, parent: QWidget | None = None, with_x_axis: bool = True):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.log_y = QCheckBox("Log y")
        self.smoothing = QSlider(Qt.Orientation.Horizontal)
        self.smoothing.setRange(0, 99)
        self.smoothing.setMaximumWidth(160)
        self.smoothing_label = QLabel("Smoothing 0.00")
        self.x_axis = QComboBox()
        for key, label in X_AXES.items():
            self.x_axis.addItem(label, key)
        layout.addWidget(self.log_y)
        layout.addWidget(self.smoothing_label)
        layout.addWidget(self.smoothing)
        if with_x_axis:
            layout.addWidget(QLabel("x axis"))
            layout.addWidget(self.x_axis)
        layout.addStretch(1)
        self.log_y.toggled.connect(self._on_changed)
        self.smoothing.valueChanged.connect(self._on_changed)
        self.x_axis.currentIndexChanged.connect(self._on_changed)

    @property
    def smoothing_weight(self) -> float:
        return self.smoothing.value() / 100

    @property
    def x_key(self) -> str:
        return self.x_axis.currentData()

    @Slot()
    def _on_changed(self) -> None:
        self.smoothing_label.setText(f"Smoothing {self.smoothing_weight:.2f}")
        self.options_changed.emit()


class Crosshair:
    """A vertical and horizontal line that follow the mouse and report the values."""

    def __init__(self, plot: pg.PlotItem, label: QLabel):
        self.plot = plot
        self.label = label
        pen = pg.mkPen((150, 150, 150), style=Qt.PenStyle.DashLine)
        self.v_line = pg.InfiniteLine(angle=90, movable=False, pen=pen)
        self.h_line = pg.InfiniteLine(angle=0, movable=False, pen=pen)
        plot.addItem(self.v_line, ignoreBounds=True)
        plot.addItem(self.h_line, ignoreBounds=True)
        plot.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def _on_mouse_moved(self, position) -> None:
        if not self.plot.sceneBoundingRect().contains(position):
            return
        point = self.plot.vb.mapSceneToView(position)
        x, y = point.x(), point.y()
        self.v_line.setPos(x)
        self.h_line.setPos(y)
        log_x, log_y = self.plot.ctrl.logXCheck.isChecked(), self.plot.ctrl.logYCheck.isChecked()
        shown_y = 10 ** y if log_y else y
        shown_x = 10 ** x if log_x else x
        self.label.setText(f"x = {shown_x:.4g}   y = {shown_y:.4g}")


def steps_to_epochs(steps: np.ndarray, epoch_end_steps: np.ndarray) -> np.ndarray:
    """Fractional epochs for global steps, given the step that ended each epoch.

    Epoch ``e`` (1-based) ends at ``epoch_end_steps[e - 1]`` and maps to ``e``; steps in
    between are interpolated, steps after the last epoch extrapolated at the last
    epoch's length. Per-step curves plotted against epochs then sit inside their epoch
    instead of stacking on whole numbers.
    """
    ends = np.asarray(epoch_end_steps, dtype=np.float64)
    steps = np.asarray(steps, dtype=np.float64)
    if len(ends) == 0:
        return np.full(len(steps), np.nan)
    known_steps = np.concatenate(([0.0], ends))
    known_epochs = np.arange(len(known_steps), dtype=np.float64)
    epochs = np.interp(steps, known_steps, known_epochs)
    last_length = max(known_steps[-1] - known_steps[-2], 1.0)
    after = steps > known_steps[-1]
    epochs[after] = known_epochs[-1] + (steps[after] - known_steps[-1]) / last_length
    return epochs


def clickable_curve(plot: pg.PlotItem, on_clicked) -> pg.PlotDataItem:
    """An empty curve on ``plot`` that reports clicks within 6 px of its line."""
    curve = pg.PlotDataItem()
    curve.curve.setClickable(True, width=6)
    curve.sigClicked.connect(on_clicked)
    plot.addItem(curve)
    return curve
