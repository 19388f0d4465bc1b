"""The plots of "which parameters mattered": importance bars, parallel coordinates with a
colour legend, and the metric against each parameter.

Each takes an ``ImportanceResult`` (``dlstudio.search.importance``). Categorical values
sit at their index with their text as tick labels; numbers spanning two decades or
more are drawn on a log scale, as the importance evaluators see them.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.search.importance import EVALUATOR_TITLES, ImportanceResult

INK, AXIS_PEN = "#202020", "#555555"
BAR_COLOR = "#1f77b4"
COLOR_MAP = "viridis"
SCATTER_COLUMNS = 3


def _style(plot: pg.PlotItem, title: str = "") -> None:
    if title:
        plot.setTitle(title, color=INK, size="10pt")
    for name in ("left", "bottom"):
        plot.getAxis(name).setPen(AXIS_PEN)
        plot.getAxis(name).setTextPen(INK)
    plot.setMenuEnabled(False)


def axis_positions(result: ImportanceResult, param: str) -> tuple[np.ndarray, list, bool]:
    """(positions, tick labels or [], log) of one parameter's values over the runs."""
    values = [point[param] for point in result.values]
    if all(isinstance(v, str) for v in values):
        choices = sorted(set(values))
        return (np.array([choices.index(v) for v in values], float),
                list(enumerate(choices)), False)
    numbers = np.array(values, float)
    log = bool(numbers.min() > 0 and numbers.max() / numbers.min() >= 100)
    return (np.log10(numbers) if log else numbers), [], log


def draw_bars(plot: pg.PlotItem, result: ImportanceResult, evaluator: str) -> None:
    """Horizontal bars, the most important parameter on top."""
    plot.clear()
    shares = result.importances[evaluator]
    names = list(shares)[::-1]
    heights = [100 * shares[name] for name in names]  # percent: no SI-prefix scaling
    plot.addItem(pg.BarGraphItem(x0=0, y=np.arange(len(names)), height=0.6, width=heights,
                                 brush=BAR_COLOR, pen=None))
    left = plot.getAxis("left")
    left.setTicks([list(enumerate(names))])
    # Room for the longest name: the axis would otherwise keep its default width and
    # clip the names away.
    metrics = QFontMetrics(left.style.get("tickFont") or QFont())
    left.setWidth(max((metrics.horizontalAdvance(n) for n in names), default=40) + 16)
    plot.getAxis("bottom").enableAutoSIPrefix(False)
    for y, share in enumerate(heights):
        label = pg.TextItem(f"{share:.0f} %", color=INK, anchor=(0, 0.5))
        label.setPos(share, y)
        plot.addItem(label)
    plot.setXRange(0, max(heights) * 1.2 if heights else 1)
    _style(plot, f"Importance ({EVALUATOR_TITLES[evaluator]}), of {result.runs_used} runs")
    plot.setLabel("bottom", "share of the metric's variation (%)", color=INK)


def draw_parallel(layout: pg.GraphicsLayout, result: ImportanceResult) -> pg.ColorBarItem:
    """Parameters and the metric as vertical axes scaled to [0, 1], a line per run
    coloured by the metric; the colour bar beside it is the legend. Best on top."""
    layout.clear()
    plot = layout.addPlot(row=0, col=0)
    _style(plot, f"Parallel coordinates: {len(result.params)} parameters and "
                 f"{result.metric}, {result.runs_used} runs")
    plot.hideAxis("left")
    plot.setMouseEnabled(x=False, y=False)
    columns = [_unit(axis_positions(result, p)[0]) for p in result.params]
    scores = np.array(result.scores, float)
    columns.append(_unit(scores))
    cmap = pg.colormap.get(COLOR_MAP)
    low, high = float(scores.min()), float(scores.max())
    for run in np.argsort(scores):  # best drawn last, on top
        color = cmap.map((scores[run] - low) / ((high - low) or 1.0), mode="qcolor")
        plot.plot(np.arange(len(columns)), [column[run] for column in columns],
                  pen=pg.mkPen(color, width=2))
    names = [*result.params, result.metric]
    plot.getAxis("bottom").setTicks([list(enumerate(names))])
    for x, name in enumerate(names):
        plot.addItem(pg.InfiniteLine(pos=x, angle=90, pen=pg.mkPen(AXIS_PEN)))
        for y, text in _end_labels(result, name):
            label = pg.TextItem(text, color=INK, anchor=(0.5, 1.2 if y else -0.2))
            label.setPos(x, y)
            plot.addItem(label)
    plot.setYRange(-0.12, 1.12)
    plot.setXRange(-0.4, len(names) - 0.6, padding=0)  # room for the end axes' names
    bar = pg.ColorBarItem(values=(low, high), colorMap=cmap, interactive=False,
                          label=result.metric)
    bar.getAxis("right").setTextPen(INK)
    layout.addItem(bar, row=0, col=1)
    return bar


def draw_scatters(layout: pg.GraphicsLayout, result: ImportanceResult) -> list[pg.PlotItem]:
    """The metric against each parameter, one small plot each."""
    layout.clear()
    plots = []
    for index, param in enumerate(result.params):
        positions, ticks, log = axis_positions(result, param)
        plot = layout.addPlot(row=index // SCATTER_COLUMNS, col=index % SCATTER_COLUMNS)
        _style(plot, f"{result.metric} vs {param}")
        plot.plot(positions, result.scores, pen=None, symbol="o", symbolSize=7,
                  symbolBrush=pg.mkBrush(31, 119, 180, 180), symbolPen=None)
        if ticks:
            plot.getAxis("bottom").setTicks([ticks])
        elif log:
            plot.getAxis("bottom").setTicks([_log_ticks(positions)])
        plot.setLabel("bottom", param + (" (log)" if log else ""), color=INK)
        plots.append(plot)
    return plots


def _unit(values: np.ndarray) -> np.ndarray:
    low, high = float(np.min(values)), float(np.max(values))
    return (values - low) / (high - low) if high > low else np.full(len(values), 0.5)


def _end_labels(result: ImportanceResult, name: str) -> list[tuple[float, str]]:
    if name == result.metric:
        return [(0.0, f"{min(result.scores):.3g}"), (1.0, f"{max(result.scores):.3g}")]
    positions, ticks, log = axis_positions(result, name)
    if ticks:
        return [(0.0, ticks[0][1]), (1.0, ticks[-1][1])]
    low, high = float(positions.min()), float(positions.max())
    if log:
        low, high = 10 ** low, 10 ** high
    return [(0.0, f"{low:.3g}"), (1.0, f"{high:.3g}")]


def _log_ticks(positions: np.ndarray) -> list[tuple[float, str]]:
    first, last = math.floor(positions.min()), math.ceil(positions.max())
    return [(p, f"1e{p}") for p in range(first, last + 1)]
