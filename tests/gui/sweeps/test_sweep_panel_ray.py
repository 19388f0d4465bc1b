"""The Sweeps panel watches a sweep whose trials run as Ray tasks, live, through the
same sweep events as local threads (the sweep file chose the executor)."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import ray

from dlstudio.config import RunConfig
from dlstudio.gui.sweeps.progress import metric_curve
from dlstudio.gui.sweeps.sweep_panel import SweepPanel
from dlstudio.store import Store
from dlstudio.training.sweeps.setup import create_sweep
from dlstudio.training.sweeps.summary import sweep_summary
from tests.gui.helpers import read_store
from tests.gui.sweeps.test_sweep_panel import BASE, LR, FakePrompts, wait_finished

RAY_SWEEP = {"method": "random", "metric": {"name": "dev_error"}, "budget": {"trials": 2},
             "parameters": LR, "executor": {"kind": "ray"},
             "base": {**BASE.to_dict(), "train": {**BASE.to_dict()["train"], "epochs": 4,
                                                  "batch_size": 16, "threads": 1}}}


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    yield
    ray.shutdown()


def test_a_ray_sweep_is_watched_live_and_its_curves_match_the_store(qtbot, db_path,
                                                                    app_context):
    with Store(db_path) as store:
        sweep_id = create_sweep(store, RAY_SWEEP, workers=2)
    panel = SweepPanel(app_context, prompts=FakePrompts(), debounce_ms=0)
    qtbot.addWidget(panel)
    try:
        panel.list_tabs.setCurrentIndex(1)
        panel.sweep_list.select(sweep_id)
        assert panel.resume_button.isEnabled()
        with qtbot.waitSignal(panel.sweep_started, timeout=10_000):
            panel.resume_button.click()
        # Curves while it still runs: the Ray workers' steps reach the panel live.
        qtbot.waitUntil(lambda: bool(panel.results.curves.items) and panel.is_busy,
                        timeout=60_000)
        assert wait_finished(qtbot, panel) == "finished"
        with read_store(db_path) as store:
            summary = sweep_summary(store, sweep_id)
            key, transform = metric_curve("dev_error")
            stored = {t["run_id"]: transform(store.read_curve(t["run_id"], key)["value"])
                      for t in summary["trials"]}
        assert summary["told"] == 2 and panel.results.model.rowCount() == 2
        assert set(panel.results.curves.items) == set(stored)
        for run_id, values in stored.items():
            assert len(values) == 4
            assert np.allclose(panel.results.curves.curve_data(run_id)[1][-4:], values)
    finally:
        panel.shutdown()


def test_a_ray_sweep_chosen_in_the_form_runs_and_its_trials_finish_in_the_panel(
        qtbot, db_path, app_context):
    panel = SweepPanel(app_context, prompts=FakePrompts(), debounce_ms=0)
    qtbot.addWidget(panel)
    try:
        panel.set_base_config(RunConfig.from_dict(RAY_SWEEP["base"]))
        form = panel.form
        form.method_form.method.set_value("random")
        form.method_form.budget_trials.edit.setText("2")
        form.method_form.workers.setValue(2)
        form.executor_fields.kind.set_value("ray")  # the form's choice, not a file's
        form.executor_fields.fields["cpus_per_trial"].edit.setText("1")
        form.validate_now()
        assert panel.start_button.isEnabled(), form.problems
        with qtbot.waitSignal(panel.sweep_started, timeout=10_000) as started:
            panel.start_button.click()
        sweep_id = started.args[0]
        statuses = lambda: [panel.results.model.trial_at(row)["status"]  # noqa: E731
                            for row in range(panel.results.model.rowCount())]
        qtbot.waitUntil(lambda: "running" in statuses(), timeout=60_000)  # seen live
        assert wait_finished(qtbot, panel) == "finished"
        assert statuses() == ["finished", "finished"]
        with read_store(db_path) as store:
            spec = store.get_sweep(sweep_id)["spec"]
        assert spec["executor"]["kind"] == "ray" and spec["executor"]["cpus_per_trial"] == 1
        assert spec["workers"] == 2
    finally:
        panel.shutdown()
