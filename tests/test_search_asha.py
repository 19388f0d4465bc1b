"""Asynchronous successive halving: promotions, budget, parallel asks, incumbent, state."""

from __future__ import annotations

import math

import pytest

from dlstudio.search import AsyncHalving, SearchSpace, strategy_from_state, strategy_from_sweep
from tests.test_search_support import (
    bowl, flaky_bowl, json_round_trip, run_parallel, run_sequential, small_space,
    trained_epochs,
)


def test_rungs_end_at_max_epochs():
    assert AsyncHalving(small_space(), max_epochs=27, eta=3).rung_epochs == [1, 3, 9, 27]
    assert AsyncHalving(small_space(), max_epochs=27).rung_epochs == [1, 6, 27]  # eta 4
    assert AsyncHalving(small_space(), max_epochs=27, eta=3, min_epochs=3).rung_epochs == \
        [3, 9, 27]


def test_promotes_the_best_third_as_soon_as_it_is_known():
    strategy = AsyncHalving(small_space(), max_epochs=9, eta=3, seed=0)
    first = [strategy.ask() for _ in range(3)]
    assert [t.rung for t in first] == [0, 0, 0] and all(t.epochs == 1 for t in first)
    losses = [0.5, 0.2, 0.9]
    for trial, loss in zip(first, losses):
        strategy.tell(trial.id, loss)
    promoted = strategy.ask()  # 3 results: the best one (loss 0.2) goes up a rung
    assert (promoted.rung, promoted.epochs, promoted.resume_from) == (1, 3, first[1].id)
    assert promoted.config == first[1].config
    assert strategy.ask().rung == 0  # nothing else is in the top third: a new config


def test_never_waits_while_the_budget_lasts():
    strategy = AsyncHalving(small_space(), max_epochs=27, eta=3, budget_epochs=200, seed=1)
    running = [strategy.ask() for _ in range(8)]
    assert all(t is not None for t in running)  # halving would wait for whole rungs here


def test_a_worker_waits_when_running_results_will_make_a_promotion_due():
    strategy = AsyncHalving(small_space(), max_epochs=9, eta=3, seed=0)
    first = [strategy.ask() for _ in range(3)]
    strategy.tell(first[0].id, 0.5)
    strategy.tell(first[1].id, 0.2)
    assert strategy.ask() is None  # the third result completes a group of eta: wait for it
    strategy.tell(first[2].id, 0.9)
    promoted = strategy.ask()
    assert (promoted.rung, promoted.resume_from) == (1, first[1].id)


def test_without_waiting_a_new_configuration_starts_instead():
    strategy = AsyncHalving(small_space(), max_epochs=9, eta=3, wait_for_promotions=False,
                            seed=0)
    first = [strategy.ask() for _ in range(3)]
    strategy.tell(first[0].id, 0.5)
    strategy.tell(first[1].id, 0.2)
    assert strategy.ask().rung == 0


def test_with_eta_or_more_running_in_the_rung_new_work_starts():
    strategy = AsyncHalving(small_space(), max_epochs=9, eta=3, seed=0)
    first = [strategy.ask() for _ in range(4)]
    strategy.tell(first[0].id, 0.5)
    assert strategy.ask().rung == 0  # 3 still running: many workers are not held back


def test_four_workers_reach_the_top_rung_of_a_small_budget_as_one_does():
    """The bias the wait removes: without it, new configurations started while a
    promotion's results ran use up the 60 epochs before the top rung."""
    def most_epochs(workers, wait):
        strategy = AsyncHalving(small_space(), max_epochs=27, eta=3, budget_epochs=60,
                                wait_for_promotions=wait, seed=14)
        run_parallel(strategy, bowl, tells=10_000, workers=workers)
        return max(t.epochs for t, _ in strategy.results())
    assert most_epochs(1, True) == most_epochs(4, True) == 27
    assert most_epochs(4, False) == 9


def test_spends_at_most_its_budget_and_resumes_promotions():
    strategy = AsyncHalving(small_space(), max_epochs=27, eta=3, budget_epochs=300, seed=2)
    trials = run_sequential(strategy)
    assert strategy.done
    assert 300 - 1 < trained_epochs(trials) == strategy.epochs_trained <= 300
    by_id = {t.id: t for t in trials}
    promotions = [t for t in trials if t.rung]
    assert promotions and any(t.epochs == 27 for t in promotions)
    for trial in promotions:
        parent = by_id[trial.resume_from]
        assert parent.config == trial.config and parent.rung + 1 == trial.rung


def test_default_budget_is_one_hyperband_iteration():
    from dlstudio.search import Hyperband

    for eta in (3, 4):
        hyperband = Hyperband(small_space(), max_epochs=27, eta=eta)
        assert AsyncHalving(small_space(), max_epochs=27, eta=eta).budget_epochs == \
            hyperband.plan().total_epochs


def test_without_resume_promotions_retrain_from_scratch():
    strategy = AsyncHalving(small_space(), max_epochs=9, eta=3, budget_epochs=60,
                            resume=False, seed=3)
    trials = run_sequential(strategy)
    assert all(t.resume_from is None for t in trials) and any(t.rung for t in trials)
    assert sum(t.epochs for t in trials) == strategy.epochs_trained <= 60


def test_parallel_workers_finish_with_nothing_lost():
    strategy = AsyncHalving(small_space(), max_epochs=27, eta=3, budget_epochs=400, seed=4)
    assert run_parallel(strategy, bowl, tells=10_000, workers=4) == []
    assert strategy.done and strategy.epochs_trained <= 400


def test_incumbent_is_the_best_at_the_highest_rung_not_a_short_fluke():
    strategy = AsyncHalving(small_space(), max_epochs=9, eta=3, budget_epochs=100, seed=5)
    first = [strategy.ask() for _ in range(3)]
    for trial, loss in zip(first, [0.4, 0.3, 0.35]):
        strategy.tell(trial.id, loss)
    promoted = strategy.ask()
    strategy.tell(promoted.id, 0.6)  # worse after 3 epochs than the others after 1
    fluke = strategy.ask()
    strategy.tell(fluke.id, 0.01)  # a one-epoch fluke
    assert strategy.best()[0].id == promoted.id
    assert strategy.best()[1] == 0.6


def test_failed_trials_are_never_promoted():
    strategy = AsyncHalving(small_space(), max_epochs=27, eta=3, budget_epochs=400, seed=6)
    trials = run_sequential(strategy, flaky_bowl)
    failed = {t.id for t in trials if strategy.score(t.id) is None}
    assert failed, "the test needs some failures"
    assert not {t.resume_from for t in trials} & failed
    assert strategy.best()[0].config["optim.lr"] <= 0.1


def test_tpe_proposals_concentrate_near_the_optimum():
    strategy = AsyncHalving(small_space(), max_epochs=27, eta=3, budget_epochs=400,
                            sampler="tpe", n_startup_trials=8, random_fraction=0.0, seed=0)
    trials = run_sequential(strategy)
    new = [t for t in trials if t.rung == 0]
    late = new[len(new) // 2:]
    near = sum(1e-4 < t.config["optim.lr"] < 1e-1 for t in late) / len(late)
    assert near > 0.8  # random draws would land there 3 decades in 5: 0.6
    assert "TPE" in strategy.describe()


@pytest.mark.parametrize("sampler", ["random", "tpe"])
def test_restored_strategy_continues_identically(sampler):
    def make():
        return AsyncHalving(small_space(), max_epochs=9, eta=3, budget_epochs=120,
                            sampler=sampler, n_startup_trials=4, seed=7)
    original = make()
    running = run_parallel(original, flaky_bowl, tells=21, workers=3)
    assert running, "the snapshot should catch trials in flight"
    spec, state = json_round_trip(original.spec()), json_round_trip(original.state_dict())
    restored = strategy_from_state(spec, state)
    assert [restored.ask().to_dict() for _ in running] == [t.to_dict() for t in running]
    for strategy in (original, restored):
        for trial in running:
            strategy.tell(trial.id, flaky_bowl(trial.config, trial.epochs))
    rest = run_sequential(original, flaky_bowl)
    assert rest, "the sweep should have work left after the snapshot"
    assert [t.to_dict() for t in run_sequential(restored, flaky_bowl)] == \
        [t.to_dict() for t in rest]
    assert restored.state_dict() == original.state_dict()
    assert restored.best() == original.best()


def test_deterministic_for_a_seed():
    def trials(seed):
        return [t.to_dict() for t in run_sequential(
            AsyncHalving(small_space(), max_epochs=9, eta=3, budget_epochs=80, seed=seed))]
    assert trials(8) == trials(8) != trials(9)


def test_sweep_file_selects_asha_with_its_epoch_budget():
    sweep = {"method": "asha", "metric": {"name": "dev_loss"},
             "parameters": {"optim.lr": {"distribution": "log_uniform_values",
                                         "min": 1e-4, "max": 1.0}},
             "asha": {"eta": 3, "sampler": "tpe", "wait_for_promotions": False},
             "budget": {"epochs": 500}, "base": {"train": {"epochs": 27}}}
    strategy = strategy_from_sweep(sweep, seed=1)
    assert isinstance(strategy, AsyncHalving)
    assert (strategy.max_epochs, strategy.eta, strategy.budget_epochs, strategy.sampler,
            strategy.wait_for_promotions) == (27, 3, 500, "tpe", False)


@pytest.mark.parametrize("section, budget, expected", [
    ({"eta": 1, "sampler": "cma"}, {"epochs": 100}, ["asha.eta:", "asha.sampler:"]),
    ({"wait_for_promotions": "yes"}, {"epochs": 100}, ["asha.wait_for_promotions:"]),
    ({"brackets": 2}, {"trials": 5}, ["asha.brackets: unknown setting",
                                      "budget.trials: asha is budgeted in epochs"]),
])
def test_sweep_file_names_bad_asha_settings(section, budget, expected):
    from dlstudio.errors import ConfigError
    from dlstudio.search import parse_sweep

    sweep = {"method": "asha", "parameters": {"optim.lr": {"min": 0.01, "max": 0.1}},
             "asha": section, "budget": budget}
    with pytest.raises(ConfigError) as caught:
        parse_sweep(sweep)
    text = "\n".join(caught.value.problems)
    assert all(item in text for item in expected), text


@pytest.mark.parametrize("kwargs, name", [
    ({"eta": 1}, "eta"), ({"max_epochs": 0}, "max_epochs"), ({"sampler": "cma"}, "sampler"),
    ({"random_fraction": 2}, "random_fraction"), ({"budget_epochs": 0}, "budget_epochs"),
    ({"min_epochs": 5, "max_epochs": 3}, "min_epochs"), ({"resume": 1}, "resume"),
    ({"n_startup_trials": 0}, "n_startup_trials"), ({"seed": -1}, "seed"),
    ({"wait_for_promotions": 1}, "wait_for_promotions"),
])
def test_refuses_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        AsyncHalving(small_space(), **kwargs)


def test_refuses_train_epochs_as_a_parameter():
    space = SearchSpace.from_dict({"train.epochs": {"values": [1, 2]}})
    with pytest.raises(ValueError, match="train.epochs"):
        AsyncHalving(space)


def test_failed_results_rank_below_every_finished_one_in_the_model():
    strategy = AsyncHalving(small_space(), max_epochs=9, eta=3, budget_epochs=60,
                            sampler="tpe", seed=9)
    trials = run_sequential(strategy, flaky_bowl)
    scores = strategy._scores()
    failed = [t.id for t in trials if strategy.score(t.id) is None and t.rung == 0]
    assert failed and all(scores[i] == max(scores.values()) for i in failed)
    assert not any(math.isnan(v) for v in scores.values())


def test_cost_is_the_epoch_budget_with_the_trial_count_open():
    from dlstudio.search.estimate import sweep_cost

    cost = sweep_cost(AsyncHalving(small_space(), max_epochs=27, budget_epochs=500))
    assert (cost.trials, cost.epochs, cost.upper_bound, cost.plan) == (None, 500, True, None)


def test_asha_trials_are_promoted_but_never_called_eliminated():
    from dlstudio.training.sweeps.outcomes import trial_outcomes

    def row(trial, rung, lr, bracket=None):
        return {"trial": trial, "bracket": bracket, "rung": rung, "status": "finished",
                "config": {"optim.lr": lr}}
    trials = [row(0, 0, 0.1), row(1, 0, 0.2), row(2, 0, 0.3), row(3, 1, 0.2)]
    assert trial_outcomes(trials) == {1: "promoted"}  # 0 and 2 may still be promoted
    bracketed = [dict(t, bracket=0) for t in trials]
    assert trial_outcomes(bracketed) == {0: "eliminated", 1: "promoted", 2: "eliminated"}
