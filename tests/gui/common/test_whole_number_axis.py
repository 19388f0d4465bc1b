"""Epoch axes tick whole epochs: a 4-epoch run on a small plot reads 1 2 3 4, not
1 1.5 2 ... 4."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage, QPainter

from dlstudio.gui.diagnosis.run_curves_view import RunCurvesView


def drawn_ticks(axis) -> list[str]:
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [text for _, _, text in texts]


def four_epochs() -> dict[str, dict]:
    epochs = np.arange(1, 5)
    return {key: {"epoch": epochs, "value": np.array([0.3, 0.2, 0.25, 0.22])}
            for key in ("train_metric", "dev_metric", "train_loss", "dev_loss")}


@pytest.fixture
def view(qtbot) -> RunCurvesView:
    view = RunCurvesView()
    qtbot.addWidget(view)
    view.resize(330, 300)  # a view box 257 px wide: the Diagnosis tab's at 1024x700
    view.show()
    qtbot.waitExposed(view)
    return view


def test_a_short_run_on_a_small_plot_is_ticked_at_whole_epochs(view):
    view.show_curves(four_epochs(), best_epoch=2)
    view.grab()  # the auto-range of the new data is applied at the paint
    for plot in (view.metric_plot, view.loss_plot):
        ticks = drawn_ticks(plot.getAxis("bottom"))
        assert len(ticks) >= 2 and all(text.lstrip("-").isdigit() for text in ticks), ticks


def test_a_long_run_keeps_pyqtgraph_s_coarser_levels(view):
    epochs = np.arange(1, 201)
    curves = {key: {"epoch": epochs, "value": np.linspace(1, 0.1, 200)}
              for key in ("train_metric", "dev_metric", "train_loss", "dev_loss")}
    view.show_curves(curves)
    view.grab()
    ticks = [int(text) for text in drawn_ticks(view.loss_plot.getAxis("bottom"))]
    assert 2 <= len(ticks) <= 8 and all(tick % 50 == 0 for tick in ticks), ticks
