"""Coarse-to-fine: ranges halve around the best configurations, density doubles."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

from dlstudio.search import CoarseToFine, SearchSpace
from tests.test_search_support import bowl, run_sequential, small_space


def run_round(strategy, score=bowl):
    trials = []
    start = strategy.round
    while strategy.round == start and not strategy.done:
        trial = strategy.ask()
        strategy.tell(trial.id, score(trial.config, trial.epochs))
        trials.append(trial)
    return trials


def test_ranges_halve_around_the_best_each_round():
    strategy = CoarseToFine(small_space(), rounds=3, per_round=24, keep=3, seed=0)
    assert strategy.ranges()[0]["optim.lr"] == pytest.approx((1e-5, 1.0))
    first = run_round(strategy)
    assert len(first) == 24 and strategy.round == 1
    best = min(first, key=lambda t: bowl(t.config, t.epochs))
    boxes = strategy.ranges()
    assert len(boxes) == 3
    low, high = boxes[0]["optim.lr"]
    assert low <= best.config["optim.lr"] <= high
    assert math.log10(high / low) == pytest.approx(5 / 2)  # half of 5 decades
    assert boxes[0]["model.dropout"][1] - boxes[0]["model.dropout"][0] == pytest.approx(0.25)
    second = run_round(strategy)
    for trial in second:  # every draw lies in a box around a kept configuration
        assert any(box["optim.lr"][0] <= trial.config["optim.lr"] <= box["optim.lr"][1]
                   for box in boxes)
    low, high = strategy.ranges()[0]["optim.lr"]
    assert math.log10(high / low) == pytest.approx(5 / 4)
    third = run_sequential(strategy)
    losses = [[bowl(t.config, t.epochs) for t in r] for r in (first, second, third)]
    assert statistics.median(losses[2]) < statistics.median(losses[1]) < \
        statistics.median(losses[0])


def test_categoricals_follow_the_kept_configurations():
    strategy = CoarseToFine(small_space(), rounds=2, per_round=30, keep=2, seed=1)
    first = run_round(strategy)
    kept = sorted(first, key=lambda t: (bowl(t.config, t.epochs), t.id))[:2]
    names = {t.config["optim.name"] for t in kept}
    second = run_sequential(strategy)
    assert {t.config["optim.name"] for t in second} <= names
    for trial in second:
        applies = trial.config["optim.name"] in ("momentum", "nesterov")
        assert ("optim.momentum" in trial.config) is applies


def test_grid_mode_doubles_the_density_in_half_the_range():
    space = SearchSpace.from_dict({"model.dropout": {"min": 0.0, "max": 0.8}})
    strategy = CoarseToFine(space, rounds=3, keep=1, mode="grid", points=5)

    def score(config, epochs):
        return (config["model.dropout"] - 0.3) ** 2

    rounds = [sorted(t.config["model.dropout"] for t in run_round(strategy, score))
              for _ in range(3)]
    assert rounds[0] == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8])
    assert np.diff(rounds[1]) == pytest.approx([0.1] * 4)  # around 0.2 (tie: first found)
    assert np.diff(rounds[2]) == pytest.approx([0.05] * 4)
    assert min(rounds[2], key=lambda d: abs(d - 0.3)) == pytest.approx(0.3)
    assert strategy.done


def test_boxes_slide_inward_at_the_edges():
    space = SearchSpace.from_dict({"model.dropout": {"min": 0.0, "max": 0.8}})
    strategy = CoarseToFine(space, rounds=2, per_round=10, keep=1, seed=0)
    run_round(strategy, lambda config, epochs: config["model.dropout"])  # best: the lowest
    low, high = strategy.ranges()[0]["model.dropout"]
    assert low == 0.0 and high == pytest.approx(0.4)


def test_all_failures_fall_back_to_the_full_range():
    strategy = CoarseToFine(small_space(), rounds=2, per_round=5, seed=0)
    run_round(strategy, lambda config, epochs: None)
    assert strategy.ranges()[0]["optim.lr"] == pytest.approx((1e-5, 1.0))
    run_sequential(strategy, lambda config, epochs: float("nan"))
    assert strategy.best() is None and strategy.done


@pytest.mark.parametrize("kwargs, name", [
    ({"rounds": 0}, "rounds"), ({"shrink": 1.0}, "shrink"), ({"mode": "sobol"}, "mode"),
    ({"keep": 0}, "keep"), ({"per_round": 0}, "per_round"),
])
def test_coarse_to_fine_refuses_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        CoarseToFine(small_space(), **kwargs)
