"""Sweeps, trials and LR tests: create, update, read back."""

from __future__ import annotations

import math

import pytest

from dlstudio.errors import ConfigError
from dlstudio.store import Store


@pytest.fixture
def store(db_path):
    with Store(db_path) as opened:
        yield opened


def test_sweep_state_survives_reopening(store):
    sweep_id = store.create_sweep("lr x width", {"strategy": "hyperband", "budget": 27})
    store.update_sweep(sweep_id, status="running", state={"brackets": [[1, 2], [3]]})
    store.close()
    with Store(store.path) as reopened:
        sweep = reopened.get_sweep(sweep_id)
        assert (sweep["name"], sweep["status"]) == ("lr x width", "running")
        assert sweep["spec"] == {"strategy": "hyperband", "budget": 27}
        assert sweep["state"] == {"brackets": [[1, 2], [3]]}
        assert [s["id"] for s in reopened.list_sweeps()] == [sweep_id]
        assert reopened.list_sweeps(status="finished") == []


def test_trials(store):
    sweep_id = store.create_sweep("s", {})
    first = store.add_trial(sweep_id, {"optim.lr": 0.1}, epochs=3, bracket=0, rung=0)
    run_id = store.create_run({"optim": {"lr": 0.1}}, sweep_id=sweep_id, trial_id=first)
    store.update_trial(first, run_id=run_id, status="finished", score=0.75)
    second = store.add_trial(sweep_id, {"optim.lr": 0.1}, epochs=9, resume_from=run_id,
                             bracket=0, rung=1)
    trials = store.list_trials(sweep_id)
    assert [t["id"] for t in trials] == [first, second]
    assert (trials[0]["status"], trials[0]["score"], trials[0]["run_id"]) == (
        "finished", 0.75, run_id)
    assert trials[0]["config"] == {"optim.lr": 0.1}
    assert (trials[1]["resume_from"], trials[1]["rung"], trials[1]["epochs"]) == (run_id, 1, 9)
    assert store.get_run(run_id)["trial_id"] == first
    assert [r["id"] for r in store.list_runs(sweep_id=sweep_id)] == [run_id]


def test_sweep_and_trial_errors(store):
    with pytest.raises(ConfigError, match="sweep 9: not found"):
        store.get_sweep(9)
    with pytest.raises(ConfigError, match="sweep 9: not found"):
        store.update_sweep(9, status="running")
    with pytest.raises(ConfigError, match="sweep 9: not found"):
        store.add_trial(9, {}, epochs=1)
    sweep_id = store.create_sweep("s", {})
    trial_id = store.add_trial(sweep_id, {}, epochs=1)
    with pytest.raises(ConfigError, match="unknown colour"):
        store.update_trial(trial_id, colour="red")
    with pytest.raises(ConfigError, match="trial 99: not found"):
        store.update_trial(99, status="failed")
    with pytest.raises(ConfigError, match=f"trial {trial_id}"):
        store.update_trial(trial_id, run_id=12345)  # no such run


def test_lr_tests(store):
    lrs = [1e-5, 1e-4, 1e-3, 1e-2]
    first = store.save_lr_test({"optim": {"name": "sgd"}}, lrs, [2.3, 2.1, 1.2, math.inf],
                               {"steepest": 1e-3, "min_loss": 1e-3})
    second = store.save_lr_test({}, [], [], {})
    test = store.get_lr_test(first)
    assert test["lrs"] == lrs
    assert test["losses"] == [2.3, 2.1, 1.2, None]  # divergence reads back as None
    assert test["suggestions"] == {"steepest": 1e-3, "min_loss": 1e-3}
    assert [t["id"] for t in store.list_lr_tests()] == [second, first]
    with pytest.raises(ConfigError, match="lr test 77: not found"):
        store.get_lr_test(77)


def test_a_sweep_with_a_running_run_is_not_deleted(store):
    sweep_id = store.create_sweep("s", {}, status="paused")
    run_id = store.create_run({}, sweep_id=sweep_id)
    store.start_run(run_id)  # by this process: alive
    with pytest.raises(ConfigError, match=f"run {run_id}: still running"):
        store.delete_sweep(sweep_id)
    assert store.get_sweep(sweep_id)["status"] == "paused"
    store.end_run(run_id, "stopped", {})
    assert store.delete_sweep(sweep_id) == ["it had no checkpoints on disk"]
    with pytest.raises(ConfigError, match="not found"):
        store.get_run(run_id)
    with pytest.raises(ConfigError, match=f"sweep {sweep_id}: not found"):
        store.delete_sweep(sweep_id)
