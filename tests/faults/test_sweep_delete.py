"""``dlstudio sweep-delete`` on real sweeps: refused while another process runs the
sweep, then the sweep goes with its trials and runs (and their checkpoints), or keeps
its runs as runs of no sweep."""

from __future__ import annotations

import json

from dlstudio.formatting import count
from dlstudio.store import Store
from tests.faults.processes import cli, start_cli, wait_for
from tests.faults.test_killed_sweep_status import SWEEP

QUICK = SWEEP.replace("epochs: 40", "epochs: 2").replace("trials: 3", "trials: 2")


def _runs(db_path) -> list[dict]:
    return json.loads(cli("runs", "--json", "--db", db_path).stdout)


def test_a_sweep_another_process_runs_is_refused_then_deleted(db_path, tmp_path):
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(SWEEP)
    process = start_cli("sweep", sweep_file, "--db", db_path)

    folder = db_path.with_name("runs-checkpoints") / "run-1"
    try:
        # The first trial trains and has written its first checkpoint.
        wait_for((folder / "last.pt").is_file, process, "a running trial's checkpoint")
        before = {run["id"] for run in _runs(db_path)}
        refused = cli("sweep-delete", "1", "--db", db_path)
        assert refused.returncode == 2
        assert refused.stderr.strip() == ("error: sweep 1: still running; stop it first, "
                                          "then delete it")
        assert before <= {run["id"] for run in _runs(db_path)}  # nothing deleted
        assert process.poll() is None  # nor the sweep disturbed
    finally:
        process.kill()
        process.wait()
    # Its process gone, the sweep and its running trial are interrupted: the sweep goes,
    # with every trial's run and checkpoint folder.
    runs = len(_runs(db_path))
    with Store(db_path) as store:
        trials = len(store.list_trials(1))
    done = cli("sweep-delete", "1", "--db", db_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (f"deleted sweep 1 (sweep): {count(trials, 'trial')}, "
                                   f"{count(runs, 'run')} with their metrics and checkpoints")
    assert _runs(db_path) == [] and not folder.exists()
    assert list(folder.parent.iterdir()) == []
    assert json.loads(cli("sweeps", "--json", "--db", db_path).stdout) == []


def test_a_finished_sweep_can_keep_its_runs(db_path, tmp_path):
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(QUICK)
    for _ in range(2):
        assert cli("sweep", sweep_file, "--db", db_path, timeout=300).returncode == 0
    done = cli("sweep-delete", "1", "--keep-runs", "--db", db_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "deleted sweep 1 (sweep): 2 trials, its 2 runs kept"
    runs = {run["id"]: run for run in _runs(db_path)}
    assert sorted(runs) == [1, 2, 3, 4]
    assert [runs[i]["sweep_id"] for i in (1, 2)] == [None, None]  # of no sweep now
    assert [runs[i]["trial_id"] for i in (1, 2)] == [None, None]
    assert [runs[i]["sweep_id"] for i in (3, 4)] == [2, 2]  # the other sweep is whole
    with Store(db_path) as store:
        assert store.metric_keys(1)  # the kept runs keep their curves
        assert [trial["run_id"] for trial in store.list_trials(2)] == [3, 4]
    assert [s["sweep_id"] for s in json.loads(
        cli("sweeps", "--json", "--db", db_path).stdout)] == [2]
