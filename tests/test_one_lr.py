"""One learning rate trains, is shown and is swept: optim.lr (the one-cycle / cyclic peak).

And the optimizers whose LR means something else get their own default (AdaDelta: 1).
"""

from __future__ import annotations

import pytest

from dlstudio.config import DEFAULT_LR, RunConfig
from dlstudio.store import Store
from dlstudio.training.optimizer_lab import OPTIMIZERS as LAB_OPTIMIZERS
from dlstudio.training.optimizer_lab import default_lr as lab_default_lr
from dlstudio.training.optimizer_lab import run_optimizer
from dlstudio.training.schedules import SCHEDULE_PARAMS, preview_schedule
from dlstudio.training.surfaces import SURFACES
from dlstudio.training.sweeps.runner import SweepRunner
from dlstudio.training.sweeps.setup import create_sweep


@pytest.mark.parametrize("schedule", ["onecycle", "cyclic"])
def test_the_schedule_peaks_at_optim_lr_and_shows_that_value(schedule):
    config = RunConfig.from_dict({}, [f"schedule.name={schedule}", "optim.name=momentum",
                                      "optim.lr=0.2", "schedule.base_lr=0.001",
                                      "schedule.step_size_up=4", "train.epochs=2"])
    assert max(preview_schedule(config, 10)["lr"]) == pytest.approx(0.2, rel=1e-3)
    assert config.flat()["schedule.max_lr"] == config.optim.lr == 0.2
    assert "max_lr" not in SCHEDULE_PARAMS[schedule]  # the form shows one LR field
    # A sweep changes optim.lr: the peak follows.
    faster = config.replace(**{"optim.lr": 0.5})
    assert max(preview_schedule(faster, 10)["lr"]) == pytest.approx(0.5, rel=1e-3)


def test_old_configs_that_named_the_peak_schedule_max_lr_still_load(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text("schedule: {name: onecycle, max_lr: 0.3}\n")
    assert RunConfig.from_file(path).optim.lr == 0.3
    assert RunConfig.from_file(path, ["optim.lr=0.05"]).optim.lr == 0.05  # the override wins
    config = RunConfig.from_dict({}, ["schedule.name=onecycle", "schedule.max_lr=0.4"])
    assert config.optim.lr == 0.4
    assert config.replace(**{"schedule.max_lr": 0.7}).optim.lr == 0.7  # a sweep over it
    # A form or stored run gives both: optim.lr is the field the user sees.
    both = RunConfig.from_dict({"optim.lr": 0.02, "schedule.max_lr": 0.01,
                                "schedule.name": "onecycle"})
    assert both.optim.lr == both.schedule.max_lr == 0.02


def test_a_sweep_over_optim_lr_with_one_cycle_trains_each_value(db_path):
    spec = {"method": "grid", "metric": {"name": "dev_loss"},
            "parameters": {"optim.lr": {"values": [0.003, 0.3]}},
            "base": {"data": {"name": "digits"}, "model": {"hidden": [16]},
                     "optim": {"name": "momentum"}, "schedule": {"name": "onecycle"},
                     "train": {"device": "cpu", "epochs": 1}}}
    with Store(db_path) as store:
        sweep_id = create_sweep(store, spec)
    summary = SweepRunner(db_path, sweep_id, workers=1).run()
    assert summary["counts"] == {"finished": 2}
    with Store(db_path) as store:
        peaks = {}
        for trial in summary["trials"]:
            run = store.get_run(trial["run_id"])
            peaks[run["config"]["optim"]["lr"]] = max(store.read_curve(run["id"], "lr")["value"])
    assert peaks == {0.003: pytest.approx(0.003, rel=0.01), 0.3: pytest.approx(0.3, rel=0.01)}
    scores = [trial["score"] for trial in summary["trials"]]
    assert scores[0] != scores[1]


def test_adadelta_defaults_to_the_method_itself_lr_1():
    assert RunConfig.from_dict({}, ["optim.name=adadelta"]).optim.lr == 1.0
    assert RunConfig.from_dict({"optim": {"name": "adadelta", "lr": 0.5}}).optim.lr == 0.5
    assert RunConfig.from_dict({}, ["optim.name=adam"]).optim.lr == DEFAULT_LR == RunConfig().optim.lr


def test_adadelta_learns_digits_with_its_default():
    from dlstudio.training.run_job import load_splits
    from dlstudio.training.trainer import Trainer

    config = RunConfig.from_dict({}, ["optim.name=adadelta", "train.device=cpu"])
    ended = Trainer(config, load_splits(config)).run()
    assert ended.summary["dev_metric"] > 0.7  # 0.81; lr 1e-3: 0.08, below chance (0.1)


def test_the_optimizer_lab_runs_adadelta_without_a_learning_rate():
    assert "adadelta" in LAB_OPTIMIZERS
    for surface in SURFACES:
        assert lab_default_lr(surface, "adadelta") == 1.0
    trajectory = run_optimizer("quadratic", "adadelta")
    assert trajectory.final_loss < 0.01 * trajectory.losses[0]  # torch's eps 1e-6: 0.5
