"""Successive halving and Hyperband: exact schedules, resumes, budgets, failures."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from dlstudio.search import Hyperband, SuccessiveHalving
from dlstudio.search.brackets import hyperband_brackets, int_log_floor
from tests.test_search_support import (
    bowl, flaky_bowl, run_parallel, run_sequential, small_space, trained_epochs,
)

TABLE_1 = [  # Li et al. 2018, Table 1: R=81, eta=3
    [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
    [(27, 3), (9, 9), (3, 27), (1, 81)],
    [(9, 9), (3, 27), (1, 81)],
    [(6, 27), (2, 81)],
    [(5, 81)],
]


def rung_table(trials):
    """{bracket: [(count, epochs) per rung]} as actually run."""
    counts = Counter((t.bracket, t.rung, t.epochs) for t in trials)
    table: dict[int, list[tuple[int, int]]] = {}
    for (bracket, rung, epochs), n in sorted(counts.items()):
        table.setdefault(bracket, []).append((n, epochs))
    return [table[b] for b in sorted(table)]


def check_resume_chains(trials):
    by_id = {t.id: t for t in trials}
    for trial in trials:
        if trial.rung == 0:
            assert trial.resume_from is None
            continue
        parent = by_id[trial.resume_from]
        assert (parent.bracket, parent.rung + 1) == (trial.bracket, trial.rung)
        assert parent.config == trial.config and parent.epochs < trial.epochs


def test_successive_halving_runs_27_9_3_1_exactly():
    strategy = SuccessiveHalving(small_space(), n_configs=27, min_epochs=1, max_epochs=27,
                                 eta=3, seed=0)
    trials = run_sequential(strategy)
    assert rung_table(trials) == [[(27, 1), (9, 3), (3, 9), (1, 27)]]
    check_resume_chains(trials)
    expected = 27 * 1 + 9 * (3 - 1) + 3 * (9 - 3) + 1 * (27 - 9)
    assert trained_epochs(trials) == strategy.epochs_trained == expected == 81
    assert strategy.plan().brackets == [[(27, 1), (9, 3), (3, 9), (1, 27)]]
    assert strategy.plan().total_epochs == 81


def test_successive_halving_promotes_the_best():
    strategy = SuccessiveHalving(small_space(), n_configs=9, max_epochs=9, eta=3, seed=1)
    trials = run_sequential(strategy)
    rung0 = sorted((bowl(t.config, t.epochs), t.id) for t in trials if t.rung == 0)
    promoted = {t.resume_from for t in trials if t.rung == 1}
    assert promoted == {i for _, i in rung0[:3]}
    best_trial, best_score = strategy.best()
    assert best_trial.epochs == 9 and best_score == pytest.approx(bowl(best_trial.config, 9))


def test_successive_halving_without_resume_restarts_from_scratch():
    strategy = SuccessiveHalving(small_space(), n_configs=27, max_epochs=27, resume=False)
    trials = run_sequential(strategy)
    assert all(t.resume_from is None for t in trials)
    assert strategy.epochs_trained == 27 * 1 + 9 * 3 + 3 * 9 + 1 * 27
    assert strategy.plan().total_epochs == strategy.epochs_trained


def test_successive_halving_waits_for_a_whole_rung():
    strategy = SuccessiveHalving(small_space(), n_configs=9, max_epochs=9, eta=3)
    first = [strategy.ask() for _ in range(9)]
    assert strategy.ask() is None and not strategy.done
    for trial in first[:-1]:
        strategy.tell(trial.id, bowl(trial.config, trial.epochs))
    assert strategy.ask() is None
    strategy.tell(first[-1].id, 1.0)
    assert strategy.ask().rung == 1


def test_hyperband_matches_the_paper_table():
    strategy = Hyperband(small_space(), max_epochs=81, eta=3, seed=0)
    assert strategy.plan().brackets == TABLE_1
    trials = run_sequential(strategy)
    assert rung_table(trials) == TABLE_1
    check_resume_chains(trials)
    per_bracket = [sum(n * (r - prev) for (n, r), prev in zip(b, [0] + [r for _, r in b]))
                   for b in TABLE_1]
    assert per_bracket == [297, 243, 189, 270, 405]
    assert trained_epochs(trials) == strategy.epochs_trained == strategy.plan().total_epochs
    assert strategy.plan().total_epochs == 1404
    assert "5 brackets" in strategy.describe()


def test_hyperband_s_max_uses_integer_arithmetic():
    assert int(math.log(243, 3)) == 4  # the float pitfall of Optuna #6835
    assert int_log_floor(243, 1, 3) == 5
    strategy = Hyperband(small_space(), max_epochs=243, eta=3)
    assert strategy.s_max == 5
    plan = strategy.plan()
    assert len(plan.brackets) == 6
    assert plan.brackets[0] == [(243, 1), (81, 3), (27, 9), (9, 27), (3, 81), (1, 243)]
    assert plan.brackets[-1] == [(6, 243)]


def test_hyperband_min_epochs_drops_the_shortest_brackets():
    assert hyperband_brackets(81, 3, min_epochs=3)[0] == [(27, 3), (9, 9), (3, 27), (1, 81)]


@pytest.mark.parametrize("finish_last, total", [(False, 99), (True, 126)])
def test_hyperband_epoch_budget(finish_last, total):
    # One iteration for R=9, eta=3 costs 21 + 15 + 27 = 63 epochs.
    strategy = Hyperband(small_space(), max_epochs=9, eta=3, budget_epochs=100,
                         finish_last_bracket=finish_last)
    assert strategy.plan().total_epochs == total
    run_sequential(strategy)
    assert strategy.epochs_trained == total
    assert (total <= 100) is (not finish_last)


def test_hyperband_budget_too_small_for_one_bracket():
    with pytest.raises(ValueError, match="budget_epochs"):
        Hyperband(small_space(), max_epochs=9, budget_epochs=5)


def test_parallel_workers_start_the_next_bracket_while_one_waits():
    # R=9, eta=3: brackets 9x1 3x3 1x9 | 3x3 1x9 | 3x9
    strategy = Hyperband(small_space(), max_epochs=9, eta=3, seed=0)
    asked = [strategy.ask() for _ in range(15)]
    assert [t.bracket for t in asked] == [0] * 9 + [1] * 3 + [2] * 3
    assert strategy.ask() is None and not strategy.done  # every bracket waits
    for trial in asked:
        strategy.tell(trial.id, bowl(trial.config, trial.epochs))
    run_sequential(strategy)
    assert strategy.epochs_trained == strategy.plan().total_epochs


def test_parallel_runner_finishes_with_nothing_lost():
    strategy = Hyperband(small_space(), max_epochs=27, eta=3, seed=2)
    assert run_parallel(strategy, bowl, tells=10_000, workers=5) == []
    assert strategy.done and strategy.epochs_trained == strategy.plan().total_epochs


def test_failed_trials_get_the_worst_score_and_are_not_promoted():
    strategy = Hyperband(small_space(), max_epochs=27, eta=3, seed=3)
    trials = run_sequential(strategy, flaky_bowl)
    failed = {t.id for t in trials if strategy.score(t.id) is None}
    assert failed, "the test needs some failures"
    assert not {t.resume_from for t in trials} & failed
    best_trial, _ = strategy.best()
    assert best_trial.id not in failed and best_trial.config["optim.lr"] <= 0.1


@pytest.mark.parametrize("kwargs, name", [
    ({"eta": 1}, "eta"), ({"max_epochs": 0}, "max_epochs"), ({"n_configs": 0}, "n_configs"),
    ({"min_epochs": 0}, "min_epochs"), ({"min_epochs": 5, "max_epochs": 3}, "max_epochs"),
    ({"resume": "yes"}, "resume"), ({"goal": "lower"}, "goal"), ({"seed": -1}, "seed"),
])
def test_successive_halving_refuses_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        SuccessiveHalving(small_space(), **kwargs)


@pytest.mark.parametrize("kwargs, name", [
    ({"eta": 1}, "eta"), ({"max_epochs": 0}, "max_epochs"), ({"sampler": "cma"}, "sampler"),
    ({"random_fraction": 2}, "random_fraction"), ({"budget_epochs": 0}, "budget_epochs"),
    ({"finish_last_bracket": 1}, "finish_last_bracket"),
])
def test_hyperband_refuses_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        Hyperband(small_space(), **kwargs)


def test_schedules_refuse_train_epochs_as_a_parameter():
    from dlstudio.search import SearchSpace

    space = SearchSpace.from_dict({"train.epochs": {"values": [1, 2]}})
    with pytest.raises(ValueError, match="train.epochs"):
        Hyperband(space)


def test_bohb_proposals_concentrate_near_the_optimum():
    strategy = Hyperband(small_space(), max_epochs=27, eta=3, sampler="tpe",
                         n_startup_trials=8, seed=0)
    trials = run_sequential(strategy)
    assert rung_table(trials) == rung_table(run_sequential(
        Hyperband(small_space(), max_epochs=27, eta=3, seed=0)))
    new = [t for t in trials if t.resume_from is None]
    late = new[len(new) // 2:]
    near = sum(1e-4 < t.config["optim.lr"] < 1e-1 for t in late) / len(late)
    assert near > 0.6  # random draws would land there 3 decades in 5: 0.6
    assert "BOHB" in strategy.describe()


def test_the_course_budget_per_bracket_is_s_max_plus_one_times_r():
    from dlstudio.search.brackets import bracket_budget, bracket_cost

    assert bracket_budget(81, 3) == 405
    assert Hyperband(small_space(), max_epochs=81, eta=3).bracket_budget == 405
    assert bracket_budget(27, 3, min_epochs=3) == 3 * 27  # s_max = 2
    for max_epochs, eta in ((81, 3), (27, 3), (16, 2), (100, 4)):
        budget = bracket_budget(max_epochs, eta)
        costs = [bracket_cost(rungs, resume=False)
                 for rungs in hyperband_brackets(max_epochs, eta)]
        assert max(costs) <= budget and costs[-1] == budget


def test_one_best_rule_for_the_strategy_the_summary_and_its_curve():
    """A 1-epoch 0.12 against its own 2-epoch 0.27: the best is the 2-epoch result,
    in the strategy, the sweep header and the last point of the best-so-far curve."""
    from dlstudio.training.sweeps.summary import _curve, best_trial

    strategy = SuccessiveHalving(small_space(), n_configs=2, min_epochs=1, max_epochs=2,
                                 eta=2, seed=0)
    first, second = strategy.ask(), strategy.ask()
    strategy.tell(first.id, 0.1222)
    strategy.tell(second.id, 0.5)
    promoted = strategy.ask()
    assert promoted.resume_from == first.id
    strategy.tell(promoted.id, 0.2674)
    assert strategy.best()[1] == 0.2674
    told = [{"trial": t.id, "run_id": t.id, "config": t.config, "score": score,
             "epochs": t.epochs, "rung": t.rung, "epochs_spent": 1}
            for t, score in strategy.results()]
    assert best_trial(told, "minimize")["score"] == 0.2674
    assert _curve(told, "minimize")["best"] == [0.1222, 0.1222, 0.2674]
