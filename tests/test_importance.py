"""Parameter importance over stored runs: the core, its refusals, and the CLI."""

from __future__ import annotations

import json
import random

import pytest

from dlstudio.cli import main
from dlstudio.errors import ConfigError
from dlstudio.search.importance import MIN_RUNS, compute_importance, select_runs
from dlstudio.store import Store
from tests.real_runs import SWEEP_TRIALS, real_db, real_runs_master  # noqa: F401


def _runs(count: int, score) -> list[dict]:
    rng = random.Random(0)
    runs = []
    for run_id in range(1, count + 1):
        config = {"optim": {"lr": 10 ** rng.uniform(-4, -1), "name": rng.choice(["a", "b"])},
                  "noise": rng.uniform(0, 1), "seed": 7}
        runs.append({"id": run_id, "config": config,
                     "summary": {"best_dev_metric": score(config)}})
    return runs


def test_the_parameter_that_drives_the_metric_ranks_first():
    result = compute_importance(_runs(40, lambda c: -abs(c["optim"]["lr"] - 0.01) * 100))
    assert result.runs_used == 40 and set(result.params) == {"optim.lr", "optim.name", "noise"}
    for name in ("fanova", "mdi"):
        shares = result.importances[name]
        assert sum(shares.values()) == pytest.approx(1.0)
        assert next(iter(shares)) == "optim.lr" and shares["optim.lr"] > 0.6, (name, shares)


def test_a_categorical_parameter_can_matter():
    result = compute_importance(_runs(30, lambda c: 1.0 if c["optim"]["name"] == "a" else 0.2),
                                evaluators=["fanova"])
    assert next(iter(result.importances["fanova"])) == "optim.name"


def test_free_form_configs_and_runs_without_the_metric():
    runs = [{"id": i, "config": {"lr": 0.001 * i, "model": "resnet18" if i % 2 else "vit"},
             "summary": {"best_dev_metric": i / 10} if i <= 9 else {}} for i in range(1, 12)]
    result = compute_importance(runs)
    assert (result.runs_used, result.runs_without_metric) == (9, 2)
    assert set(result.params) == {"lr", "model"}


@pytest.mark.parametrize("runs, message", [
    (_runs(MIN_RUNS - 1, lambda c: c["noise"]),
     f"importance: {MIN_RUNS - 1} of {MIN_RUNS - 1} runs have a best_dev_metric; at least "
     f"{MIN_RUNS} are needed"),
    (_runs(10, lambda c: 0.5), "every run has best_dev_metric = 0.5"),
    ([{"id": i, "config": {"lr": 0.1}, "summary": {"best_dev_metric": i}}
      for i in range(10)], "no parameter varies"),
])
def test_refusals_say_why(runs, message):
    with pytest.raises(ConfigError, match="^importance: ") as raised:
        compute_importance(runs)
    assert message in str(raised.value)


def test_a_name_like_value_is_left_out_with_its_reason():
    runs = _runs(10, lambda c: c["noise"])
    for run in runs:
        run["config"]["tag_text"] = f"run-{run['id']}"
    result = compute_importance(runs, evaluators=["mdi"])
    assert "tag_text" not in result.params
    assert result.skipped["tag_text"].startswith("a different value in every run")


def test_a_real_sweep_by_id_and_by_query(real_db):
    with Store(real_db) as store:
        label, runs = select_runs(store, "1")
        assert (label, len(runs)) == ("sweep 1", SWEEP_TRIALS)
        result = compute_importance(runs)
        assert set(result.params) == {"optim.lr", "optim.name"}
        assert result.runs_used == SWEEP_TRIALS
        label, runs = select_runs(store, "sweep:1 or tag:seeds-adam")
        assert len(runs) == SWEEP_TRIALS + 3
        with pytest.raises(ConfigError, match="sweep 99: not found"):
            select_runs(store, "sweep:99")


def test_cli_prints_the_numbers_and_refuses_with_the_reason(real_db, capsys):
    assert main(["importance", "1", "--db", str(real_db), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["runs_used"] == SWEEP_TRIALS and printed["target"] == "sweep 1"
    assert set(printed["importances"]["fanova"]) == {"optim.lr", "optim.name"}
    assert main(["importance", "sweep:1", "--evaluator", "mdi", "--db", str(real_db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"sweep 1: importance for best_dev_metric from {SWEEP_TRIALS} runs")
    assert "Mean decrease impurity" in out and "fANOVA" not in out
    assert main(["importance", "tag:seeds-adam", "--db", str(real_db)]) == 2
    assert "at least 8 are needed" in capsys.readouterr().err


def test_cli_runs_where(real_db, capsys):
    assert main(["runs", "--where", "optim.name = adam and tag:seeds-adam", "--json",
                 "--db", str(real_db)]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert len(runs) == 3 and all(run["config"]["optim"]["name"] == "adam" for run in runs)
    assert main(["runs", "--where", "lr < 0.001 and model = resnet18", "--db",
                 str(real_db)]) == 0
    assert "user script" in capsys.readouterr().out
    assert main(["runs", "--where", "optim.name = = adam", "--db", str(real_db)]) == 2
    assert "error: query, position 14: expected a value" in capsys.readouterr().err
