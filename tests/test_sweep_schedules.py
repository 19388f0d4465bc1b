"""Promoted sweep trials that resume a shorter run follow a schedule planned for their epochs."""

from __future__ import annotations

import pytest

from dlstudio.config import RunConfig
from dlstudio.store import Store
from dlstudio.training.schedules import preview_schedule
from dlstudio.training.sweeps.runner import SweepRunner
from dlstudio.training.sweeps.setup import create_sweep


@pytest.mark.parametrize("schedule", ["onecycle", "cosine"])
def test_survivors_resume_on_a_schedule_planned_for_their_new_length(db_path, schedule):
    spec = {"method": "successive_halving", "metric": {"name": "dev_loss"},
            "successive_halving": {"n_configs": 4, "min_epochs": 1, "max_epochs": 4, "eta": 2,
                                   "resume": True},
            "parameters": {"optim.lr": {"values": [0.003, 0.01, 0.03, 0.1]}},
            "base": {"data": {"name": "digits"}, "model": {"hidden": [16]},
                     "optim": {"name": "momentum"}, "schedule": {"name": schedule},
                     "train": {"device": "cpu", "batch_size": 64}}}
    with Store(db_path) as store:
        sweep_id = create_sweep(store, spec)
    summary = SweepRunner(db_path, sweep_id, workers=1).run()
    assert summary["status"] == "finished"
    assert summary["counts"] == {"finished": 7}, summary["counts"]
    promoted = [t for t in summary["trials"] if t["start_epoch"] > 0]
    assert [t["epochs"] for t in promoted] == [2, 2, 4]
    with Store(db_path) as store:
        for trial in promoted:
            run = store.get_run(trial["run_id"])
            assert run["status"] == "finished", run["error"]
            steps_per_epoch = run["summary"]["steps"] // trial["epochs"]
            plan = preview_schedule(RunConfig.from_dict(run["config"]), steps_per_epoch)
            first_step = trial["start_epoch"] * steps_per_epoch
            lrs = store.read_curve(trial["run_id"], "lr")
            assert lrs["step"].tolist() == list(range(first_step + 1, len(plan["lr"]) + 1))
            assert lrs["value"].tolist() == pytest.approx(plan["lr"][first_step:], rel=1e-6)
            if schedule == "onecycle":
                momenta = store.read_curve(trial["run_id"], "momentum")["value"].tolist()
                assert momenta == pytest.approx(plan["momentum"][first_step:], rel=1e-6)
