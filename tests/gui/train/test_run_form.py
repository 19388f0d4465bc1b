"""The new-run form: fields shown per choice, validation next to the field, previews."""

from __future__ import annotations

import pytest

from tests.gui.helpers import FAST, fill_form

from dlstudio.config import RunConfig
from dlstudio.training.optimizers import OPTIMIZER_PARAMS
from dlstudio.training.schedules import SCHEDULE_PARAMS

DEVICES = [("cpu", "cpu (2 cores)")]


@pytest.fixture
def form(qtbot):
    from dlstudio.gui.train.run_form import RunForm

    widget = RunForm(DEVICES, chooser=lambda parent, title, filt: "/data/picked.csv")
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.shutdown()


def shown(form, prefix: str) -> set[str]:
    return {key.split(".", 1)[1] for key in form.visible_keys() if key.startswith(prefix)}


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZER_PARAMS))
def test_only_the_optimizers_own_settings_are_shown(form, optimizer):
    fill_form(form, {"optim.name": optimizer})
    assert shown(form, "optim.") == {"name", *OPTIMIZER_PARAMS[optimizer]}
    for key, field in form.fields.items():
        if key.startswith("optim."):
            assert field.container.isVisibleTo(form) == (key in form.visible_keys())


@pytest.mark.parametrize("schedule", sorted(SCHEDULE_PARAMS))
def test_only_the_schedules_own_settings_are_shown(form, schedule):
    fill_form(form, {"schedule.name": schedule})
    assert shown(form, "schedule.") == {"name", "warmup_steps", *SCHEDULE_PARAMS[schedule]}


def test_defaults_are_valid_and_give_the_default_config(form):
    assert form.problems == []
    assert form.run_button.isEnabled() and form.queue_button.isEnabled()
    assert form.config() == RunConfig()


def test_errors_sit_under_their_fields_and_clear_when_fixed(form):
    fill_form(form, {"optim.lr": "-1", "train.epochs": "2.5", "model.hidden": "64, 0"})
    assert "expected a number > 0" in form.fields["optim.lr"].error.text()
    assert "whole number" in form.fields["train.epochs"].error.text()
    assert "model.hidden" not in form.fields["model.hidden"].error.text()  # key stripped
    assert form.fields["model.hidden"].error.text()
    assert not form.run_button.isEnabled()
    assert "Fix the fields" in form.hint.text()
    fill_form(form, {"optim.lr": "0.01", "train.epochs": "3", "model.hidden": "64, 32"})
    assert form.problems == [] and form.run_button.isEnabled()
    assert not form.fields["optim.lr"].error.isVisible()
    assert form.config().model.hidden == [64, 32]


def test_typing_validates_after_a_pause(qtbot, form):
    with qtbot.waitSignal(form.validated, timeout=2_000, check_params_cb=bool) as blocker:
        form.fields["optim.lr"].edit.setText("zero")
    assert "optim.lr" in blocker.args[0][0] and not form.run_button.isEnabled()


def test_hidden_fields_keep_the_loaded_values(form):
    fill_form(form, {"optim.name": "momentum", "optim.momentum": "0.5"})
    fill_form(form, {"optim.name": "adam"})
    assert form.config().optim.momentum == 0.5  # hidden, unchanged
    form.fields["optim.momentum"].edit.setText("nonsense")  # hidden: not validated
    assert form.validate_now() == []


def test_set_config_takes_a_run_config_or_a_partial_dict(form):
    form.set_config(RunConfig.from_dict({"optim.name": "sgd", "optim.lr": 0.05, "name": "mine"}))
    assert form.config().optim.lr == 0.05 and form.name_field.value() == "mine"
    form.set_config({"optim": {"lr": 0.003}})  # nested, partial: the rest stays
    config = form.config()
    assert config.optim.lr == 0.003 and config.optim.name == "sgd"
    form.set_config({"optim.unknown_setting": 1})  # from another version: ignored
    assert form.problems == []


def test_run_and_queue_emit_the_validated_config(qtbot, form):
    fill_form(form, FAST)
    with qtbot.waitSignal(form.run_requested) as blocker:
        form.run_button.click()
    assert blocker.args[0] == RunConfig.from_dict(FAST)
    with qtbot.waitSignal(form.queue_requested):
        form.queue_button.click()


def test_blocked_disables_run_but_not_queue(form):
    form.set_blocked("Run #1 is training on cpu")
    assert not form.run_button.isEnabled() and form.queue_button.isEnabled()
    assert "Run #1" in form.hint.text()
    form.set_blocked("")
    assert form.run_button.isEnabled()


def test_csv_shows_file_chooser_and_target_column(qtbot, form, tmp_path):
    fill_form(form, {"data.name": "csv"})
    assert {"path", "target", "task"} <= shown(form, "data.")
    assert "data.path" in form.problems[0]  # required
    form.fields["data.path"].browse.click()  # the injected chooser
    assert form.fields["data.path"].value() == "/data/picked.csv"
    fill_form(form, {"data.name": "npz"})
    assert "target" not in shown(form, "data.")
    fill_form(form, {"data.name": "moons"})
    assert {"n_samples", "noise"} <= shown(form, "data.") and "path" not in shown(form, "data.")


def test_csv_preview_and_column_problem(qtbot, form, tmp_path):
    csv = tmp_path / "table.csv"
    csv.write_text("a,b,label\n" + "".join(f"{i},{i % 3},{'xy'[i % 2]}\n" for i in range(60)))
    with qtbot.waitSignal(form.preview_updated, timeout=10_000,
                          check_params_cb=lambda r: "dataset" in r):
        fill_form(form, {"data.name": "csv", "data.path": str(csv), "data.target": "label"})
    assert "60" in form.dataset_preview.label.text()
    assert form.dataset_preview.info["n_classes"] == 2
    with qtbot.waitSignal(form.preview_updated, timeout=10_000,
                          check_params_cb=lambda r: "problems" in r):
        fill_form(form, {"data.target": "no_such_column"})
    assert form.fields["data.target"].error.text() or form.general_errors.text()
    assert not form.run_button.isEnabled()


def test_dataset_preview_shows_sizes_classes_and_split(qtbot, form):
    with qtbot.waitSignal(form.preview_updated, timeout=10_000,
                          check_params_cb=lambda r: "dataset" in r) as blocker:
        fill_form(form, {"data.name": "iris", "train.epochs": "3", "train.batch_size": "10"})
    result = blocker.args[0]
    text = form.dataset_preview.label.text()
    assert "150" in text and "4 features" in text and "3 classes" in text
    sizes = result["dataset"]["splits"]
    assert f"train {sizes['train']:,}" in text
    expected_steps = -(-sizes["train"] // 10) * 3
    assert result["total_steps"] == expected_steps == len(form.schedule_preview.lr_values)


def test_full_batch_optimizer_hides_batch_size_and_previews_one_step_per_epoch(qtbot, form):
    with qtbot.waitSignal(form.preview_updated, timeout=10_000,
                          check_params_cb=lambda r: "schedule" in r) as blocker:
        fill_form(form, {"optim.name": "gd", "train.epochs": "7", "optim.lr": "0.1"})
    assert "train.batch_size" not in form.visible_keys()
    assert blocker.args[0]["steps_per_epoch"] == 1
    assert len(form.schedule_preview.lr_values) == 7


def test_long_runs_are_not_previewed(qtbot, form):
    with qtbot.waitSignal(form.preview_updated, timeout=10_000,
                          check_params_cb=lambda r: "dataset" in r):
        fill_form(form, {"train.epochs": "5000", "train.batch_size": "1"})
    assert len(form.schedule_preview.lr_values) == 0
    assert "No preview" in form.schedule_preview.caption.text()


def test_a_hundred_thousand_step_run_is_previewed_step_by_step(qtbot, form):
    with qtbot.waitSignal(form.preview_updated, timeout=30_000,
                          check_params_cb=lambda r: "schedule" in r) as blocker:
        fill_form(form, {"train.epochs": "80", "train.batch_size": "1",
                         "schedule.name": "cosine", "optim.lr": "0.1"})
    total = blocker.args[0]["total_steps"]
    assert total > 80_000 and len(form.schedule_preview.lr_values) == total
    assert form.schedule_preview.lr_values[0] == 0.1
    assert form.schedule_preview.lr_values[-1] < 1e-4  # annealed to eta_min = 0


def test_the_name_placeholder_says_what_an_empty_name_becomes(form):
    from dlstudio.store import Store

    for key, choice in (("data.name", "iris"), ("optim.name", "sgd")):
        combo = form.fields[key].combo
        combo.setCurrentIndex(combo.findData(choice))
    assert form.name_field.edit.placeholderText() == "automatic: iris-mlp-sgd #(run number)"
    with Store(":memory:") as store:
        run_id = store.create_run(form.config().to_dict())
        assert store.get_run(run_id)["name"] == f"iris-mlp-sgd #{run_id}"


def test_a_loaded_run_name_gives_way_once_a_setting_changes(qtbot):
    """A digits run was saved as "moons onecycle": the name of the run loaded before."""
    from dlstudio.config import RunConfig
    from dlstudio.gui.train.run_form import RunForm

    form = RunForm(devices=[("cpu", "CPU")], debounce_ms=10)
    qtbot.addWidget(form)
    form.set_config(RunConfig.from_dict({"name": "moons onecycle", "data.name": "moons"}))
    assert form.name_field.value() == "moons onecycle"
    data = form.fields["data.name"].combo
    data.setCurrentIndex(data.findData("digits"))
    qtbot.waitUntil(lambda: form.values()["name"] == "")
    form.name_field.edit.setText("my own")  # a name the user typed stays
    form.fields["train.epochs"].edit.setText("7")
    qtbot.waitUntil(lambda: form.values()["train.epochs"] == "7")
    assert form.values()["name"] == "my own"
    form.shutdown()


def test_choosing_adadelta_sets_its_learning_rate_and_says_so(qtbot):
    from dlstudio.config import default_lr
    from dlstudio.gui.train.run_form import RunForm

    form = RunForm(devices=[("cpu", "CPU")], debounce_ms=10)
    qtbot.addWidget(form)
    form.show()
    optimizer = form.fields["optim.name"].combo
    lr = form.fields["optim.lr"]
    optimizer.setCurrentIndex(optimizer.findData("adadelta"))
    assert float(lr.value()) == default_lr("adadelta") == 1.0
    qtbot.waitUntil(lambda: lr.note.isVisible())
    assert "AdaDelta" in lr.note.text() and "1" in lr.note.text()
    optimizer.setCurrentIndex(optimizer.findData("adam"))
    assert float(lr.value()) == default_lr("adam") and not lr.note.isVisible()
    form.shutdown()


def test_one_cycle_says_it_overrides_the_momentum(qtbot):
    from dlstudio.gui.train.run_form import RunForm

    form = RunForm(devices=[("cpu", "CPU")], debounce_ms=10)
    qtbot.addWidget(form)
    form.show()
    form.set_config({"optim.name": "adam", "schedule.name": "onecycle"})
    beta1 = form.fields["optim.beta1"]
    qtbot.waitUntil(lambda: beta1.note.isVisible())
    assert "0.95" in beta1.note.text() and "0.85" in beta1.note.text()
    schedule = form.fields["schedule.name"].combo
    schedule.setCurrentIndex(schedule.findData("constant"))
    qtbot.waitUntil(lambda: not beta1.note.isVisible())
    form.set_config({"optim.name": "momentum", "optim.momentum": "0.9", "schedule.name": "onecycle"})
    qtbot.waitUntil(lambda: form.fields["optim.momentum"].note.isVisible())
    form.shutdown()
