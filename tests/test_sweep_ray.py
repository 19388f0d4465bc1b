"""Sweeps on the Ray executor, on a local Ray instance (one per module: it takes seconds).

The faults are real: a Ray worker process is SIGKILLed mid-trial, a driver process is
SIGKILLed mid-sweep; the sweep finishes and every trial is told exactly once.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap

import pytest
import ray

from dlstudio.errors import ConfigError
from dlstudio.store import Store
from dlstudio.training.events import EpochEvent, StepEvent
from dlstudio.training.sweeps.events import (RunEvent, SweepStarted, TrialFinished,
                                            TrialPlaced, TrialStarted)
from dlstudio.training.sweeps import runner as runner_module
from dlstudio.training.sweeps.runner import SweepRunner
from dlstudio.training.sweeps.setup import create_sweep
from dlstudio.training.sweeps.summary import sweep_summary
from tests.test_sweep_runner import epochs_recorded, halving

BASE = {"data": {"name": "digits"}, "model": {"hidden": [16]},
        "train": {"device": "cpu", "batch_size": 64, "epochs": 2, "threads": 1}}
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    yield
    ray.shutdown()


def run(db_path, spec, workers=2, **runner_args):
    with Store(db_path) as store:
        sweep_id = create_sweep(store, spec)
    return SweepRunner(db_path, sweep_id, workers=workers, **runner_args).run()


def results(summary):
    return [(t["trial"], t["config"], t["epochs"], t["status"], t["score"])
            for t in summary["trials"]]


def finals_per_trial(events):
    """How often each trial was told (a TrialFinished that is a result)."""
    counts: dict[int, int] = {}
    for e in events:
        if isinstance(e, TrialFinished) and e.status not in ("stopped", "interrupted"):
            counts[e.trial_id] = counts.get(e.trial_id, 0) + 1
    return counts


def test_the_same_sweep_and_seeds_give_the_same_trials_on_local_threads_and_ray(tmp_path):
    spec = halving(base=BASE)
    local = run(tmp_path / "local.db", {**spec, "executor": {"kind": "local"}})
    events = []
    on_ray = run(tmp_path / "ray.db", {**spec, "executor": {"kind": "ray"}},
                 subscribers=[events.append])
    assert local["status"] == on_ray["status"] == "finished"
    assert results(on_ray) == results(local)  # scores too: bit for bit
    assert on_ray["epochs_spent"] == local["epochs_spent"] == 8
    assert next(e for e in events if isinstance(e, SweepStarted)).executor == "ray"
    # The driver recorded every point the workers streamed, as a local run records them.
    with Store(tmp_path / "local.db") as a, Store(tmp_path / "ray.db") as b:
        for trial in on_ray["trials"]:
            run_id = trial["run_id"]
            assert epochs_recorded(b, run_id) == epochs_recorded(a, run_id)
            assert b.read_curve(run_id, "loss")["value"].tolist() == \
                a.read_curve(run_id, "loss")["value"].tolist()
            assert b.get_run(run_id)["status"] == "finished"
            assert b.get_run(run_id)["checkpoint_dir"].startswith(str(tmp_path / "ray-checkpoints"))
    # Every run's training events reached the subscribers live, tagged with their trial.
    placed = {e.run_id for e in events if isinstance(e, TrialPlaced)}
    stepped = {e.run_id for e in events if isinstance(e, RunEvent)
               and isinstance(e.event, StepEvent)}
    assert placed == stepped == {t["run_id"] for t in on_ray["trials"]}
    assert finals_per_trial(events) == {t: 1 for t in range(7)}


def test_a_worker_killed_mid_trial_is_requeued_from_its_checkpoint_and_told_once(tmp_path):
    # Long enough that the kill, sent when the driver sees epoch 3, lands mid-trial: the
    # step events reach the driver in batches, and 12 epochs often ended before it.
    epochs = 60
    spec = {"method": "grid", "metric": {"name": "dev_error"},
            "parameters": {"optim.lr": {"values": [0.01, 0.02]}},
            "base": {**BASE, "train": {**BASE["train"], "epochs": epochs, "batch_size": 16}},
            "executor": {"kind": "ray", "checkpoints": str(tmp_path / "shared")}}
    events, killed = [], []
    pids = {}

    def kill_in_epoch_3(event):
        events.append(event)
        if isinstance(event, TrialPlaced):
            pids[event.trial_id] = event.pid
        elif (isinstance(event, RunEvent) and event.trial_id == 0 and not killed
              and isinstance(event.event, StepEvent) and event.event.epoch >= 3):
            killed.append(pids[0])
            os.kill(pids[0], signal.SIGKILL)  # the Ray worker process, for real

    summary = run(tmp_path / "runs.db", spec, subscribers=[kill_in_epoch_3])
    assert killed and summary["status"] == "finished"
    assert finals_per_trial(events) == {0: 1, 1: 1}  # told once each, after the kill too
    lost = [e for e in events if isinstance(e, TrialFinished) and e.status == "interrupted"]
    assert [e.trial_id for e in lost] == [0] and "WorkerCrashedError" in lost[0].error
    again = [e for e in events if isinstance(e, TrialStarted) and e.resumed]
    assert [e.trial.id for e in again] == [0]
    assert again[0].start_epoch >= 1  # from its checkpoint in the shared folder, not zero
    replaced = [e for e in events if isinstance(e, TrialPlaced) and e.trial_id == 0]
    assert len(replaced) == 2 and replaced[0].pid == killed[0] != replaced[1].pid
    with Store(tmp_path / "runs.db") as store:
        trial_rows = store.list_trials(1)
        assert [t["status"] for t in trial_rows] == ["finished", "finished"]
        run_id = trial_rows[0]["run_id"]
        assert epochs_recorded(store, run_id) == list(range(1, epochs + 1))  # no gap, no repeat
        assert store.get_run(run_id)["checkpoint_dir"] == str(tmp_path / "shared" / f"run-{run_id}")
    # The resumed attempt trained the rest only: one epoch event per epoch after the kill.
    seen = [e.event.epoch for e in events if isinstance(e, RunEvent) and e.trial_id == 0
            and isinstance(e.event, EpochEvent)]
    start = again[0].start_epoch
    assert seen[-(epochs - start):] == list(range(start + 1, epochs + 1))


def test_a_run_whose_worker_keeps_dying_fails_instead_of_looping(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "MAX_LOST", 1)  # give up at the first death
    # Long enough that the kill, sent when the driver sees epoch 2, lands mid-trial: the
    # step events reach the driver in batches, and 12 epochs could end before it.
    spec = {"method": "grid", "metric": {"name": "dev_error"},
            "parameters": {"optim.lr": {"values": [0.01]}},
            "base": {**BASE, "train": {**BASE["train"], "epochs": 300, "batch_size": 16}},
            "executor": {"kind": "ray"}}
    events, pids = [], {}

    def kill_in_epoch_2(event):
        events.append(event)
        if isinstance(event, TrialPlaced):
            pids[event.run_id] = event.pid
        elif (isinstance(event, RunEvent) and isinstance(event.event, StepEvent)
              and event.event.epoch >= 2 and pids.get(event.run_id)):
            os.kill(pids.pop(event.run_id), signal.SIGKILL)

    summary = run(tmp_path / "runs.db", spec, subscribers=[kill_in_epoch_2])
    assert summary["status"] == "finished" and summary["told"] == 1
    assert [t["status"] for t in summary["trials"]] == ["failed"]
    told = [e for e in events if isinstance(e, TrialFinished)]
    assert [(e.status, "Ray worker lost" in e.error) for e in told] == [("failed", True)]
    with Store(tmp_path / "runs.db") as store:
        assert store.get_run(summary["trials"][0]["run_id"])["status"] == "failed"


def test_a_trial_no_node_can_hold_is_refused_with_the_setting_named(tmp_path):
    spec = {"method": "grid", "parameters": {"optim.lr": {"values": [0.01]}},
            "base": {**BASE, "train": {**BASE["train"], "device": "auto"}},
            "executor": {"kind": "ray", "gpus_per_trial": 1}}  # the local instance has none
    with pytest.raises(ConfigError, match=r"executor: a trial asks for 1 CPUs and 1 GPUs "
                       r"\(cpus_per_trial, gpus_per_trial\), but no node of the Ray cluster "
                       r"has them; the largest has 2 CPUs and 0 GPUs"):
        run(tmp_path / "runs.db", spec)
    with Store(tmp_path / "runs.db") as store:
        assert store.get_sweep(1)["status"] == "queued"  # untouched: it runs once GPUs join
        assert store.list_runs() == []


DRIVER = textwrap.dedent("""
    import sys
    from dlstudio.cli import main
    sys.exit(main(sys.argv[1:]))
""")

TINY = """
method: successive_halving
metric: {name: dev_error}
successive_halving: {n_configs: 4, min_epochs: 1, max_epochs: 2, eta: 2}
executor: {kind: ray, cpus_per_trial: 1}
base:
  data: {name: digits}
  model: {hidden: [16]}
  train: {device: cpu, threads: 1, batch_size: 16}
parameters:
  optim.lr: {distribution: log_uniform_values, min: 1.0e-3, max: 3.0e-2}
"""


def test_a_killed_driver_is_resumed_from_the_database_and_no_trial_is_told_twice(tmp_path):
    path, db = tmp_path / "sweep.yaml", tmp_path / "runs.db"
    path.write_text(TINY)
    env = {**os.environ, "PYTHONPATH": REPO}
    # The CLI starts its own local Ray instance (no --address) and is killed after a trial.
    # Its own process group: the kill takes its local Ray with it (agents would outlive it).
    driver = subprocess.Popen([sys.executable, "-c", DRIVER, "sweep", str(path), "--db", str(db),
                               "--workers", "2"], stdout=subprocess.PIPE, text=True, env=env,
                              start_new_session=True)
    try:
        for line in driver.stdout:
            if line.startswith("trial "):
                break
        else:
            pytest.fail("the driver ended before a trial did")
    finally:
        os.killpg(driver.pid, signal.SIGKILL)
        driver.wait(timeout=60)
        driver.stdout.close()
    with Store(db) as store:
        told_before = {t["trial"] for t in sweep_summary(store, 1)["trials"]
                       if t["score"] is not None}
        assert 1 <= len(told_before) < 6
    events = []
    summary = SweepRunner(db, 1, workers=2, subscribers=[events.append]).run()  # its executor
    assert summary["status"] == "finished" and summary["told"] == 6
    assert next(e for e in events if isinstance(e, SweepStarted)).resumed
    assert not set(finals_per_trial(events)) & told_before
    assert all(n == 1 for n in finals_per_trial(events).values())
    with Store(db) as store:
        rows = store.list_trials(1)
        assert len(rows) == 6 and all(t["status"] == "finished" for t in rows)
