"""The diagnosis panel on a cross-validation fold (the folds' mean, said so) and its
default: the newest finished run."""

from __future__ import annotations

import pytest

from tests.gui.diagnosis.test_diagnosis_panel import add_run, make_panel  # noqa: F401  (fixture)
from dlstudio.config import RunConfig
from dlstudio.gui.diagnosis.diagnosis_inputs_form import TYPED_IN
from dlstudio.store import Store
from dlstudio.training.run_groups import create_cross_validation, cross_validation_summary

TINY = RunConfig.from_dict({"data": {"name": "digits"}, "model": {"hidden": [16]},
                            "train": {"epochs": 1, "device": "cpu"}})
FOLD_NUMBERS = [(0.99, 0.90, 0.88), (0.97, 0.80, 0.86), (0.98, 0.85, 0.87)]


def cv_group(db_path, finished: int) -> tuple[str, list[int]]:
    """A 3-fold group whose first ``finished`` folds ended with ``FOLD_NUMBERS``."""
    with Store(db_path) as store:
        tag, run_ids = create_cross_validation(store, TINY, 3)
        for run_id, (train, dev, test) in list(zip(run_ids, FOLD_NUMBERS))[:finished]:
            store.end_run(run_id, "finished", {
                "metric_name": "accuracy", "train_metric": train, "dev_metric": dev,
                "test_metric": test, "sizes": {"train": 1000, "dev": 400, "test": 359}})
    return tag, run_ids


def test_a_fold_is_diagnosed_on_the_mean_of_the_folds(make_panel, db_path):
    tag, run_ids = cv_group(db_path, finished=3)
    panel = make_panel()
    panel.set_run(run_ids[0])
    with Store(db_path) as store:
        summary = cross_validation_summary(store, tag)
    fields = panel.inputs.fields
    for split in ("train", "dev", "test"):
        assert fields[split].value() == pytest.approx(100 * summary[f"{split}_metric"]["mean"])
    assert panel.inputs.group_mean.isVisibleTo(panel)
    assert panel.inputs.group_mean.text() == f"Mean of 3 folds ({tag})"
    assert "means over 3 folds" in panel.inputs.group_note.text()
    assert panel.diagnosis.dev_error == pytest.approx(100 - 85.0)


def test_unticking_the_mean_diagnoses_the_fold_alone(make_panel, db_path):
    _, run_ids = cv_group(db_path, finished=3)
    panel = make_panel()
    panel.set_run(run_ids[1])
    panel.inputs.group_mean.setChecked(False)
    assert panel.inputs.fields["dev"].value() == pytest.approx(80.0)
    assert "This fold alone" in panel.inputs.group_note.text()
    panel.inputs.group_mean.setChecked(True)
    assert panel.inputs.fields["dev"].value() == pytest.approx(85.0)


def test_a_partly_trained_group_says_how_many_folds_it_averages(make_panel, db_path):
    tag, run_ids = cv_group(db_path, finished=2)
    panel = make_panel()
    panel.set_run(run_ids[0])
    assert panel.inputs.group_mean.text() == f"Mean of 2 of 3 folds ({tag})"
    assert "1 not finished yet" in panel.inputs.group_note.text()
    assert panel.inputs.fields["dev"].value() == pytest.approx(85.0)


def test_a_bad_fold_is_named_and_the_fold_alone_is_diagnosed(make_panel, db_path):
    _, run_ids = cv_group(db_path, finished=2)
    with Store(db_path) as store:
        store.end_run(run_ids[2], "finished", {"metric_name": "accuracy", "train_metric": 0.9,
                                               "dev_metric": 0.9})  # no test metric
    panel = make_panel()
    panel.set_run(run_ids[0])
    assert f"run {run_ids[2]}" in panel.inputs.group_note.text()
    assert "no test_metric" in panel.inputs.group_note.text()
    assert panel.inputs.fields["dev"].value() == pytest.approx(90.0)
    assert panel.diagnosis is not None


def test_a_single_run_shows_no_group(make_panel, db_path):
    add_run(db_path)
    panel = make_panel()
    assert panel.inputs.run_id() is not TYPED_IN
    assert not panel.inputs.group_mean.isVisibleTo(panel)


def test_the_panel_opens_on_the_newest_finished_run(make_panel, db_path):
    older, newer = add_run(db_path, status="queued"), add_run(db_path)
    with Store(db_path) as store:  # the older run ends last: it is the newest result
        store.end_run(older, "finished", {**store.get_run(newer)["summary"],
                                          "dev_metric": 0.5})
    add_run(db_path, status="running")
    panel = make_panel()
    assert panel.inputs.run_id() == older
    assert panel.inputs.fields["dev"].value() == pytest.approx(50.0)
    assert panel.diagnosis is not None


def test_without_finished_runs_it_waits_for_the_first(make_panel, db_path):
    panel = make_panel()
    assert panel.inputs.run_id() is TYPED_IN
    run_id = add_run(db_path)
    panel.refresh_runs()  # the window calls this when a run ends
    assert panel.inputs.run_id() == run_id and panel.diagnosis is not None


def test_numbers_the_user_typed_are_not_replaced(make_panel, db_path):
    panel = make_panel()
    panel.inputs.fields["train"].setText("85")
    add_run(db_path)
    panel.refresh_runs()
    assert panel.inputs.run_id() is TYPED_IN
    assert panel.inputs.fields["train"].value() == 85.0


def test_the_mean_follows_folds_that_finish_later(make_panel, db_path):
    tag, run_ids = cv_group(db_path, finished=2)
    panel = make_panel()
    panel.set_run(run_ids[0])
    panel.inputs.fields["human_level"].setText("95")
    with Store(db_path) as store:
        store.end_run(run_ids[2], "finished", {
            "metric_name": "accuracy", "train_metric": 0.98, "dev_metric": 0.70,
            "test_metric": 0.87, "sizes": {"train": 1000, "dev": 400, "test": 359}})
    panel.refresh_runs()  # the window calls this when a run ends
    assert panel.inputs.run_id() == run_ids[0]
    assert panel.inputs.group_mean.text() == f"Mean of 3 folds ({tag})"
    assert panel.inputs.fields["dev"].value() == pytest.approx(80.0)  # (90 + 80 + 70) / 3
    assert panel.inputs.fields["human_level"].value() == 95.0  # the user's, kept
    assert panel.diagnosis.human_error == pytest.approx(5.0)
