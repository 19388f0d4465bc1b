"""A real (tiny) training run shows up in the runs table and the compare view."""

from __future__ import annotations

import numpy as np

from dlstudio.config import RunConfig
from dlstudio.gui.compare.compare_panel import ComparePanel
from dlstudio.gui.runs.runs_model import COLUMN_INDEX
from dlstudio.gui.runs.runs_panel import RunsPanel
from dlstudio.store import Store
from dlstudio.training.run_job import create_run, execute_run


def test_trained_run_is_listed_and_plotted(qtbot, db_path, app_context):
    config = RunConfig.from_dict({"data": {"name": "digits"}, "model": {"hidden": [16]},
                                  "train": {"epochs": 1, "batch_size": 128, "device": "cpu",
                                            "checkpoints": False}})
    with Store(db_path) as store:
        run_id = create_run(store, config)
    assert execute_run(db_path, run_id).status == "finished"

    panel = RunsPanel(app_context)
    qtbot.addWidget(panel)
    index = panel.proxy.index(0, COLUMN_INDEX["Status"])
    assert index.data() == "finished"
    best_dev = panel.proxy.index(0, COLUMN_INDEX["Best dev"]).data()
    assert best_dev.endswith(" %") and 0 < float(best_dev[:-2]) <= 100

    view = ComparePanel(app_context)
    qtbot.addWidget(view)
    view.set_runs([run_id])
    with Store(db_path) as store:
        loss = store.read_curve(run_id, "loss")
    x, y = view.curves_plot.items[run_id].getData()
    np.testing.assert_array_equal(x, loss["step"])
    np.testing.assert_array_equal(y, loss["value"])
    view.set_metric("dev_metric")
    _, dev = view.curves_plot.items[run_id].getData()
    assert len(dev) == 1 and 0 < dev[0] <= 100  # one epoch, in percent
