"""The compare view: overlaid curves, config diff, downsampled long curves."""

from __future__ import annotations

import numpy as np
import pytest

from dlstudio.gui.compare.compare_panel import ComparePanel
from dlstudio.gui.compare.config_diff import differing_keys, flat_config
from dlstudio.store import Store
from tests.gui.runs.test_runs_panel import FakePrompts, add_run

ACCURACY = {"metric_name": "accuracy", "best_dev_metric": 0.9}


@pytest.fixture
def two_runs(db_path):
    with Store(db_path) as store:
        first = add_run(store, optim="adam", lr=1e-3, summary=ACCURACY, curves={
            "loss": [2.0, 1.5, 1.1, 0.9], "dev_metric": [0.5, 0.8]})
        second = add_run(store, optim="sgd", lr=0.1, summary=ACCURACY, curves={
            "loss": [2.2, 1.9, 1.7], "lr": [0.1, 0.1, 0.05]})
    return first, second


def make_view(qtbot, context, prompts=None) -> ComparePanel:
    view = ComparePanel(context, prompts=prompts or FakePrompts())
    qtbot.addWidget(view)
    view.resize(1280, 800)
    return view


def test_no_runs_shows_how_to_compare(qtbot, db_path, app_context):
    view = make_view(qtbot, app_context)
    assert view.pages.currentWidget() is view.empty_label
    assert "Compare selected" in view.empty_label.text()


def test_both_runs_are_overlaid_with_their_stored_points(qtbot, db_path, two_runs, app_context):
    view = make_view(qtbot, app_context)
    view.set_runs(list(two_runs))
    assert view.metric == "loss"
    with Store(db_path) as store:
        for run_id in two_runs:
            stored = store.read_curve(run_id, "loss")
            x, y = view.curves_plot.items[run_id].getData()
            np.testing.assert_array_equal(x, stored["step"])
            np.testing.assert_array_equal(y, stored["value"])
    legend_names = [label.text for _, label in view.curves_plot.legend.items]
    assert len(legend_names) == 2 and all("best dev 90.00 %" in n for n in legend_names)
    assert view.curves_plot.notice_label.text() == ""
    keys = [view.metric_chooser.itemData(i) for i in range(view.metric_chooser.count())]
    assert keys == ["loss", "dev_metric", "lr"]


def test_metric_choice_scales_accuracy_to_percent(qtbot, db_path, two_runs, app_context):
    first, second = two_runs
    view = make_view(qtbot, app_context)
    view.set_runs([first, second])
    view.set_metric("dev_metric")
    _, y = view.curves_plot.items[first].getData()
    np.testing.assert_allclose(y, [50.0, 80.0])
    assert "%" in view.curves_plot.plot.getAxis("left").labelText
    assert "No points" in view.curves_plot.notice_label.text()  # the second has none


def test_options_smooth_switch_x_axis_and_log(qtbot, db_path, two_runs, app_context):
    first, _ = two_runs
    view = make_view(qtbot, app_context)
    view.set_runs(list(two_runs))
    view.options.smoothing.setValue(50)
    _, raw = view.curves_plot.raw_items[first].getData()
    _, smooth = view.curves_plot.items[first].getData()
    np.testing.assert_array_equal(raw, [2.0, 1.5, 1.1, 0.9])
    assert smooth[-1] > raw[-1]  # the EMA lags behind a falling loss
    view.options.x_axis.setCurrentIndex(view.options.x_axis.findData("time"))
    x, _ = view.curves_plot.items[first].getData()
    np.testing.assert_allclose(x, [0.01, 0.02, 0.03, 0.04])
    view.options.log_y.setChecked(True)
    assert view.curves_plot.plot.ctrl.logYCheck.isChecked()


def test_raw_curves_appear_with_smoothing_under_the_smoothed_ones(qtbot, db_path, two_runs, app_context):
    view = make_view(qtbot, app_context)
    view.set_runs(list(two_runs))
    plot = view.curves_plot
    assert plot.raw_items == {}  # nothing to draw behind unsmoothed curves
    assert len(plot.plot.listDataItems()) == 2
    view.options.smoothing.setValue(50)
    for run_id, raw in plot.raw_items.items():
        item = plot.items[run_id]
        assert raw.zValue() < item.zValue() and raw.name() is None
        assert raw.opts["pen"].color().rgb() == item.opts["pen"].color().rgb()
    view.options.smoothing.setValue(0)
    _, raw = plot.raw_items[two_runs[0]].getData()
    assert raw is None or len(raw) == 0
    x, _ = plot.items[two_runs[0]].getData()
    np.testing.assert_array_equal(x, [1, 2, 3, 4])


def test_epoch_axis_places_steps_inside_their_epoch(qtbot, db_path, app_context):
    with Store(db_path) as store:
        run_id = add_run(store, curves={"loss": np.linspace(2, 1, 40)})
        # two epochs of 20 steps: the epoch curves sit at each epoch's last step
        store.write_metrics([(run_id, "train_loss", 20, 1, 1.5, 1.0),
                             (run_id, "train_loss", 40, 2, 1.0, 2.0)])
    view = make_view(qtbot, app_context)
    view.set_runs([run_id])
    view.options.x_axis.setCurrentIndex(view.options.x_axis.findData("epoch"))
    x, _ = view.curves_plot.items[run_id].getData()
    np.testing.assert_allclose(x, np.arange(1, 41) / 20)


def test_config_diff_lists_exactly_the_differing_keys(qtbot, db_path, two_runs, app_context):
    view = make_view(qtbot, app_context)
    view.set_runs(list(two_runs))
    table = view.config_table
    assert table.differing == ["optim.name", "optim.lr"]
    assert table.visible_keys() == ["optim.name", "optim.lr"]
    assert "2 of" in table.summary_label.text()
    table.only_differences.setChecked(False)
    assert len(table.visible_keys()) == len(table.keys) > 20


def test_differing_keys_is_pure_and_handles_missing_keys():
    a = flat_config({"optim": {"lr": 0.001}})
    b = flat_config({"optim": {"lr": 1e-3}, "model": {"hidden": [32]}})
    assert differing_keys([a, b]) == ["model.hidden"]
    assert differing_keys([{"x": 1, "y": 2}, {"x": 1}, {"x": 1.0, "y": 2}]) == ["y"]
    assert differing_keys([{"flag": True}, {"flag": 1}]) == ["flag"]
    assert differing_keys([a]) == []


def test_long_curve_loads_downsampled_with_notice_and_keeps_extremes(qtbot, db_path, app_context):
    rng = np.random.default_rng(0)
    values = rng.random(200_000)
    values[123_457] = 9.0  # a spike
    values[54_321] = -3.0  # a dip
    with Store(db_path) as store:
        run_id = add_run(store, curves={"loss": values})
    view = make_view(qtbot, app_context)
    view.set_runs([run_id])
    x, y = view.curves_plot.items[run_id].getData()
    assert 1000 <= len(y) <= 12_000
    assert y.max() == 9.0 and y.min() == -3.0
    assert np.all(np.diff(x) > 0)
    notice = view.curves_plot.notice_label.text()
    assert f"{len(y):,} of 200,000 points" in notice and "min/max" in notice


def test_deleted_run_is_skipped(qtbot, db_path, two_runs, app_context):
    view = make_view(qtbot, app_context)
    view.set_runs([two_runs[0], 999])
    assert view.run_ids == [two_runs[0]]


def test_crosshair_reads_each_runs_value(qtbot, db_path, two_runs, app_context):
    view = make_view(qtbot, app_context)
    view.show()
    view.set_runs(list(two_runs))
    plot = view.curves_plot.plot
    assert not view.curves_plot.crosshair.v_line.isVisible()  # until the mouse comes
    plot.scene().sigMouseMoved.emit(plot.vb.sceneBoundingRect().center())
    text = view.curves_plot.crosshair_label.text()
    assert text.startswith("step") and text.count("digits-mlp") == 2
    assert view.curves_plot.crosshair.v_line.isVisible()
    view.options.x_axis.setCurrentIndex(view.options.x_axis.findData("epoch"))
    plot.scene().sigMouseMoved.emit(plot.vb.sceneBoundingRect().center())
    assert view.curves_plot.crosshair_label.text().startswith("epoch")  # the axis shown


def test_running_run_without_summary_shares_the_others_metric(qtbot, db_path, two_runs, app_context):
    with Store(db_path) as store:
        running = add_run(store, status="queued", curves={"dev_metric": [0.4]})
        store.start_run(running)
    view = make_view(qtbot, app_context)
    view.set_runs([*two_runs, running])
    view.set_metric("dev_metric")
    _, y = view.curves_plot.items[running].getData()
    np.testing.assert_allclose(y, [40.0])
