"""Search spaces: parsing, sampling scales, conditions, grids, random search."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dlstudio.errors import ConfigError
from dlstudio.search import (
    Categorical, Fixed, Float, Grid, Int, RandomSearch, SearchSpace,
)
from tests.test_search_support import run_sequential, small_space


def test_from_dict_builds_each_kind():
    space = SearchSpace.from_dict({
        "optim.name": {"values": ["adam", "sgd"]},
        "optim.lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1.0},
        "model.dropout": {"min": 0.0, "max": 0.5},
        "train.batch_size": {"distribution": "q_log_uniform_values", "min": 16, "max": 256,
                             "q": 16},
        "train.early_stopping": {"min": 0, "max": 10},
        "optim.weight_decay": {"distribution": "q_uniform", "min": 0.0, "max": 0.01, "q": 0.002},
        "data.name": {"value": "moons"},
    })
    assert space["optim.name"] == Categorical(name="optim.name", values=("adam", "sgd"))
    assert space["optim.lr"] == Float(name="optim.lr", low=1e-5, high=1.0, log=True)
    assert space["model.dropout"] == Float(name="model.dropout", low=0.0, high=0.5)
    assert space["train.batch_size"] == Int(name="train.batch_size", low=16, high=256,
                                            log=True, step=16)
    assert space["train.early_stopping"] == Int(name="train.early_stopping", low=0, high=10)
    assert space["data.name"] == Fixed(name="data.name", value="moons")
    assert SearchSpace.from_dict(space.to_dict()) == space


def test_wandb_names_nesting_and_natural_log_bounds():
    space = SearchSpace.from_dict({
        "learning_rate": {"distribution": "log_uniform", "min": math.log(1e-4),
                          "max": math.log(1e-1)},
        "optim": {"parameters": {"momentum": {"values": [0.9, 0.99]}}},
        "batch_size": {"values": [32, 64]},
    })
    assert space.names == ["optim.lr", "optim.momentum", "train.batch_size"]
    assert space["optim.lr"].low == pytest.approx(1e-4)
    assert space["optim.lr"].high == pytest.approx(1e-1)


def test_samples_stay_in_range_and_on_their_steps():
    space = SearchSpace.from_dict({
        "train.batch_size": {"distribution": "q_log_uniform_values", "min": 16, "max": 256,
                             "q": 16},
        "optim.weight_decay": {"distribution": "q_uniform", "min": 0.0, "max": 0.01,
                               "q": 0.002},
        "optim.eps": {"distribution": "q_log_uniform_values", "min": 1e-8, "max": 1e-3,
                      "q": 1e-8},
    })
    rng = np.random.default_rng(0)
    for _ in range(300):
        config = space.sample(rng)
        assert 16 <= config["train.batch_size"] <= 256 and config["train.batch_size"] % 16 == 0
        assert isinstance(config["train.batch_size"], int)
        k = config["optim.weight_decay"] / 0.002
        assert 0 <= config["optim.weight_decay"] <= 0.01 and abs(k - round(k)) < 1e-9
        assert 1e-8 <= config["optim.eps"] <= 1e-3


def test_log_uniform_samples_are_uniform_in_log10():
    space = SearchSpace.from_dict({"optim.lr": {"distribution": "log_uniform_values",
                                                "min": 1e-6, "max": 1e-1}})
    search = RandomSearch(space, n_trials=2000, seed=0)
    lrs = np.array([search.ask().config["optim.lr"] for _ in range(2000)])
    assert lrs.min() >= 1e-6 and lrs.max() <= 1e-1
    u = np.sort((np.log10(lrs) + 6) / 5)  # uniform on [0, 1] if lr = 10**U(-6, -1)
    n = len(u)
    ks = max(np.max(np.arange(1, n + 1) / n - u), np.max(u - np.arange(n) / n))
    assert ks < 1.63 / math.sqrt(n)  # Kolmogorov-Smirnov at the 1 % level
    per_decade = np.histogram(np.log10(lrs), bins=5, range=(-6, -1))[0]
    assert per_decade.min() > 0.8 * n / 5  # a linear draw would put ~90 % in the top decade


def test_conditional_parameter_only_where_it_applies():
    space = small_space()
    rng = np.random.default_rng(1)
    for _ in range(200):
        config = space.sample(rng)
        applies = config["optim.name"] in ("momentum", "nesterov")
        assert ("optim.momentum" in config) is applies


def test_children_are_ordered_after_their_parent():
    space = SearchSpace.from_dict({
        "optim.momentum": {"min": 0.5, "max": 0.9, "condition": {"optim.name": "momentum"}},
        "optim.name": {"values": ["adam", "momentum"]},
    })
    assert space.names == ["optim.name", "optim.momentum"]


def test_grid_counts_log_spaced_floats_and_conditionals():
    space = SearchSpace.from_dict({
        "optim.name": {"values": ["adam", "momentum", "nesterov"]},
        "optim.lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
        "optim.momentum": {"min": 0.5, "max": 0.9,
                           "condition": {"optim.name": ["momentum", "nesterov"]}},
        "train.batch_size": {"values": [32, 64]},
    })
    grid = Grid(space, points=4)
    # adam: 4 lr x 2 batch; momentum and nesterov: 4 lr x 4 momentum x 2 batch each
    assert grid.size == 4 * 2 + 2 * (4 * 4 * 2) == 72
    trials = run_sequential(grid)
    assert len(trials) == 72
    assert len({str(sorted(t.config.items())) for t in trials}) == 72
    lrs = sorted({t.config["optim.lr"] for t in trials})
    assert lrs == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1])  # log-spaced
    adam = [t for t in trials if t.config["optim.name"] == "adam"]
    assert all("optim.momentum" not in t.config for t in adam) and len(adam) == 8


def test_grid_integers_points_and_cap():
    space = SearchSpace.from_dict({
        "train.early_stopping": {"min": 0, "max": 3},  # 4 values: all of them
        "train.batch_size": {"distribution": "int_log_uniform_values", "min": 8, "max": 512,
                             "points": 4},
    })
    grid = Grid(space, points=5, max_trials=7)
    assert grid.size == 4 * 4
    trials = run_sequential(grid)
    assert len(trials) == 7
    full = run_sequential(Grid(space, points=5))
    assert sorted({t.config["train.batch_size"] for t in full}) == [8, 32, 128, 512]
    assert sorted({t.config["train.early_stopping"] for t in full}) == [0, 1, 2, 3]


def test_fixed_epochs_come_from_the_config_when_searched():
    space = SearchSpace.from_dict({"train.epochs": {"values": [3, 5]},
                                   "optim.lr": {"min": 0.01, "max": 0.1}})
    trials = run_sequential(Grid(space, points=2, epochs=7))
    assert sorted(t.epochs for t in trials) == [3, 3, 5, 5]
    trials = run_sequential(RandomSearch(SearchSpace.from_dict(
        {"optim.lr": {"min": 0.01, "max": 0.1}}), n_trials=3, epochs=7))
    assert [t.epochs for t in trials] == [7, 7, 7]


def test_random_search_is_deterministic_for_a_seed():
    first = [t.config for t in run_sequential(RandomSearch(small_space(), n_trials=10, seed=4))]
    again = [t.config for t in run_sequential(RandomSearch(small_space(), n_trials=10, seed=4))]
    other = [t.config for t in run_sequential(RandomSearch(small_space(), n_trials=10, seed=5))]
    assert first == again and first != other


def test_tell_refuses_unknown_and_repeated_trials():
    search = RandomSearch(small_space(), n_trials=3)
    trial = search.ask()
    with pytest.raises(ValueError, match="unknown"):
        search.tell(99, 1.0)
    search.tell(trial, 1.0)  # a Trial works as well as its id
    with pytest.raises(ValueError, match="already told"):
        search.tell(trial.id, 1.0)
    with pytest.raises(ValueError, match="score"):
        search.tell(search.ask().id, "low")


def test_maximize_goal_ranks_high_scores_first():
    search = RandomSearch(small_space(), n_trials=3, goal="maximize")
    for value in (0.2, 0.9, 0.5):
        search.tell(search.ask().id, value)
    assert search.best()[1] == 0.9 and search.done


@pytest.mark.parametrize("params, fragment", [
    ({"optim.lr": {"min": 1.0, "max": 0.1}}, "optim.lr: min (1.0) must be below max"),
    ({"optim.lr": {"distribution": "log_uniform_values", "min": 0, "max": 1}},
     "optim.lr: a log scale needs min > 0"),
    ({"optim.name": {"values": []}}, "optim.name: values is empty"),
    ({"optim.lr": {"distribution": "gaussian", "min": 0, "max": 1}},
     "optim.lr: unknown distribution 'gaussian'"),
    ({"optim.learning": {"min": 0.1, "max": 1}}, "optim.learning: unknown parameter"),
    ({"optim.name": {"values": ["adam", "adamm"]}}, "optim.name: unknown 'adamm'"),
    ({"optim.momentum": {"min": 0.5, "max": 1.5}}, "optim.momentum: got 1.5"),
    ({"train.batch_size": {"min": 16.0, "max": 64.0}}, "train.batch_size: takes whole numbers"),
    ({"optim.momentum": {"min": 0.5, "max": 0.9, "condition": {"optim.name": "sgd"}}},
     "optim.momentum: condition on optim.name, which is not a parameter"),
])
def test_bad_spaces_name_the_parameter(params, fragment):
    with pytest.raises(ConfigError) as info:
        SearchSpace.from_dict(params)
    assert any(fragment in problem for problem in info.value.problems), info.value.problems


def test_all_problems_are_reported_at_once():
    with pytest.raises(ConfigError) as info:
        SearchSpace.from_dict({"optim.lr": {"min": 1.0, "max": 0.1},
                               "model.dropout": {"values": []},
                               "optim.nme": {"values": ["adam"]}})
    assert len(info.value.problems) == 3
