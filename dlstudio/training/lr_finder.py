"""The LR range test ("find LR") and its two suggestions.

From a fresh model, the LR grows exponentially after every mini-batch from ``min_lr`` to
``max_lr``; the mini-batches have the run's batch size (the LR it suggests depends on
it) and pass over the train split as many times as the points need; the loss is EMA-smoothed (debiased) and the test stops
early once the smoothed loss exceeds ``stop_factor`` x its best. Model and optimizer are
restored to their initial state afterwards, so the test never changes what it measured.
"""

from __future__ import annotations

import copy
import math
import threading
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np
import torch

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.training.optimizers import FULL_BATCH



@dataclass
class LRFinderResult:
    lrs: list[float]
    losses: list[float]  # raw mini-batch losses
    smoothed: list[float]
    suggestions: dict[str, float]  # "steepest", "min_div_10"
    batch_size: int  # the run's train.batch_size (at most the train split's size)
    stopped_early: bool
    suggestion_curve: list[float]  # the zero-lag smoothed losses the suggestions come from
    settings: dict = field(default_factory=dict)  # min_lr, max_lr, smoothing, stop_factor
    epochs: float = 0.0  # passes over the train split the test took

    def to_dict(self) -> dict:
        return asdict(self)

    def details(self) -> dict:
        """What the store keeps beside the curve and the suggestions."""
        return {"batch_size": self.batch_size, "epochs": self.epochs,
                "stopped_early": self.stopped_early,
                "smoothed": self.smoothed, "suggestion_curve": self.suggestion_curve,
                **self.settings}


def _ema(values: np.ndarray, beta: float) -> np.ndarray:
    out = np.empty(len(values))
    average = 0.0
    for index, value in enumerate(values):
        average = beta * average + (1 - beta) * value
        out[index] = average / (1 - beta ** (index + 1))
    return out


def zero_lag_smooth(losses: np.ndarray, beta: float) -> np.ndarray:
    """The EMA run forwards, then backwards over the result.

    A one-way EMA lags by about 1 / (1 - beta) points, which over 100 points spanning eight
    decades of LR moves both suggestions up to a decade too high; the backward pass
    cancels the lag while keeping the same smoothing.
    """
    return _ema(_ema(losses, beta)[::-1], beta)[::-1]


def suggest(lrs: np.ndarray, smoothed: np.ndarray) -> dict[str, float]:
    """Steepest descent of the smoothed loss (in log LR), and the minimum's LR / 10."""
    # The first points are tiny LRs where only batch noise moves the loss.
    skip = max(1, len(lrs) // 10)
    best = skip + int(np.argmin(smoothed[skip:])) if len(lrs) > skip + 2 else int(np.argmin(smoothed))
    suggestions = {"min_div_10": float(lrs[best] / 10)}
    # Only the descent before the minimum counts.
    segment = slice(skip, best + 1) if best - skip >= 2 else slice(0, max(best + 1, 3))
    seg_lrs, seg_loss = np.log10(lrs[segment]), smoothed[segment]
    if len(seg_lrs) >= 2:
        slope = np.gradient(seg_loss, seg_lrs)
        suggestions["steepest"] = float(10 ** seg_lrs[int(np.argmin(slope))])
    else:
        suggestions["steepest"] = suggestions["min_div_10"]
    return suggestions


def find_lr(config: RunConfig, *, min_lr: float = 1e-7, max_lr: float = 10.0,
            num_steps: int = 100, stop_factor: float = 4.0, smoothing: float = 0.9,
            stop: threading.Event | None = None,
            on_point: Callable[[float, float, float], None] | None = None) -> LRFinderResult:
    """Run the range test for ``config``'s data, model, optimizer and batch size.

    ``num_steps`` mini-batches of ``train.batch_size`` (fewer points make the steepest-
    descent estimate too noisy): on a small train split that is several epochs. A
    smaller batch would take fewer epochs but suggest an LR for another batch size.

    ``smoothing`` is the EMA's beta. The test has about 100 points, so fast.ai's 0.98
    (a 50-point memory) would smear the whole descent; 0.9 keeps a 10-point memory.
    """
    from dlstudio.training.run_job import load_splits
    from dlstudio.training.trainer import Trainer

    problems = []
    if not 0 < min_lr < max_lr:
        problems.append(f"min_lr / max_lr: got {min_lr} and {max_lr}, expected 0 < min_lr < max_lr")
    if num_steps < 5:
        problems.append(f"num_steps: got {num_steps}, expected at least 5")
    if config.optim.name in FULL_BATCH:
        problems.append(f"optim.name: {config.optim.name} is full-batch; the LR range test "
                        "needs mini-batches (use sgd, momentum, adam ...)")
    if problems:
        raise ConfigError(problems)
    trainer = Trainer(config, load_splits(config))
    return lr_range_test(trainer, batch_size=trainer.batch_size, steps=num_steps, min_lr=min_lr,
                         max_lr=max_lr, stop_factor=stop_factor, smoothing=smoothing,
                         stop=stop, on_point=on_point)


def lr_range_test(trainer, *, batch_size: int, steps: int, min_lr: float, max_lr: float,
                  stop_factor: float, smoothing: float, stop: threading.Event | None,
                  on_point: Callable[[float, float, float], None] | None) -> LRFinderResult:
    """The test on a built trainer's model, optimizer and train tensors."""
    model, optimizer = trainer.model, trainer.optimizer
    saved_model = copy.deepcopy(model.state_dict())
    saved_optimizer = copy.deepcopy(optimizer.state_dict())
    n_train = trainer.data.n_train
    batch_size = min(batch_size, n_train)
    generator = torch.Generator().manual_seed(trainer.config.train.seed)
    # One shuffle per pass over the data, end to end: every mini-batch is full-sized.
    passes = math.ceil(steps * batch_size / n_train)
    order = torch.cat([torch.randperm(n_train, generator=generator)
                       for _ in range(passes)])
    ratio = (max_lr / min_lr) ** (1 / (steps - 1))
    lrs, losses, smoothed = [], [], []
    average, best, stopped_early = 0.0, math.inf, False
    model.train()
    try:
        for index in range(steps):
            if stop is not None and stop.is_set():
                break
            lr = min_lr * ratio ** index
            for group in optimizer.param_groups:
                group["lr"] = lr
            batch = order[index * batch_size:(index + 1) * batch_size]
            loss, _ = trainer.optimizer_step(*trainer.data.train_batch(batch))
            value = float(loss)
            average = smoothing * average + (1 - smoothing) * value
            debiased = average / (1 - smoothing ** (index + 1))
            if not math.isfinite(value) or not math.isfinite(debiased):
                stopped_early = True
                break
            lrs.append(lr)
            losses.append(value)
            smoothed.append(debiased)
            if on_point is not None:
                on_point(lr, value, debiased)
            best = min(best, debiased)
            if debiased > stop_factor * best:
                stopped_early = True
                break
    finally:
        model.load_state_dict(saved_model)
        optimizer.load_state_dict(saved_optimizer)
    if len(lrs) < 3:
        raise ConfigError("the LR range test stopped after fewer than 3 points; lower min_lr")
    # The last points are the blow-up itself; smoothing backwards would drag them into
    # the descent before it.
    kept = len(lrs) - (max(1, len(lrs) // 20) if stopped_early else 0)
    curve = zero_lag_smooth(np.array(losses[:kept]), smoothing)
    return LRFinderResult(lrs=lrs, losses=losses, smoothed=smoothed,
                          suggestions=suggest(np.array(lrs[:kept]), curve),
                          batch_size=batch_size, stopped_early=stopped_early,
                          suggestion_curve=curve.tolist(),
                          epochs=len(losses) * batch_size / n_train,
                          settings={"min_lr": min_lr, "max_lr": max_lr, "smoothing": smoothing,
                                    "stop_factor": stop_factor})
