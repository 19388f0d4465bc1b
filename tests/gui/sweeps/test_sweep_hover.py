"""The sweep plots name the trial under the mouse: a real sweep runs, then the mouse moves
over its trial curves and its metric-vs-hyperparameter points (real mouse moves on the
plot's viewport, offscreen)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from dlstudio.gui.sweeps.curve_hover import LINE_HINT, LINES_HINT, POINT_HINT, nearest_index
from dlstudio.gui.sweeps.progress import format_score, format_value
from dlstudio.training.sweeps.summary import sweep_summary
from tests.gui.helpers import read_store
from tests.gui.sweeps.test_sweep_panel import (RANDOM_3, panel, start_from_form,  # noqa: F401
                                               wait_finished)

FOUR_EPOCHS = {**RANDOM_3, "base": {**RANDOM_3["base"],
                                    "train": {**RANDOM_3["base"]["train"], "epochs": 4}}}


@pytest.fixture
def finished(qtbot, panel, db_path):  # noqa: F811  (the imported fixture)
    """The panel showing a finished 3-trial sweep, on screen; and its trials by run."""
    sweep_id = start_from_form(qtbot, panel, FOUR_EPOCHS)
    assert wait_finished(qtbot, panel) == "finished"
    panel.resize(1024, 700)
    panel.show()
    qtbot.waitExposed(panel)
    with read_store(db_path) as store:
        trials = sweep_summary(store, sweep_id)["trials"]
    return panel.results, {t["run_id"]: t for t in trials}


def settle(qtbot, plot_widget) -> None:
    """Wait until the plot stops moving: its axes size themselves to the labels they
    first paint, and its range follows its data, after it is shown."""
    seen = []

    def still() -> bool:
        plot_widget.grab()  # paints
        vb = plot_widget.getPlotItem().vb
        seen.append((vb.sceneBoundingRect(), vb.viewRange()))
        return len(seen) > 2 and seen[-1] == seen[-2]

    qtbot.waitUntil(still)


def pixels(plot_widget, xs, ys) -> np.ndarray:
    """Viewport pixel positions of view points."""
    vb = plot_widget.getPlotItem().vb
    out = []
    for x, y in zip(xs, ys):
        point = plot_widget.mapFromScene(vb.mapViewToScene(QPointF(float(x), float(y))))
        out.append((point.x(), point.y()))
    return np.asarray(out, dtype=np.float64)


def traced(points: np.ndarray) -> np.ndarray:
    """A polyline's pixels every half pixel or closer (to measure clearances by)."""
    pieces = [points[:1]]
    for a, b in zip(points[:-1], points[1:]):
        count = max(2, int(np.hypot(*(b - a)) * 2))
        pieces.append(a + np.linspace(0, 1, count)[:, None] * (b - a))
    return np.concatenate(pieces)


def clearance(point, others: list[np.ndarray]) -> float:
    return min((np.hypot(*(o - point).T).min() for o in others), default=np.inf)


def hover(qtbot, plot_widget, point, condition) -> None:
    """Move the mouse to ``point`` until ``condition()``: pyqtgraph's scene ignores a
    move that comes within 1/60 s of the one before, as a test's moves do."""
    qtbot.waitUntil(lambda: move(plot_widget, point) or condition())


def move(plot_widget, point) -> None:
    """A mouse move over the plot's viewport, as the window system sends it."""
    viewport = plot_widget.viewport()
    local = QPointF(round(point[0]), round(point[1]))
    event = QMouseEvent(QEvent.Type.MouseMove, local, viewport.mapToGlobal(local),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, event)


def show_plot(qtbot, results, tab: int, plot, hint: str) -> None:
    """Bring a results plot's tab forward, check its read-out's hint, let it settle."""
    results.tabs.setCurrentIndex(tab)
    qtbot.waitUntil(lambda: plot.plot_widget.isVisible())
    assert plot.readout.text() == hint
    settle(qtbot, plot.plot_widget)


def name(trial) -> str:
    return f"Trial {trial['trial']} · run #{trial['run_id']} · optim.lr " + \
        format_value(trial["config"]["optim.lr"])


def test_a_line_counts_along_its_segments_and_stops_at_a_gap():
    xs, ys = np.array([0.0, 100.0, np.nan, 300.0]), np.array([0.0, 0.0, np.nan, 0.0])
    assert nearest_index(xs, ys, (30.0, 4.0), lines=True) == (4.0, 0)
    assert nearest_index(xs, ys, (30.0, 4.0), lines=False)[0] > 30
    assert nearest_index(xs, ys, (200.0, 4.0), lines=True)[0] > 90  # nothing drawn there
    assert nearest_index(xs[:0], ys[:0], (0.0, 0.0), lines=True) == (np.inf, -1)


def test_the_trial_curve_under_the_mouse_is_named_and_drawn_on_top(qtbot, finished):
    results, trials = finished
    curves = results.curves
    assert results.tabs.currentWidget().currentWidget() is curves
    assert curves.readout.text() == LINE_HINT
    settle(qtbot, curves.plot_widget)
    shown = {run: pixels(curves.plot_widget, *curves.curve_data(run)) for run in curves.items}
    lines = {run: traced(points) for run, points in shown.items()}
    # A point of one curve at least 12 px from every other curve, 30 % along a segment
    # from it: the segment, not a point, is what the mouse is over.
    spots = [(clearance(a + 0.3 * (b - a), [lines[o] for o in lines if o != run]), run, i)
             for run, points in shown.items()
             for i, (a, b) in enumerate(zip(points[:-1], points[1:]))
             if np.hypot(*(b - a)) * 0.3 > 8]
    room, run, index = max(spots)
    assert room > 12, "no segment clear of the other curves to hover"
    a, b = shown[run][index], shown[run][index + 1]
    x, y = curves.curve_data(run)
    expected = (f"{name(trials[run])} — epoch {x[index]:g}: Dev loss "
                f"{format_score(y[index])}")
    hover(qtbot, curves.plot_widget, a + 0.3 * (b - a),
          lambda: curves.readout.text() == expected)
    item = curves.items[run]
    assert item.opts["pen"].width() == 4
    assert item.zValue() > max(other.zValue() for r, other in curves.items.items() if r != run)
    # Away from every curve: the hint again, and the curve as it was.
    corners = [np.array(p, dtype=float) for p in (
        (20, 20), (curves.plot_widget.width() - 20, 20),
        (20, curves.plot_widget.height() - 20),
        (curves.plot_widget.width() - 20, curves.plot_widget.height() - 20))]
    inside = [c for c in corners if curves.plot_item.vb.sceneBoundingRect().contains(
        curves.plot_widget.mapToScene(QPoint(*c.astype(int))))]
    far = max(inside, key=lambda c: clearance(c, list(lines.values())))
    assert clearance(far, list(lines.values())) > 30
    hover(qtbot, curves.plot_widget, far, lambda: curves.readout.text() == LINE_HINT)
    assert item.opts["pen"].width() == 2


def test_loss_mode_names_the_step(qtbot, finished):
    results, trials = finished
    curves = results.curves
    curves.mode_choice.setCurrentIndex(curves.mode_choice.findData("loss"))
    settle(qtbot, curves.plot_widget)
    shown = {run: pixels(curves.plot_widget, *curves.curve_data(run)) for run in curves.items}
    lines = {run: traced(points) for run, points in shown.items()}
    room, run, index = max((clearance(p, [lines[o] for o in lines if o != run]), run, i)
                           for run, points in shown.items() for i, p in enumerate(points))
    assert room > 8, "no loss point clear of the other curves to hover"
    hover(qtbot, curves.plot_widget, shown[run][index],
          lambda: curves.readout.text().startswith(name(trials[run]) + " — step "))
    x, y = curves.curve_data(run)
    # The mouse sits on a whole pixel: the nearest point may be a neighbour on screen.
    said = curves.readout.text()
    assert any(said.endswith(f"step {x[i]:g}: train loss {format_score(y[i])}")
               for i in range(max(0, index - 3), min(len(x), index + 4)))


def test_the_scatter_point_under_the_mouse_is_named_and_ringed(qtbot, finished):
    results, trials = finished
    scatter = results.scatter
    show_plot(qtbot, results, 3, scatter, POINT_HINT)
    data = scatter.scatter.scatter.data
    runs = [int(r) for r in data["data"]]
    assert sorted(runs) == sorted(trials)
    points = pixels(scatter.plot_widget, data["x"], data["y"])
    room, index = max((clearance(p, [np.delete(points, i, axis=0)]), i)
                      for i, p in enumerate(points))
    assert room > 12
    trial = trials[runs[index]]
    expected = f"{name(trial)} — Dev loss {format_score(trial['score'])}"
    hover(qtbot, scatter.plot_widget, points[index] + np.array([3.0, -2.0]),  # 3.6 px off
          lambda: scatter.readout.text() == expected)
    ring_x, ring_y = scatter.ring.getOriginalDataset()
    assert list(ring_x) == pytest.approx([trial["config"]["optim.lr"]])
    assert list(ring_y) == pytest.approx([trial["score"]])
    hover(qtbot, scatter.plot_widget, (5, 5),  # over the axes, off the plot
          lambda: scatter.readout.text() == POINT_HINT)
    ring_x = scatter.ring.getOriginalDataset()[0]
    assert ring_x is None or len(ring_x) == 0


def test_the_parallel_coordinates_line_under_the_mouse_is_named(qtbot, finished):
    results, trials = finished
    parallel = results.parallel
    show_plot(qtbot, results, 2, parallel, LINES_HINT)
    run_of_trial = {t["trial"]: run for run, t in trials.items()}
    shown = {trial_id: pixels(parallel.plot_widget, *line.getData())
             for trial_id, line in parallel.lines.items()}
    lines = {trial_id: traced(points) for trial_id, points in shown.items()}
    # Halfway along a line, between the parameter's axis and the metric's, where no
    # other line is near: only its segment is under the mouse.
    room, trial_id = max((clearance((p[0] + p[1]) / 2, [lines[o] for o in lines if o != t]),
                          t) for t, p in shown.items())
    assert room > 12
    trial = trials[run_of_trial[trial_id]]
    expected = f"{name(trial)} — Dev loss {format_score(trial['score'])}"
    hover(qtbot, parallel.plot_widget, shown[trial_id][:2].mean(axis=0),
          lambda: parallel.readout.text() == expected)
    line = parallel.lines[trial_id]
    assert line.opts["pen"].width() == 4
    hover(qtbot, parallel.plot_widget, (parallel.plot_widget.width() - 3, 3),
          lambda: parallel.readout.text() == LINES_HINT)
    assert line.opts["pen"].width() == 2
