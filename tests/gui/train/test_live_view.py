"""The live view's plots: curves created once, big runs downsampled and said so, options."""

from __future__ import annotations


import numpy as np
import pytest


from dlstudio.gui.common.plot_tools import ema_smooth
from dlstudio.gui.train.run_trace import RunTrace


def batch(first: int, count: int, steps_per_epoch: int = 100) -> dict:
    steps = np.arange(first, first + count, dtype=np.float64)
    rng = np.random.default_rng(first)
    step_columns = {"step": steps, "epoch": np.ceil(steps / steps_per_epoch),
                    "time": steps * 1e-3, "loss": 1 / np.sqrt(steps) + rng.random(count) * 0.1,
                    "lr": np.full(count, 0.01), "momentum": np.full(count, np.nan)}
    ends = steps[steps % steps_per_epoch == 0]
    epochs = None
    if len(ends):
        epochs = {"epoch": ends / steps_per_epoch, "step": ends, "time": ends * 1e-3,
                  "train_loss": 1 / np.sqrt(ends), "train_metric": np.full(len(ends), 0.8),
                  "dev_loss": 1.1 / np.sqrt(ends), "dev_metric": np.full(len(ends), 0.7),
                  "lr": np.full(len(ends), 0.01)}
    return {"steps": step_columns, "epochs": epochs}


@pytest.fixture
def plots(qtbot):
    from dlstudio.gui.train.live_plots_view import LivePlotsView

    widget = LivePlotsView()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    return widget


def make_trace(total: int, chunk: int = 50_000) -> RunTrace:
    trace = RunTrace(1, "big")
    trace.start({"epochs": total // 100, "steps_per_epoch": 100, "start_step": 0,
                 "metric_name": "accuracy"})
    for first in range(1, total + 1, chunk):
        trace.add_batch(batch(first, min(chunk, total - first + 1)))
    return trace


def test_curves_are_created_once_and_grow_by_set_data(qtbot, plots):
    trace = RunTrace(1)
    trace.start({"epochs": 10, "steps_per_epoch": 100, "start_step": 0, "metric_name": "accuracy"})
    plots.show_trace(trace)
    items = {name: list(plot.listDataItems()) for name, plot in plots.plots.items()}
    for first in range(1, 1001, 37):
        trace.add_batch(batch(first, min(37, 1001 - first)))
        plots.refresh()
    assert {name: list(plot.listDataItems()) for name, plot in plots.plots.items()} == items
    x, y = plots.curves["loss"].getOriginalDataset()
    np.testing.assert_array_equal(x, np.arange(1, 1001))
    assert x.base is not None  # a view of the trace's buffer, not a copy
    _, accuracy = plots.curves["dev_metric"].getOriginalDataset()
    np.testing.assert_allclose(accuracy, 70.0)  # shown in %


def test_a_million_steps_are_downsampled_and_the_plot_says_so(qtbot, plots):
    trace = make_trace(1_000_000)
    plots.show_trace(trace)
    plots.grab()  # paint once: pyqtgraph picks the downsampling factor
    plots.update_downsample_note()
    shown_x, _ = plots.curves["loss"].getData()
    assert len(shown_x) < 20_000
    assert "of 1,000,000 points" in plots.downsample_note.text()
    assert "downsampled" in plots.plots["loss"].titleLabel.text
    # peak mode keeps the extremes: the largest loss is still drawn
    _, shown_y = plots.curves["loss"].getData()
    _, all_y = plots.curves["loss"].getOriginalDataset()
    assert shown_y.max() == all_y.max()


def test_x_axis_epoch_and_time(qtbot, plots):
    trace = make_trace(1_000, chunk=250)
    plots.show_trace(trace)
    plots.options.x_axis.setCurrentIndex(plots.options.x_axis.findData("epoch"))
    x, _ = plots.curves["loss"].getOriginalDataset()
    np.testing.assert_allclose(x, np.arange(1, 1001) / 100)
    x_dev, _ = plots.curves["dev_loss"].getOriginalDataset()
    np.testing.assert_array_equal(x_dev, np.arange(1, 11))
    assert plots.plots["loss"].getAxis("bottom").labelText == "Epoch"
    loss = plots.plots["loss"]
    loss.scene().sigMouseMoved.emit(loss.vb.sceneBoundingRect().center())
    assert plots.readout.text().startswith("epoch ")  # the read-out names the axis shown
    plots.options.x_axis.setCurrentIndex(plots.options.x_axis.findData("time"))
    x, _ = plots.curves["loss"].getOriginalDataset()
    np.testing.assert_allclose(x, np.arange(1, 1001) * 1e-3)


def test_smoothing_and_log_y(qtbot, plots):
    trace = make_trace(2_000, chunk=500)
    plots.show_trace(trace)
    assert not plots.smoothed_loss.isVisible()
    plots.options.smoothing.setValue(90)
    assert plots.smoothed_loss.isVisible()
    _, raw = plots.curves["loss"].getOriginalDataset()
    _, smooth = plots.smoothed_loss.getOriginalDataset()
    np.testing.assert_allclose(smooth, ema_smooth(raw, 0.9))
    plots.options.log_y.setChecked(True)
    assert plots.plots["loss"].ctrl.logYCheck.isChecked()
    assert not plots.plots["metric"].ctrl.logYCheck.isChecked()


def test_smoothing_off_again_restores_the_raw_pen(qtbot, plots):
    trace = make_trace(2_000, chunk=500)
    plots.show_trace(trace)
    pen = plots.curves["loss"].opts["pen"]
    plots.options.smoothing.setValue(90)
    assert plots.curves["loss"].opts["pen"].color().alpha() < 255  # faint behind the EMA
    plots.options.smoothing.setValue(0)
    assert not plots.smoothed_loss.isVisible()
    assert plots.curves["loss"].opts["pen"].color() == pen.color()


def test_epoch_points_are_all_drawn_while_the_range_grows(qtbot, plots):
    trace = RunTrace(1)
    trace.start({"epochs": 30, "steps_per_epoch": 100, "start_step": 0, "metric_name": "accuracy"})
    plots.show_trace(trace)
    for first in range(1, 3001, 250):
        trace.add_batch(batch(first, 250))
        plots.refresh()
        plots.grab()  # a paint applies the grown x range to every curve
    for key in ("dev_loss", "train_metric", "dev_metric"):
        x, _ = plots.curves[key].getData()
        np.testing.assert_array_equal(x, np.arange(100, 3001, 100))


def test_readout_names_the_values_under_the_mouse(qtbot, plots):
    from dlstudio.gui.common.value_crosshair import value_at

    trace = make_trace(1_000, chunk=1_000)
    plots.show_trace(trace)
    x, y = value_at(plots.curves["loss"], 500.4)
    assert x == 500 and y == trace.xy("loss")[1][499]
    assert value_at(plots.curves["momentum"], 3.0) is None


def test_progress_text_and_time_left(qtbot):
    trace = RunTrace(1)
    trace.start({"epochs": 10, "steps_per_epoch": 100, "start_step": 0, "metric_name": "accuracy"})
    trace.add_batch(batch(1, 250))
    progress = trace.progress()
    assert progress["step"] == 250 and progress["total_steps"] == 1000 and progress["epoch"] == 3
    assert progress["left"] == pytest.approx(0.25 / 250 * 750)


def test_run_start_labels_a_regression_metric_and_its_points_follow(qtbot):
    from dlstudio.gui.workers.event_bridge import EventBridge
    from dlstudio.gui.train.live_view import LiveView

    view = LiveView()
    qtbot.addWidget(view)
    bridge = EventBridge(7)
    trace = view.watch(bridge, "regression")
    metric_plot = view.plots.plots["metric"]
    assert metric_plot.titleLabel.text.startswith("Accuracy")  # until the run says
    bridge.run_started.emit(7, {"epochs": 2, "steps_per_epoch": 100, "start_step": 0,
                                "metric_name": "rmse"})
    assert view.plots.trace is trace
    assert metric_plot.titleLabel.text.startswith("RMSE")
    bridge.points_arrived.emit(7, batch(1, 200))
    qtbot.waitUntil(lambda: view.plots.curves["loss"].getOriginalDataset()[0] is not None
                    and len(view.plots.curves["loss"].getOriginalDataset()[0]) == 200)
    _, dev = view.plots.curves["dev_metric"].getOriginalDataset()
    np.testing.assert_allclose(dev, [0.7, 0.7])  # RMSE as is, not scaled to %


def test_a_long_plot_title_does_not_widen_the_plot(qtbot):
    from dlstudio.gui.train.live_plots_view import DOWNSAMPLED_MARK, LivePlotsView, set_title

    plots = LivePlotsView()
    qtbot.addWidget(plots)
    set_title(plots.plots["momentum"], "Momentum / β₁" + DOWNSAMPLED_MARK)
    assert plots.plots["momentum"].minimumWidth() < 100  # the grid cell decides the width


def test_progress_and_plots_show_the_same_step(qtbot):
    """Issue 13: the progress line ran ahead of the plots (step 1,804 counted, the curves
    at ~360); now both move at each redraw and never disagree."""
    from dlstudio.gui.train import live_view
    from dlstudio.gui.workers.event_bridge import EventBridge
    from dlstudio.gui.train.live_view import LiveView

    view = LiveView()
    qtbot.addWidget(view)
    bridge = EventBridge(3)
    view.watch(bridge, "paced")
    bridge.run_started.emit(3, {"epochs": 10, "steps_per_epoch": 100, "start_step": 0,
                                "metric_name": "accuracy"})

    def plotted_step() -> int:
        x, _ = view.plots.curves["loss"].getOriginalDataset()
        return 0 if x is None or len(x) == 0 else int(x[-1])

    for first in (1, 401, 501):
        bridge.points_arrived.emit(3, batch(first, 400 if first == 1 else 100))
        assert f"step {plotted_step():,} of" in view.progress.details.text()
    qtbot.waitUntil(lambda: plotted_step() == 600, timeout=live_view.MAX_REDRAW_MS + 2000)
    assert view.progress.bar.value() == 600
    assert "step 600 of 1,000" in view.progress.details.text()


def test_redraws_are_paced_by_their_cost():
    from dlstudio.gui.train.live_view import (MAX_REDRAW_MS, MAX_REDRAW_SHARE, MIN_REDRAW_MS,
                                        REDRAW_SHARE, redraw_wait_ms)

    assert redraw_wait_ms(0.0) == MIN_REDRAW_MS  # cheap: as fast as the floor allows
    assert redraw_wait_ms(0.006) == pytest.approx(1000 * 0.006 / REDRAW_SHARE, abs=1)
    assert redraw_wait_ms(0.03) == MAX_REDRAW_MS  # at least once a second ...
    # ... unless that would take more than MAX_REDRAW_SHARE of the GUI thread
    assert redraw_wait_ms(0.2) == pytest.approx(1000 * 0.2 / MAX_REDRAW_SHARE, abs=1)


def test_epoch_symbols_give_way_to_a_line_past_a_few_hundred_epochs(qtbot, plots):
    from dlstudio.gui.train.live_plots_view import MAX_EPOCH_SYMBOLS

    short = make_trace(100 * 10)
    plots.show_trace(short)
    assert plots.curves["dev_metric"].opts["symbol"] == "o"
    long = make_trace(100 * (MAX_EPOCH_SYMBOLS + 1))
    plots.show_trace(long)
    assert plots.curves["dev_metric"].opts["symbol"] is None
    assert plots.curves["dev_loss"].opts["symbol"] is None
    assert len(plots.curves["dev_metric"].getOriginalDataset()[0]) == MAX_EPOCH_SYMBOLS + 1
    plots.show_trace(short)  # a short run shown again gets its symbols back
    assert plots.curves["train_metric"].opts["symbol"] == "o"
