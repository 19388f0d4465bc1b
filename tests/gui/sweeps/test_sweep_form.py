"""The sweep form: text to W&B-style specs, core problems beside their fields, the plan."""

from __future__ import annotations


import pytest

from dlstudio.config import RunConfig, load_mapping
from dlstudio.examples import examples_folder
from dlstudio.gui.sweeps.param_row import parse_values, row_fields, row_spec
from dlstudio.gui.sweeps.problems import route_problems
from dlstudio.gui.sweeps.sweep_form import SweepForm
from dlstudio.gui.sweeps.sweep_prompts import write_sweep_file
from dlstudio.search import load_sweep_file, strategy_from_sweep
from dlstudio.training.sweeps.setup import read_sweep

SWEEPS = examples_folder("sweeps")
BASE = RunConfig.from_dict({"model": {"hidden": [16]}, "train": {"device": "cpu"}})
HALVING = {"method": "successive_halving", "metric": {"name": "dev_error"},
           "successive_halving": {"n_configs": 4, "min_epochs": 1, "max_epochs": 4, "eta": 2},
           "parameters": {"optim.lr": {"distribution": "log_uniform_values",
                                       "min": 1e-3, "max": 3e-2}},
           "base": {"model": {"hidden": [16]}, "train": {"device": "cpu"}}}


def form_and_plan(qtbot):
    """A sweep form whose plan is shown in a plan view, as the Sweeps tab wires them."""
    from dlstudio.gui.sweeps.sweep_plan_view import SweepPlanView

    form, view = SweepForm(debounce_ms=0), SweepPlanView()
    qtbot.addWidget(form)
    qtbot.addWidget(view)
    form.plan_changed.connect(view.show_plan)
    return form, view


@pytest.fixture
def form(qtbot):
    widget = SweepForm(debounce_ms=0)
    qtbot.addWidget(widget)
    widget.set_base_config(BASE)
    widget.load_mapping(HALVING)
    return widget


@pytest.mark.parametrize("text, expected", [
    ("adam, sgd", ["adam", "sgd"]),
    ("[64], [128, 64]", [[64], [128, 64]]),
    ("1e-5, 0.1, 3", [1e-5, 0.1, 3]),
    ("true, false", [True, False]),
    ("", []),
])
def test_values_are_read_as_typed(text, expected):
    assert parse_values(text) == (expected, "")


def test_unreadable_values_say_how_to_write_them():
    values, problem = parse_values("[64, 32")
    assert values is None and "separate them with commas" in problem


@pytest.mark.parametrize("spec", [
    {"values": ["adam", "sgd"]},
    {"value": [64, 32]},
    {"distribution": "log_uniform_values", "min": 1e-5, "max": 0.1},
    {"distribution": "q_uniform", "min": 0.0, "max": 0.5, "q": 0.1},
    {"distribution": "int_log_uniform_values", "min": 16, "max": 256, "q": 16},
    {"distribution": "uniform", "min": 0.5, "max": 0.99,
     "condition": {"optim.name": ["momentum"]}},
])
def test_a_row_reads_back_the_spec_it_shows(spec):
    assert row_spec(row_fields("x", spec)) == (spec, "")


def test_problems_are_routed_to_their_fields():
    routed = route_problems([
        "<sweep>: optim.lr: min (0.1) must be below max (0.01)",
        "<sweep>: successive_halving.eta: got 1, expected a whole number >= 2",
        "<sweep>: metric.name: 'test_loss' is a test-set metric",
        "<sweep>: base: train.epochs: got 0, expected a number >= 1",
        "<sweep>: budget.trials: got 0, expected a whole number >= 1",
        "<sweep>: something else"], ["optim.lr"], "successive_halving")
    assert set(routed) == {"param:optim.lr", "setting:eta", "metric", "epochs",
                           "budget.trials", "general"}


def test_the_plan_shows_the_exact_halving_table_and_total(form, qtbot):
    assert form.problems == []
    from dlstudio.gui.sweeps.sweep_plan_view import SweepPlanView

    view = SweepPlanView()
    qtbot.addWidget(view)
    form.plan_changed.connect(view.show_plan)
    form.validate_now()
    view_cells = view.table_cells()
    assert view_cells == [["4 × 1", "2 × 2", "1 × 4", "8"]]
    assert "8 epochs" in view.total.text() and "7 trials" in view.total.text()
    assert "No time estimate yet" in view.estimate.text()


def test_hyperband_plan_lists_every_bracket(qtbot):
    form, view = form_and_plan(qtbot)
    form.load_mapping({**HALVING, "method": "hyperband", "successive_halving": None,
                       "hyperband": {"max_epochs": 4, "eta": 2}})
    plan = strategy_from_sweep(read_sweep(form.mapping())[0]).plan()
    assert plan.brackets == [[(4, 1), (2, 2), (1, 4)], [(2, 2), (1, 4)], [(3, 4)]]
    assert view.table_cells() == [["4 × 1", "2 × 2", "1 × 4", "8"],
                                  ["2 × 2", "1 × 4", "6"],
                                  ["3 × 4", "12"]]
    assert f"{plan.total_epochs} epochs" in view.total.text() and plan.total_epochs == 26


@pytest.mark.parametrize("spec, message", [
    ({"distribution": "uniform", "min": 0.1, "max": 0.01}, "must be below max"),
    ({"distribution": "log_uniform_values", "min": 0.0, "max": 0.1}, "log scale needs min > 0"),
    ({"distribution": "log_uniform_values", "min": -1.0, "max": 0.1}, "log scale needs min > 0"),
])
def test_a_bad_range_is_shown_under_its_row_and_blocks_start(form, spec, message):
    form.params_editor.set_parameters({"optim.lr": spec})
    problems = form.validate_now()
    assert problems and message in problems[0]
    row = form.params_editor.rows[0]
    assert message in row.error.text() and not row.error.isHidden()


def test_empty_values_are_shown_and_fixing_them_clears_the_message(form):
    form.params_editor.set_parameters({"optim.name": {"values": ["adam"]}})
    row = form.params_editor.rows[0]
    row.values.setText("")
    assert "values is empty" in form.validate_now()[0]
    assert "values is empty" in row.error.text()
    row.values.setText("adam, sgd")
    assert form.validate_now() == [] and row.error.isHidden()


def test_a_bad_setting_is_shown_beside_it(form):
    field = form.method_form.settings["successive_halving"]["max_epochs"]
    field.edit.setText("0")
    problems = form.validate_now()
    assert problems and "max_epochs" in field.error.text()


def test_a_row_without_a_key_or_a_repeated_key_is_a_problem(form):
    form.params_editor.add_row()
    assert "choose the setting" in form.validate_now()[0]
    form.params_editor.rows[-1].key.setCurrentText("optim.lr")
    assert "already searched" in form.validate_now()[0]


@pytest.mark.parametrize("path", sorted(SWEEPS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_file_loads_into_the_form_and_back(form, path):
    original, _ = read_sweep(load_mapping(path))
    form.load_mapping(load_mapping(path))
    assert form.validate_now() == []
    again, _ = read_sweep(form.mapping())
    assert again.method == original.method and again.goal == original.goal
    assert again.space.to_dict() == original.space.to_dict()
    assert strategy_from_sweep(again).settings() == strategy_from_sweep(original).settings()


def test_saved_yaml_is_a_sweep_file_the_core_reads(form, tmp_path):
    written = write_sweep_file(tmp_path / "mine", form.mapping())
    assert written.suffix == ".yaml"
    spec = load_sweep_file(written)
    assert spec.method == "successive_halving" and spec.settings["n_configs"] == 4


def test_hyperband_plan_shows_the_course_budget_per_bracket(qtbot):
    """Issue 13: B = (s_max+1)R = 405 for R=81, eta=3, beside the totals."""
    form, view = form_and_plan(qtbot)
    form.load_mapping({**HALVING, "method": "hyperband", "successive_halving": None,
                       "hyperband": {"max_epochs": 81, "eta": 3}})
    assert "405 epochs" in view.total.text() and "R=81" in view.total.text()
    assert "Total" in view.total.text()
    tip = form.method_form.settings["hyperband"]["finish_last_bracket"].input.toolTip()
    assert "course" in tip and "budget" in tip


def test_an_opened_files_executor_section_is_kept(form):
    executor = {"kind": "ray", "address": "127.0.0.1:6379", "gpus_per_trial": 1}
    form.load_mapping({**HALVING, "executor": executor})
    assert form.mapping()["executor"] == executor


RAY_SECTION = {"kind": "ray", "address": "auto", "gpus_per_trial": 1, "cpus_per_trial": 2,
               "checkpoints": "/shared/ckpt"}


def test_a_ray_executor_typed_in_the_form_is_the_sweep_files_and_reads_back(form, qtbot,
                                                                           tmp_path):
    from dlstudio.search.executor_spec import ExecutorSpec

    executor = form.executor_fields
    assert executor.kind.container.isVisibleTo(form)
    assert executor.kinds == ("local", "ray")  # ray is installed here
    assert "executor" not in form.mapping()  # local threads: nothing written
    assert not executor.fields["address"].container.isVisibleTo(form)
    executor.kind.set_value("ray")
    assert executor.fields["address"].container.isVisibleTo(form)
    assert "Ray task" in executor.kind.note.text()  # the one-sentence help
    for name, text in [("address", "auto"), ("gpus_per_trial", "1"),
                       ("cpus_per_trial", "2"), ("checkpoints", "/shared/ckpt")]:
        qtbot.keyClicks(executor.fields[name].edit, text)
    assert form.validate_now() == []
    assert form.mapping()["executor"] == RAY_SECTION
    path = write_sweep_file(tmp_path / "ray.yaml", form.mapping())
    assert load_sweep_file(path).executor == ExecutorSpec("ray", "auto", 1.0, 2.0,
                                                          "/shared/ckpt")
    other = SweepForm(debounce_ms=0)
    qtbot.addWidget(other)
    other.load_mapping(load_mapping(path))
    assert other.executor_fields.kind.value() == "ray"
    assert other.executor_fields.fields["cpus_per_trial"].value() == "2"
    assert other.mapping()["executor"] == RAY_SECTION


@pytest.mark.parametrize("name, text, message", [
    ("cpus_per_trial", "0", "executor.cpus_per_trial: got 0, expected a number > 0"),
    ("gpus_per_trial", "-1", "executor.gpus_per_trial: got -1, expected a number >= 0"),
    ("gpus_per_trial", "one", "executor.gpus_per_trial: got 'one', expected a number >= 0"),
])
def test_a_bad_ray_setting_is_shown_under_its_field_and_blocks_start(form, name, text,
                                                                     message):
    executor = form.executor_fields
    executor.kind.set_value("ray")
    executor.fields[name].edit.setText(text)
    problems = form.validate_now()
    assert problems and executor.fields[name].error.text() == message
    assert not form.general_error.isVisibleTo(form)
    executor.fields[name].edit.setText("")  # the default
    assert form.validate_now() == [] and executor.fields[name].error.isHidden()


def test_ray_settings_under_local_threads_are_kept_and_said_to_need_ray(form):
    form.load_mapping({**HALVING, "executor": {"address": "auto"}})
    executor = form.executor_fields
    assert executor.kind.value() == "local"
    assert executor.fields["address"].value() == "auto"  # shown, not dropped
    assert executor.kind.error.text().startswith("executor: address, gpus_per_trial and "
                                                 "cpus_per_trial are Ray settings")
    executor.kind.set_value("ray")
    assert form.validate_now() == []
    assert form.mapping()["executor"] == {"kind": "ray", "address": "auto"}


NO_RAY_FORM = """
import json, sys
sys.modules["ray"] = None  # as if the dlstudio[ray] extra were not installed
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
from dlstudio.gui.sweeps.sweep_form import SweepForm
form = SweepForm(debounce_ms=0)
form.show()
shown = [label.text() for label in form.findChildren(QLabel) if label.isVisible()]
form.load_mapping({"method": "random", "parameters": {"optim.lr": {"values": [0.1]}},
                   "executor": {"kind": "ray", "gpus_per_trial": 1}})
print(json.dumps({"kinds": form.executor_fields.kinds, "shown": shown,
                  "executor": form.mapping().get("executor")}))
"""


def test_without_ray_the_form_has_no_executor_choice_and_keeps_a_files_section():
    import json
    import os
    import subprocess
    import sys

    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    done = subprocess.run([sys.executable, "-c", NO_RAY_FORM], capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": repo, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["kinds"] == ["local"]
    assert "Name" in result["shown"] and "Workers" in result["shown"]  # the form is there
    assert not {"Executor", "Ray address", "GPUs per trial"} & set(result["shown"])
    # A file that asks for Ray keeps its section: starting it says how to install Ray.
    assert result["executor"] == {"kind": "ray", "gpus_per_trial": 1}


def test_the_executor_choice_is_shown_where_ray_is_installed(form):
    from PySide6.QtWidgets import QLabel

    shown = [label.text() for label in form.findChildren(QLabel) if label.isVisibleTo(form)]
    assert "Executor" in shown and "Ray address" not in shown  # local threads chosen


def test_the_workers_default_to_one_per_gpu_on_a_machine_with_several(qtbot, monkeypatch):
    # This machine has no GPU: the sweep jobs' device listing (the seam worker_overrides
    # spreads workers through) says there are four.
    from dlstudio.training.sweeps import jobs as sweep_jobs

    monkeypatch.setattr(sweep_jobs, "available_devices", lambda: [
        *[(f"cuda:{i}", f"gpu {i}") for i in range(4)], ("cpu", "cpu")])
    form = SweepForm(debounce_ms=0)
    qtbot.addWidget(form)
    form.show()
    note = form.method_form.workers_note
    form.set_base_config(RunConfig.from_dict({"train": {"device": "auto"}}))
    assert form.workers() == 4 and note.isVisible() and note.text() == "one per GPU"
    form.set_base_config(BASE)  # device cpu: one worker
    assert form.workers() == 1 and not note.isVisible()
    form.set_base_config(RunConfig.from_dict({"train": {"device": "cuda"}}))
    assert form.workers() == 4
    form.method_form.workers.setValue(2)  # the user's number stays
    assert note.text() == "over 4 GPUs"
    form.set_base_config(RunConfig.from_dict({"train": {"device": "auto"}}))
    assert form.workers() == 2
