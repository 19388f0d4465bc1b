"""A plot's legend sits in the corner of the view its curves cross least, and follows them.

Whether the legend covers a curve is checked here independently of the placement's own
arithmetic: each curve's data, as the plot shows it, is cut into many points along its
lines, mapped to the scene by the view box, and tested against the legend's scene rect.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, Qt

from dlstudio.gui.common.legend_placement import CORNERS, LegendPlacer, add_legend

TOP_RIGHT, BOTTOM_RIGHT, TOP_LEFT, BOTTOM_LEFT = CORNERS


def corner(legend: pg.LegendItem) -> tuple[bool, bool]:
    """(right, bottom) of where the legend is drawn, from its place in the view box."""
    view = legend.parentItem()
    rect = legend.mapRectToItem(view, legend.boundingRect())
    return (rect.center().x() > view.width() / 2, rect.center().y() > view.height() / 2)


def covered_points(legend: pg.LegendItem) -> int:
    """How many points along the visible curves, as drawn, lie under the legend."""
    view = legend.parentItem()
    plot = view.parentItem()
    log_x, log_y = plot.ctrl.logXCheck.isChecked(), plot.ctrl.logYCheck.isChecked()
    box = legend.sceneBoundingRect()
    covered = 0
    for item in plot.listDataItems():
        if not item.isVisible():
            continue
        x, y = item.getOriginalDataset()
        if x is None or len(x) == 0:
            continue
        x = np.log10(x) if log_x else np.asarray(x, float)
        y = np.log10(y) if log_y else np.asarray(y, float)
        t = np.linspace(0, len(x) - 1, 60 * len(x))  # straight lines in view coordinates
        for vx, vy in zip(np.interp(t, np.arange(len(x)), x), np.interp(t, np.arange(len(y)), y)):
            covered += box.contains(view.mapViewToScene(pg.Point(vx, vy)))
    return covered


@pytest.fixture
def plot(qtbot):
    widget = pg.PlotWidget(background="w")
    widget.resize(480, 320)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    item = widget.getPlotItem()
    legend = add_legend(item)
    placer = legend.findChild(LegendPlacer)
    first = item.plot(pen=pg.mkPen("b", width=2), name="train")
    second = item.plot(pen=pg.mkPen("r", width=2), name="dev")
    yield item, legend, placer, first, second
    del widget  # the plot's items live as long as the widget


def test_a_curve_in_the_top_right_corner_sends_the_legend_elsewhere(qtbot, plot):
    item, legend, placer, train, dev = plot
    epochs = np.arange(1, 11, dtype=float)  # ten points: the lines, not the points, cross
    with qtbot.waitSignal(placer.placed):
        train.setData(epochs, 100 - 50 / epochs)  # accuracy rising to the top right
        dev.setData(epochs, 95 - 50 / epochs)
    assert corner(legend) == BOTTOM_RIGHT
    assert covered_points(legend) == 0


def test_the_legend_moves_when_new_data_crowds_its_corner(qtbot, plot):
    item, legend, placer, train, dev = plot
    steps = np.arange(50, dtype=float)
    with qtbot.waitSignal(placer.placed):
        train.setData(steps, np.exp(-steps / 10))  # a loss falling to the bottom right
        dev.setData(steps, 0.9 * np.exp(-steps / 10))
    assert corner(legend) == TOP_RIGHT
    assert covered_points(legend) == 0
    # The dev loss turns and climbs past where it started: the top right is crowded now.
    more = np.arange(100, dtype=float)
    with qtbot.waitSignal(placer.placed):
        dev.setData(more, np.where(more < 30, 0.9 * np.exp(-more / 10), 0.05 + (more - 30) / 50))
    assert corner(legend) != TOP_RIGHT
    assert covered_points(legend) == 0


def test_ties_keep_the_legend_where_it_is_then_prefer_the_top_right(qtbot, plot):
    item, legend, placer, train, dev = plot
    item.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)  # no auto-range
    legend.setOffset((10, -10))  # bottom left, where nothing is
    x = np.linspace(0, 10, 50)
    with qtbot.waitSignal(placer.placed):
        train.setData(x, 5 + 0.1 * np.sin(x))  # through the middle, no corner crossed
    assert corner(legend) == BOTTOM_LEFT  # every corner as good: it stays
    with qtbot.waitSignal(placer.placed):
        dev.setData([3, 7], [4, 6])  # still through no corner
    assert corner(legend) == BOTTOM_LEFT
    with qtbot.waitSignal(placer.placed):
        dev.setData([0, 2], [0, 1])  # now the bottom left is crossed, the others are free
    assert corner(legend) == TOP_RIGHT
    assert covered_points(legend) == 0


def test_a_log_y_plot_places_the_legend_by_the_curve_as_drawn(qtbot, plot):
    item, legend, placer, train, dev = plot
    item.setLogMode(y=True)
    x = np.linspace(0, 10, 200)
    # Straight from the bottom left to the top right on the log axis (on a linear one
    # it would hug the bottom and rise only at the end).
    with qtbot.waitSignal(placer.placed):
        train.setData(x, 10 ** (0.4 * x))
        dev.setData(x, 1.2 * 10 ** (0.4 * x))
    assert corner(legend) in (TOP_LEFT, BOTTOM_RIGHT)
    assert covered_points(legend) == 0


def test_a_burst_of_live_batches_is_placed_once(qtbot, plot):
    item, legend, placer, train, dev = plot
    placements = []
    placer.placed.connect(lambda: placements.append(corner(legend)))
    steps = np.arange(1, 2001, dtype=float)
    with qtbot.waitSignal(placer.placed):
        for end in range(100, 2001, 100):  # 20 batches, each a new range and new data
            train.setData(steps[:end], 1 / np.sqrt(steps[:end]))
    assert placements == [TOP_RIGHT]


def test_hidden_curves_do_not_count(qtbot, plot):
    item, legend, placer, train, dev = plot
    epochs = np.arange(1, 11, dtype=float)
    with qtbot.waitSignal(placer.placed):
        train.setData(epochs, 100 - 50 / epochs)
        dev.setData(epochs, 95 - 50 / epochs)
    assert corner(legend) == BOTTOM_RIGHT
    with qtbot.waitSignal(placer.placed):
        dev.hide()  # hidden (as a click on its legend entry does): it may cross anything
        dev.setData(epochs, 140 - 90 * epochs / 10)
    assert corner(legend) == BOTTOM_RIGHT
    with qtbot.waitSignal(placer.placed):
        dev.show()  # shown again it counts: the bottom right is crowded
    assert corner(legend) != BOTTOM_RIGHT
    assert covered_points(legend) == 0


def test_a_legend_the_user_drags_stays_where_it_was_put(qtbot, plot):
    item, legend, placer, train, dev = plot
    steps = np.arange(50, dtype=float)
    with qtbot.waitSignal(placer.placed):
        train.setData(steps, np.exp(-steps / 10))
    assert corner(legend) == TOP_RIGHT
    widget = item.getViewWidget()
    start = widget.mapFromScene(legend.sceneBoundingRect().center())
    view = widget.mapFromScene(item.vb.sceneBoundingRect().center())
    end = QPoint(view.x(), start.y() + 60)  # towards the middle of the plot
    with qtbot.waitSignal(legend.dragged):
        qtbot.mousePress(widget.viewport(), Qt.MouseButton.LeftButton, pos=start)
        for step in range(1, 11):
            qtbot.mouseMove(widget.viewport(), start + (end - start) * (step / 10))
        qtbot.mouseRelease(widget.viewport(), Qt.MouseButton.LeftButton, pos=end)
    put = legend.sceneBoundingRect()
    assert abs(put.center().x() - widget.mapToScene(end).x()) < 5
    # New data that crowds the top right, where the placement last put it: a placement
    # would move it to another corner, but leaves it where the user put it.
    train.setData(steps, 1 - np.exp(-steps / 10))
    placer.place()
    assert legend.sceneBoundingRect() == put


def test_the_diagnosis_plots_keep_their_legends_off_a_regression_runs_curves(qtbot, db_path,
                                                                               app_context):
    """A stored regression run: its RMSE falls to the bottom right, where the metric
    plot's fixed legend sat (placed there for accuracy, which rises)."""
    from dlstudio.gui.diagnosis.diagnosis_panel import DiagnosisPanel
    from dlstudio.store import Store
    from tests.gui.diagnosis.test_diagnosis_panel import add_run

    run_id = add_run(db_path, dataset="diabetes", epochs=0, metric_name="rmse",
                     train_metric=42.0, dev_metric=55.0, test_metric=57.0, best_epoch=30,
                     best_dev_metric=55.0)
    rows = []
    for epoch in range(1, 31):
        decay = math.exp(-epoch / 6)
        rows += [(run_id, "train_metric", epoch * 10, epoch, 42 + 110 * decay, epoch),
                 (run_id, "dev_metric", epoch * 10, epoch, 55 + 100 * decay, epoch),
                 (run_id, "train_loss", epoch * 10, epoch, 1 / math.sqrt(epoch), epoch),
                 (run_id, "dev_loss", epoch * 10, epoch, 1.2 / math.sqrt(epoch), epoch)]
    with Store(db_path) as store:
        store.write_metrics(rows)
    panel = DiagnosisPanel(app_context)
    qtbot.addWidget(panel)
    panel.resize(1024, 700)
    panel.show()
    qtbot.waitExposed(panel)
    view = panel.curves
    placers = [plot.legend.findChild(LegendPlacer) for plot in (view.metric_plot, view.loss_plot)]
    with qtbot.waitSignals([panel.diagnosed, *(placer.placed for placer in placers)]):
        panel.set_run(run_id)
    assert view.metric_plot.getViewBox().height() < 150  # the small plots of 1024 x 700
    assert corner(view.metric_plot.legend) != BOTTOM_RIGHT
    assert covered_points(view.metric_plot.legend) == 0
    assert covered_points(view.loss_plot.legend) == 0


def regression_epochs(first_epoch: int, count: int, steps_per_epoch: int = 100) -> dict:
    """A ``MetricBatcher`` batch of ``count`` epochs of a regression run (RMSE falls)."""
    epochs = np.arange(first_epoch, first_epoch + count, dtype=np.float64)
    steps = np.arange((first_epoch - 1) * steps_per_epoch + 1,
                      (first_epoch + count - 1) * steps_per_epoch + 1, dtype=np.float64)
    rng = np.random.default_rng(first_epoch)
    loss = 1 / np.sqrt(steps) + 0.1 * rng.random(len(steps))
    return {"steps": {"step": steps, "epoch": np.ceil(steps / steps_per_epoch),
                      "time": steps * 1e-3, "loss": loss,
                      "lr": np.full(len(steps), 0.01), "momentum": np.full(len(steps), np.nan)},
            "epochs": {"epoch": epochs, "step": epochs * steps_per_epoch, "time": epochs * 0.1,
                       "train_loss": 1 / np.sqrt(epochs), "dev_loss": 1.1 / np.sqrt(epochs),
                       "train_metric": 0.2 + 0.8 * np.exp(-epochs / 3),
                       "dev_metric": 0.35 + 0.8 * np.exp(-epochs / 3),
                       "lr": np.full(count, 0.01)}}


def test_the_live_rmse_plot_keeps_its_legend_off_the_falling_curves(qtbot):
    """A regression run's RMSE falls to the bottom right, where the metric plot's fixed
    legend sat (placed there for accuracy, which rises)."""
    from dlstudio.gui.train.live_plots_view import LivePlotsView
    from dlstudio.gui.train.run_trace import RunTrace

    view = LivePlotsView()
    qtbot.addWidget(view)
    view.resize(560, 460)  # the live view's share of a 1024 x 700 window
    view.show()
    qtbot.waitExposed(view)
    trace = RunTrace(1)
    trace.start({"epochs": 12, "steps_per_epoch": 100, "start_step": 0, "metric_name": "rmse"})
    view.show_trace(trace)
    legend = view.plots["metric"].legend
    placers = [view.plots[name].legend.findChild(LegendPlacer) for name in ("metric", "loss")]
    with qtbot.waitSignals([placer.placed for placer in placers]):
        for epoch in range(1, 13, 2):  # the epochs arrive two at a time, as in a run
            trace.add_batch(regression_epochs(epoch, 2))
            view.refresh()
    assert corner(legend) != BOTTOM_RIGHT
    assert covered_points(legend) == 0
    assert covered_points(view.plots["loss"].legend) == 0
