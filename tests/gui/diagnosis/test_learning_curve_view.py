"""The diagnosis panel's learning curve: queued through the controller, plotted from the
core's numbers, refused with a clear message, and shown again from the stored groups."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.gui.helpers import read_store
from dlstudio.config import RunConfig
from dlstudio.gui.diagnosis.diagnosis_panel import DiagnosisPanel
from dlstudio.store import Store
from dlstudio.training.run_groups import (LEARNING_CURVE_FRACTIONS, create_learning_curve,
                                          learning_curve)

TINY = {"data": {"name": "digits"}, "model": {"hidden": [16]},
        "train": {"epochs": 1, "batch_size": 128, "device": "cpu", "checkpoints": False}}


class FakeController:
    """Records what the panel queues; trains nothing."""

    def __init__(self):
        self.queued: list[list[int]] = []

    def enqueue_created(self, run_ids):
        self.queued.append(list(run_ids))


def finished_run(db_path, config: dict = TINY, **summary) -> int:
    """A finished run of ``config`` (numbers as training leaves them)."""
    values = {"metric_name": "accuracy", "train_metric": 0.99, "dev_metric": 0.9,
              "test_metric": 0.89, "sizes": {"train": 1006, "dev": 432, "test": 359}}
    values.update(summary)
    with Store(db_path) as store:
        run_id = store.create_run(RunConfig.from_dict(config).to_dict())
        store.end_run(run_id, "finished", values)
    return run_id


def finish_group(db_path, run_ids: list[int], done: int) -> None:
    """Mark the first ``done`` members finished, the smaller train sets fitting better."""
    with Store(db_path) as store:
        for index, run_id in enumerate(run_ids[:done]):
            share = store.get_run(run_id)["config"]["split"]["train_fraction"]
            store.end_run(run_id, "finished", {
                "metric_name": "accuracy", "train_metric": 1.0 - 0.01 * index,
                "dev_metric": 0.7 + 0.05 * index, "test_metric": 0.7,
                "sizes": {"train": round(1006 * share), "dev": 432, "test": 359}})


@pytest.fixture
def panel(qtbot, app_context):
    def make(controller=None) -> DiagnosisPanel:
        """The panel over the test's database, queueing into ``controller`` (a fake that
        trains nothing, unless None: the real one)."""
        context = app_context if controller is None else replace(app_context,
                                                                  controller=controller)
        made = DiagnosisPanel(context)
        qtbot.addWidget(made)
        return made
    return make


def test_typed_in_numbers_have_no_run_to_train(panel, db_path):
    finished_run(db_path)
    made = panel(FakeController())
    assert made.learning.train_button.isEnabled()  # the newest run is chosen
    made.inputs.run_combo.setCurrentIndex(0)  # numbers typed in
    assert not made.learning.train_button.isEnabled()
    assert "Pick a stored run" in made.learning.train_button.toolTip()


def test_train_button_creates_the_group_and_queues_it(panel, db_path):
    source = finished_run(db_path)
    controller = FakeController()
    made = panel(controller)
    made.learning.train_button.click()
    with read_store(db_path) as store:
        created = [run for run in store.list_runs(sort_by="id", descending=False)
                   if run["id"] != source]
    assert controller.queued == [[run["id"] for run in created]]
    assert [run["config"]["split"]["train_fraction"] for run in created] == \
        list(LEARNING_CURVE_FRACTIONS)
    assert {run["status"] for run in created} == {"queued"}
    tag = f"learning-curve-{created[0]['id']}"
    assert made.learning.tag() == tag
    assert made.learning.progress.text().startswith(f"0 of {len(created)} runs done")
    assert f"{len(created)} queued" in made.learning.progress.text()
    assert tag in made.learning.message.text()


def test_plotted_points_are_the_cores_numbers_and_grow_with_refresh(panel, db_path):
    source = finished_run(db_path)
    with Store(db_path) as store:
        tag, run_ids = create_learning_curve(store, RunConfig.from_dict(TINY))
    made = panel()
    made.set_run(source)  # its config is the group's: the group is picked for it
    assert made.learning.tag() == tag
    assert made.learning.progress.text().startswith("0 of 5 runs done")
    finish_group(db_path, run_ids, 3)
    made.refresh_runs()  # the window calls this after every run end
    with read_store(db_path) as store:
        points = learning_curve(store, tag)["points"]
    assert len(points) == 3
    assert made.learning.progress.text() == "3 of 5 runs done · 2 queued"
    x, train = made.learning.plot.curve_data("train_metric")
    _, dev = made.learning.plot.curve_data("dev_metric")
    np.testing.assert_array_equal(x, [p["train_size"] for p in points])
    np.testing.assert_allclose(train, [100 * (1 - p["train_metric"]) for p in points])
    np.testing.assert_allclose(dev, [100 * (1 - p["dev_metric"]) for p in points])
    assert made.learning.plot.plot.getAxis("left").labelText == "Error (%)"
    assert made.learning.plot.target.isVisible()  # human level: 0 % error on digits
    assert made.learning.plot.target.value() == pytest.approx(0.0)


def test_a_stored_group_can_be_shown_again(panel, db_path):
    finished_run(db_path)
    with Store(db_path) as store:
        first, first_ids = create_learning_curve(store, RunConfig.from_dict(TINY), (0.5, 1.0))
        other = RunConfig.from_dict({**TINY, "model": {"hidden": [8]}})
        second, second_ids = create_learning_curve(store, other, (0.5, 1.0))
    finish_group(db_path, first_ids, 2)
    made = panel()
    box = made.learning
    assert [box.group_choice.itemData(i) for i in range(box.group_choice.count())] == \
        [second, first]  # newest first
    assert box.tag() == first  # the chosen run's own config
    box.group_choice.setCurrentIndex(box.group_choice.findData(second))
    x, _ = box.plot.curve_data("dev_metric")
    assert x is None or len(x) == 0  # nothing finished there yet
    assert box.progress.text() == "0 of 2 runs done · 2 queued"
    made.set_run(second_ids[0])  # a member: its own group, though it is queued
    assert box.tag() == second


@pytest.mark.parametrize(("change", "named"), [
    ({"data": {"name": "csv", "path": "/no/such/file.csv"}}, "/no/such/file.csv"),
    ({"model": {"name": "resnet-9000"}}, "model.name"),  # stored by an older version
])
def test_a_config_that_no_longer_works_is_named_and_nothing_is_queued(panel, db_path, change,
                                                                      named):
    config = RunConfig.from_dict(TINY).to_dict()
    for section, values in change.items():
        config[section].update(values)
    with Store(db_path) as store:  # the store keeps whatever config it was given
        source = store.create_run(config)
        store.end_run(source, "finished", {"metric_name": "accuracy", "train_metric": 0.9,
                                           "dev_metric": 0.9, "test_metric": 0.9})
    controller = FakeController()
    made = panel(controller)
    assert made.inputs.run_id() == source
    made.learning.train_button.click()
    message = made.learning.message.text()
    assert f"run {source}" in message and "no longer works" in message
    assert named in message
    assert made.learning.message.isVisibleTo(made)
    assert controller.queued == []
    with read_store(db_path) as store:
        assert [run["id"] for run in store.list_runs()] == [source]


def test_learning_curve_trains_through_the_windows_queue(qtbot, main_window, db_path):
    source = finished_run(db_path)
    diagnosis = main_window.tabs.show_panel("diagnosis")
    assert diagnosis.inputs.run_id() == source
    diagnosis.learning.train_button.click()
    assert len(main_window.controller.queue) + len(main_window.controller.sessions) == 5
    tag = diagnosis.learning.tag()
    qtbot.waitUntil(lambda: diagnosis.learning.progress.text().startswith("5 of 5 runs done"),
                    timeout=120_000)
    tabs = main_window.tabs
    assert tabs.key_of(tabs.currentIndex()) == "diagnosis"  # queued starts leave the user there
    with read_store(db_path) as store:
        points = learning_curve(store, tag)["points"]
        statuses = {run["status"] for run in store.list_runs(tag=tag)}
    assert statuses == {"finished"} and len(points) == 5
    x, dev = diagnosis.learning.plot.curve_data("dev_metric")
    np.testing.assert_array_equal(x, [p["train_size"] for p in points])
    np.testing.assert_allclose(dev, [100 * (1 - p["dev_metric"]) for p in points])
    assert list(x) == sorted(x) and x[0] < x[-1]


def test_a_run_without_a_learning_curve_shows_the_empty_state(panel, db_path):
    with Store(db_path) as store:
        tag, _ = create_learning_curve(store, RunConfig.from_dict(TINY), (0.5, 1.0))
    other = finished_run(db_path, {**TINY, "model": {"hidden": [8]}})
    made = panel()
    assert made.inputs.run_id() == other
    box = made.learning
    assert box.tag() is None and box.stack.currentWidget() is box.empty
    assert box.group_choice.placeholderText() == "Pick a stored learning curve"
    box.group_choice.setCurrentIndex(box.group_choice.findData(tag))  # any stored group
    assert box.stack.currentWidget() is box.plot
