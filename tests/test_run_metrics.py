"""Stored run dicts turned into diagnosis inputs (no Qt, no store)."""

from __future__ import annotations

import pytest

from dlstudio.diagnosis import diagnose
from dlstudio.diagnosis.run_metrics import run_label, run_metrics
from dlstudio.errors import ConfigError

SIZES = {"train": 1006, "dev": 432, "test": 359}


def stored_run(status="finished", **summary) -> dict:
    base = {"metric_name": "accuracy", "train_metric": 0.97, "dev_metric": 0.94,
            "test_metric": 0.85, "sizes": SIZES}
    base.update(summary)
    return {"id": 7, "name": "digits-mlp-adam #7", "status": status,
            "config": {"data": {"name": "digits"}}, "summary": base}


def test_accuracy_becomes_percent_with_sizes():
    metrics = run_metrics(stored_run())
    assert (metrics.train, metrics.dev, metrics.test) == pytest.approx((97.0, 94.0, 85.0))
    assert metrics.metric == "accuracy"
    assert (metrics.train_size, metrics.dev_size, metrics.test_size) == (1006, 432, 359)
    assert metrics.dataset == "digits"
    assert diagnose(**metrics.diagnose_kwargs()).verdict == "dev_overfitting"


def test_rmse_stays_as_is():
    metrics = run_metrics(stored_run(metric_name="rmse", train_metric=40.0, dev_metric=55.0,
                                     test_metric=56.0))
    assert metrics.metric == "regression"
    assert (metrics.train, metrics.dev, metrics.test) == (40.0, 55.0, 56.0)


def test_missing_sizes_give_none():
    summary = stored_run()
    del summary["summary"]["sizes"]
    metrics = run_metrics(summary)
    assert metrics.train_size is metrics.dev_size is metrics.test_size is None


@pytest.mark.parametrize("status", ["running", "failed", "queued", "diverged"])
def test_unfinished_runs_are_refused_by_name(status):
    with pytest.raises(ConfigError, match=r"run 7 \(digits-mlp-adam #7\).*only finished and stopped"):
        run_metrics(stored_run(status))


def test_a_stopped_run_with_its_three_metrics_is_diagnosed():
    assert run_metrics(stored_run("stopped")).run_id == 7


def test_a_run_stopped_before_its_first_epoch_is_refused_by_name():
    run = stored_run("stopped")
    del run["summary"]["test_metric"]
    with pytest.raises(ConfigError, match="run 7.*no test_metric"):
        run_metrics(run)


def test_missing_test_metric_is_refused_by_name():
    run = stored_run()
    del run["summary"]["test_metric"]
    with pytest.raises(ConfigError, match="run 7.*no test_metric"):
        run_metrics(run)


@pytest.mark.parametrize("bad", [1.5, -0.1, float("nan"), "0.9", True])
def test_bad_accuracy_is_refused(bad):
    with pytest.raises(ConfigError, match="dev_metric"):
        run_metrics(stored_run(dev_metric=bad))


def test_bad_sizes_are_refused():
    with pytest.raises(ConfigError, match="sizes.dev"):
        run_metrics(stored_run(sizes={"train": 10, "dev": 0, "test": 5}))


def test_label_without_name():
    assert run_label({"id": 3, "name": ""}) == "run 3"
