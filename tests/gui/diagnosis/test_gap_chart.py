"""The gap chart names all three bars at any width the Diagnosis tab gives it."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage, QPainter

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
