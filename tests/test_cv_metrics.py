"""A cross-validation group's finished folds averaged into diagnosis inputs (no Qt)."""

from __future__ import annotations

import pytest

from dlstudio.diagnosis import diagnose
from dlstudio.diagnosis.cv_metrics import fold_mean_metrics
from dlstudio.errors import ConfigError


def fold(run_id, status="finished", train=0.99, dev=0.9, test=0.88, metric="accuracy",
         sizes=None) -> dict:
    summary = {"metric_name": metric, "train_metric": train, "dev_metric": dev,
               "test_metric": test,
               "sizes": sizes or {"train": 1000 + run_id, "dev": 400, "test": 359}}
    return {"id": run_id, "name": f"fold {run_id}", "status": status,
            "config": {"data": {"name": "digits"}}, "summary": summary if status == "finished"
            else {}}


def test_mean_of_the_finished_folds_with_one_folds_sizes():
    folds = [fold(1, dev=0.90), fold(2, dev=0.80, train=0.97), fold(3, status="queued")]
    metrics = fold_mean_metrics("cv-1", folds)
    assert (metrics.train, metrics.dev, metrics.test) == pytest.approx((98.0, 85.0, 88.0))
    assert (metrics.folds, metrics.group) == (2, "cv-1")
    assert (metrics.train_size, metrics.dev_size, metrics.test_size) == (1001, 400, 359)
    assert diagnose(**metrics.diagnose_kwargs()).variance.value == pytest.approx(13.0)


def test_no_finished_fold_is_a_clear_error():
    with pytest.raises(ConfigError, match="cv-4: no fold has finished yet"):
        fold_mean_metrics("cv-4", [fold(4, status="queued"), fold(5, status="running")])


def test_a_bad_fold_is_named():
    bad = fold(8)
    del bad["summary"]["test_metric"]
    with pytest.raises(ConfigError, match="run 8 .*no test_metric"):
        fold_mean_metrics("cv-7", [fold(7), bad])


def test_folds_with_different_metrics_are_not_averaged():
    with pytest.raises(ConfigError, match="different metrics"):
        fold_mean_metrics("cv-1", [fold(1), fold(2, metric="rmse", train=3.0, dev=4.0,
                                                  test=4.0)])
