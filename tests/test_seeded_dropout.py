"""Dropout draws from each run's own generator: runs training at once in one process
(a sweep's local workers) and a run resumed from its checkpoint get the masks they
would get alone and uninterrupted."""

from __future__ import annotations

import threading

import pytest
import torch
from torch import nn

from dlstudio.training import checkpoints
from dlstudio.training.seeded_dropout import SeededDropout, give_generator
from dlstudio.training.trainer import Trainer
from tests.training_helpers import config, splits_for

DROPOUT = ("model.hidden=[64]", "model.dropout=0.5", "train.batch_size=128")


def weights(trainer: Trainer) -> list[torch.Tensor]:
    return [p.detach().clone() for p in trainer.model.parameters()]


def train_alone(cfg) -> list[torch.Tensor]:
    trainer = Trainer(cfg, splits_for(cfg))
    trainer.run()
    return weights(trainer)


def test_two_runs_with_dropout_training_step_for_step_in_threads_match_each_alone():
    configs = [config(*DROPOUT, "train.seed=1"), config(*DROPOUT, "train.seed=2")]
    alone = [train_alone(cfg) for cfg in configs]
    # Each step waits for the other thread's: their draws interleave at every step.
    lockstep = threading.Barrier(2, timeout=60)
    trainers = [Trainer(cfg, splits_for(cfg), subscribers=[lambda _event: lockstep.wait()])
                for cfg in configs]
    threads = [threading.Thread(target=trainer.run) for trainer in trainers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for trainer, reference in zip(trainers, alone):
        assert all(torch.equal(mine, theirs) for mine, theirs in zip(weights(trainer), reference))


def test_a_run_with_dropout_resumed_from_its_checkpoint_matches_the_uninterrupted_run(
        tmp_path):
    uninterrupted = train_alone(config(*DROPOUT, "train.epochs=2"))
    first = Trainer(config(*DROPOUT, "train.epochs=1"), splits_for(config(*DROPOUT)),
                    checkpoint_dir=tmp_path)
    first.run()
    torch.rand(1000)  # the global generator moves on; the masks must not depend on it
    cfg = config(*DROPOUT, "train.epochs=2")
    resumed = Trainer(cfg, splits_for(cfg))
    resumed.load(tmp_path / "last.pt")
    resumed.run()
    assert all(torch.equal(a, b) for a, b in zip(weights(resumed), uninterrupted))


def test_seeded_dropout_keeps_the_expected_value_and_is_off_in_eval():
    layer = SeededDropout(0.25)
    layer.generator = torch.Generator().manual_seed(0)
    x = torch.ones(200_000)
    y = layer(x)
    assert torch.unique(y).tolist() == [0.0, pytest.approx(1 / 0.75)]
    assert (y == 0).float().mean().item() == pytest.approx(0.25, abs=0.01)
    assert y.mean().item() == pytest.approx(1.0, abs=0.01)
    layer.eval()
    assert torch.equal(layer(x), x)


def test_every_plain_dropout_of_a_plugin_model_draws_from_the_runs_generator():
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.3), nn.ModuleList([nn.Dropout(0.1)]))
    model.head = nn.Dropout(0.2, inplace=True)
    generator = give_generator(model, torch.device("cpu"), seed=3)
    layers = [m for m in model.modules() if isinstance(m, nn.Dropout)]
    assert [(type(m), m.p, m.inplace) for m in layers] == [
        (SeededDropout, 0.3, False), (SeededDropout, 0.1, False), (SeededDropout, 0.2, True)]
    assert all(m.generator is generator for m in layers)
    assert model.state_dict().keys() == {"0.weight", "0.bias"}
    assert give_generator(nn.Linear(2, 2), torch.device("cpu"), seed=3) is None


def test_a_checkpoint_from_another_kind_of_device_resumes_with_fresh_masks(tmp_path):
    first = Trainer(config(*DROPOUT, "train.epochs=1"), splits_for(config(*DROPOUT)),
                    checkpoint_dir=tmp_path)
    first.run()
    state = checkpoints.load_checkpoint(tmp_path / "last.pt")
    assert state["dropout_rng"]["device"] == "cpu"
    # What a GPU run saves: the CUDA generator's 16-byte state, which a CPU one refuses.
    state["dropout_rng"] = {"device": "cuda", "state": torch.zeros(16, dtype=torch.uint8)}
    checkpoints.save_checkpoint(tmp_path / "from-gpu.pt", state)
    cfg = config(*DROPOUT, "train.epochs=2")
    resumed = Trainer(cfg, splits_for(cfg))
    resumed.load(tmp_path / "from-gpu.pt")
    assert resumed.run().status == "finished"
