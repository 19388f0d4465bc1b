"""A database of real runs for the compare / query / importance tests, trained once.

Tiny real training on scikit-learn's digits (hidden [16], 2 epochs, CPU): a 10-trial
random sweep over ``optim.lr`` and ``optim.name``, two groups of three seeds (tags
``seeds-adam`` and ``seeds-sgd``, for mean-and-band curves), and one run logged with a
free-form config the way a user's script would (``{"lr": .., "model": ..}``).
Tests get a copy, so they may change it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dlstudio.cli import main
from dlstudio.store import Store

SWEEP_YAML = """
method: random
name: tiny-random
metric: {name: dev_error, goal: minimize}
budget: {trials: 10}
base:
  data: {name: digits}
  model: {hidden: [16]}
  train: {device: cpu, epochs: 2, checkpoints: false}
parameters:
  optim.lr: {distribution: log_uniform_values, min: 1.0e-4, max: 3.0e-1}
  optim.name: {values: [adam, sgd]}
"""
BASE = ["data.name=digits", "model.hidden=[16]", "train.device=cpu", "train.epochs=2",
        "train.checkpoints=false"]
SEED_GROUPS = {"seeds-adam": ["optim.name=adam", "optim.lr=0.01"],
               "seeds-sgd": ["optim.name=sgd", "optim.lr=0.05"]}
SWEEP_TRIALS = 10
SCRIPT_CONFIG = {"lr": 3e-4, "model": "resnet18", "batch": 32}


def build(folder: Path) -> Path:
    """Train the runs into ``folder / "runs.db"``; returns the path."""
    db = folder / "runs.db"
    sweep_file = folder / "sweep.yaml"
    sweep_file.write_text(SWEEP_YAML)
    assert main(["sweep", str(sweep_file), "--db", str(db), "--seed", "1"]) == 0
    for tag, settings in SEED_GROUPS.items():
        for seed in range(3):
            sets = [arg for item in [*BASE, *settings, f"train.seed={seed}"]
                    for arg in ("--set", item)]
            assert main(["train", *sets, "--db", str(db), "--name",
                         f"{tag} seed {seed}"]) == 0
    with Store(db) as store:
        for run in store.list_runs(where="name ~ seeds-"):
            store.add_tag(run["id"], run["name"].split(" seed")[0])
        store.add_tag(store.list_runs(where="sweep:1 and optim.name = adam")[0]["id"],
                      "baseline")
        script = store.create_run(SCRIPT_CONFIG, name="user script")
        store.start_run(script)
        store.write_metrics([(script, "loss", step, step // 5, 2.0 / step, float(step))
                             for step in range(1, 21)])
        store.end_run(script, "finished", {"best_dev_metric": 0.5})
    return db


@pytest.fixture(scope="session")
def real_runs_master(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("real_runs"))


@pytest.fixture
def real_db(real_runs_master, tmp_path) -> Path:
    """A private copy of the real-runs database."""
    copy = tmp_path / "runs.db"
    source = sqlite3.connect(real_runs_master)
    target = sqlite3.connect(copy)
    with target:
        source.backup(target)
    source.close()
    target.close()
    return copy
