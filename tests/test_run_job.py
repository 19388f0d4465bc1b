"""execute_run: statuses, stored failures, recorded metrics and resources."""

from __future__ import annotations

import pytest

from dlstudio.store import Store
from dlstudio.training import run_job
from dlstudio.training.events import RunEnded
from tests.training_helpers import config


def _create(db_path, cfg):
    with Store(db_path) as store:
        return run_job.create_run(store, cfg)


def test_finished_run_records_every_step_and_epoch(db_path):
    cfg = config("train.epochs=2")
    run_id = _create(db_path, cfg)
    ended = run_job.execute_run(db_path, run_id)
    with Store(db_path) as store:
        run = store.get_run(run_id)
        loss = store.read_curve(run_id, "loss")
        lr = store.read_curve(run_id, "lr")
        dev = store.read_curve(run_id, "dev_metric")
    assert run["status"] == "finished" == ended.status
    assert loss["total"] == lr["total"] == ended.summary["steps"]
    assert loss["step"].tolist() == list(range(1, ended.summary["steps"] + 1))
    assert dev["epoch"].tolist() == [1, 2]
    assert run["summary"]["dev_metric"] == pytest.approx(ended.summary["dev_metric"])
    assert (run_job.checkpoint_dir_for(db_path, run_id) / "last.pt").is_file()


def test_diverged_run_is_marked(db_path):
    run_id = _create(db_path, config("optim.name=sgd", "optim.lr=1e6"))
    assert run_job.execute_run(db_path, run_id).status == "diverged"
    with Store(db_path) as store:
        assert store.get_run(run_id)["status"] == "diverged"


def test_a_crash_inside_training_marks_failed_with_traceback(db_path, monkeypatch):
    run_id = _create(db_path, config())

    def explode(self, event):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(run_job.MetricRecorder, "__call__", explode)
    seen = []
    ended = run_job.execute_run(db_path, run_id, subscribers=[seen.append])
    assert ended.status == "failed" and "disk on fire" in ended.error
    assert isinstance(seen[-1], RunEnded) and seen[-1].status == "failed"
    with Store(db_path) as store:
        run = store.get_run(run_id)
    assert run["status"] == "failed"
    assert "Traceback" in run["error"] and "disk on fire" in run["error"]


def test_resources_are_sampled_and_stored(db_path, monkeypatch):
    run_id = _create(db_path, config("train.epochs=3"))
    samples = []
    original = run_job.ResourceMonitor.__init__

    def fast(self, on_sample, device=None, interval=2.0):
        original(self, on_sample, device, interval=0.0)

    monkeypatch.setattr(run_job.ResourceMonitor, "__init__", fast)
    run_job.execute_run(db_path, run_id, on_resources=samples.append)
    assert samples and "sys.ram_mb" in samples[0]
    with Store(db_path) as store:
        assert store.read_curve(run_id, "sys.ram_mb")["total"] > 0
