"""A plot legend that sits in the corner of the view its curves cross least.

A fixed corner is a guess about where the curves will not be ("accuracy rises, so
bottom right"); on the small plots of a 1024 px window the guess was often wrong and
the legend hid the curves. ``add_legend(plot)`` adds one that is placed instead:
for each corner of the view box it counts the samples of the visible curves that fall
inside the legend's rectangle there, in pixels, and takes the corner with the fewest.
Curves are sampled every few pixels along their lines, not only at their points: a
10-epoch curve has 10 points, but its lines cross whole corners. A legend the user drags
stays where it was put.
"""

from __future__ import annotations

import weakref

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor

# (right, bottom) flags of each corner; on ties the earlier wins: top right first.
CORNERS = ((True, False), (True, True), (False, False), (False, True))
MARGIN = 10  # px between the legend and the view box's edge
SAMPLE_SPACING = 3.0  # px between samples along a curve's line
MAX_SAMPLES = 4000  # per curve: the cost of a placement stays flat on long curves
# A corner is as good as the best while its count is within this (a few px of line,
# or a tenth): a live curve's noise would otherwise make the legend hop about.
TIE_SAMPLES = 3
TIE_SHARE = 0.1
# A negative verSpacing does not shrink pyqtgraph's legend box (its size sums the rows'
# heights); the layout then spreads the rows over it, further apart than before.
COMPACT = {"labelTextSize": "8pt"}
LEGEND_MARGINS = (4, 2, 4, 2)  # px: left, top, right, bottom
BACKING_ALPHA = 200
THEMED = "dlstudio_themed_backing"  # Qt property: the legend's backing follows the theme
# Placements wait this long, so that the data and range changes of one refresh (and
# of a live plot's batches) are placed once.
DELAY_MS = 40


def line_samples(x: np.ndarray, y: np.ndarray, width: float, height: float,
                 connected: bool = True) -> np.ndarray:
    """Points (n x 2, pixels) every ``SAMPLE_SPACING`` px along the polyline through
    ``x``, ``y`` (pixels), the part of it inside ``width`` x ``height`` only; just the
    points themselves where ``connected`` is False."""
    if len(x) > MAX_SAMPLES:  # more points than the budget: every few of them must do
        stride = -(-len(x) // MAX_SAMPLES)
        x, y, connected = x[::stride], y[::stride], False
    points = np.column_stack((x, y)).astype(np.float64)
    finite = np.isfinite(points).all(axis=1)
    if not connected or len(points) < 2:
        return points[finite]
    ok = finite[:-1] & finite[1:]
    start, end = points[:-1][ok], points[1:][ok]
    start, end = _clip_segments(start, end, width, height)
    if len(start) == 0:
        return np.empty((0, 2))
    delta = end - start
    steps = np.ceil(np.hypot(delta[:, 0], delta[:, 1]) / SAMPLE_SPACING)
    total = steps.sum()
    if total > MAX_SAMPLES:
        steps = np.ceil(steps * (MAX_SAMPLES / total))
    steps = np.maximum(steps, 1).astype(np.int64)
    segment = np.repeat(np.arange(len(start)), steps)
    first = np.repeat(np.cumsum(steps) - steps, steps)
    t = (np.arange(len(segment)) - first) / steps[segment]
    samples = start[segment] + t[:, None] * delta[segment]
    return np.vstack((samples, end[-1:]))


def _clip_segments(start: np.ndarray, end: np.ndarray, width: float,
                   height: float) -> tuple[np.ndarray, np.ndarray]:
    """The parts of the segments inside [0, width] x [0, height] (Liang-Barsky), so a
    zoomed-in view samples what it shows, not thousands of pixels off screen."""
    delta = end - start
    low, high = np.zeros(len(start)), np.ones(len(start))
    for axis, size in ((0, width), (1, height)):
        d, p = delta[:, axis], start[:, axis]
        moving = d != 0
        with np.errstate(divide="ignore", invalid="ignore"):
            t_a, t_b = (0 - p) / d, (size - p) / d
        enter = np.where(moving, np.minimum(t_a, t_b), np.where((p >= 0) & (p <= size),
                                                                -np.inf, np.inf))
        leave = np.where(moving, np.maximum(t_a, t_b), np.inf)
        low, high = np.maximum(low, enter), np.minimum(high, leave)
    keep = low <= high
    start, delta, low, high = start[keep], delta[keep], low[keep], high[keep]
    return start + low[:, None] * delta, start + high[:, None] * delta


def corner_counts(samples: np.ndarray, width: float, height: float, legend_width: float,
                  legend_height: float) -> list[int]:
    """How many samples fall in the legend's rectangle at each of ``CORNERS``."""
    x, y = samples[:, 0], samples[:, 1]
    counts = []
    for right, bottom in CORNERS:
        left = width - MARGIN - legend_width if right else MARGIN
        top = height - MARGIN - legend_height if bottom else MARGIN
        inside = ((x >= left) & (x <= left + legend_width)
                  & (y >= top) & (y <= top + legend_height))
        counts.append(int(np.count_nonzero(inside)))
    return counts


def best_corner(counts: list[int], current: int) -> int:
    """The corner with the fewest samples; the current one while it is about as good
    (so the legend stays put as live data arrives), then the earliest of ``CORNERS``."""
    fewest = min(counts)
    if counts[current] <= fewest + max(TIE_SAMPLES, TIE_SHARE * fewest):
        return current
    return counts.index(fewest)


def legend_corner(legend: pg.LegendItem) -> int:
    """The index in ``CORNERS`` of the corner ``legend`` is anchored to by its offset."""
    # ``opts``: the instance attribute ``offset`` hides pyqtgraph's offset() getter.
    offset = legend.opts["offset"] or (MARGIN, MARGIN)
    return CORNERS.index((offset[0] <= 0, offset[1] <= 0))


class PlacedLegend(pg.LegendItem):
    """pyqtgraph's legend, saying when the user drags it (``dragged``)."""

    dragged = Signal()

    def mouseDragEvent(self, ev) -> None:  # noqa: N802 (pyqtgraph's name)
        super().mouseDragEvent(ev)
        if ev.isAccepted():
            self.dragged.emit()


class LegendPlacer(QObject):
    """Re-places a legend when its view's range or size, or a curve, changes.

    A Qt child of the legend, holding no reference to it nor to the plot or widget (it
    finds them through ``parent()``): the widget-lifetime rule of docs/architecture.md.
    """

    placed = Signal()  # a placement ran (the legend may or may not have moved)

    def __init__(self, legend: PlacedLegend):
        super().__init__(legend)
        # Dragged by the user: where they put it beats where the curves are not, and a
        # live plot would otherwise take it back at its next batch.
        self.pinned = False
        legend.dragged.connect(self._on_dragged)
        self._watched: weakref.WeakSet = weakref.WeakSet()  # curves whose signals reach us
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.place)
        view = legend.parentItem()
        view.sigRangeChanged.connect(self.schedule)
        view.sigResized.connect(self.schedule)
        legend.geometryChanged.connect(self.schedule)  # entries added or removed
        legend.visibleChanged.connect(self.schedule)
        legend.setOffset(corner_offset(CORNERS[0]))
        self.schedule()

    @Slot()
    def schedule(self) -> None:
        """Place the legend soon (once, however many changes come before then)."""
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _on_dragged(self) -> None:
        self.pinned = True
        self._timer.stop()

    @Slot()
    def place(self) -> None:
        """Move the legend to the corner its view's visible curves cross least."""
        if self.pinned:
            return
        legend = self.parent()
        view = legend.parentItem()
        # The auto-range of new data is applied lazily, before the next paint: apply it
        # now, so the curves are placed where they will be drawn (the range change this
        # may signal is the one being placed).
        view.prepareForPaint()
        self._timer.stop()
        width, height = view.width(), view.height()
        size = legend.boundingRect()
        if width <= 0 or height <= 0 or not legend.isVisible():
            return  # placed once laid out (sigResized) or shown (visibleChanged)
        samples = [self._samples(item, view, width, height) for item in view.addedItems
                   if isinstance(item, pg.PlotDataItem)]
        counts = corner_counts(np.vstack([np.empty((0, 2)), *samples]), width, height,
                               size.width(), size.height())
        current = legend_corner(legend)
        corner = best_corner(counts, current)
        if corner != current:
            legend.setOffset(corner_offset(CORNERS[corner]))
        self.placed.emit()

    def _samples(self, item: pg.PlotDataItem, view: pg.ViewBox, width: float,
                 height: float) -> np.ndarray:
        if item not in self._watched:  # curves added after the legend count too
            self._watched.add(item)
            item.sigPlotChanged.connect(self.schedule)
            item.visibleChanged.connect(self.schedule)
        if not item.isVisible():
            return np.empty((0, 2))
        x, y = item.getData()  # as drawn: log10 on a log axis, clipped and downsampled
        if x is None or len(x) == 0:
            return np.empty((0, 2))
        (x_low, x_high), (y_low, y_high) = view.viewRange()
        px = (np.asarray(x, np.float64) - x_low) * (width / ((x_high - x_low) or 1.0))
        py = (y_high - np.asarray(y, np.float64)) * (height / ((y_high - y_low) or 1.0))
        if view.xInverted():
            px = width - px
        if view.yInverted():
            py = height - py
        pen = item.opts["pen"]
        connected = pen is not None and pg.mkPen(pen).style() != Qt.PenStyle.NoPen
        return line_samples(px, py, width, height, connected)


def corner_offset(corner: tuple[bool, bool]) -> tuple[int, int]:
    """pyqtgraph's legend offset for a corner: negative counts from the right / bottom."""
    right, bottom = corner
    return (-MARGIN if right else MARGIN, -MARGIN if bottom else MARGIN)


def backing(background) -> QColor:
    """A legend's backing on a plot of ``background``: that colour, a little see-through."""
    color = pg.mkColor(background)
    color.setAlpha(BACKING_ALPHA)
    return color


def recolor_legend(legend: pg.LegendItem, background, foreground) -> None:
    """Give a legend ``add_legend`` backed with the plot's colour the new theme's backing
    and text colour; a legend with a backing of its own keeps it."""
    if legend.property(THEMED):
        legend.setBrush(backing(background))
        legend.setLabelTextColor(foreground)


def add_legend(plot: pg.PlotItem, **options) -> PlacedLegend:
    """A compact legend on ``plot`` (``options`` as ``PlotItem.addLegend`` takes them)
    that keeps to the corner its curves cross least (``LegendPlacer``).

    Compact (8 pt text, 2-4 px margins instead of 9): a legend of three entries, 84 px
    high, filled three quarters of a plot's height in the 1024 x 700 window, where no
    corner could be free; it is 67 px now.
    """
    # A backing of the plots' background: where no corner is free (a few epochs that
    # zigzag across a small plot), the names stay readable over the curves.
    legend = PlacedLegend(**{**COMPACT, "brush": backing(pg.getConfigOption("background")),
                             **options})
    legend.setParentItem(plot.vb)
    plot.legend = legend  # as PlotItem.addLegend: curves plotted with a name join it
    legend.setProperty(THEMED, "brush" not in options)  # the theme recolours it, see below
    legend.layout.setContentsMargins(*LEGEND_MARGINS)
    LegendPlacer(legend)  # a Qt child of the legend: it lives as long as the legend
    return legend
