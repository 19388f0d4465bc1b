"""``dlstudio diagnose`` on numbers, on a stored run and on a cross-validation group."""

from __future__ import annotations

import json

import pytest

from dlstudio.cli import main
from dlstudio.store import Store


def _diagnose(capsys, *argv):
    code = main(["diagnose", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("train, dev, test, verdict", [
    (85, 83, 82, "bias"), (97, 75, 74, "variance"), (85, 75, 73, "both"),
    (97, 94, 85, "dev_overfitting"),
])
def test_the_four_course_cases(capsys, train, dev, test, verdict):
    code, out, _ = _diagnose(capsys, "--train", train, "--dev", dev, "--test", test,
                             "--hlp", 100, "--json")
    assert code == 0 and json.loads(out)["verdict"] == verdict


def test_a_stored_run_uses_its_metrics_and_set_sizes(db_path, capsys):
    with Store(db_path) as store:
        run_id = store.create_run({"data": {"name": "digits"}}, name="r")
        store.start_run(run_id)
        store.end_run(run_id, "finished", {
            "metric_name": "accuracy", "train_metric": 0.97, "dev_metric": 0.75,
            "test_metric": 0.74, "sizes": {"train": 1000, "dev": 400, "test": 400}})
    code, out, _ = _diagnose(capsys, run_id, "--db", db_path, "--json")
    result = json.loads(out)
    assert code == 0 and result["verdict"] == "variance"
    assert result["variance"]["low"] is not None  # intervals from the stored sizes
    code, out, _ = _diagnose(capsys, run_id, "--db", db_path)
    assert out.startswith("verdict: variance") and "what to try:" in out


@pytest.mark.parametrize("argv, message", [
    (["--train", "85", "--dev", "83", "--hlp", "120"], "human_level"),
    (["--train", "185", "--dev", "83"], "train"),
    (["--dev", "83"], "--train: required"),
])
def test_bad_numbers_exit_2_naming_the_field(capsys, argv, message):
    code, _, err = _diagnose(capsys, *argv)
    assert code == 2 and message in err


def test_an_unfinished_run_is_refused(db_path, capsys):
    with Store(db_path) as store:
        run_id = store.create_run({"data": {"name": "digits"}})
    code, _, err = _diagnose(capsys, run_id, "--db", db_path)
    assert code == 2 and f"run {run_id}" in err and "only finished and stopped runs" in err


def test_missing_test_metric_is_named(db_path, capsys):
    with Store(db_path) as store:
        run_id = store.create_run({"data": {"name": "digits"}})
        store.start_run(run_id)
        store.end_run(run_id, "finished", {"metric_name": "accuracy", "train_metric": 0.9,
                                           "dev_metric": 0.8})
    code, _, err = _diagnose(capsys, run_id, "--db", db_path)
    assert code == 2 and "no test_metric" in err


def test_cross_validation_group_is_diagnosed_on_fold_means(db_path, capsys):
    main(["cv", "--db", str(db_path), "--k", "2", "--json", "--set", "train.epochs=1",
          "--set", "model.hidden=[16]"])
    summary = json.loads(capsys.readouterr().out)
    code, out, _ = _diagnose(capsys, summary["tag"], "--db", db_path, "--json")
    result = json.loads(out)
    mean_train = summary["train_metric"]["mean"]
    assert code == 0 and result["train_error"] == pytest.approx(100 * (1 - mean_train))


def test_a_cross_validation_group_with_unfinished_folds_is_refused(db_path, capsys):
    from dlstudio.config import RunConfig
    from dlstudio.training.run_groups import create_cross_validation

    with Store(db_path) as store:
        tag, ids = create_cross_validation(store, RunConfig.from_dict({}), 3)
    code, _, err = _diagnose(capsys, tag, "--db", db_path)
    assert code == 2 and f"3 of 3 folds have not finished (#{ids[0]} queued" in err
