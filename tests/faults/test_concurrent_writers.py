"""Several real processes writing one database at once, with a reader polling it."""

from __future__ import annotations

import json

from dlstudio.store import Store
from tests.faults.processes import cli, start_cli

TRAIN = ["--set", "data.name=digits", "--set", "model.hidden=[16]", "--set",
         "train.device=cpu", "--set", "train.threads=1", "--set", "train.batch_size=64"]
SWEEP = """
method: successive_halving
name: beside-trainings
metric: {name: dev_error, goal: minimize}
successive_halving: {n_configs: 4, min_epochs: 1, max_epochs: 2, eta: 2}
base:
  data: {name: digits}
  model: {hidden: [16]}
  train: {device: cpu, threads: 1}
parameters:
  optim.lr: {distribution: log_uniform_values, min: 1.0e-3, max: 3.0e-2}
"""


def test_four_trainings_and_a_two_worker_sweep_at_once_lose_nothing(db_path, tmp_path):
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(SWEEP)
    writers = [start_cli("train", *TRAIN, "--set", f"train.epochs={2 + i}",
                         "--set", f"train.seed={i}", "--db", str(db_path)) for i in range(4)]
    writers.append(start_cli("sweep", str(sweep_file), "--workers", "2", "--seed", "1",
                             "--db", str(db_path)))
    reads = 0
    while any(process.poll() is None for process in writers):
        listed = cli("runs", "--json", "--db", str(db_path))
        if listed.returncode == 2 and "file does not exist" in listed.stderr:
            continue  # no writer has created the file yet; a read does not create it
        assert listed.returncode == 0, listed.stderr
        json.loads(listed.stdout)
        reads += 1
    for process in writers:
        out, err = process.communicate()
        assert process.returncode == 0, err
        assert "database is locked" not in err + out
    assert reads >= 3
    with Store(db_path) as store:
        assert store.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        alone = [run for run in store.list_runs() if run["sweep_id"] is None]
        assert sorted(run["config"]["train"]["epochs"] for run in alone) == [2, 3, 4, 5]
        for run in store.list_runs():
            assert run["status"] == "finished", run
            steps = list(store.read_curve(run["id"], "loss")["step"])
            # Every step of every run is there, once; a promoted trial continues its
            # parent's checkpoint, so its steps start after the parent's.
            first = 1 if run["sweep_id"] is None else steps[0]
            assert steps == list(range(first, run["summary"]["steps"] + 1))
        sweep = store.list_sweeps()[0]
        assert sweep["status"] == "finished"
        assert all(trial["status"] == "finished" for trial in store.list_trials(sweep["id"]))
