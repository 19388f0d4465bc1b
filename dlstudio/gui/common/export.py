"""Saving what the user sees: a plot as PNG / SVG, a run's metrics as CSV."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyqtgraph as pg
import pyqtgraph.exporters as pg_exporters
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.store import Store
from dlstudio.store.export import write_metrics_csv

PLOT_FORMATS = {".png": pg_exporters.ImageExporter, ".svg": pg_exporters.SVGExporter}
IMAGE_FILTERS = "PNG image (*.png);;SVG drawing (*.svg)"


def save_image(parent, prompts, title: str, suggested: str, write: Callable[[str], object]) -> None:
    """Ask ``prompts`` where to save an image (a name that is neither .png nor .svg gets
    .png) and ``write(path)``; a write that fails is told in a dialog titled ``title``."""
    path = prompts.save_path(parent, title, suggested, IMAGE_FILTERS)
    if not path:
        return
    if Path(path).suffix.lower() not in PLOT_FORMATS:
        path += ".png"
    try:
        write(path)
    except (OSError, ValueError) as exc:
        prompts.inform(parent, title, f"Could not save {path}: {exc}")


def export_plot(plot_widget_or_item: pg.PlotWidget | pg.PlotItem, path: str | Path) -> Path:
    """Write the plot (axes, curves, legend) to ``path``: PNG or SVG by its extension.

    A PNG is drawn at least 1600 pixels wide so it stays sharp in slides and papers.
    """
    path = Path(path)
    exporter_class = PLOT_FORMATS.get(path.suffix.lower())
    if exporter_class is None:
        raise ValueError(f"path: got {path.name!r}, expected a .png or .svg file name")
    item = plot_widget_or_item
    if isinstance(item, pg.PlotWidget):
        item = item.getPlotItem()
    exporter = exporter_class(item)
    if exporter_class is pg_exporters.ImageExporter:
        width = exporter.parameters()["width"]
        if width < 1600:
            exporter.parameters()["width"] = 1600  # the height follows the aspect ratio
        exporter.export(str(path))
        return path
    try:
        with _closed_paths_tolerated():
            exporter.export(str(path))
    except ValueError:  # a pyqtgraph that still trips: draw the scene directly
        _render_svg(item, path)
    return path


@contextmanager
def _closed_paths_tolerated() -> Iterator[None]:
    """pyqtgraph 0.14's SVG exporter re-parses each ``<path d=...>`` as "x,y" pairs and
    fails on the close command ``Z`` that Qt >= 6.10 writes (pyqtgraph #3495, fixed
    after 0.14.0). For the length of one export, drop the ``Z``s before that pass: Qt
    writes the line back to the start anyway, so the drawing is the same."""
    module = importlib.import_module("pyqtgraph.exporters.SVGExporter")
    original = getattr(module, "correctCoordinates", None)
    if original is None:
        yield
        return

    def correct_coordinates(node, defs, item, options):
        for element in node.getElementsByTagName("path"):
            d = element.getAttribute("d")
            if "Z" in d or "z" in d:
                element.setAttribute("d", " ".join(d.replace("Z", " ").replace("z", " ").split()))
        return original(node, defs, item, options)

    module.correctCoordinates = correct_coordinates
    try:
        yield
    finally:
        module.correctCoordinates = original


def _render_svg(item: pg.PlotItem, path: Path) -> None:
    # Correct in Qt and browsers; curves keep their view transform with
    # non-scaling strokes, which some converters (librsvg) draw too thick.
    source = item.sceneBoundingRect()
    target = QRectF(0, 0, source.width(), source.height())
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(target.size().toSize())
    generator.setViewBox(target)
    generator.setTitle("dlstudio plot")
    # The scene lays out text and ticks for the screen's dots per inch; an SVG at
    # Qt's default 72 would scale the curves apart from the axes.
    generator.setResolution(round(item.scene().views()[0].logicalDpiX()))
    painter = QPainter(generator)
    try:
        painter.fillRect(target, item.scene().views()[0].backgroundBrush())
        item.scene().render(painter, target, source)
    finally:
        painter.end()


def export_run_csv(store: Store, run_id: int, path: str | Path) -> int:
    """Write every metric of run ``run_id`` as long-format CSV; returns the rows written.

    The same file ``dlstudio export RUN --format csv`` writes.
    """
    with open(path, "w", newline="", encoding="utf-8") as handle:
        return write_metrics_csv(store, run_id, handle)
