"""Log-axis tick labels keep apart: decades, and only the 2 and 5 multiples between."""

from __future__ import annotations

import math

import pyqtgraph as pg

from dlstudio.gui.common.plot_tools import configure_plot


def _labelled(axis, low: float, high: float, size: float) -> list[float]:
    values = [v for _, level in axis.tickValues(low, high, size) for v in level]
    return sorted(round(10 ** v, 10) for v in values)


def test_log_y_labels_are_decades_and_two_five_multiples(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    plot = widget.getPlotItem()
    configure_plot(plot, "Loss")
    plot.setLogMode(y=True)
    axis = plot.getAxis("left")
    shown = _labelled(axis, math.log10(0.03), math.log10(1.2), 150)
    # pyqtgraph labelled 0.04, 0.06, 0.07, 0.08, 0.09, 0.3, ... 0.9: they ran together.
    assert shown == [0.05, 0.1, 0.2, 0.5, 1.0]
    wide = _labelled(axis, -6, -1, 150)  # five decades: the decades alone
    assert wide == [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]
