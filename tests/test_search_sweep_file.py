"""Sweep files: W&B-shaped YAML in, a strategy out; every bad file says what and where."""

from __future__ import annotations


import pytest
import yaml

from dlstudio.examples import examples_folder
from dlstudio.errors import ConfigError
from dlstudio.search import (
    Bayesian, CoarseToFine, Grid, Hyperband, RandomSearch, SuccessiveHalving,
    load_sweep_file, parse_sweep, strategy_from_sweep,
)
from tests.test_search_support import run_sequential

SWEEPS = examples_folder("sweeps")
GOOD = {
    "method": "random",
    "metric": {"name": "dev_loss", "goal": "minimize"},
    "parameters": {"optim.lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1.0}},
}


def write(tmp_path, data, name="sweep.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if isinstance(data, dict) else data, encoding="utf-8")
    return path


def problems_of(tmp_path, changes=None, parameters=None, drop=()):
    data = {**GOOD, **(changes or {})}
    if parameters is not None:
        data["parameters"] = parameters
    for key in drop:
        data.pop(key)
    path = write(tmp_path, data)
    with pytest.raises(ConfigError) as info:
        load_sweep_file(path)
    assert all(str(path) in p for p in info.value.problems)  # every message names the file
    return info.value.problems


def has(problems, *fragments):
    return any(all(f in p for f in fragments) for p in problems)


def test_min_not_below_max(tmp_path):
    found = problems_of(tmp_path, parameters={"optim.lr": {"min": 0.1, "max": 0.1}})
    assert has(found, "optim.lr", "must be below max")


def test_log_with_non_positive_bound(tmp_path):
    found = problems_of(tmp_path, parameters={
        "optim.weight_decay": {"distribution": "log_uniform_values", "min": 0.0, "max": 0.1}})
    assert has(found, "optim.weight_decay", "log scale needs min > 0")


def test_empty_values(tmp_path):
    found = problems_of(tmp_path, parameters={"optim.name": {"values": []}})
    assert has(found, "optim.name", "empty")


def test_unknown_distribution(tmp_path):
    found = problems_of(tmp_path, parameters={
        "optim.lr": {"distribution": "log_normal", "min": 0.0, "max": 1.0},
        "model.dropout": {"distribution": "triangle", "min": 0.0, "max": 0.5}})
    assert has(found, "optim.lr", "'log_normal' is not supported")
    assert has(found, "model.dropout", "unknown distribution 'triangle'")


def test_unknown_parameter_key(tmp_path):
    found = problems_of(tmp_path, parameters={"optim.lrate": {"min": 0.1, "max": 1.0}})
    assert has(found, "optim.lrate", "unknown parameter", "did you mean optim.lr")


def test_unknown_setting_of_a_parameter(tmp_path):
    found = problems_of(tmp_path, parameters={"optim.lr": {"min": 0.1, "max": 1.0, "mx": 2}})
    assert has(found, "optim.lr", "unknown setting 'mx'")


def test_value_refused_by_run_config(tmp_path):
    found = problems_of(tmp_path, parameters={"optim.name": {"values": ["adam", "adamax"]}})
    assert has(found, "optim.name", "'adamax'")


def test_condition_on_a_missing_parameter(tmp_path):
    found = problems_of(tmp_path, parameters={
        "optim.momentum": {"min": 0.5, "max": 0.9, "condition": {"optim.name": ["momentum"]}}})
    assert has(found, "optim.momentum", "condition on optim.name")


def test_unknown_method(tmp_path):
    found = problems_of(tmp_path, {"method": "evolution"})
    assert has(found, "method", "unknown 'evolution'")


def test_missing_method(tmp_path):
    assert has(problems_of(tmp_path, drop=("method",)), "method: missing")


def test_bad_goal(tmp_path):
    found = problems_of(tmp_path, {"metric": {"name": "dev_loss", "goal": "lower"}})
    assert has(found, "metric.goal", "'lower'")


def test_test_set_metric_is_refused(tmp_path):
    found = problems_of(tmp_path, {"metric": {"name": "test_accuracy", "goal": "maximize"}})
    assert has(found, "metric.name", "tune on the dev set, never on the test set")


def test_non_dev_metric_is_refused(tmp_path):
    found = problems_of(tmp_path, {"metric": {"name": "train_loss", "goal": "minimize"}})
    assert has(found, "metric.name", "not a dev-set metric")


def test_bad_method_setting_names_the_setting(tmp_path):
    found = problems_of(tmp_path, {"method": "hyperband", "hyperband": {"eta": 1}})
    assert has(found, "hyperband.eta", "expected a whole number >= 2")


def test_unknown_method_setting(tmp_path):
    found = problems_of(tmp_path, {"method": "hyperband", "hyperband": {"brackets": 3}})
    assert has(found, "hyperband.brackets", "unknown setting")


def test_settings_for_another_method(tmp_path):
    found = problems_of(tmp_path, {"hyperband": {"eta": 3}})
    assert has(found, "hyperband", "but method is random")


def test_bad_budget_and_base(tmp_path):
    found = problems_of(tmp_path, {"budget": {"trials": 0}, "base": {"optim": {"lr": -1}}})
    assert has(found, "budget.trials", "got 0")
    assert has(found, "base", "optim.lr")


def test_unknown_top_level_key(tmp_path):
    assert has(problems_of(tmp_path, {"metod": "grid"}), "metod", "unknown sweep setting")


def test_every_problem_at_once(tmp_path):
    found = problems_of(tmp_path, {"method": "evolution", "metric": {"name": "test_loss"}},
                        parameters={"optim.lr": {"min": 1, "max": 0.1},
                                    "optim.nam": {"values": ["adam"]}})
    assert len(found) == 4


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(ConfigError, match="sweep file .*not found"):
        load_sweep_file(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="cannot parse"):
        load_sweep_file(write(tmp_path, "method: [grid\n"))


def test_a_real_wandb_sweep_file_loads():
    spec = load_sweep_file(SWEEPS / "wandb_bayes.yaml")
    assert spec.metric_name == "dev_loss" and spec.goal == "minimize"
    assert spec.space.names == ["optim.lr", "train.batch_size", "optim.name", "model.dropout"]
    strategy = strategy_from_sweep(spec, seed=0)
    assert isinstance(strategy, Hyperband) and strategy.sampler == "tpe"
    assert strategy.max_epochs == 27 and strategy.eta == 3
    trials = run_sequential(strategy, lambda config, epochs: config["optim.lr"] / epochs)
    assert max(t.epochs for t in trials) == 27


@pytest.mark.parametrize("path", sorted(SWEEPS.glob("*.yaml")), ids=lambda p: p.stem)
def test_example_sweeps_load_and_build(path):
    strategy = strategy_from_sweep(load_sweep_file(path), seed=0)
    assert strategy.describe() and strategy.ask() is not None


@pytest.mark.parametrize("method, settings, cls", [
    ("grid", {"grid": {"points": 2}}, Grid),
    ("random", {}, RandomSearch),
    ("bayes", {"bayes": {"sampler": "tpe", "n_startup_trials": 3}}, Bayesian),
    ("bayesian", {}, Bayesian),
    ("coarse_to_fine", {"coarse_to_fine": {"rounds": 2}}, CoarseToFine),
    ("successive_halving", {"successive_halving": {"n_configs": 9, "max_epochs": 9}},
     SuccessiveHalving),
    ("hyperband", {"hyperband": {"max_epochs": 9}}, Hyperband),
    ("bohb", {"hyperband": {"max_epochs": 9}}, Hyperband),
])
def test_factory_maps_methods(method, settings, cls):
    strategy = strategy_from_sweep({**GOOD, "method": method, **settings}, seed=1)
    assert type(strategy) is cls and strategy.seed == 1
    assert getattr(strategy, "sampler", "tpe") in ("tpe", "random")
    if method == "bohb":
        assert strategy.sampler == "tpe"


def test_budget_and_base_epochs_reach_the_strategy():
    data = {**GOOD, "budget": {"trials": 12, "epochs": 100}, "base": {"train": {"epochs": 20}}}
    strategy = strategy_from_sweep(data)
    assert strategy.n_trials == 5 and strategy.epochs == 20  # 100 epochs / 20 per trial
    hyperband = strategy_from_sweep({**GOOD, "method": "hyperband", "budget": {"epochs": 200},
                                     "base": {"train": {"epochs": 9}}})
    assert hyperband.max_epochs == 9 and hyperband.plan().total_epochs <= 200


def test_wandb_metric_names_and_goals():
    spec = parse_sweep({**GOOD, "metric": {"name": "val_acc"}})
    assert (spec.metric_name, spec.goal) == ("dev_accuracy", "maximize")
    spec = parse_sweep({**GOOD, "metric": {"name": "validation_loss"}, "run_cap": 7})
    assert (spec.metric_name, spec.goal, spec.budget) == ("dev_loss", "minimize", {"trials": 7})


def test_every_bad_method_setting_at_once(tmp_path):
    found = problems_of(tmp_path, {"method": "hyperband",
                                   "hyperband": {"eta": 1, "max_epochs": 0, "min_epochs": 1}})
    assert has(found, "hyperband.eta", "expected a whole number >= 2")
    assert has(found, "hyperband.max_epochs", "")
    assert not any("min_epochs" in p for p in found)


def test_final_seeds_are_part_of_the_sweep_file(tmp_path):
    from dlstudio.search.final_seeds import FinalSeeds

    spec = load_sweep_file(write(tmp_path, {**GOOD, "final_seeds": {"top": 2, "seeds": 4}}))
    assert spec.final_seeds == FinalSeeds(top=2, seeds=4)
    assert parse_sweep(dict(GOOD)).final_seeds is None
    strategy_from_sweep({**GOOD, "final_seeds": {"top": 1}})  # a library user's mapping
    found = problems_of(tmp_path, {"final_seeds": {"top": 0, "sedes": 3}})
    assert has(found, "final_seeds.top", "got 0") and has(found, "final_seeds.sedes", "unknown")
