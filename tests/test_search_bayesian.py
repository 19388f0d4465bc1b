"""Bayesian (Optuna TPE / GP) proposals behind the ask/tell protocol."""

from __future__ import annotations

import math
import warnings

import pytest

from dlstudio.search import Bayesian, RandomSearch, SearchSpace
from tests.test_search_support import flaky_bowl, run_sequential, small_space

SMOOTH = SearchSpace.from_dict({
    "optim.lr": {"distribution": "log_uniform_values", "min": 1e-6, "max": 1.0},
    "model.dropout": {"min": 0.0, "max": 0.9},
    "optim.momentum": {"min": 0.0, "max": 0.99},
})


def smooth(config, epochs):
    return ((math.log10(config["optim.lr"]) + 2.5) ** 2 / 9
            + (config["model.dropout"] - 0.3) ** 2 + (config["optim.momentum"] - 0.8) ** 2)


def best_of(strategy):
    run_sequential(strategy, smooth)
    return strategy.best()[1]


def test_tpe_beats_random_search_on_a_smooth_function():
    seeds = range(5)
    tpe = [best_of(Bayesian(SMOOTH, n_trials=30, seed=s)) for s in seeds]
    rand = [best_of(RandomSearch(SMOOTH, n_trials=30, seed=s)) for s in seeds]
    assert sum(tpe) / 5 < 0.7 * sum(rand) / 5


def test_startup_phase_is_reported():
    strategy = Bayesian(SMOOTH, n_trials=8, n_startup_trials=3, seed=0)
    phases = []
    while not strategy.done:
        phases.append(strategy.in_startup)
        trial = strategy.ask()
        strategy.tell(trial.id, smooth(trial.config, trial.epochs))
    assert phases == [True, True, True, False, False, False, False, False]
    assert "first 3 random" in strategy.describe()


def test_constant_liar_spreads_simultaneous_proposals():
    strategy = Bayesian(SMOOTH, n_trials=20, n_startup_trials=5, seed=0)
    for _ in range(5):
        trial = strategy.ask()
        strategy.tell(trial.id, smooth(trial.config, trial.epochs))
    batch = [strategy.ask() for _ in range(4)]
    assert len({t.config["optim.lr"] for t in batch}) == 4
    assert strategy.pending == [t.id for t in batch]


def test_conditional_parameters_and_failures(capfd):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        strategy = Bayesian(small_space(), n_trials=25, n_startup_trials=5, seed=2)
        trials = run_sequential(strategy, flaky_bowl)
    assert not caught, [str(w.message) for w in caught]  # ExperimentalWarning silenced
    assert "Trial" not in capfd.readouterr().err  # and Optuna's logging
    for trial in trials:
        applies = trial.config["optim.name"] in ("momentum", "nesterov")
        assert ("optim.momentum" in trial.config) is applies
    failed = [t for t in trials if strategy.score(t.id) is None]
    assert failed and strategy.done
    assert strategy.best()[0].config["optim.lr"] <= 0.1


def test_maximize_goal():
    strategy = Bayesian(SMOOTH, n_trials=20, n_startup_trials=5, goal="maximize", seed=0)
    run_sequential(strategy, lambda config, epochs: -smooth(config, epochs))
    minimised = Bayesian(SMOOTH, n_trials=20, n_startup_trials=5, seed=0)
    run_sequential(minimised, smooth)
    assert strategy.best()[1] == pytest.approx(-minimised.best()[1])


def test_gp_sampler_proposes_valid_configurations():
    pytest.importorskip("torch")
    pytest.importorskip("scipy")
    strategy = Bayesian(SMOOTH, n_trials=7, n_startup_trials=4, sampler="gp", seed=0)
    trials = run_sequential(strategy, smooth)
    for trial in trials:
        assert 1e-6 <= trial.config["optim.lr"] <= 1.0
        assert 0.0 <= trial.config["model.dropout"] <= 0.9
    assert not strategy.in_startup


@pytest.mark.parametrize("kwargs, name", [
    ({"sampler": "cmaes"}, "sampler"), ({"n_trials": 0}, "n_trials"),
    ({"n_startup_trials": -1}, "n_startup_trials"), ({"constant_liar": "yes"}, "constant_liar"),
    ({"epochs": 0}, "epochs"),
])
def test_bayesian_refuses_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        Bayesian(SMOOTH, **kwargs)


def test_gp_restore_continues_exactly():
    pytest.importorskip("torch")
    pytest.importorskip("scipy")
    from dlstudio.search import strategy_from_state
    from tests.test_search_support import json_round_trip, run_parallel

    original = Bayesian(SMOOTH, n_trials=8, n_startup_trials=4, sampler="gp", seed=1)
    running = run_parallel(original, smooth, tells=4, workers=2)
    restored = strategy_from_state(json_round_trip(original.spec()),
                                   json_round_trip(original.state_dict()))
    reissued = [restored.ask() for _ in running]
    for strategy, batch in ((original, running), (restored, reissued)):
        for trial in batch:
            strategy.tell(trial.id, smooth(trial.config, trial.epochs))
    rest = [t.config for t in run_sequential(original, smooth)]
    assert [t.config for t in run_sequential(restored, smooth)] == rest
