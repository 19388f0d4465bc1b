"""What the sweep panel computes without Qt: plan costs, time estimates, and how the
progress of a halving schedule or a Bayesian start-up reads."""

from __future__ import annotations

import pytest

from dlstudio.search import Grid, Hyperband, RandomSearch, SearchSpace, SuccessiveHalving
from dlstudio.search.coarse_to_fine import CoarseToFine
from dlstudio.search.estimate import format_seconds, seconds_per_epoch, sweep_cost
from dlstudio.gui.sweeps.progress import latest_per_config, parent_runs, startup_note
from dlstudio.training.sweeps.outcomes import startup_progress, trial_outcomes

SPACE = SearchSpace.from_dict({
    "optim.lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1, "points": 4},
    "optim.name": {"values": ["adam", "sgd"]}})


def test_costs_follow_the_strategy_settings():
    grid = sweep_cost(Grid(SPACE, epochs=5))
    assert (grid.grid_size, grid.trials, grid.epochs) == (8, 8, 40)
    assert sweep_cost(Grid(SPACE, epochs=5, max_trials=3)).epochs == 15
    assert sweep_cost(RandomSearch(SPACE, n_trials=7, epochs=2)).epochs == 14
    halving = sweep_cost(SuccessiveHalving(SPACE, n_configs=4, min_epochs=1, max_epochs=4,
                                           eta=2))
    assert (halving.trials, halving.epochs) == (7, 8)
    assert halving.plan.brackets == [[(4, 1), (2, 2), (1, 4)]]
    band = Hyperband(SPACE, max_epochs=81, eta=3)
    assert sweep_cost(band).epochs == band.plan().total_epochs == 1404
    coarse = sweep_cost(CoarseToFine(SPACE, rounds=2, mode="grid", keep=2, epochs=1))
    assert coarse.upper_bound and coarse.trials == 8 + 2 * 8


def run(status="finished", data="digits", model="mlp", duration=10.0, epochs=5):
    return {"status": status, "config": {"data": {"name": data, "path": ""},
                                         "model": {"name": model}},
            "summary": {"duration": duration, "epochs_done": epochs}}


def test_speed_comes_from_recent_finished_runs_of_the_same_data_and_model():
    base = {"data": {"name": "digits", "path": ""}, "model": {"name": "mlp"}}
    runs = [run(status="failed", duration=1000), run(model="cnn", duration=1000),
            run(data="wine", duration=1000), run(duration=10), run(duration=20),
            run(duration=30, epochs=0)]
    assert seconds_per_epoch(runs, base) == (3.0, 2)  # median of 2 and 4 s per epoch
    assert seconds_per_epoch([run(model="cnn")], base) is None
    assert seconds_per_epoch([run(duration=2.0 * i) for i in range(1, 9)], base,
                             recent=3) == (0.8, 3)


@pytest.mark.parametrize("seconds, text", [(0.2, "1 s"), (42, "42 s"), (754, "13 min"),
                                           (9000, "2.5 h"), (400_000, "4.6 days")])
def test_durations_read_naturally(seconds, text):
    assert format_seconds(seconds) == text


def trial(i, rung, config, status="finished", epochs=1, start=0, run_id=None, score=0.5):
    return {"trial": i, "bracket": 0, "rung": rung, "config": {"optim.lr": config},
            "status": status, "epochs": epochs, "start_epoch": start,
            "run_id": 100 + i if run_id is None else run_id, "score": score}


HALVING_TRIALS = [trial(0, 0, 0.1), trial(1, 0, 0.2), trial(2, 0, 0.3), trial(3, 0, 0.4),
                  trial(4, 1, 0.1, epochs=2, start=1), trial(5, 1, 0.3, epochs=2, start=1,
                                                             status="running", score=None)]


def test_a_rung_decides_only_once_it_promoted():
    assert trial_outcomes(HALVING_TRIALS) == {0: "promoted", 1: "eliminated",
                                              2: "promoted", 3: "eliminated"}
    assert trial_outcomes(HALVING_TRIALS[:4]) == {}  # rung 0 still deciding


def test_promotions_continue_their_parent_run_and_count_once():
    assert parent_runs(HALVING_TRIALS) == {104: 100, 105: 102}
    latest = {t["trial"] for t in latest_per_config(HALVING_TRIALS)}
    assert latest == {1, 3, 4, 5}


def test_bayesian_start_up_is_said_until_enough_results():
    record = {"method": "bayes", "strategy": {"settings": {"n_startup_trials": 3,
                                                           "sampler": "tpe"}}}
    trials = [trial(0, None, 0.1), trial(1, None, 0.2)]
    startup = startup_progress(record, trials, "running")
    assert startup == {"sampler": "tpe", "needed": 3, "have": 2, "per_epochs": False}
    assert "until 3 trials have a result (2 so far)" in startup_note({"startup": startup})
    assert startup_progress(record, trials, "finished") is None
    trials.append(trial(2, None, 0.3))
    assert startup_progress(record, trials, "running") is None
    assert startup_note({"startup": None}) == ""
    assert startup_progress({"method": "random", "strategy": {"settings": {}}}, trials,
                            "running") is None


def test_hyperband_tpe_start_up_counts_results_at_one_number_of_epochs():
    record = {"method": "hyperband", "strategy": {"settings": {"n_startup_trials": 2,
                                                               "sampler": "tpe"}}}
    trials = [trial(0, 0, 0.1, epochs=1), trial(1, 1, 0.1, epochs=3)]
    assert startup_progress(record, trials, "running")["have"] == 1
    assert "same number of epochs (1 so far)" in startup_note(
        {"startup": startup_progress(record, trials, "running")})
    trials.append(trial(2, 0, 0.2, epochs=1))
    assert startup_progress(record, trials, "running") is None


def test_best_so_far_says_it_counts_the_most_epochs_reached_under_halving(qtbot):
    from dlstudio.gui.sweeps.sweep_plots import BestSoFarPlot

    plot = BestSoFarPlot()
    qtbot.addWidget(plot)
    curve = {"epochs": [1, 2, 4], "best": [0.5, 0.4, 0.45]}
    plot.set_curve(curve, "dev_loss", "hyperband")
    assert "most epochs" in plot.plot_item.titleLabel.text
    assert "most epochs" in plot.toolTip()
    plot.set_curve(curve, "dev_loss", "random")
    assert not plot.plot_item.titleLabel.isVisible() and plot.toolTip() == ""
