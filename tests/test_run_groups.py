"""Cross-validation groups and learning curves: rows, tags, summaries, CLI."""

from __future__ import annotations

import json

import pytest

from dlstudio.cli import main
from dlstudio.errors import ConfigError
from dlstudio.store import Store
from dlstudio.training import run_groups
from dlstudio.training.run_job import execute_run
from tests.training_helpers import config


def test_cross_validation_folds_share_test_and_differ_in_dev(db_path):
    with Store(db_path) as store:
        tag, run_ids = run_groups.create_cross_validation(store, config("train.epochs=1"), 3)
    for run_id in run_ids:
        execute_run(db_path, run_id)
    with Store(db_path) as store:
        summary = run_groups.cross_validation_summary(store, tag)
        folds = [store.get_run(i)["config"]["split"] for i in run_ids]
    assert [f["fold"] for f in folds] == [0, 1, 2] and {f["k_folds"] for f in folds} == {3}
    assert summary["finished"] == 3
    dev = summary["dev_metric"]
    assert len(dev["values"]) == 3 and dev["std"] >= 0
    assert dev["mean"] == pytest.approx(sum(dev["values"]) / 3)


def test_learning_curve_grows_the_train_set_only(db_path):
    with Store(db_path) as store:
        tag, run_ids = run_groups.create_learning_curve(store, config("train.epochs=1"),
                                                        fractions=(0.2, 1.0))
    for run_id in run_ids:
        execute_run(db_path, run_id)
    with Store(db_path) as store:
        curve = run_groups.learning_curve(store, tag)
        sizes = [store.get_run(i)["summary"]["sizes"] for i in run_ids]
    small, full = (p["train_size"] for p in curve["points"])
    assert small == round(0.2 * full)
    assert sizes[0]["dev"] == sizes[1]["dev"] and sizes[0]["test"] == sizes[1]["test"]


def test_bad_group_arguments_create_no_rows(db_path):
    with Store(db_path) as store:
        with pytest.raises(ConfigError, match="k: got 1"):
            run_groups.create_cross_validation(store, config(), 1)
        with pytest.raises(ConfigError, match="fractions"):
            run_groups.create_learning_curve(store, config(), fractions=(0.5, 1.5))
        assert store.list_runs() == []


def test_cv_cli_prints_mean_and_spread(db_path, capsys):
    code = main(["cv", "--db", str(db_path), "--k", "2", "--json", "--set", "train.epochs=1",
                 "--set", "model.hidden=[16]"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["folds"] == 2 and "mean" in summary["dev_metric"]


def test_group_tags_are_told_from_user_tags():
    assert run_groups.group_kind("cv-12") == "cv"
    assert run_groups.group_kind("learning-curve-3") == "learning-curve"
    assert run_groups.group_kind("cv-best") is None and run_groups.group_kind("cv") is None


def test_groups_of_collects_members_newest_group_first():
    runs = [{"id": 5, "tags": ["cv-4"]}, {"id": 4, "tags": ["cv-4", "mine"]},
            {"id": 2, "tags": ["cv-1"]}, {"id": 9, "tags": ["learning-curve-9"]},
            {"id": 1, "tags": ["cv-1"]}]
    groups = run_groups.groups_of(runs, "cv")
    assert list(groups) == ["cv-4", "cv-1"]
    assert [[run["id"] for run in members] for members in groups.values()] == [[4, 5], [1, 2]]


def test_fold_summary_is_the_stored_summary_of_the_same_runs(db_path):
    with Store(db_path) as store:
        tag, run_ids = run_groups.create_cross_validation(store, config(), 3)
        for run_id, dev in zip(run_ids[:2], (0.8, 0.9)):
            store.end_run(run_id, "finished", {"metric_name": "accuracy", "dev_metric": dev})
        stored = run_groups.cross_validation_summary(store, tag)
        members = store.list_runs(tag=tag)
    assert run_groups.fold_summary(tag, members) == stored
    assert stored["finished"] == 2 and stored["dev_metric"]["mean"] == pytest.approx(0.85)


def test_learning_curve_names_the_metric_while_the_first_run_waits(db_path):
    with Store(db_path) as store:
        tag, run_ids = run_groups.create_learning_curve(store, config(), (0.5, 1.0))
        store.end_run(run_ids[1], "finished", {
            "metric_name": "rmse", "train_metric": 1.0, "dev_metric": 2.0,
            "sizes": {"train": 100, "dev": 50, "test": 50}})
        curve = run_groups.learning_curve(store, tag)
    assert curve["metric_name"] == "rmse" and len(curve["points"]) == 1
