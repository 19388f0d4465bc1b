"""Losses read back in batches (the GPU path) report the same run as reading every step."""

from __future__ import annotations

import torch

from dlstudio.training import step_readout
from dlstudio.training.events import EpochEvent, StepEvent
from dlstudio.training.step_readout import READ_EVERY, StepReadout
from tests.test_trainer import _train
from tests.training_helpers import config


def test_a_batched_readout_holds_steps_until_a_batch_is_full():
    readout = StepReadout()
    held = [readout.add(step, torch.tensor(float(step)), 0.1, None, 0.0, 8)
            for step in range(1, READ_EVERY)]
    assert held == [[]] * (READ_EVERY - 1)
    records = readout.add(READ_EVERY, torch.tensor(float(READ_EVERY)), 0.1, None, 0.0, 8)
    assert [(r.step, r.loss) for r in records] == [(s, float(s)) for s in range(1, READ_EVERY + 1)]
    assert readout.read() == []


def _events(monkeypatch, batched, *overrides):
    monkeypatch.setattr(step_readout, "reads_in_batches", lambda device: batched)
    monkeypatch.setattr("dlstudio.training.trainer.reads_in_batches", lambda device: batched)
    return _train(config(*overrides))


def test_batched_reads_give_the_same_events_and_summary(monkeypatch):
    _, ended_each, each = _events(monkeypatch, False, "train.epochs=3")
    _, ended_batched, batched = _events(monkeypatch, True, "train.epochs=3")
    epochs = [(e.epoch, e.step, e.train_loss, e.train_metric, e.dev_loss)
              for e in each if isinstance(e, EpochEvent)]
    assert epochs == [(e.epoch, e.step, e.train_loss, e.train_metric, e.dev_loss)
                      for e in batched if isinstance(e, EpochEvent)]
    losses = [(e.step, e.loss, e.lr) for e in each if isinstance(e, StepEvent)]
    assert losses == [(e.step, e.loss, e.lr) for e in batched if isinstance(e, StepEvent)]
    drop_times = {"duration", "cpu_time"}
    assert {k: v for k, v in ended_each.summary.items() if k not in drop_times} == \
           {k: v for k, v in ended_batched.summary.items() if k not in drop_times}


def test_a_divergence_is_caught_within_one_read_and_later_steps_do_not_count(monkeypatch):
    trainer, ended, events = _events(monkeypatch, True, "optim.name=sgd", "optim.lr=1e6",
                                     "train.epochs=3")
    assert ended.status == "diverged"
    steps = [e for e in events if isinstance(e, StepEvent)]
    assert trainer.step == len(steps) == ended.summary["steps"]
    assert trainer.step < READ_EVERY
