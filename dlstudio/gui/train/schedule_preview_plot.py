"""A small plot of the learning rate (and one-cycle momentum) over the planned steps."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from dlstudio.gui.common.plot_tools import configure_plot

LR_COLOR = (44, 160, 44)
MOMENTUM_COLOR = (148, 103, 189)


class SchedulePreviewPlot(QWidget):
    """Shows ``preview_schedule``'s sequences: exactly what the run will record."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.caption = QLabel("The learning-rate preview appears when the form is valid.")
        self.caption.setWordWrap(True)
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setFixedHeight(150)
        plot = self.plot_widget.getPlotItem()
        configure_plot(plot, "LR")
        plot.setMouseEnabled(x=False, y=False)
        for axis in ("left", "right"):
            plot.getAxis(axis).enableAutoSIPrefix(False)
        plot.hideButtons()
        self.lr_curve = plot.plot(pen=pg.mkPen(LR_COLOR, width=2), name="learning rate",
                                  antialias=True)
        # Momentum has its own scale: a second view box on the right axis.
        self.momentum_box = pg.ViewBox()
        plot.showAxis("right")  # created now, hidden until a schedule cycles momentum
        plot.scene().addItem(self.momentum_box)
        plot.getAxis("right").linkToView(self.momentum_box)
        plot.getAxis("right").setLabel("momentum", color="#9467bd")
        self.momentum_box.setXLink(plot)
        self.momentum_curve = pg.PlotDataItem(pen=pg.mkPen(MOMENTUM_COLOR, width=1.5,
                                                           style=pg.QtCore.Qt.PenStyle.DashLine),
                                            antialias=True)
        self.momentum_box.addItem(self.momentum_curve)
        plot.vb.sigResized.connect(self._on_plot_resized)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)
        layout.addWidget(self.caption)
        self.lr_values = np.empty(0)
        self.momentum_values = np.empty(0)
        self._set_momentum_visible(False)

    def show_preview(self, result: dict[str, Any]) -> None:
        """Plot a ``FormPreviewer`` result (or say why there is no plot)."""
        schedule = result.get("schedule")
        total, spe = result.get("total_steps", 0), result.get("steps_per_epoch", 0)
        if schedule is None:
            self.clear(f"No preview for {total:,} steps (the preview is limited to shorter "
                       "runs); the schedule still applies." if total else
                       "The learning-rate preview appears when the form is valid.")
            return
        self.lr_values = np.asarray(schedule["lr"], dtype=np.float64)
        self.momentum_values = np.asarray(schedule.get("momentum") or [], dtype=np.float64)
        steps = np.arange(1, len(self.lr_values) + 1, dtype=np.float64)
        self.lr_curve.setData(steps, self.lr_values)
        has_momentum = len(self.momentum_values) == len(self.lr_values) > 0
        if has_momentum:
            self.momentum_curve.setData(steps, self.momentum_values)
        else:
            self.momentum_curve.setData([], [])
        self._set_momentum_visible(has_momentum)
        low, high = (self.lr_values.min(), self.lr_values.max()) if len(self.lr_values) else (0, 0)
        # From 0 up: a flat LR gets a readable range instead of pyqtgraph's ±0.5.
        self.plot_widget.getPlotItem().setYRange(0, 1.1 * high if high > 0 else 1, padding=0)
        shape = (f"constant {low:.3g}" if low == high else
                 f"from {self.lr_values[0]:.3g}, between {low:.3g} and {high:.3g}")
        text = (f"LR over the {total:,} planned steps ({result.get('epochs')} epochs × {spe:,} "
                f"steps): {shape}")
        if has_momentum:
            text += "; dashed: momentum (β₁), right axis"
        self.caption.setText(text)

    def clear(self, message: str) -> None:
        self.lr_values = np.empty(0)
        self.momentum_values = np.empty(0)
        self.lr_curve.setData([], [])
        self.momentum_curve.setData([], [])
        self._set_momentum_visible(False)
        self.caption.setText(message)

    def _set_momentum_visible(self, visible: bool) -> None:
        self.plot_widget.getPlotItem().showAxis("right", visible)
        self.momentum_curve.setVisible(visible)

    def _on_plot_resized(self) -> None:
        self.momentum_box.setGeometry(self.plot_widget.getPlotItem().vb.sceneBoundingRect())
