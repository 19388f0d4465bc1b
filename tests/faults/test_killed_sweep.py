"""A 2-worker sweep killed twice with a real SIGKILL mid-trial, then resumed to the end."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from dlstudio.store import Store
from tests.faults.processes import cli, start_cli

SWEEP = """
method: successive_halving
name: killed
metric: {name: dev_error, goal: minimize}
successive_halving: {n_configs: 4, min_epochs: 1, max_epochs: 4, eta: 2}
base:
  # About a second an epoch: a trial lives long enough for its points to be flushed
  # (once a second) while it runs, so the kill lands mid-trial.
  data: {name: moons, n_samples: 40000}
  model: {hidden: [64]}
  train: {device: cpu, threads: 1, batch_size: 32}
parameters:
  optim.lr: {distribution: log_uniform_values, min: 1.0e-3, max: 3.0e-2}
"""


def told(summary):
    return sorted((t["trial"], json.dumps(t["config"], sort_keys=True), t["epochs"],
                   round(t["score"], 9)) for t in summary["trials"])


@pytest.fixture
def sweep_file(tmp_path):
    path = tmp_path / "sweep.yaml"
    path.write_text(SWEEP)
    return path


def _points_of_running_trials(db_path) -> int:
    if not db_path.exists():
        return 0
    with Store(db_path, mark_orphans=False) as store:
        return sum(len(store.read_curve(run["id"], "loss")["step"])
                   for run in store.list_runs(status="running"))


def _kill_mid_trial(process, db_path, after_points: int) -> None:
    while _points_of_running_trials(db_path) <= after_points:
        assert process.poll() is None, "the sweep ended before it could be killed"
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)


def test_a_sweep_killed_twice_mid_trial_resumes_with_every_trial_told_once(db_path, tmp_path,
                                                                           sweep_file):
    reference_db = tmp_path / "reference.db"
    reference = cli("sweep", str(sweep_file), "--workers", "2", "--seed", "5", "--json",
                    "--db", str(reference_db), timeout=600)
    assert reference.returncode == 0, reference.stderr

    first = start_cli("sweep", str(sweep_file), "--workers", "2", "--seed", "5",
                      "--db", str(db_path))
    _kill_mid_trial(first, db_path, after_points=20)
    listed = cli("sweeps", "--json", "--db", str(db_path))
    # The next reader sees that the sweep's process is gone, as it does for runs.
    assert [s["status"] for s in json.loads(listed.stdout)] == ["interrupted"]
    second = start_cli("sweep-resume", "killed", "--db", str(db_path))
    with Store(db_path) as store:
        already = sum(len(store.read_curve(run["id"], "loss")["step"])
                      for run in store.list_runs())
    _kill_mid_trial(second, db_path, after_points=20 + already // 100)
    finished = cli("sweep-resume", "killed", "--json", "--db", str(db_path), timeout=600)
    assert finished.returncode == 0, finished.stderr
    summary = json.loads(finished.stdout)
    assert summary["status"] == "finished"
    assert told(summary) == told(json.loads(reference.stdout))
    with Store(db_path) as store:
        trials = store.list_trials(summary["sweep_id"])
        assert all(trial["status"] == "finished" for trial in trials)
        assert len(trials) == len(json.loads(reference.stdout)["trials"])
        assert not store.list_runs(status="running")
        assert store.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
