"""The main window trains runs: plotted points, stop, pause, failure, close, LR preview."""

from __future__ import annotations


import numpy as np
import pytest

from tests.gui.helpers import FAST, LONG, fill_form, read_store, run_and_wait

BOOM_PLUGIN = '''
import torch

class Boom(torch.nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.linear = torch.nn.Linear(n_in, n_out)

    def forward(self, x):
        if self.training:  # passes the one-batch check (eval mode), fails in training
            raise RuntimeError("boom from the plugin")
        return self.linear(x)

def build_model(config, input_shape, output_dim):
    return Boom(input_shape[0], output_dim)
'''


def test_plotted_points_equal_stored_metrics(qtbot, main_window, db_path):
    run_id, ended = run_and_wait(qtbot, main_window, {**FAST, "train.epochs": "2"})
    assert ended["status"] == "finished"
    plots = main_window.live_view.plots
    with read_store(db_path) as store:
        assert store.get_run(run_id)["status"] == "finished"
        for key in ("loss", "lr", "dev_loss", "train_metric", "dev_metric"):
            stored = store.read_curve(run_id, key)
            x, y = plots.curves[key].getOriginalDataset()
            scale = 100.0 if key.endswith("metric") else 1.0  # accuracy shown in %
            np.testing.assert_array_equal(x, stored["step"])
            np.testing.assert_allclose(y, stored["value"] * scale, rtol=1e-12)
    x_shown, _ = plots.curves["loss"].getData()
    assert len(x_shown) == len(stored["step"]) or len(x_shown) > 0
    assert "Finished" in main_window.live_view.progress.outcome.text()


def test_stop_ends_the_run_and_keeps_every_step_shown(qtbot, main_window, db_path):
    fill_form(main_window, LONG)
    with qtbot.waitSignal(main_window.run_started, timeout=10_000):
        main_window.form.run_button.click()
    live = main_window.live_view
    qtbot.waitUntil(lambda: live.trace() is not None and live.trace().count("loss") > 5,
                    timeout=20_000)
    assert live.progress.stop_button.isEnabled()
    with qtbot.waitSignal(main_window.run_finished, timeout=5_000) as blocker:
        live.progress.stop_button.click()  # takes effect within a step (benchmarks time it)
    run_id, ended = blocker.args
    assert ended["status"] == "stopped"
    with read_store(db_path) as store:
        assert store.get_run(run_id)["status"] == "stopped"
        assert store.read_curve(run_id, "loss")["total"] == live.trace(run_id).count("loss")


def test_pause_holds_the_steps_and_resume_continues(qtbot, main_window, db_path):
    """The trainer's own test shows that the loop holds while paused; here, the buttons
    reach it: Pause pauses the session, Resume continues it, and no step is lost or
    shown twice."""
    fill_form(main_window, LONG)
    with qtbot.waitSignal(main_window.run_started, timeout=10_000) as started:
        main_window.form.run_button.click()
    run_id = started.args[0]
    session = main_window.controller.sessions[run_id]
    live = main_window.live_view
    qtbot.waitUntil(lambda: live.trace().count("loss") > 3, timeout=20_000)
    live.progress.pause_button.click()
    assert live.progress.pause_button.text() == "Resume" and session.paused
    held = live.trace().count("loss")
    live.progress.pause_button.click()
    assert not session.paused
    qtbot.waitUntil(lambda: live.trace().count("loss") > held, timeout=10_000)
    with qtbot.waitSignal(main_window.run_finished, timeout=5_000):
        live.progress.stop_button.click()
    with read_store(db_path) as store:
        steps = store.read_curve(run_id, "loss")["step"]
    np.testing.assert_array_equal(steps, np.arange(1, len(steps) + 1))
    assert live.trace(run_id).count("loss") == len(steps)


def test_lr_preview_equals_recorded_lr(qtbot, main_window, db_path):
    values = {**FAST, "train.epochs": "2", "schedule.name": "onecycle", "schedule.max_lr": "0.01",
              "optim.name": "momentum", "optim.lr": "0.01"}
    form = main_window.form
    with qtbot.waitSignal(form.preview_updated, timeout=15_000,
                          check_params_cb=lambda result: "schedule" in result):
        fill_form(main_window, values)
    preview = form.schedule_preview
    assert len(preview.momentum_values) == len(preview.lr_values) > 0
    run_id, ended = run_and_wait(qtbot, main_window, values)
    assert ended["status"] == "finished"
    with read_store(db_path) as store:
        lr = store.read_curve(run_id, "lr")["value"]
        momentum = store.read_curve(run_id, "momentum")["value"]
    np.testing.assert_allclose(preview.lr_values, lr, rtol=1e-9)
    np.testing.assert_allclose(preview.momentum_values, momentum, rtol=1e-9)
    assert main_window.live_view.plots.plot_widgets["momentum"].isVisible()


def test_training_failure_shows_message_and_marks_failed(qtbot, main_window, db_path, tmp_path):
    plugin = tmp_path / "boom.py"
    plugin.write_text(BOOM_PLUGIN)
    run_id, ended = run_and_wait(qtbot, main_window,
                                 {**FAST, "model.name": "plugin", "model.plugin": str(plugin)})
    assert ended["status"] == "failed"
    assert "boom from the plugin" in ended["error"]
    outcome = main_window.live_view.progress.outcome
    assert outcome.isVisible() and "boom from the plugin" in outcome.text()
    assert "failed" in main_window.statusBar().currentMessage()
    with read_store(db_path) as store:
        run = store.get_run(run_id)
    assert run["status"] == "failed"
    assert "Traceback" in run["error"] and "boom from the plugin" in run["error"]


def test_closing_during_a_run_asks_stops_and_joins(qtbot, qtlog, db_path, qt_settings,
                                                    no_dangling_qthreads):
    from dlstudio.gui.context import AppContext
    from dlstudio.gui.main_window import MainWindow
    from tests.gui.helpers import StopAnswer

    answer = StopAnswer(answer=False)
    window = MainWindow(AppContext.open(db_path, qt_settings), confirm_stop=answer)
    qtbot.addWidget(window)
    window.show()
    fill_form(window, LONG)
    with qtbot.waitSignal(window.run_started, timeout=10_000):
        window.form.run_button.click()
    qtbot.waitUntil(lambda: window.live_view.trace().count("loss") > 0, timeout=20_000)
    assert not window.close()  # "no": keeps training
    assert answer.calls == 1 and window.isVisible()
    answer.answer = True
    assert window.close()  # returns once every thread is joined
    assert not any(thread.isRunning() for thread in no_dangling_qthreads
                   if __import__("shiboken6").isValid(thread))
    with read_store(db_path) as store:
        assert [run["status"] for run in store.list_runs()] == ["stopped"]
    qtbot.waitUntil(lambda: window.controller.sessions == {})  # the queued end delivered
    warnings = [record.message for record in qtlog.records
                if "propagateSizeHints" not in record.message]  # the offscreen plugin's
    assert warnings == []


def test_create_run_problems_go_next_to_the_field(qtbot, main_window, db_path, tmp_path):
    fill_form(main_window, {**FAST, "data.name": "csv", "data.path": str(tmp_path / "none.csv")})
    form = main_window.form
    form.run_button.click()  # valid for RunConfig; create_run's deep check finds no file
    assert form.fields["data.path"].error.text()
    assert not form.run_button.isEnabled()
    with read_store(db_path) as store:
        assert store.list_runs() == []


@pytest.mark.parametrize("lr", ["-1", "abc", ""])
def test_invalid_field_keeps_run_disabled_and_starts_nothing(qtbot, main_window, db_path, lr):
    fill_form(main_window, {**FAST, "optim.lr": lr})
    form = main_window.form
    assert not form.run_button.isEnabled() and not form.queue_button.isEnabled()
    assert form.fields["optim.lr"].error.isVisible()
    assert "expected a number" in form.fields["optim.lr"].error.text()
    form.run_button.setEnabled(True)  # even a click that got through starts nothing
    with qtbot.assertNotEmitted(form.run_requested):
        form.run_button.click()
    assert not main_window.controller.sessions
    with read_store(db_path) as store:
        assert store.list_runs() == []
