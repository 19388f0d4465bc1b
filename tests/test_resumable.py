"""Which runs can be resumed: the one rule the command line and the app share."""

from __future__ import annotations

import threading

import pytest

from dlstudio.cli import main
from dlstudio.config import RunConfig
from dlstudio.store import Store
from dlstudio.training.events import EpochEvent
from dlstudio.training.resumable import resume_problem
from dlstudio.training.run_job import create_run, execute_run

CONFIG = RunConfig.from_dict({}, ["data.name=digits", "model.hidden=[16]", "train.epochs=3",
                                  "train.device=cpu"])


def stopped_run(db_path, checkpoints: bool = True) -> int:
    """A run stopped during its second epoch (one epoch in its checkpoint, if kept)."""
    with Store(db_path) as store:
        run_id = create_run(store, CONFIG.replace(**{"train.checkpoints": checkpoints}))
    stop = threading.Event()
    execute_run(db_path, run_id, stop=stop,
                subscribers=[lambda e: stop.set() if isinstance(e, EpochEvent) else None])
    return run_id


@pytest.mark.parametrize("status", ["stopped", "interrupted", "failed"])
def test_an_early_ended_run_with_a_checkpoint_can_be_resumed(db_path, status):
    run_id = stopped_run(db_path)
    with Store(db_path) as store:
        store.set_status(run_id, status)
        assert resume_problem(store.get_run(run_id)) == ""


@pytest.mark.parametrize("status", ["queued", "running", "finished"])
def test_other_statuses_cannot(db_path, status):
    run_id = stopped_run(db_path)
    with Store(db_path) as store:
        store.set_status(run_id, status)
        problem = resume_problem(store.get_run(run_id))
    assert problem == (f"run {run_id} is {status}; only stopped, interrupted or failed runs "
                       "can be resumed")


def test_cli_restarts_a_run_without_checkpoint_from_epoch_zero(db_path, capsys):
    from dlstudio.training.resumable import restarts

    run_id = stopped_run(db_path, checkpoints=False)
    with Store(db_path) as store:
        run = store.get_run(run_id)
    assert resume_problem(run) == "" and restarts(run)
    assert main(["resume", str(run_id), "--db", str(db_path), "--json"]) == 0
    with Store(db_path) as store:
        assert store.get_run(run_id)["status"] == "finished"
        assert store.read_curve(run_id, "dev_metric")["epoch"].tolist() == [1, 2, 3]


def test_cli_resumes_a_failed_run_from_its_checkpoint(db_path, capsys):
    run_id = stopped_run(db_path)
    with Store(db_path) as store:
        store.set_status(run_id, "failed")
    assert main(["resume", str(run_id), "--db", str(db_path), "--json"]) == 0
    with Store(db_path) as store:
        assert store.read_curve(run_id, "dev_metric")["epoch"].tolist() == [1, 2, 3]
