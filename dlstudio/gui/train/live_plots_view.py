"""The live view's plots: loss (train per step, dev per epoch), metric, LR and momentum.

Every curve is one ``PlotDataItem`` created once; updates are ``setData`` on slices of
the run trace's doubling buffers. Each plot is configured for peak downsampling and
clip-to-view before its curves are added (``plot_tools.configure_plot``).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)
from dlstudio.gui.common.legend_placement import add_legend
from dlstudio.gui.common.plot_tools import (X_AXES, PlotOptionsBar, configure_plot, ema_smooth,
                                            major_grid_only)
from dlstudio.gui.common.text_line import TextLine
from dlstudio.gui.common.value_crosshair import ValueCrosshair
from dlstudio.gui.train.live_curves import (CURVES, PLOT_TITLES, SINGLE_CURVE_PLOTS, TRAIN_COLOR,
                                           CurveSpec)
from dlstudio.gui.train.run_trace import RunTrace
from dlstudio.gui.train.timed_plot import TimedPlot

LOG_Y_PLOTS = ("loss", "lr")
AXIS_WIDTH = 56  # px: "0.0001" and the axis label fit
# Epoch points are drawn as symbols up to this many; past it they merge into a line
# anyway, and pyqtgraph rebuilt every symbol of a changed curve on each redraw (a run
# of 10,000 epochs: ~120 ms of a ~175 ms redraw).
MAX_EPOCH_SYMBOLS = 300
DOWNSAMPLED_MARK = "  (downsampled: min/max)"
# The small plots are ~180 px wide in a 1024 px window: a star, explained by the note.
SMALL_DOWNSAMPLED_MARK = " *"
READOUT_HINT = "Move the mouse over a plot to read its values."


class LivePlotsView(QWidget):
    """Plots one ``RunTrace``; call ``refresh()`` after the trace grew."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.trace: RunTrace | None = None
        self.options = PlotOptionsBar(self)
        self.readout = TextLine(READOUT_HINT)
        # One line of fixed height (the full note is in its tooltip): a label that
        # appeared or wrapped mid-run relaid out the window and repainted every plot.
        self.downsample_note = TextLine("")
        self.downsample_note.setObjectName("downsampleNote")
        self.plot_widgets: dict[str, pg.PlotWidget] = {}
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.smoothed_loss: pg.PlotDataItem | None = None
        self._crosshairs: list[ValueCrosshair] = []
        self._x_axis = "step"
        self._lr_padded = False
        self._shown_counts: dict[str, int] = {}
        self._titles: dict[str, str] = {}
        self._build()
        self.options.options_changed.connect(self._on_options_changed)

    # -- building ------------------------------------------------------------------
    def _build(self) -> None:
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for name in PLOT_TITLES:
            self._add_plot(name)
        grid.addWidget(self.plot_widgets["loss"], 0, 0, 1, 3)
        grid.addWidget(self.plot_widgets["metric"], 1, 0)
        grid.addWidget(self.plot_widgets["lr"], 1, 1)
        grid.addWidget(self.plot_widgets["momentum"], 1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        self.plot_widgets["momentum"].hide()
        for spec in CURVES:
            self._add_curve(spec)
        # Unnamed: kept out of the legend and the readout, which name the raw curve.
        self.smoothed_loss = self.plots["loss"].plot(pen=pg.mkPen(TRAIN_COLOR, width=2))
        self.smoothed_loss.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.options)
        layout.addLayout(grid, 1)
        layout.addWidget(self.readout)
        layout.addWidget(self.downsample_note)

    def _add_plot(self, name: str) -> None:
        widget = TimedPlot(self)
        widget.setMinimumHeight(140)
        plot = widget.getPlotItem()
        title, y_label = PLOT_TITLES[name]
        self._titles[name] = title
        set_title(plot, title)
        configure_plot(plot, y_label)
        major_grid_only(plot)
        # A fixed width: tick labels of another width must not relayout (and repaint)
        # the plot, nor make it jump.
        plot.getAxis("left").setWidth(AXIS_WIDTH)
        if name in ("lr", "momentum"):
            plot.getAxis("left").enableAutoSIPrefix(False)  # 0.001, not "1 (x0.001)"
        # A plot of one curve is named by its title: a legend would only cover the curve.
        if name not in SINGLE_CURVE_PLOTS:
            add_legend(plot)
        self.plot_widgets[name], self.plots[name] = widget, plot
        self._crosshairs.append(ValueCrosshair(plot, self.readout, self._x_name()))

    def _add_curve(self, spec: CurveSpec) -> None:
        pen = pg.mkPen(spec.color, width=1.5 if spec.per_epoch else 1)
        symbol = dict(symbol="o", symbolSize=6, symbolBrush=spec.color, symbolPen=None) \
            if spec.per_epoch else {}
        # Antialiasing only for the few epoch points: on per-step curves it costs paint time.
        curve = self.plots[spec.plot].plot(name=spec.name, pen=pen, antialias=spec.per_epoch,
                                           **symbol)
        if spec.per_epoch:
            # A few hundred points at most: clipping and downsampling them gain nothing,
            # and with them on, every change of the x range (each redraw while the run
            # grows) rebuilt the epoch symbols.
            curve.setClipToView(False)
            curve.setDownsampling(auto=False)
        self.curves[spec.key] = curve

    def _x_name(self) -> str:
        return {"step": "step", "epoch": "epoch", "time": "t (s)"}[self.options.x_key]

    # -- showing -------------------------------------------------------------------
    def show_trace(self, trace: RunTrace | None) -> None:
        """Plot ``trace`` (None clears) and reset the view ranges."""
        self.trace = trace
        self.readout.setText(READOUT_HINT)  # the last read-out was another run's
        self._label_metric()
        self.refresh(force=True)
        for plot in self.plots.values():
            plot.enableAutoRange()

    def trace_started(self) -> None:
        """The shown trace's run started (its metric is known now): label the metric plot.

        The trace holds no points yet, so its curves and ranges are as ``show_trace``
        left them; plotting it again would only repaint every plot while the run starts.
        """
        accuracy = self._metric_is_accuracy()
        if self._titles["metric"] != ("Accuracy" if accuracy else "RMSE (lower is better)"):
            self._label_metric()

    def refresh(self, force: bool = False) -> None:
        """Push the trace's current buffers into the curves that grew (all with ``force``).

        A curve whose point count did not change keeps its data, so its plot is not
        repainted (the accuracy plot changes once an epoch).
        """
        trace, x_axis = self.trace, self.options.x_key
        changed = set()
        for spec in CURVES:
            curve = self.curves[spec.key]
            if trace is None:
                curve.setData([], [])
                self._shown_counts.pop(spec.key, None)
                continue
            count = trace.count(spec.key)
            if not force and self._shown_counts.get(spec.key) == count:
                continue
            self._shown_counts[spec.key] = count
            changed.add(spec.key)
            x, y = trace.xy(spec.key, x_axis)
            if spec.plot == "metric" and self._metric_is_accuracy():
                y = y * 100.0
            if spec.per_epoch:
                self._set_epoch_symbols(curve, count <= MAX_EPOCH_SYMBOLS)
            curve.setData(x, y)
        if force or "loss" in changed:
            self._refresh_smoothed(x_axis)
        if force or "lr" in changed:
            self._pad_flat_lr()
        for plot in self.plots.values():
            # Apply the new auto-range now, not in the paint: a range change found
            # during a paint asks for a second paint (measured: ~3 paints a refresh).
            plot.getViewBox().prepareForPaint()
        has_momentum = trace is not None and trace.count("momentum") > 0
        self.plot_widgets["momentum"].setVisible(has_momentum)
        self.update_downsample_note()

    @staticmethod
    def _set_epoch_symbols(curve: pg.PlotDataItem, shown: bool) -> None:
        if (curve.opts["symbol"] is not None) != shown:  # setSymbol rebuilds the points
            curve.setSymbol("o" if shown else None)

    def _refresh_smoothed(self, x_axis: str) -> None:
        weight = self.options.smoothing_weight
        raw = self.curves["loss"]
        smoothing = self.trace is not None and weight > 0
        if smoothing:
            x, y = self.trace.xy("loss", x_axis)
            self.smoothed_loss.setData(x, ema_smooth(y, weight))
        # Pen and visibility only when they change: setting a pen re-bounds the curve.
        if smoothing != self.smoothed_loss.isVisible():
            self.smoothed_loss.setVisible(smoothing)
            raw.setPen(pg.mkPen((*TRAIN_COLOR, 70) if smoothing else TRAIN_COLOR, width=1))

    def _pad_flat_lr(self) -> None:
        # A constant LR gives a zero-height range that pyqtgraph pads oddly (±0.4 of a
        # unit); show it at mid-height instead, and give auto-range back once it varies.
        _, lrs = self.curves["lr"].getOriginalDataset()
        view = self.plots["lr"].getViewBox()
        flat = lrs is not None and len(lrs) > 0 and lrs.min() == lrs.max() > 0
        if flat and not self.options.log_y.isChecked():
            if view.autoRangeEnabled()[1] or self._lr_padded:
                target = [0.0, 2 * float(lrs[0])]
                # setYRange always updates the view, even to the range it has.
                if view.autoRangeEnabled()[1] or view.targetRange()[1] != target:
                    view.setYRange(*target, padding=0)
                self._lr_padded = True
        elif self._lr_padded:
            self._lr_padded = False
            view.enableAutoRange(axis="y")

    def _metric_is_accuracy(self) -> bool:
        return self.trace is None or self._metric_name() == "accuracy"

    def _metric_name(self) -> str:
        if self.trace is None:
            return "accuracy"
        summary = (self.trace.ended or {}).get("summary", {})
        return self.trace.info.get("metric_name") or summary.get("metric_name", "accuracy")

    def _label_metric(self) -> None:
        plot = self.plots["metric"]
        self._titles["metric"] = "Accuracy" if self._metric_is_accuracy() else "RMSE (lower is better)"
        if self._metric_is_accuracy():
            set_title(plot, "Accuracy")
            plot.setLabel("left", "Accuracy (%)")
        else:
            set_title(plot, "RMSE (lower is better)")
            plot.setLabel("left", "RMSE (target units)")

    def update_downsample_note(self) -> None:
        """Say which curves are drawn with fewer points than they hold."""
        if self.trace is None:
            self.downsample_note.setText("")
            return
        notes, reduced_plots = [], set()
        for spec in CURVES:
            stored = self.trace.totals.get(spec.key, 0)
            held = self.trace.count(spec.key)
            # pyqtgraph's auto-downsampling factor (private; 1 where it is missing)
            factor = int(getattr(self.curves[spec.key], "_adsLastValue", 1) or 1)
            total = max(stored, held)
            drawn = min(held, max(2, 2 * held // factor))
            if drawn < total:  # min/max at factor 2 still draws every point
                notes.append(f"{spec.name}: ~{drawn:,} of {total:,} points drawn")
                reduced_plots.add(spec.plot)
        text = ("* Downsampled (min/max kept per bucket, so dips and spikes stay visible): "
                + "; ".join(notes) if notes else "")
        self.downsample_note.setText(text)
        for name, plot in self.plots.items():  # and said in the plot itself
            mark = DOWNSAMPLED_MARK if name == "loss" else SMALL_DOWNSAMPLED_MARK
            title = self._titles[name] + (mark if name in reduced_plots else "")
            if plot.titleLabel.text != title:
                set_title(plot, title)

    def last_paint_seconds(self) -> float:
        """How long the plots took to paint last time (0 before the first paint)."""
        return sum(widget.last_paint_seconds for widget in self.plot_widgets.values()
                   if widget.isVisible())

    # -- options -------------------------------------------------------------------
    @Slot()
    def _on_options_changed(self) -> None:
        x_axis = self.options.x_key
        for name, plot in self.plots.items():
            plot.setLabel("bottom", X_AXES[x_axis])
            if name in LOG_Y_PLOTS:
                plot.setLogMode(y=self.options.log_y.isChecked())
        x_changed = self._x_axis != x_axis
        self._x_axis = x_axis
        for crosshair in self._crosshairs:
            crosshair.x_name = self._x_name()
        self.refresh(force=True)
        if x_changed:
            for plot in self.plots.values():
                plot.enableAutoRange()


def set_title(plot: pg.PlotItem, title: str) -> None:
    """Set a plot's title without letting its width set the plot's minimum width: a long
    title (one with the downsampled mark) pushed the plots of a row past the window."""
    plot.setTitle(title)
    plot.titleLabel.setMinimumWidth(0)
