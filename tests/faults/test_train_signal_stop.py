"""Ctrl+C (a real SIGINT) or SIGTERM on a real ``dlstudio train``: a clean stop.

The run flushes its buffered points, writes its pending checkpoint, is recorded
``stopped`` and ends with 128 + the signal; ``dlstudio resume`` continues it from that
checkpoint to the planned epochs. Also: a run SIGKILLed before its first checkpoint is
restarted from epoch 0 by ``resume`` instead of failing.
"""

from __future__ import annotations

import json
import signal

import pytest

from dlstudio.store import Store
from tests.faults.processes import cli, start_cli, wait_for

EPOCHS = 300  # long enough (several seconds) that the signal lands mid-run
TRAIN = ["train", "--set", "data.name=digits", "--set", "model.hidden=[64]", "--set",
         "train.device=cpu", "--set", "train.threads=1", "--set", f"train.epochs={EPOCHS}"]


def _row(db_path) -> dict:
    with Store(db_path, mark_orphans=False) as store:
        runs = store.list_runs()
        return runs[0] if runs else {}


def _epochs_stored(db_path) -> int:
    if not db_path.exists():
        return 0
    with Store(db_path, mark_orphans=False) as store:
        if not store.list_runs():
            return 0
        return len(store.read_curve(1, "dev_metric")["step"])


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_train_cleanly_and_resume_finishes_it(db_path, signum):
    process = start_cli(*TRAIN, "--db", db_path)
    wait_for(lambda: _epochs_stored(db_path) >= 3, process, "three stored epochs")
    process.send_signal(signum)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signum, (out, err)
    assert "Traceback" not in err and f"dlstudio resume 1" in err
    run = _row(db_path)  # read without marking orphans: the row itself must say stopped
    assert run["status"] == "stopped"
    done = run["summary"]["epochs_done"]
    assert 3 <= done < EPOCHS
    with Store(db_path, mark_orphans=False) as store:
        losses = store.read_curve(1, "loss")
        epochs = store.read_curve(1, "dev_metric")
    # Every step trained before the stop was flushed, none is missing.
    assert losses["step"].tolist() == list(range(1, losses["step"][-1] + 1))
    assert epochs["epoch"].tolist() == list(range(1, done + 1))
    # The pending checkpoint was written: resume continues after epoch `done`.
    resumed = cli("resume", "1", "--db", db_path, "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["summary"]["epochs_done"] == EPOCHS
    with Store(db_path) as store:
        assert store.read_curve(1, "dev_metric")["epoch"].tolist() == list(range(1, EPOCHS + 1))
        assert store.get_run(1)["status"] == "finished"


def test_a_run_killed_before_its_first_checkpoint_resumes_from_epoch_zero(db_path):
    # One long first epoch (batches of one sample): killed inside it, no checkpoint yet.
    process = start_cli("train", "--set", "data.name=moons", "--set", "data.n_samples=6000",
                        "--set", "train.batch_size=1", "--set", "train.epochs=1", "--set",
                        "model.hidden=[8]", "--set", "train.device=cpu", "--set",
                        "train.threads=1", "--db", db_path)
    checkpoint = db_path.parent / "runs-checkpoints" / "run-1" / "last.pt"

    def some_steps_stored() -> bool:
        if not db_path.exists():
            return False
        with Store(db_path, mark_orphans=False) as store:
            return bool(store.list_runs()) and store.read_curve(1, "loss")["total"] > 0

    wait_for(some_steps_stored, process, "the first flushed steps")
    process.kill()
    process.wait()
    assert not checkpoint.exists()
    with Store(db_path) as store:
        assert store.get_run(1)["status"] == "interrupted"
    resumed = cli("resume", "1", "--db", db_path, "--json")
    assert resumed.returncode == 0, resumed.stderr
    result = json.loads(resumed.stdout)
    assert result["status"] == "finished" and result["summary"]["epochs_done"] == 1
    with Store(db_path) as store:
        loss = store.read_curve(1, "loss")
    steps = result["summary"]["steps"]
    assert loss["step"].tolist() == list(range(1, steps + 1))  # the killed attempt's are gone
