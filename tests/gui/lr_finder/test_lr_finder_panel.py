"""The LR finder panel: a real range test on digits through its thread, the store, signals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dlstudio.config import RunConfig
from dlstudio.gui.lr_finder.lr_finder_panel import LRFinderPanel
from dlstudio.gui.lr_finder.lr_finder_worker import LRFinderWorker, LRPointBatcher
from dlstudio.store import Store

SMALL = {"data": {"name": "digits"}, "model": {"hidden": [32]}, "train": {"device": "cpu"}}


def digits_config(optimizer: str = "adam") -> RunConfig:
    return RunConfig.from_dict({**SMALL, "optim": {"name": optimizer}})


@pytest.fixture
def panel(qtbot, db_path, app_context):
    widget = LRFinderPanel(app_context)
    qtbot.addWidget(widget)
    yield widget
    widget.shutdown()


def run_test(qtbot, panel, config: RunConfig, signal_name: str = "test_finished"):
    panel.set_config(config)
    with qtbot.waitSignal(getattr(panel, signal_name), timeout=60_000) as blocker:
        panel.run_button.click()
    qtbot.waitUntil(lambda: not panel.running, timeout=10_000)
    return blocker.args[0]


def test_empty_state_explains_the_test(panel):
    assert panel.stack.currentWidget() is panel.empty_state
    assert "steepest" in panel.empty_state.text()
    assert "minimum divided by 10" in panel.empty_state.text()
    bar = panel.suggestion_bar
    assert not bar.use_steepest.isEnabled() and not bar.use_min_div_10.isEnabled()
    assert panel.history.count() == 1 and panel.history.item(0).text() == "No tests yet."


def test_adam_on_digits_finishes_is_stored_and_chosen(qtbot, panel, db_path):
    result = run_test(qtbot, panel, digits_config("adam"))
    suggestions = panel.suggestions
    for key in ("steepest", "min_div_10"):
        assert 1e-4 <= suggestions[key] <= 1e-1
        line = panel.plot.suggestion_lines[key]
        assert line.isVisible() and line.value() == pytest.approx(math.log10(suggestions[key]))
    x, y = panel.plot.raw_curve.getData()
    assert np.allclose(10 ** x, result["lrs"]) and np.allclose(y, result["losses"])
    assert panel.stack.currentWidget() is panel.plot
    with Store(db_path) as store:
        tests = store.list_lr_tests()
    assert [t["id"] for t in tests] == [result["test_id"]]
    assert tests[0]["suggestions"] == pytest.approx(suggestions)
    assert tests[0]["config"]["optim"]["name"] == "adam"
    with qtbot.waitSignal(panel.lr_chosen) as chosen:
        panel.suggestion_bar.use_steepest.click()
    assert chosen.args == [pytest.approx(suggestions["steepest"]), False]
    panel.suggestion_bar.as_onecycle.setChecked(True)
    with qtbot.waitSignal(panel.lr_chosen) as chosen:
        panel.suggestion_bar.use_min_div_10.click()
    assert chosen.args == [pytest.approx(suggestions["min_div_10"]), True]
    assert "optim.lr, the one-cycle peak" in panel.suggestion_bar.chosen_label.text()


def test_past_test_reopens_in_a_new_panel(qtbot, panel, db_path, app_context):
    result = run_test(qtbot, panel, digits_config("momentum"))
    again = LRFinderPanel(app_context)
    qtbot.addWidget(again)
    assert again.history.count() == 1
    again.history.setCurrentRow(0)
    x, _ = again.plot.raw_curve.getData()  # log10 of the LRs on the log axis
    assert np.allclose(10 ** x, result["lrs"])
    assert again.suggestions == pytest.approx(result["suggestions"])
    assert "momentum" in again.title.text()
    assert again.suggestion_bar.use_steepest.isEnabled()


@pytest.mark.parametrize("optimizer", ["lbfgs", "gd"])
def test_full_batch_optimizer_shows_the_error(qtbot, panel, optimizer):
    panel.set_config(digits_config(optimizer))
    assert "full-batch" in panel.message.text()  # said before the test is even run
    message = run_test(qtbot, panel, digits_config(optimizer), "test_failed")
    assert "full-batch" in message
    assert "full-batch" in panel.message.text()
    assert panel.stack.currentWidget() is panel.empty_state
    assert panel.run_button.isEnabled()


def test_bad_settings_are_shown_and_block_the_run(qtbot, panel):
    panel.settings_form.min_lr.setText("fast")
    assert "not a number" in panel.message.text()
    assert not panel.run_button.isEnabled()
    panel.settings_form.min_lr.setText("1")
    panel.settings_form.max_lr.setText("0.1")
    panel.start_test()
    assert not panel.running
    assert "must be above min LR" in panel.message.text()


def test_stop_ends_the_thread(qtbot, panel):
    panel.set_config(digits_config("adam"))
    panel.start_test()
    assert panel.running and panel.stop_button.isEnabled()
    panel.stop_test()
    qtbot.waitUntil(lambda: not panel.running, timeout=30_000)
    assert panel.run_button.isEnabled()


def test_shutdown_while_running_joins_the_thread(qtbot, panel, no_dangling_qthreads):
    panel.set_config(digits_config("adam"))
    panel.start_test()
    panel.shutdown()
    assert len(no_dangling_qthreads) == 1
    assert not no_dangling_qthreads[0].isRunning()
    qtbot.waitUntil(lambda: not panel.running, timeout=10_000)


def test_worker_body_runs_synchronously(db_path):
    worker = LRFinderWorker(db_path, digits_config("adam"), {"num_steps": 30})
    batches, results, ends = [], [], []
    worker.points_batched.connect(batches.append)
    worker.test_finished.connect(results.append)
    worker.finished.connect(lambda: ends.append(True))  # direct: same thread, no QThread
    worker.run()
    assert ends == [True] and len(results) == 1
    streamed = np.concatenate([b["lr"] for b in batches])
    assert np.allclose(streamed, results[0]["lrs"])
    assert results[0]["test_id"] >= 1


def test_batcher_keeps_every_point_and_limits_the_rate():
    now = [0.0]
    emitted = []
    batcher = LRPointBatcher(emitted.append, max_rate=10, clock=lambda: now[0])
    for step in range(25):
        now[0] = step * 0.01
        batcher(10.0 ** step, 2.0, 2.0)
    batcher.flush()
    assert len(emitted) == 3  # at 0.1 s, 0.2 s and the final flush
    assert sum(len(b["lr"]) for b in emitted) == 25
