"""A sweep whose process was SIGKILLed is no longer shown ``running``: the next process
that opens the database marks it ``interrupted``, like the orphan runs it already
marked, and ``sweep-resume`` finishes it."""

from __future__ import annotations

import json

from dlstudio.store import Store
from tests.faults.processes import cli, start_cli, wait_for

SWEEP = """\
method: random
metric: {name: dev_loss, goal: minimize}
budget: {trials: 3}
base:
  data: {name: digits}
  model: {hidden: [32]}
  train: {epochs: 40, device: cpu, threads: 1}
parameters:
  optim.lr: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-2}
"""


def test_a_killed_sweep_is_interrupted_on_the_next_open_and_resumes(db_path, tmp_path):
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(SWEEP)
    process = start_cli("sweep", sweep_file, "--db", db_path)

    def a_trial_trains() -> bool:
        if not db_path.exists():
            return False
        with Store(db_path, mark_orphans=False) as store:
            return bool(store.list_runs(status="running"))

    wait_for(a_trial_trains, process, "a running trial")
    process.kill()
    process.wait()
    with Store(db_path, mark_orphans=False) as store:
        assert store.get_sweep(1)["status"] == "running"  # what the kill left behind
    listed = cli("sweeps", "--db", db_path, "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)[0]["status"] == "interrupted"
    with Store(db_path) as store:
        assert store.get_sweep(1)["state"]["owner"] is None
        assert [run["status"] for run in store.list_runs(sweep_id=1)] == ["interrupted"]
    resumed = cli("sweep-resume", "1", "--db", db_path, "--json", timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["status"] == "finished"
