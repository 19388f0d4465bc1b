"""Restart safety and determinism of every strategy."""

from __future__ import annotations

import pytest

from dlstudio.search import (
    Bayesian, CoarseToFine, Grid, Hyperband, RandomSearch, SearchSpace, SuccessiveHalving,
    strategy_from_state,
)
from tests.test_search_support import (
    flaky_bowl, json_round_trip, run_parallel, run_sequential, small_space,
)

NUMERIC = SearchSpace.from_dict({
    "optim.lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1.0},
    "model.dropout": {"min": 0.0, "max": 0.5},
})

CASES = {  # name: (factory, tells before the snapshot)
    "grid": (lambda seed: Grid(small_space(), points=2, seed=seed), 12),
    "random": (lambda seed: RandomSearch(small_space(), n_trials=25, seed=seed), 10),
    "coarse_to_fine": (lambda seed: CoarseToFine(small_space(), rounds=3, per_round=8,
                                                 seed=seed), 10),
    "coarse_to_fine_grid": (lambda seed: CoarseToFine(NUMERIC, rounds=2, keep=2, mode="grid",
                                                      points=3, seed=seed), 10),
    "successive_halving": (lambda seed: SuccessiveHalving(small_space(), n_configs=9,
                                                          max_epochs=9, seed=seed), 5),
    "hyperband": (lambda seed: Hyperband(small_space(), max_epochs=9, seed=seed), 14),
    "bohb": (lambda seed: Hyperband(small_space(), max_epochs=9, sampler="tpe",
                                    n_startup_trials=4, seed=seed), 14),
    "bayes": (lambda seed: Bayesian(small_space(), n_trials=20, n_startup_trials=5,
                                    seed=seed), 9),
}


def dicts(trials):
    return [t.to_dict() for t in trials]


@pytest.mark.parametrize("name", CASES)
def test_restored_strategy_continues_identically(name):
    make, tells = CASES[name]
    original = make(3)
    running = run_parallel(original, flaky_bowl, tells=tells, workers=3)
    assert running, "the snapshot should catch trials in flight"
    spec, state = json_round_trip(original.spec()), json_round_trip(original.state_dict())
    restored = strategy_from_state(spec, state)
    assert restored.pending == original.pending

    reissued = [restored.ask() for _ in running]  # asked-but-untold come back first
    assert dicts(reissued) == dicts(running)
    for strategy, batch in ((original, running), (restored, reissued)):
        for trial in batch:
            strategy.tell(trial.id, flaky_bowl(trial.config, trial.epochs))
    rest = run_sequential(original, flaky_bowl)
    assert rest, "the sweep should have work left after the snapshot"
    assert dicts(run_sequential(restored, flaky_bowl)) == dicts(rest)
    assert restored.state_dict() == original.state_dict()
    assert restored.best() == original.best()


@pytest.mark.parametrize("name", CASES)
def test_each_strategy_is_deterministic_for_a_seed(name):
    make, _ = CASES[name]
    first = dicts(run_sequential(make(7), flaky_bowl))
    assert dicts(run_sequential(make(7), flaky_bowl)) == first
    if "grid" not in name:  # grids do not depend on the seed
        assert dicts(run_sequential(make(8), flaky_bowl)) != first


def test_a_pending_trial_told_before_it_is_asked_again_is_not_reissued():
    original = RandomSearch(small_space(), n_trials=5, seed=0)
    first, second = original.ask(), original.ask()
    restored = strategy_from_state(original.spec(), json_round_trip(original.state_dict()))
    restored.tell(first.id, 0.5)
    assert restored.ask().id == second.id
    assert restored.ask().id == 2


def test_state_of_a_finished_sweep_restores_as_done():
    original = SuccessiveHalving(small_space(), n_configs=3, max_epochs=3)
    run_sequential(original)
    restored = strategy_from_state(original.spec(), json_round_trip(original.state_dict()))
    assert restored.done and restored.ask() is None
    assert restored.best() == original.best()


def test_state_from_another_method_is_refused():
    state = RandomSearch(small_space()).state_dict()
    with pytest.raises(ValueError, match="state"):
        Grid.from_state(small_space(), {}, state)
