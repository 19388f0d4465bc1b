"""Every schedule's LR sequence equals the torch.optim.lr_scheduler one it wraps."""

from __future__ import annotations

import math

import pytest
import torch
from torch.optim import lr_scheduler

from dlstudio.config import RunConfig
from dlstudio.training.schedules import SCHEDULE_PARAMS, preview_schedule

STEPS_PER_EPOCH = 7
EPOCHS = 4


def _config(name: str, *extra: str) -> RunConfig:
    return RunConfig.from_dict({}, [f"schedule.name={name}", f"train.epochs={EPOCHS}",
                                    "optim.name=momentum", "optim.lr=0.1", "schedule.step_size=2",
                                    "schedule.gamma=0.5", "schedule.step_size_up=5",
                                    "schedule.base_lr=0.01", *extra])


def _reference(name: str, mode: str = "triangular") -> list[float]:
    """The LRs a hand-written loop with the plain torch scheduler would use."""
    param = torch.nn.Parameter(torch.zeros(1))
    param.grad = torch.zeros(1)
    optimizer = torch.optim.SGD([param], lr=0.1, momentum=0.9)
    total = STEPS_PER_EPOCH * EPOCHS
    per_batch = {
        # cyclic and one-cycle peak at optim.lr
        "cyclic": lambda: lr_scheduler.CyclicLR(optimizer, 0.01, 0.1, step_size_up=5, mode=mode,
                                                gamma=0.5, cycle_momentum=False),
        "onecycle": lambda: lr_scheduler.OneCycleLR(optimizer, 0.1, total_steps=total),
        "cosine": lambda: lr_scheduler.CosineAnnealingLR(optimizer, T_max=total),
    }
    per_epoch = {
        "step": lambda: lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5),
        "exponential": lambda: lr_scheduler.ExponentialLR(optimizer, gamma=0.5),
        "constant": lambda: None,
    }
    scheduler = (per_batch.get(name) or per_epoch[name])()
    lrs = []
    for _ in range(EPOCHS):
        for _ in range(STEPS_PER_EPOCH):
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if name in per_batch:
                scheduler.step()
        if name in per_epoch and scheduler is not None:
            scheduler.step()
    return lrs


@pytest.mark.parametrize("name", ["constant", "step", "exponential", "cyclic", "onecycle", "cosine"])
def test_preview_equals_torch_scheduler(name):
    preview = preview_schedule(_config(name), STEPS_PER_EPOCH)["lr"]
    assert preview == pytest.approx(_reference(name), rel=1e-12)


@pytest.mark.parametrize("mode", ["triangular2", "exp_range"])
def test_cyclic_modes(mode):
    preview = preview_schedule(_config("cyclic", f"schedule.mode={mode}"), STEPS_PER_EPOCH)["lr"]
    assert preview == pytest.approx(_reference("cyclic", mode), rel=1e-12)


def test_onecycle_previews_momentum_inverse_to_lr():
    preview = preview_schedule(_config("onecycle"), STEPS_PER_EPOCH)
    lr, momentum = preview["lr"], preview["momentum"]
    assert len(momentum) == len(lr)
    peak = lr.index(max(lr))
    assert momentum[peak] == min(momentum)


def test_plateau_reduces_only_when_dev_loss_stalls():
    config = _config("plateau", "schedule.patience=1", "schedule.factor=0.5")
    from dlstudio.training.optimizers import build_optimizer
    from dlstudio.training.schedules import Schedule

    param = torch.nn.Parameter(torch.zeros(1))
    schedule = Schedule(build_optimizer([param], config.optim), config, STEPS_PER_EPOCH)
    for dev_loss in (1.0, 0.9, 0.8):
        schedule.after_epoch(dev_loss)
    assert schedule.current_lr() == pytest.approx(0.1)
    for dev_loss in (0.8, 0.8):
        schedule.after_epoch(dev_loss)
    assert schedule.current_lr() == pytest.approx(0.05)


def test_warmup_ramps_linearly_then_hands_over():
    preview = preview_schedule(_config("cosine", "schedule.warmup_steps=4"), STEPS_PER_EPOCH)["lr"]
    reference = _reference("cosine")
    assert preview[:4] == pytest.approx([reference[i] * (i + 1) / 4 for i in range(4)])
    assert preview[4:] == pytest.approx(reference[4:])


def test_every_schedule_has_a_param_list():
    from dlstudio.config import SCHEDULES

    assert set(SCHEDULE_PARAMS) == set(SCHEDULES)
    for name, params in SCHEDULE_PARAMS.items():
        for param in params:
            assert hasattr(RunConfig().schedule, param), (name, param)


def test_full_batch_optimizers_preview_one_step_per_epoch():
    config = RunConfig.from_dict({}, ["optim.name=lbfgs", "schedule.name=exponential",
                                      "schedule.gamma=0.5", "train.epochs=3", "optim.lr=1"])
    assert preview_schedule(config, 50)["lr"] == pytest.approx([1, 0.5, 0.25])
    assert not any(math.isnan(x) for x in preview_schedule(config, 50)["lr"])


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "rmsprop", "adagrad",
                                       "adadelta", "adam", "adamw"])
def test_momentum_override_says_what_one_cycle_does_to_the_momentum(optimizer):
    from dlstudio.training.schedules import momentum_override

    config = _config("onecycle", f"optim.name={optimizer}", "optim.momentum=0.5",
                     "optim.beta1=0.5")
    override = momentum_override(config)
    momenta = preview_schedule(config, STEPS_PER_EPOCH)["momentum"]
    if override is None:
        assert len(set(momenta)) <= 1  # untouched: none, or the configured constant
    else:
        assert override["key"] == ("optim.beta1" if optimizer.startswith("adam")
                                   else "optim.momentum")
        assert (min(momenta), max(momenta)) == pytest.approx((override["low"], override["high"]),
                                                             abs=1e-3)  # sampled per step
    assert momentum_override(_config("cosine", f"optim.name={optimizer}")) is None
