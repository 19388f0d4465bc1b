"""``dlstudio train`` killed with a real SIGKILL, then resumed to the curve it would have had.

Each test starts a real CLI training, watches the database and the checkpoint folder from
outside as another process would, and kills the process at one moment: while a
checkpoint file is being written, in the middle of an epoch, right after a metric flush
landed. The next reader must find the run ``interrupted`` with every point up to the
last flush intact, and ``dlstudio resume`` must finish it to the planned epochs with
exactly the curve of a run that was never killed.
"""

from __future__ import annotations

import os
import signal
import time

import numpy as np
import pytest

from dlstudio.store import Store
from tests.faults.processes import cli, start_cli

EPOCHS = 12
# Wide enough that a checkpoint write (model + Adam state, ~13 MB) can be caught, small
# enough that an epoch of digits takes a fraction of a second.
TRAIN = ["train", "--set", "data.name=digits", "--set", "model.hidden=[1024,1024]",
         "--set", "optim.name=adam", "--set", "train.device=cpu", "--set",
         "train.threads=1", "--set", f"train.epochs={EPOCHS}", "--set", "train.seed=7"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The loss curve of the same run, never killed."""
    db = tmp_path_factory.mktemp("reference") / "runs.db"
    done = cli(*TRAIN, "--db", str(db), timeout=300)
    assert done.returncode == 0, done.stderr
    with Store(db) as store:
        return store.read_curve(1, "loss")["value"]


def _loss_steps(db_path) -> int:
    if not db_path.exists():
        return 0
    with Store(db_path, mark_orphans=False) as store:
        if not store.list_runs():
            return 0
        return len(store.read_curve(1, "loss")["step"])


def _wait(condition, process, what: str) -> None:
    while not condition():
        assert process.poll() is None, f"the training ended before {what}"
        time.sleep(0.001)


def kill_checkpoint_write(db_path, process) -> None:
    _wait(lambda: any(db_path.parent.glob("**/*.partial")), process, "a checkpoint write")


def kill_mid_epoch(db_path, process) -> None:
    _wait(lambda: _loss_steps(db_path) > 3 * 16 + 5, process, "epoch 4")


def kill_after_a_flush(db_path, process) -> None:
    first = [0]

    def second_flush_landed() -> bool:
        steps = _loss_steps(db_path)
        if steps and not first[0]:
            first[0] = steps
        return bool(first[0]) and steps > first[0]

    _wait(second_flush_landed, process, "a second metric flush")


@pytest.mark.parametrize("moment", [kill_checkpoint_write, kill_mid_epoch,
                                    kill_after_a_flush], ids=lambda f: f.__name__)
def test_sigkill_then_resume_gives_the_uninterrupted_curve(db_path, reference, moment):
    process = start_cli(*TRAIN, "--db", str(db_path))
    try:
        moment(db_path, process)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    with Store(db_path) as store:  # the next reader: the dead owner's run is interrupted
        run = store.get_run(1)
        assert run["status"] == "interrupted"
        kept = store.read_curve(1, "loss")
        assert store.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # What was flushed is intact: the first steps, exactly as the reference has them.
    assert list(kept["step"]) == list(range(1, len(kept["step"]) + 1))
    np.testing.assert_array_equal(kept["value"], reference[:len(kept["value"])])
    resumed = cli("resume", "1", "--db", str(db_path), timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    with Store(db_path) as store:
        run = store.get_run(1)
        assert run["status"] == "finished", run["error"]
        assert run["summary"]["epochs_done"] == EPOCHS
        np.testing.assert_array_equal(store.read_curve(1, "loss")["value"], reference)
