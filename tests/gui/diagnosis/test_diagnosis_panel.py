"""The diagnosis panel: the course's four cases typed in, stored runs, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from dlstudio.config import RunConfig
from dlstudio.diagnosis import samples_to_detect_difference
from dlstudio.gui.diagnosis.diagnosis_panel import DiagnosisPanel
from dlstudio.store import Store

SIZES = {"train": 1006, "dev": 432, "test": 359}
COURSE_CASES = [  # train, dev, test accuracy (%), human level 100 -> verdict
    ((85, 83, 82), "bias", "High bias"),
    ((97, 75, 74), "variance", "High variance"),
    ((85, 75, 73), "both", "High bias and high variance"),
    ((97, 94, 85), "dev_overfitting", "Dev-set overfitting"),
]


def add_run(db_path, status="finished", dataset="digits", epochs=5, **summary) -> int:
    """A run row as training leaves it: config, per-epoch curves, summary."""
    base = {"metric_name": "accuracy", "train_metric": 0.995, "dev_metric": 0.94,
            "test_metric": 0.93, "sizes": SIZES, "best_epoch": 4, "best_dev_metric": 0.94}
    base.update(summary)
    config = RunConfig.from_dict({"data": {"name": dataset}}).to_dict()
    with Store(db_path) as store:
        run_id = store.create_run(config)
        rows = []
        for epoch in range(1, epochs + 1):
            rows += [(run_id, "train_metric", epoch * 10, epoch, 0.8 + 0.03 * epoch, epoch),
                     (run_id, "dev_metric", epoch * 10, epoch, 0.78 + 0.02 * epoch, epoch),
                     (run_id, "train_loss", epoch * 10, epoch, 1.0 / epoch, epoch),
                     (run_id, "dev_loss", epoch * 10, epoch, 1.2 / epoch, epoch)]
        store.write_metrics(rows)
        if status == "running":
            store.start_run(run_id)
        elif status != "queued":
            store.end_run(run_id, status, {k: v for k, v in base.items() if v is not None})
    return run_id


@pytest.fixture
def make_panel(qtbot, db_path, app_context):
    def make() -> DiagnosisPanel:
        panel = DiagnosisPanel(app_context)
        qtbot.addWidget(panel)
        return panel
    return make


def type_in(panel, train, dev, test=None, human=None):
    fields = panel.inputs.fields
    for name, value in (("train", train), ("dev", dev), ("test", test), ("human_level", human)):
        fields[name].setText("" if value is None else str(value))


def test_empty_state_explains_what_to_do(make_panel):
    panel = make_panel()
    assert panel.diagnosis is None
    assert "Pick a finished run" in panel.result.verdict.text()
    assert not any(label.isVisible() for label in panel.inputs.errors.values())
    assert panel.inputs.run_combo.count() == 1  # only "typed in": no runs yet
    assert panel.curves.stack.currentWidget() is panel.curves.empty
    assert not panel.evidence_box.isHidden()  # the learning curve's place, explained
    assert panel.learning.stack.currentWidget() is panel.learning.empty
    assert "Would more data help?" in panel.learning.empty.text()


@pytest.mark.parametrize(("accuracies", "verdict", "headline"), COURSE_CASES)
def test_the_course_cases_typed_in(make_panel, accuracies, verdict, headline):
    panel = make_panel()
    emitted = []
    panel.diagnosed.connect(emitted.append)  # a GUI-thread signal: a plain callable is fine
    type_in(panel, *accuracies)
    assert emitted[-1]["verdict"] == verdict
    assert panel.diagnosis.verdict == verdict
    assert headline in panel.result.verdict.text()
    train, dev, test = accuracies
    assert panel.result.chart.values == pytest.approx([100 - train, train - dev, dev - test])
    assert "<li>" in panel.result.remedies.text()
    assert panel.result.explanation.text() == panel.diagnosis.explanation


def test_error_metric_and_sizes_give_intervals(make_panel):
    panel = make_panel()
    panel.inputs.metric_combo.setCurrentIndex(panel.inputs.metric_combo.findData("error"))
    assert panel.inputs.names["train"].text() == "Train error"
    type_in(panel, 15, 17)
    for name, size in (("train_size", 1000), ("dev_size", 500)):
        panel.inputs.fields[name].setText(str(size))
    assert panel.diagnosis.verdict == "bias"
    assert panel.diagnosis.variance.low is not None
    x, y = panel.result.chart.error_bars.opts["x"], panel.result.chart.error_bars.opts["top"]
    assert len(x) == 3 and y[0] > 0
    assert "± " in panel.dev_size.current_answer.text().replace("&plusmn;", "± ")


def test_stored_finished_run_fills_the_fields_and_gives_a_verdict(qtbot, make_panel, db_path):
    run_id = add_run(db_path)
    panel = make_panel()
    assert panel.inputs.run_combo.findData(run_id) > 0
    with qtbot.waitSignal(panel.diagnosed) as blocker:
        panel.set_run(run_id)
    fields = panel.inputs.fields
    assert fields["train"].value() == pytest.approx(99.5)
    assert fields["dev"].value() == pytest.approx(94.0)
    assert fields["test"].value() == pytest.approx(93.0)
    assert fields["human_level"].value() == 100.0  # digits
    assert [fields[n].value() for n in ("train_size", "dev_size", "test_size")] == [1006, 432, 359]
    assert fields["train"].isReadOnly() and not fields["human_level"].isReadOnly()
    assert blocker.args[0]["verdict"] == "variance"
    assert panel.inputs.run_id() == run_id
    x, y = panel.curves.curve_data("dev_metric")
    assert list(x) == [1, 2, 3, 4, 5] and y == pytest.approx(100 * (0.78 + 0.02 * np.arange(1, 6)))
    assert panel.curves.best_lines[0].value() == 4
    legend = [label.text for _, label in panel.curves.metric_plot.legend.items]
    assert legend == ["train", "dev", "best dev epoch"]  # the dotted line, named once
    assert "432 samples" in panel.dev_size.current_answer.text()


def test_picking_the_run_in_the_list_and_back_to_typed_in(make_panel, db_path):
    run_id = add_run(db_path)
    panel = make_panel()
    panel.inputs.run_combo.setCurrentIndex(panel.inputs.run_combo.findData(run_id))
    assert panel.diagnosis.verdict == "variance"
    panel.inputs.run_combo.setCurrentIndex(0)
    assert not panel.inputs.fields["train"].isReadOnly()
    assert panel.curves.stack.currentWidget() is panel.curves.empty


def test_human_level_default_follows_the_dataset(make_panel, db_path):
    run_id = add_run(db_path, dataset="breast_cancer")
    panel = make_panel()
    panel.set_run(run_id)
    assert panel.inputs.fields["human_level"].value() == 97.0


def test_regression_run_is_diagnosed_in_rmse(make_panel, db_path):
    run_id = add_run(db_path, dataset="diabetes", metric_name="rmse", train_metric=40.0,
                     dev_metric=58.0, test_metric=59.0)
    panel = make_panel()
    panel.set_run(run_id)
    assert panel.inputs.metric_kind() == "regression"
    assert panel.inputs.names["train"].text() == "Train RMSE"
    assert panel.inputs.fields["human_level"].text() == ""  # no default for regression
    assert panel.diagnosis.verdict == "bias"  # 40 RMSE above a perfect 0
    panel.inputs.fields["human_level"].setText("38")
    assert panel.diagnosis.verdict == "variance"
    assert panel.curves.metric_plot.getAxis("left").labelText == "RMSE"


def test_unfinished_run_shows_a_clear_error(make_panel, db_path):
    run_id = add_run(db_path, status="running")
    panel = make_panel()
    panel.set_run(run_id)
    assert panel.diagnosis is None
    assert panel.inputs.run_error.isVisibleTo(panel)
    assert f"run {run_id}" in panel.inputs.run_error.text()
    assert "only finished and stopped runs" in panel.inputs.run_error.text()
    assert "Cannot diagnose yet" in panel.result.verdict.text()
    assert panel.inputs.fields["train"].text() == ""


def test_missing_test_metric_shows_a_clear_error(make_panel, db_path):
    run_id = add_run(db_path, test_metric=None)
    panel = make_panel()
    panel.set_run(run_id)
    assert panel.diagnosis is None
    assert "no test_metric" in panel.inputs.run_error.text()


def test_refreshing_the_list_keeps_a_refused_run_chosen(make_panel, db_path):
    run_id = add_run(db_path, status="running")
    panel = make_panel()
    panel.set_run(run_id)
    later = add_run(db_path)
    panel.refresh_runs()
    assert panel.inputs.run_id() == run_id
    assert panel.inputs.run_combo.findData(later) > 0


def test_missing_run_is_reported(make_panel):
    panel = make_panel()
    panel.set_run(99)
    assert "run 99: not found" in panel.inputs.run_error.text()


def test_human_level_outside_0_to_100_is_shown_next_to_the_field(make_panel):
    panel = make_panel()
    type_in(panel, 85, 83, 82, human=120)
    assert panel.diagnosis is None
    error = panel.inputs.errors["human_level"]
    assert error.isVisibleTo(panel) and "0..100" in error.text()
    assert "Cannot diagnose yet" in panel.result.verdict.text()
    panel.inputs.fields["human_level"].setText("95")
    assert not error.isVisibleTo(panel)
    assert panel.diagnosis.verdict == "bias"  # 15 - 5 = 10 points of avoidable bias


def test_text_that_is_not_a_number_is_shown(make_panel):
    panel = make_panel()
    type_in(panel, "eighty", 83)
    assert "not a number" in panel.inputs.errors["train"].text()
    assert panel.diagnosis is None
    panel.inputs.fields["dev_size"].setText("43.5")
    type_in(panel, 85, 83)
    assert "whole number" in panel.inputs.errors["dev_size"].text()


def test_dev_set_size_helper(make_panel):
    panel = make_panel()
    helper = panel.dev_size
    assert "200 samples" in helper.events_answer.text()  # 10 events at 10 %
    helper.rate.setText("5")
    assert "400 samples" in helper.events_answer.text()
    expected = samples_to_detect_difference(0.05, 0.04, confidence=0.95, power=0.8)
    assert f"{expected:,} samples" in helper.difference_answer.text()
    helper.power.setText("90")
    more = samples_to_detect_difference(0.05, 0.04, confidence=0.95, power=0.9)
    assert f"{more:,} samples" in helper.difference_answer.text() and more > expected
    helper.rate.setText("0")
    assert "rate" in helper.events_answer.text() and "0.1 = 10 %" in helper.events_answer.text()


def test_evidence_spot_appears_only_with_content(make_panel):
    from PySide6.QtWidgets import QLabel

    panel = make_panel()
    panel.add_evidence_widget(QLabel("learning curve"))
    assert not panel.evidence_box.isHidden()


def test_a_stopped_run_is_offered_and_diagnosed(make_panel, db_path, qtbot):
    """Issue 13: stopped runs were missing from the run list."""
    run_id = add_run(db_path, status="stopped", train_metric=0.97, dev_metric=0.75,
                     test_metric=0.74)
    panel = make_panel()
    panel.refresh_runs()
    combo = panel.inputs.run_combo
    index = combo.findData(run_id)
    assert index >= 0 and "(stopped)" in combo.itemText(index)
    combo.setCurrentIndex(index)
    qtbot.waitUntil(lambda: panel.diagnosis is not None and panel.inputs.run_id() == run_id)
    assert panel.diagnosis.verdict == "variance"
