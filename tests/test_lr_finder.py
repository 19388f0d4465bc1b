"""The LR range test: restores the model, suggests a sane LR, stores its curve."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from dlstudio.cli import main
from dlstudio.errors import ConfigError
from dlstudio.store import Store
from dlstudio.training import lr_finder
from dlstudio.training.trainer import Trainer
from tests.training_helpers import config, splits_for


def test_weights_and_optimizer_state_are_restored():
    cfg = config("optim.name=adam")
    trainer = Trainer(cfg, splits_for(cfg))
    before = [p.detach().clone() for p in trainer.model.parameters()]
    result = lr_finder.lr_range_test(trainer, batch_size=10, steps=80, min_lr=1e-7, max_lr=10,
                                     stop_factor=4, smoothing=0.9, stop=None, on_point=None)
    assert len(result.lrs) > 10
    for old, new in zip(before, trainer.model.parameters()):
        assert torch.equal(old, new)
    assert trainer.optimizer.state_dict()["state"] == {}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_adam_on_digits_suggests_between_1e4_and_1e1(seed):
    result = lr_finder.find_lr(config("optim.name=adam", f"train.seed={seed}", "model.hidden=[64]"))
    for name in ("steepest", "min_div_10"):
        assert 1e-4 <= result.suggestions[name] <= 1e-1, result.suggestions
    # the LR grows exponentially: constant ratio between neighbours
    ratios = np.diff(np.log(result.lrs))
    assert np.allclose(ratios, ratios[0])


def test_stops_once_the_smoothed_loss_exceeds_four_times_its_best():
    result = lr_finder.find_lr(config("optim.name=sgd"), max_lr=1e4)
    assert result.stopped_early
    assert result.smoothed[-1] > 4 * min(result.smoothed[:-1])
    assert max(result.smoothed[:-1]) <= 4 * min(result.smoothed[:-1])


def test_zero_lag_smoothing_does_not_shift_a_step():
    step = np.r_[np.ones(50), np.zeros(50)]
    smooth = lr_finder.zero_lag_smooth(step, 0.9)
    assert abs(int(np.argmax(np.abs(np.diff(smooth)))) - 49) <= 1


@pytest.mark.parametrize("override, message", [
    ("optim.name=lbfgs", "optim.name: lbfgs is full-batch"),
    ("optim.name=gd", "optim.name: gd is full-batch"),
])
def test_full_batch_optimizers_are_refused(override, message):
    with pytest.raises(ConfigError, match=message):
        lr_finder.find_lr(config(override))


def test_cli_json_and_storage(db_path, capsys):
    code = main(["lr-find", "--db", str(db_path), "--set", "optim.name=adam", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(out["suggestions"]) == {"steepest", "min_div_10"}
    assert len(out["lrs"]) == len(out["losses"]) > 10
    with Store(db_path) as store:
        stored = store.get_lr_test(out["id"])
    assert stored["lrs"] == out["lrs"] and stored["suggestions"] == out["suggestions"]


def test_runs_at_the_configured_batch_size_repeating_epochs_as_needed():
    cfg = config("optim.name=sgd", "train.batch_size=128")
    trainer = Trainer(cfg, splits_for(cfg))
    n_train = len(trainer.data.y_train)
    result = lr_finder.find_lr(cfg, min_lr=1e-5, max_lr=0.1, num_steps=100)
    assert result.batch_size == 128 and len(result.lrs) == 100  # asked before: 84 of 10
    assert result.epochs == pytest.approx(100 * 128 / n_train) and result.epochs > 2
    assert result.details()["epochs"] == result.epochs
