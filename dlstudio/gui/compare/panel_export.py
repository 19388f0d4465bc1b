"""Compare's panels as one PNG or SVG of a chosen size: the legend on top, then each
open section under its header.

Rendered at the size asked for, not a scaled screenshot: each grid is laid out again
at its share of the image, so text keeps its point size; the sections share the height
by their rows of panels.
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.compare.metric_panel_grid import INK

HEADER_HEIGHT = 26


def export_sections(path: str | Path, width: int, height: int,
                    legend: pg.GraphicsLayoutWidget | None,
                    sections: list[tuple[str, pg.GraphicsLayoutWidget]]) -> Path:
    """Write ``legend`` and the ``(header, grid)`` sections, by the suffix of ``path``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(f"path: got {path.name!r}, expected a .png or .svg file name")
    if suffix == ".svg":
        device = QSvgGenerator()
        device.setFileName(str(path))
        device.setSize(QSize(width, height))
        device.setViewBox(QRect(0, 0, width, height))
        device.setTitle(path.stem)
    else:
        device = QImage(width, height, QImage.Format.Format_ARGB32)
        device.fill(Qt.GlobalColor.white)
    painter = QPainter(device)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(QRectF(0, 0, width, height), Qt.GlobalColor.white)
        _paint(painter, width, height, legend, sections)
    finally:
        painter.end()
    if suffix == ".png" and not device.save(str(path)):
        raise OSError(f"{path}: could not write the image")
    return path


def _paint(painter: QPainter, width: int, height: int, legend, sections) -> None:
    top = 0.0
    parts = []  # (widget, where it is drawn)
    if legend is not None:
        parts.append((legend, QRectF(0, 0, width, legend.height())))
        top = float(legend.height())
    headers = HEADER_HEIGHT if len(sections) > 1 else 0
    rows = sum(max(1, grid.rows()) for _, grid in sections) or 1
    row_height = max(0.0, height - top - headers * len(sections)) / rows
    font = QFont()
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor(INK))
    for title, grid in sections:
        if headers:
            painter.drawText(QRectF(8, top, width - 16, headers),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, title)
            top += headers
        part = max(1, grid.rows()) * row_height
        parts.append((grid, QRectF(0, top, width, part)))
        top += part
    # Every grid is laid out at the image's width before any is drawn, and all are put
    # back after: linked x axes line panels up by their pixels, across the grids.
    old = [(widget.ci, widget.ci.geometry()) for widget, _ in parts]
    try:
        for widget, target in parts:
            widget.ci.setGeometry(QRectF(0, 0, target.width(), target.height()))
            widget.ci.layout.activate()
        for widget, target in parts:
            widget.scene().render(painter, target,
                                  QRectF(0, 0, target.width(), target.height()))
    finally:
        for layout, geometry in old:
            layout.setGeometry(geometry)
