"""A sweep survives being stopped or killed: no trial lost, none trained or told twice.

The kills are real: a child process runs the sweep and ends itself with ``os._exit``
(no clean-up, like a crash or a closed laptop) at a chosen moment.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import textwrap

import pytest

from dlstudio.errors import ConfigError
from dlstudio.store import Store
from dlstudio.store.owners import HOST
from dlstudio.training.events import StepEvent
from dlstudio.training.sweeps.events import RunEvent
from dlstudio.training.sweeps.runner import SweepRunner
from dlstudio.training.sweeps.setup import create_sweep
from dlstudio.training.sweeps.state import SweepState
from tests.test_sweep_runner import epochs_recorded, halving, run_sweep

# argv: db, sweep id, mode, n. "before-tell": die once the n-th trial's run has ended
# and been recorded, before its score is told. "mid-run": die at the n-th epoch end,
# after the epoch's metrics, before its checkpoint.
CHILD = textwrap.dedent("""
    import os, sys
    import torch
    torch.set_num_threads(1)
    from dlstudio.training.events import EpochEvent
    from dlstudio.training.sweeps.events import RunEvent
    from dlstudio.training.sweeps.runner import SweepRunner

    db, sweep_id, mode, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    seen = [0]
    if mode == "before-tell":
        original = SweepRunner._trial_done

        def dying(self, job, ended):
            seen[0] += 1
            if seen[0] == n:
                os._exit(3)
            return original(self, job, ended)

        SweepRunner._trial_done = dying
        subscribers = []
    else:
        def subscriber(event):
            if isinstance(event, RunEvent) and isinstance(event.event, EpochEvent):
                seen[0] += 1
                if seen[0] == n:
                    os._exit(3)

        subscribers = [subscriber]
    SweepRunner(db, sweep_id, subscribers=subscribers).run()
    sys.exit(0)
""")


def run_child(db_path, sweep_id, mode, n):
    done = subprocess.run([sys.executable, "-c", CHILD, str(db_path), str(sweep_id), mode,
                           str(n)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr


def told(summary):
    return [(t["trial"], t["config"], t["epochs"], t["score"]) for t in summary["trials"]]


def assert_same_sweep(summary, reference):
    assert summary["status"] == "finished"
    assert [t[:3] for t in told(summary)] == [t[:3] for t in told(reference)]
    assert [t[3] for t in told(summary)] == pytest.approx([t[3] for t in told(reference)],
                                                          abs=1e-6)
    assert summary["epochs_spent"] == reference["epochs_spent"]
    assert summary["best"]["config"] == reference["best"]["config"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted sweep with the same seed."""
    return run_sweep(tmp_path_factory.mktemp("reference") / "runs.db", halving())[1]


def test_killed_twice_then_resumed_matches_an_uninterrupted_sweep(db_path, reference):
    with Store(db_path) as store:
        sweep_id = create_sweep(store, halving())
    # 1st life: dies after trial 4's run (1 -> 2 epochs) ended, before the tell.
    run_child(db_path, sweep_id, "before-tell", 5)
    with Store(db_path) as store:
        trial_4 = store.list_trials(sweep_id)[4]
        assert store.get_run(trial_4["run_id"])["status"] == "finished"
        # Opening marks the sweep of the dead process interrupted, as its runs.
        assert trial_4["score"] is None and store.get_sweep(sweep_id)["status"] == "interrupted"
    # 2nd life: tells trial 4 from its stored run, trains trial 5 (1 epoch event), then
    # dies in trial 6 (2 -> 4 epochs) at the end of epoch 4, after epoch 3's checkpoint.
    run_child(db_path, sweep_id, "mid-run", 3)
    with Store(db_path) as store:  # opening marks the dead process's run interrupted
        trial_6 = store.list_trials(sweep_id)[6]
        assert store.get_run(trial_6["run_id"])["status"] == "interrupted"
    summary = SweepRunner(db_path, sweep_id).run()
    assert_same_sweep(summary, reference)
    with Store(db_path) as store:
        assert len(store.list_runs(sweep_id=sweep_id)) == 7  # one run per trial, no retries
        assert len(store.list_trials(sweep_id)) == 7
        assert epochs_recorded(store, trial_4["run_id"]) == [2]  # trained once
        # Epoch 3 was trained once, before the crash; its points may have died in the
        # metric writer's buffer (flushed about once a second), never twice.
        assert epochs_recorded(store, trial_6["run_id"]) in ([3, 4], [4])
        sweep = store.get_sweep(sweep_id)
    assert sweep["status"] == "finished" and sweep["state"]["strategy"]["pending"] == []


def test_stopped_mid_trial_then_resumed_matches_an_uninterrupted_sweep(db_path, reference):
    stop = threading.Event()

    def stop_in_last_trial(event):
        # Trial 6 continues trial 4 (2 epochs); stop at its first step, before it has a
        # checkpoint of its own: the next session starts it from trial 4's again.
        if isinstance(event, RunEvent) and event.trial_id == 6 \
                and isinstance(event.event, StepEvent):
            stop.set()

    sweep_id, paused = run_sweep(db_path, halving(), subscribers=[stop_in_last_trial],
                                 stop=stop)
    assert paused["status"] == "paused" and paused["told"] == 6
    assert paused["counts"] == {"finished": 6, "stopped": 1}
    resumed = SweepRunner(db_path, sweep_id).run()
    assert_same_sweep(resumed, reference)
    with Store(db_path) as store:
        assert epochs_recorded(store, resumed["trials"][6]["run_id"]) == [3, 4]


def test_a_sweep_run_by_another_live_process_is_refused(db_path):
    with Store(db_path) as store:
        sweep_id = create_sweep(store, halving())
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with Store(db_path) as store:
            state = SweepState.load(store, sweep_id)
            state.owner = {"pid": other.pid, "host": HOST}
            state.save(store)
        with pytest.raises(ConfigError, match=f"being run by process {other.pid}"):
            SweepRunner(db_path, sweep_id).run()
    finally:
        other.kill()
        other.wait()
    assert SweepRunner(db_path, sweep_id).run()["status"] == "finished"  # once it is gone


def test_asha_sweep_killed_mid_run_then_resumed_matches_an_uninterrupted_one(tmp_path):
    spec = {**halving(), "method": "asha", "asha": {"max_epochs": 4, "eta": 2},
            "budget": {"epochs": 12}}
    del spec["successive_halving"]
    reference = run_sweep(tmp_path / "reference.db", spec)[1]
    assert any(t["rung"] for t in reference["trials"]), "the sweep should promote"
    db_path = tmp_path / "killed.db"
    with Store(db_path) as store:
        sweep_id = create_sweep(store, spec)
    run_child(db_path, sweep_id, "mid-run", 6)  # dies in the middle of the sweep
    summary = SweepRunner(db_path, sweep_id).run()
    assert_same_sweep(summary, reference)
    with Store(db_path) as store:
        assert len(store.list_runs(sweep_id=sweep_id)) == len(reference["trials"])
