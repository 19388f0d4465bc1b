"""The training loop: accuracy, determinism, resume, divergence, stop, pause, events."""

from __future__ import annotations

import threading

import pytest
import torch

from dlstudio.config import OPTIMIZERS, RunConfig
from dlstudio.training.events import EpochEvent, RunEnded, RunStarted, StepEvent
from dlstudio.training.trainer import Trainer
from tests.training_helpers import config, splits_for


def _train(cfg: RunConfig, **kwargs):
    events = []
    trainer = Trainer(cfg, splits_for(cfg), subscribers=[events.append], **kwargs)
    return trainer, trainer.run(), events


def _weights(trainer: Trainer) -> list[torch.Tensor]:
    return [p.detach().clone() for p in trainer.model.parameters()]


def test_digits_mlp_passes_90_percent_dev_accuracy_in_a_few_epochs():
    cfg = config("model.hidden=[64]", "train.epochs=5", "optim.lr=0.003")
    _, ended, _ = _train(cfg)
    assert ended.status == "finished"
    assert ended.summary["dev_metric"] > 0.90
    assert {"train_metric", "test_metric", "test_loss"} <= set(ended.summary)


def test_events_arrive_in_order_with_one_step_event_per_batch():
    cfg = config("train.epochs=2", "train.batch_size=100")
    trainer, ended, events = _train(cfg)
    assert isinstance(events[0], RunStarted) and isinstance(events[-1], RunEnded)
    steps = [e for e in events if isinstance(e, StepEvent)]
    epochs = [e for e in events if isinstance(e, EpochEvent)]
    assert len(steps) == 2 * trainer.steps_per_epoch
    assert [s.step for s in steps] == list(range(1, len(steps) + 1))
    assert [e.epoch for e in epochs] == [1, 2]
    assert epochs[-1].step == steps[-1].step


def test_same_config_and_seed_give_identical_curves():
    cfg = config("model.dropout=0.2")
    _, first, a = _train(cfg)
    _, second, b = _train(cfg)
    assert [e.loss for e in a if isinstance(e, StepEvent)] == \
           [e.loss for e in b if isinstance(e, StepEvent)]
    other = config("model.dropout=0.2", "train.seed=1")
    _, _, c = _train(other)
    assert [e.loss for e in a if isinstance(e, StepEvent)] != \
           [e.loss for e in c if isinstance(e, StepEvent)]


@pytest.mark.parametrize("schedule", ["constant", "step"])
def test_four_epochs_equal_two_then_two_more(tmp_path, schedule):
    """Resuming from a checkpoint continues exactly: same final weights on CPU."""
    full_cfg = config("train.epochs=4", "model.dropout=0.1", "optim.name=adam",
                      f"schedule.name={schedule}", "schedule.step_size=1", "schedule.gamma=0.7")
    full, _, _ = _train(full_cfg)
    half_cfg = full_cfg.replace(**{"train.epochs": 2})
    first, _, _ = _train(half_cfg, checkpoint_dir=tmp_path)
    second = Trainer(full_cfg, splits_for(full_cfg), checkpoint_dir=tmp_path)
    second.load(tmp_path / "last.pt")
    assert second.epoch == 2
    second.run()
    for a, b in zip(_weights(full), _weights(second)):
        assert torch.equal(a, b)


def test_checkpoints_keep_last_and_best(tmp_path):
    _train(config("train.epochs=2"), checkpoint_dir=tmp_path)
    from dlstudio.training.checkpoints import load_checkpoint

    last = load_checkpoint(tmp_path / "last.pt")
    best = load_checkpoint(tmp_path / "best.pt")
    assert last["epoch"] == 2 and 1 <= best["epoch"] <= 2
    assert set(last) >= {"model", "optimizer", "schedule", "rng", "step"}


def test_huge_lr_diverges_within_one_step():
    cfg = config("optim.name=sgd", "optim.lr=1e6", "train.epochs=3")
    trainer, ended, events = _train(cfg)
    assert ended.status == "diverged"
    steps = [e for e in events if isinstance(e, StepEvent)]
    # The step whose loss exploded is never reported as a normal step, and training
    # stopped right there instead of finishing the epoch.
    assert trainer.step == len(steps) < trainer.steps_per_epoch


def test_stop_takes_effect_within_one_step():
    stop = threading.Event()
    cfg = config("train.epochs=50")
    seen = []

    def stop_after_five(event):
        if isinstance(event, StepEvent):
            seen.append(event.step)
            if event.step == 5:
                stop.set()

    trainer = Trainer(cfg, splits_for(cfg), subscribers=[stop_after_five], stop=stop)
    ended = trainer.run()
    assert ended.status == "stopped"
    assert seen[-1] == 5


def test_pause_holds_the_loop_until_released():
    pause, cfg = threading.Event(), config("train.epochs=1")
    trainer = Trainer(cfg, splits_for(cfg), pause=pause)
    pause.set()
    worker = threading.Thread(target=trainer.run)
    worker.start()
    worker.join(0.3)
    assert worker.is_alive() and trainer.step == 0
    pause.clear()
    worker.join(30)
    assert not worker.is_alive() and trainer.step == trainer.steps_per_epoch


def test_early_stopping_ends_when_dev_stops_improving():
    cfg = config("optim.lr=1e-7", "optim.name=sgd", "train.epochs=30", "train.early_stopping=2")
    _, ended, _ = _train(cfg)
    assert ended.status == "finished"
    assert ended.summary["epochs_done"] < 30


def test_grad_clip_limits_the_update():
    cfg = config("optim.name=sgd", "optim.lr=1.0", "train.grad_clip=0.01", "train.epochs=1",
                 "train.batch_size=2000")
    trainer = Trainer(cfg, splits_for(cfg))
    before = torch.cat([p.detach().flatten().clone() for p in trainer.model.parameters()])
    trainer.run()
    after = torch.cat([p.detach().flatten() for p in trainer.model.parameters()])
    assert torch.linalg.vector_norm(after - before) <= 0.01 + 1e-6


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_trains_moons(name):
    lr = {"gd": 0.5, "sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adadelta": 1.0,
          "lbfgs": 0.5}.get(name, 0.01)
    cfg = RunConfig.from_dict({}, ["data.name=moons", "data.n_samples=300", "model.hidden=[16]",
                                   f"optim.name={name}", f"optim.lr={lr}", "train.epochs=8",
                                   "train.device=cpu"])
    _, ended, events = _train(cfg)
    assert ended.status == "finished"
    losses = [e.train_loss for e in events if isinstance(e, EpochEvent)]
    assert losses[-1] < losses[0]


def test_regression_reports_rmse_in_target_units():
    cfg = RunConfig.from_dict({}, ["data.name=diabetes", "model.name=linear", "optim.lr=0.01",
                                   "train.epochs=30", "train.device=cpu"])
    _, ended, _ = _train(cfg)
    assert ended.summary["metric_name"] == "rmse"
    # diabetes targets span 25..346; a fitted linear model lands near 55, a constant near 77.
    assert 40 < ended.summary["dev_metric"] < 70


def test_cnn_trains_on_digit_images():
    cfg = RunConfig.from_dict({}, ["data.name=digits", "data.images=true", "model.name=cnn",
                                   "train.epochs=3", "optim.lr=0.003",
                                   "train.device=cpu"])
    _, ended, _ = _train(cfg)
    assert ended.status == "finished" and ended.summary["dev_metric"] > 0.9


def test_recorded_lr_equals_the_preview():
    from dlstudio.training.schedules import preview_schedule

    cfg = config("schedule.name=onecycle", "schedule.max_lr=0.01", "train.epochs=2")
    trainer, _, events = _train(cfg)
    recorded = [e.lr for e in events if isinstance(e, StepEvent)]
    preview = preview_schedule(cfg, trainer.steps_per_epoch)
    assert recorded == pytest.approx(preview["lr"], rel=1e-12)
    assert [e.momentum for e in events if isinstance(e, StepEvent)] == \
           pytest.approx(preview["momentum"], rel=1e-12)


def test_epoch_events_announce_checkpoint_writes(tmp_path):
    """The first epoch writes (the recorder flushes its points first); later ones wait."""
    _, _, events = _train(config("train.epochs=3"), checkpoint_dir=tmp_path)
    flags = [e.checkpoint for e in events if isinstance(e, EpochEvent)]
    assert flags == [True, False, False]
    _, _, events = _train(config("train.epochs=2"))
    assert not any(e.checkpoint for e in events if isinstance(e, EpochEvent))


def test_trainers_built_at_once_get_the_weights_they_get_alone(monkeypatch):
    """Sweep workers build trainers on two threads; torch's default generator is shared."""
    from dlstudio.training import trainer as trainer_module

    cfg = config()
    alone = [p.detach().clone() for p in Trainer(cfg, splits_for(cfg)).model.parameters()]
    build = trainer_module.build_model

    def slow_build(*args):  # widens the gap between seeding and drawing the weights
        threading.Event().wait(0.05)
        return build(*args)

    monkeypatch.setattr(trainer_module, "build_model", slow_build)
    built, start = [None, None], threading.Barrier(2)

    def construct(index):
        start.wait()
        built[index] = Trainer(cfg, splits_for(cfg))

    threads = [threading.Thread(target=construct, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for trainer in built:
        for mine, reference in zip(trainer.model.parameters(), alone):
            assert torch.equal(mine.detach(), reference)


def test_a_trainer_resuming_beside_one_being_built_leaves_its_weights_alone(monkeypatch,
                                                                             tmp_path):
    """A halving sweep resumes a promoted trial (its checkpoint restores torch's default
    generator) while another worker seeds it and draws a new trial's weights."""
    from dlstudio.training import trainer as trainer_module

    _train(config("train.epochs=1", "train.seed=5"), checkpoint_dir=tmp_path)
    cfg = config()
    alone = [p.detach().clone() for p in Trainer(cfg, splits_for(cfg)).model.parameters()]
    resuming = Trainer(config("train.epochs=2", "train.seed=5"),
                       splits_for(config("train.seed=5")))
    build, seeded = trainer_module.build_model, threading.Event()

    def slow_build(*args):  # seeded: the resume restores the generator in this gap
        seeded.set()
        threading.Event().wait(0.2)
        return build(*args)

    monkeypatch.setattr(trainer_module, "build_model", slow_build)
    built = []
    worker = threading.Thread(target=lambda: built.append(Trainer(cfg, splits_for(cfg))))
    worker.start()
    seeded.wait(10)
    resuming.load(tmp_path / "last.pt")
    worker.join()
    for mine, reference in zip(built[0].model.parameters(), alone):
        assert torch.equal(mine.detach(), reference)
