"""The gap chart names all three bars at any width the Diagnosis tab gives it, and its
threshold label covers no bar."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from dlstudio.diagnosis import diagnose
from dlstudio.gui.diagnosis.gap_chart import GapChart


def drawn_labels(chart: GapChart) -> list[tuple]:
    """(rect, first line) of each bottom-axis label pyqtgraph would draw now."""
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = chart.plot.getAxis("bottom").generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(rect, text.split("\n")[0]) for rect, _, text in texts]


@pytest.mark.parametrize("width, first", [(240, "Avoidable"), (280, "Avoidable"),
                                          (600, "Avoidable bias")])
def test_every_bar_is_named_without_overlap(qtbot, width, first):
    chart = GapChart()
    qtbot.addWidget(chart)
    chart.resize(width, 260)
    chart.show()
    qtbot.waitExposed(chart)
    labels = drawn_labels(chart)
    assert [text for _, text in labels][0] == first and len(labels) == 3
    rects = [rect for rect, _ in labels]
    assert all(not a.intersects(b) for a, b in zip(rects, rects[1:]))


def bar_rects(chart: GapChart) -> list:
    """Each bar with its interval's top, in scene coordinates."""
    tops = np.fmax(chart.bars.opts["height"], chart.values)
    rects = []
    for x, top, high in zip(range(3), tops, chart.error_bars.opts["top"]):
        view = QRectF(x - 0.3, 0.0, 0.6, float(top + high))
        rects.append(chart.plot.vb.mapViewToScene(view).boundingRect())
    return rects


@pytest.mark.parametrize("gaps", [(0.7, 3.25, 1.63), (3.0, 0.5, 4.0), (0.5, 5.0, 1.0)])
def test_the_threshold_label_covers_no_bar_that_rises_above_it(qtbot, gaps):
    human = 0.5  # error rates, in %
    train = human + gaps[0]
    diagnosis = diagnose(train=train, dev=train + gaps[1], test=train + gaps[1] + gaps[2],
                         human_level=human, metric="error", train_size=20000, dev_size=5000,
                         test_size=5000)
    chart = GapChart()
    qtbot.addWidget(chart)
    chart.resize(280, 300)  # its size in the Diagnosis tab at 1024x700
    chart.show()
    qtbot.waitExposed(chart)
    chart.show_diagnosis(diagnosis, min_gap=2.0)
    label = chart.threshold.label
    chart.grab()  # a text item places itself in the scene when it is painted
    text = label.sceneBoundingRect()
    crossing = [rect for rect, value, high in zip(bar_rects(chart), chart.values,
                                                  chart.error_bars.opts["top"])
                if value + high >= 2.0]
    assert crossing and all(not text.intersects(rect) for rect in crossing)


def test_with_every_bar_above_the_threshold_its_label_stays_inside_the_plot(qtbot):
    diagnosis = diagnose(train=25.9, dev=26.3, test=25.6, human_level=0.0, metric="error",
                         train_size=1007, dev_size=431, test_size=359)  # wide intervals
    chart = GapChart()
    qtbot.addWidget(chart)
    chart.resize(280, 300)
    chart.show()
    qtbot.waitExposed(chart)
    chart.show_diagnosis(diagnosis, min_gap=2.0)
    chart.grab()
    assert all(value + high >= 2.0 for value, high in
               zip(chart.values, chart.error_bars.opts["top"]))  # no bar stays below
    view = chart.plot.vb.sceneBoundingRect()
    assert view.contains(chart.threshold.label.sceneBoundingRect())
