"""Shared pieces of the search tests: spaces, synthetic scores, fake runners."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from dlstudio.search import SearchSpace, Strategy, Trial

Score = Callable[[dict[str, Any], int], float | None]


def small_space(conditional: bool = True) -> SearchSpace:
    """lr (log), dropout, optimizer, and momentum only for momentum/nesterov."""
    params: dict[str, Any] = {
        "optim.lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1.0},
        "model.dropout": {"distribution": "uniform", "min": 0.0, "max": 0.5},
        "optim.name": {"values": ["adam", "momentum", "nesterov"]},
        "train.batch_size": {"values": [32, 64]},
    }
    if conditional:
        params["optim.momentum"] = {"min": 0.5, "max": 0.99,
                                    "condition": {"optim.name": ["momentum", "nesterov"]}}
    return SearchSpace.from_dict(params)


def bowl(config: dict[str, Any], epochs: int) -> float:
    """A smooth dev loss: best near lr=3e-3, dropout=0.2; more epochs help a little."""
    lr, dropout = config.get("optim.lr", 1e-3), config.get("model.dropout", 0.2)
    loss = (math.log10(lr) + 2.5) ** 2 / 6 + (dropout - 0.2) ** 2
    loss += 0.05 * (config.get("optim.name") == "adam") + 0.02 * config.get("optim.momentum", 0.9)
    return loss + 1.0 / (1 + epochs)


def flaky_bowl(config: dict[str, Any], epochs: int) -> float | None:
    """``bowl`` where large learning rates diverge (None) or give NaN."""
    if config["optim.lr"] > 0.3:
        return None
    if config["optim.lr"] > 0.1:
        return float("nan")
    return bowl(config, epochs)


def run_sequential(strategy: Strategy, score: Score = bowl, limit: int = 10_000) -> list[Trial]:
    """The fake runner: ask, 'train', tell, until done."""
    trials = []
    while not strategy.done:
        trial = strategy.ask()
        assert trial is not None, "a sequential runner never leaves a strategy waiting"
        strategy.tell(trial.id, score(trial.config, trial.epochs))
        trials.append(trial)
        assert len(trials) < limit
    assert strategy.ask() is None
    return trials


def run_parallel(strategy: Strategy, score: Score, tells: int, workers: int = 3) -> list[Trial]:
    """Keep up to ``workers`` trials running, finish the oldest first, stop after
    ``tells`` results; returns the trials still running (asked, not told)."""
    running: list[Trial] = []
    for _ in range(tells):
        while len(running) < workers:
            trial = strategy.ask()
            if trial is None:
                break
            running.append(trial)
        if not running:
            break
        trial = running.pop(0)
        strategy.tell(trial.id, score(trial.config, trial.epochs))
    return running


def json_round_trip(value: Any) -> Any:
    return json.loads(json.dumps(value))


def trained_epochs(trials: list[Trial]) -> int:
    """Epochs actually trained: a resumed trial trains only its extra epochs."""
    by_id = {t.id: t for t in trials}
    return sum(t.epochs - (by_id[t.resume_from].epochs if t.resume_from is not None else 0)
               for t in trials)
