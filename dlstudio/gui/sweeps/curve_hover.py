"""Which curve or point of a plot the mouse is over, measured on screen.

A sweep's plots have no legend (there can be hundreds of trials); ``CurveHover`` follows
the mouse over a plot and reports the item nearest to it within a few pixels, with the
data point of that item nearest to the mouse. Distance is in screen pixels, whatever
the axes' units, and a line counts along its segments, not only at its points.

The helper is a Qt child of the plot's widget and holds no Python reference back to it:
it reads the owner's dict of items (the same dict object, filled and cleared in place)
and reports through its ``hovered`` signal, which the owner connects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Signal

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)

RADIUS_PX = 6.0
# The curve or line under the mouse: drawn this wide (px), above every other (whose z
# values stay within -1 .. 1).
HOVERED_WIDTH = 4
HOVERED_Z = 10
LINE_HINT = "Move the mouse over a curve to name its trial; click it to open the run."
LINES_HINT = "Move the mouse over a line to name its trial; click it to open the run."
POINT_HINT = "Move the mouse over a point to name its trial; click it to open the run."


@dataclass(frozen=True)
class Hit:
    """The item under the mouse (its key in the owner's dict) and its nearest point:
    its index in the shown data and its x, y as the data reads (not log10)."""

    key: Any
    index: int
    x: float
    y: float


def nearest_index(xs: np.ndarray, ys: np.ndarray, mouse: tuple[float, float],
                  lines: bool) -> tuple[float, int]:
    """(distance, index of the nearest point) from ``mouse`` to the points ``xs, ys``
    (all in pixels); with ``lines`` the segments between finite points count too, and
    the index is the segment's end nearer to the mouse. ``(inf, -1)`` when none."""
    if len(xs) == 0:
        return np.inf, -1
    mx, my = mouse
    with np.errstate(invalid="ignore"):
        point_d = np.hypot(xs - mx, ys - my)
    point_d = np.where(np.isfinite(point_d), point_d, np.inf)
    best = int(np.argmin(point_d))
    distance = float(point_d[best])
    if lines and len(xs) > 1:
        ax, ay, dx, dy = xs[:-1], ys[:-1], np.diff(xs), np.diff(ys)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.clip(((mx - ax) * dx + (my - ay) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
            seg_d = np.hypot(ax + t * dx - mx, ay + t * dy - my)
        seg_d = np.where(np.isfinite(seg_d), seg_d, np.inf)
        segment = int(np.argmin(seg_d))
        if seg_d[segment] < distance:
            distance = float(seg_d[segment])
            ends = (segment, segment + 1)
            best = min(ends, key=lambda i: point_d[i])
    return distance, best


class CurveHover(QObject):
    """Reports (``hovered``) the item of ``items`` nearest to the mouse over ``plot``,
    or None when none is within ``radius`` pixels or the mouse left the plot.

    ``lines``: items are curves whose segments count (their ``curve``); else points
    (their ``scatter``). Emits only when the item or its nearest point changes.
    """

    hovered = Signal(object)  # Hit | None

    def __init__(self, plot: pg.PlotItem, items: dict[Any, pg.PlotDataItem],
                 parent: QObject, lines: bool = True, radius: float = RADIUS_PX):
        super().__init__(parent)
        self.plot = plot
        self.items = items
        self.lines = lines
        self.radius = radius
        self.hit: Hit | None = None
        plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        view = plot.scene().views()[0]
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self._report(None)
        return False

    def _on_mouse_moved(self, position) -> None:
        vb = self.plot.vb
        if not vb.sceneBoundingRect().contains(position):
            self._report(None)
            return
        self._report(self.find(vb.mapSceneToView(position)))

    def find(self, point) -> Hit | None:
        """The hit at ``point`` (view coordinates), or None."""
        width, height = self.plot.vb.viewPixelSize()
        if not width or not height:
            return None
        mouse = (point.x() / width, point.y() / height)
        found, closest = None, self.radius
        for key, item in self.items.items():
            shown = item.curve if self.lines else item.scatter
            if not item.isVisible() or not shown.isVisible():
                continue
            xs, ys = shown.getData()
            if xs is None or len(xs) == 0:
                continue
            distance, index = nearest_index(np.asarray(xs, dtype=np.float64) / width,
                                            np.asarray(ys, dtype=np.float64) / height,
                                            mouse, self.lines)
            if distance <= closest:
                found, closest = (key, index, float(xs[index]), float(ys[index])), distance
        if found is None:
            return None
        key, index, x, y = found
        log_x, log_y = self.plot.ctrl.logXCheck.isChecked(), self.plot.ctrl.logYCheck.isChecked()
        return Hit(key, index, 10 ** x if log_x else x, 10 ** y if log_y else y)

    def clear(self) -> None:
        """Forget the hit (the owner dropped its items); reports None if there was one."""
        self._report(None)

    def _report(self, hit: Hit | None) -> None:
        if hit != self.hit:
            self.hit = hit
            self.hovered.emit(hit)
