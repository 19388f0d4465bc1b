"""The training loop: epochs of mini-batch steps, events out, stop/pause in.

Batches come from ``device_splits.to_device``: the whole splits held on the device
(small data), or streamed from disk or RAM a batch at a time (see ``placement``); the
loop is the same for both.

The trainer knows nothing of Qt or SQLite. It reports ``RunStarted``, one ``StepEvent``
per optimizer step, one ``EpochEvent`` per epoch and a final ``RunEnded`` to plain
callables, and checks ``stop``/``pause`` (``threading.Event``) between steps.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
from torch import nn

from dlstudio.config import RunConfig
from dlstudio.data.dataset import DataSplits
from dlstudio.data.streamed_splits import StreamedSplits
from dlstudio.training import checkpoints
from dlstudio.training.gpu_stats import gpu_summary
from dlstudio.training.step_readout import StepReadout, StepRecord, reads_in_batches
from dlstudio.training.device import cpu_threads, resolve_device
from dlstudio.training.device_splits import to_device
from dlstudio.training.events import EpochEvent, Event, RunEnded, RunStarted, StepEvent
from dlstudio.training.models import build_model
from dlstudio.training.optimizers import FULL_BATCH, build_optimizer
from dlstudio.training.plugins import PluginHooks, metric_values, plugin_hooks
from dlstudio.training.schedules import Schedule
from dlstudio.training.seeded_dropout import give_generator


class _Diverged(Exception):
    pass


_NO_AUTOCAST = contextlib.nullcontext()
CHECKPOINT_INTERVAL = 10.0  # seconds between checkpoint writes during a run
# torch's default generator is one per process: two trainers in one process (a sweep's
# workers) seeding it and drawing their initial weights at the same moment interleaved
# their draws, and got other weights than the same runs trained alone; a trainer
# resuming from a checkpoint (which restores that generator) in between did the same.
_SEEDED_INIT = threading.Lock()


def _to_cpu(value):
    """A deep copy with every tensor on the CPU: a snapshot later steps cannot change."""
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu", copy=True)
    if isinstance(value, dict):
        return {key: _to_cpu(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_cpu(item) for item in value)
    return value


class Trainer:
    """Trains one model on one split; ``run()`` returns the ``RunEnded`` it also emits."""

    def __init__(self, config: RunConfig, splits: DataSplits | StreamedSplits, *,
                 subscribers: Sequence[Callable[[Event], None]] = (),
                 stop: threading.Event | None = None, pause: threading.Event | None = None,
                 checkpoint_dir: Path | None = None):
        self.config = config
        self.splits = splits
        self.subscribers = list(subscribers)
        self.stop = stop or threading.Event()
        self.pause = pause or threading.Event()
        self.checkpoint_dir = checkpoint_dir
        self.device = resolve_device(config.train.device)
        if self.device.type == "cpu":
            torch.set_num_threads(cpu_threads(config.train.threads))
        dataset = splits.dataset
        self.task = dataset.task
        self.metric_name = "accuracy" if self.task == "classification" else "rmse"
        self.higher_is_better = self.task == "classification"
        # Regression trains on a standardized target (train statistics) and reports RMSE
        # in the target's own units.
        self.y_mean = float(splits.y_train.mean()) if self.task == "regression" else 0.0
        self.y_std = (float(splits.y_train.std()) or 1.0) if self.task == "regression" else 1.0
        self.data = to_device(splits, self.device, self._targets)
        input_shape = dataset.image_shape or (dataset.n_features,)
        with _SEEDED_INIT:
            torch.manual_seed(config.train.seed)
            model = build_model(config, tuple(input_shape), dataset.output_dim)
        self.model = model.to(self.device)
        self.dropout_generator = give_generator(self.model, self.device, config.train.seed)
        self.optimizer = build_optimizer(self.model.parameters(), config.optim)
        self.full_batch = config.optim.name in FULL_BATCH
        self.is_lbfgs = config.optim.name == "lbfgs"
        n_train = len(splits.y_train)
        self.batch_size = n_train if self.full_batch else min(config.train.batch_size, n_train)
        self.steps_per_epoch = math.ceil(n_train / self.batch_size)
        self.schedule = Schedule(self.optimizer, config, self.steps_per_epoch)
        self.loss_fn = nn.CrossEntropyLoss() if self.task == "classification" else nn.MSELoss()
        self.plugin = config.model.plugin if config.model.name == "plugin" else ""
        self.hooks = plugin_hooks(Path(self.plugin)) if self.plugin else PluginHooks()
        self.epoch = 0  # epochs completed
        self.step = 0  # optimizer steps completed
        self.best_dev_metric: float | None = None
        self.best_epoch = 0
        self.epochs_without_improvement = 0
        self.first_loss: float | None = None
        self._epoch_loss_sum = 0.0
        self.scaler = self._grad_scaler()
        self._pending_checkpoints: dict[str, dict] = {}
        self._last_checkpoint_write = -math.inf  # the first epoch is always written

    # -- public --------------------------------------------------------------------
    def load(self, path: Path, weights_only: bool = False) -> None:
        """Continue from a checkpoint; ``weights_only`` restarts the counters (fine-tune)."""
        state = checkpoints.load_checkpoint(path)
        self.model.load_state_dict(state["model"])
        if weights_only:
            return
        self.optimizer.load_state_dict(state["optimizer"])
        self.schedule.load_state_dict(state["schedule"])
        self.epoch, self.step = int(state["epoch"]), int(state["step"])
        self.best_dev_metric = state["best_dev_metric"]
        self.best_epoch = int(state["best_epoch"])
        self.epochs_without_improvement = int(state["epochs_without_improvement"])
        self.first_loss = state["first_loss"]
        with _SEEDED_INIT:  # not between another trainer's seeding and its draws
            checkpoints.restore_rng_state(state["rng"])
        saved = state.get("dropout_rng")
        # A CPU generator's state does not fit a GPU's: resumed on another kind of
        # device, the masks start afresh from the seed.
        if (self.dropout_generator is not None and saved is not None
                and saved["device"] == self.device.type):
            self.dropout_generator.set_state(saved["state"])

    def run(self) -> RunEnded:
        """Train until the configured epochs, a stop, early stopping or divergence."""
        started, started_cpu = time.perf_counter(), time.thread_time()
        self._emit(RunStarted(epochs=self.config.train.epochs, steps_per_epoch=self.steps_per_epoch,
                              start_epoch=self.epoch, start_step=self.step,
                              metric_name=self.metric_name, sizes=self.splits.sizes(),
                              device=str(self.device)))
        status = "finished"
        try:
            while self.epoch < self.config.train.epochs:
                if not self._train_epoch(started):
                    status = "stopped"
                    break
                if self._early_stop():
                    break
        except _Diverged:
            status = "diverged"
        if self._pending_checkpoints:
            self._write_checkpoints()
        ended = RunEnded(status=status, summary=self._summary(
            time.perf_counter() - started, time.thread_time() - started_cpu))
        self._emit(ended)
        return ended

    # -- the loop ------------------------------------------------------------------
    def _train_epoch(self, started: float) -> bool:
        self.model.train()
        epoch = self.epoch + 1
        n_train = self.data.n_train
        # Reshuffle from (seed, epoch) so a resumed run sees the same batches.
        generator = torch.Generator().manual_seed(self.config.train.seed * 1_000_003 + epoch)
        order = torch.randperm(n_train, generator=generator)
        self._epoch_loss_sum = 0.0
        metric_sum = torch.zeros((), device=self.device)
        classification = self.task == "classification"
        records_momentum = self.config.schedule.name == "onecycle"
        # On the CPU each loss is read at once (a read costs nothing there) and reported
        # without the readout's buffering: that bookkeeping alone cost ~4 % of a small
        # run (benchmarks/trainer_overhead.py).
        readout = StepReadout() if reads_in_batches(self.device) else None
        for X_batch, y_batch in self.data.train_batches(order, self.batch_size):
            if not self._wait_while_paused():
                if readout is not None:
                    self._report_steps(readout.read(), epoch)
                return False
            loss, outputs = self.optimizer_step(X_batch, y_batch)
            self.step += 1
            lr = self.schedule.current_lr()
            momentum = self.schedule.current_momentum() if records_momentum else None
            self.schedule.after_batch()
            seconds = time.perf_counter() - started
            if readout is None:
                self._report_step(self.step, float(loss), lr, momentum, seconds,
                                  len(y_batch), epoch)
            else:
                self._report_steps(readout.add(self.step, loss, lr, momentum, seconds,
                                               len(y_batch)), epoch)
            if classification:
                metric_sum += (outputs.argmax(1) == y_batch).sum()
            else:
                metric_sum += ((outputs.squeeze(-1) - y_batch) ** 2).sum()
        if readout is not None:
            self._report_steps(readout.read(), epoch)
        train_loss = self._epoch_loss_sum / n_train
        train_metric = self._metric_from_sum(float(metric_sum), n_train)
        dev_loss, dev_metric, dev_extra = self._evaluate_all("dev")
        lr = self.schedule.current_lr()
        self.schedule.after_epoch(dev_loss)
        self.epoch = epoch
        self._track_best(dev_metric)
        checkpoint_due = self._checkpoint_due()
        self._emit(EpochEvent(epoch=epoch, step=self.step, train_loss=train_loss,
                              train_metric=train_metric, dev_loss=dev_loss, dev_metric=dev_metric,
                              time=time.perf_counter() - started, lr=lr,
                              checkpoint=checkpoint_due, extra=dev_extra))
        self._save_checkpoints(checkpoint_due)
        return True

    def _report_steps(self, records: list[StepRecord], epoch: int) -> None:
        for r in records:
            self._report_step(r.step, r.loss, r.lr, r.momentum, r.time, r.samples, epoch)

    def _report_step(self, step: int, loss: float, lr: float, momentum: float | None,
                     seconds: float, samples: int, epoch: int) -> None:
        if self._diverged(loss):
            # Steps after it may have run before its loss was read; none counts.
            self.step = step - 1
            raise _Diverged
        self._emit(StepEvent(step, epoch, loss, lr, seconds, momentum))
        self._epoch_loss_sum += loss * samples

    def optimizer_step(self, X: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One optimizer step on a batch; returns its loss and outputs (detached)."""
        if self.schedule.warmup_factor() != 1.0:
            with self.schedule.warmed_up():
                return self._step(X, y)
        return self._step(X, y)

    def _step(self, X: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.is_lbfgs:
            return self._lbfgs_step(X, y)
        loss, outputs = self._forward_backward(X, y)
        self._clip_and_step()
        return loss.detach(), outputs.detach().float()

    def _forward_backward(self, X: torch.Tensor, y: torch.Tensor):
        self.optimizer.zero_grad(set_to_none=True)
        with self._autocast():
            outputs = self.model(X)
            loss = self._loss(outputs, y)
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
        else:
            loss.backward()
        return loss, outputs

    def _lbfgs_step(self, X: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        first: list[torch.Tensor] = []

        def closure() -> torch.Tensor:
            loss, outputs = self._forward_backward(X, y)
            if not first:  # L-BFGS re-evaluates; the step's loss is the first evaluation's
                first.extend((loss.detach(), outputs.detach().float()))
            return loss

        self.optimizer.step(closure)
        return first[0], first[1]

    def _clip_and_step(self) -> None:
        if self.scaler is not None:
            self.scaler.unscale_(self.optimizer)
        if self.config.train.grad_clip > 0:
            nn.utils.clip_grad_norm_(self.model.parameters(), self.config.train.grad_clip)
        if self.scaler is not None:
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            self.optimizer.step()

    def _loss(self, outputs: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.hooks.loss is not None:
            return self.hooks.loss(outputs.float(), y)
        if self.task == "regression":
            return self.loss_fn(outputs.squeeze(-1).float(), y)
        return self.loss_fn(outputs.float(), y)

    @torch.no_grad()
    def _evaluate_all(self, split: str) -> tuple[float, float, dict[str, float]]:
        """``split``'s loss, the built-in metric, and the plugin's ``metrics`` (if any)."""
        was_training = self.model.training
        self.model.eval()
        with self._autocast():
            parts = [self.model(X).float() for X in self.data.eval_inputs(split)]
        outputs = parts[0] if len(parts) == 1 else torch.cat(parts)
        y = self.data.targets(split)
        loss = float(self._loss(outputs, y))
        if self.task == "classification":
            metric = float((outputs.argmax(1) == y).float().mean())
        else:
            metric = self._metric_from_sum(float(((outputs.squeeze(-1) - y) ** 2).sum()), len(y))
        extra = metric_values(self.hooks, outputs, y, self.plugin)
        self.model.train(was_training)
        return loss, metric, extra

    def _metric_from_sum(self, total: float, count: int) -> float:
        if self.task == "classification":
            return total / count
        return math.sqrt(total / count) * self.y_std

    # -- control -------------------------------------------------------------------
    def _wait_while_paused(self) -> bool:
        while self.pause.is_set() and not self.stop.is_set():
            time.sleep(0.02)
        return not self.stop.is_set()

    def _diverged(self, loss: float) -> bool:
        if not math.isfinite(loss):
            return True
        if self.first_loss is None:
            self.first_loss = max(loss, 1e-12)
            return False
        return loss > self.config.train.divergence_factor * self.first_loss

    def _track_best(self, dev_metric: float) -> None:
        better = (self.best_dev_metric is None
                  or (dev_metric > self.best_dev_metric if self.higher_is_better
                      else dev_metric < self.best_dev_metric))
        if better:
            self.best_dev_metric, self.best_epoch = dev_metric, self.epoch
            self.epochs_without_improvement = 0
        else:
            self.epochs_without_improvement += 1

    def _early_stop(self) -> bool:
        patience = self.config.train.early_stopping
        return patience > 0 and self.epochs_without_improvement >= patience

    # -- state ---------------------------------------------------------------------
    def _state(self) -> dict:
        state = {
            "model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
            "schedule": self.schedule.state_dict(), "epoch": self.epoch, "step": self.step,
            "best_dev_metric": self.best_dev_metric, "best_epoch": self.best_epoch,
            "epochs_without_improvement": self.epochs_without_improvement,
            "first_loss": self.first_loss, "rng": checkpoints.rng_state(),
        }
        if self.dropout_generator is not None:
            state["dropout_rng"] = {"device": self.device.type,
                                    "state": self.dropout_generator.get_state()}
        return state

    def _save_checkpoints(self, write_now: bool) -> None:
        """Snapshot last (and best) in memory each epoch; write at most every few seconds.

        Writing two files per epoch cost ~15 % of a small CPU run; a crash now loses at
        most ``CHECKPOINT_INTERVAL`` seconds of training, and every run end writes.
        """
        if self.checkpoint_dir is None or not self.config.train.checkpoints:
            return
        state = _to_cpu(self._state())
        self._pending_checkpoints[checkpoints.LAST] = state
        if self.best_epoch == self.epoch:
            self._pending_checkpoints[checkpoints.BEST] = state
        if write_now:
            self._write_checkpoints()

    def _checkpoint_due(self) -> bool:
        """Whether this epoch's end writes checkpoint files (subscribers hear it first)."""
        return (self.checkpoint_dir is not None and self.config.train.checkpoints
                and time.monotonic() - self._last_checkpoint_write >= CHECKPOINT_INTERVAL)

    def _write_checkpoints(self) -> None:
        for name, state in self._pending_checkpoints.items():
            checkpoints.save_checkpoint(self.checkpoint_dir / name, state)
        self._pending_checkpoints.clear()
        self._last_checkpoint_write = time.monotonic()

    def _summary(self, duration: float, cpu_time: float) -> dict:
        # cpu_time: this thread's CPU seconds. Below the duration, the loop waited: for
        # the GIL (a busy GUI thread), another process, a paused run or the GPU.
        summary: dict = {"metric_name": self.metric_name, "epochs_done": self.epoch,
                         "steps": self.step, "duration": duration, "cpu_time": cpu_time,
                         "device": str(self.device),
                         "best_dev_metric": self.best_dev_metric, "best_epoch": self.best_epoch,
                         "sizes": self.splits.sizes()}
        if self.device.type == "cuda":
            summary.update(gpu_summary(self.device))
        if self.epoch == 0 or not all(math.isfinite(float(p.detach().float().sum()))
                                      for p in self.model.parameters()):
            return summary
        # The test set is evaluated once, at the end, for the record only.
        for split in ("train", "dev", "test"):
            loss, metric, extra = self._evaluate_all(split)
            summary[f"{split}_loss"], summary[f"{split}_metric"] = loss, metric
            summary.update({f"{split}_{name}": value for name, value in extra.items()})
        return summary

    # -- plumbing ------------------------------------------------------------------
    def _emit(self, event: Event) -> None:
        for subscriber in self.subscribers:
            subscriber(event)

    def _targets(self, array: np.ndarray) -> torch.Tensor:
        """A split's ``y`` as the loss takes it, on the CPU: class indices, or the
        target standardized by the train statistics."""
        if self.task == "classification":
            return torch.as_tensor(array, dtype=torch.long)
        scaled = (np.asarray(array, dtype=np.float64) - self.y_mean) / self.y_std
        return torch.as_tensor(scaled, dtype=torch.float32)

    def _autocast(self):
        precision = self.config.train.precision
        if self.device.type != "cuda" or precision == "fp32":
            return _NO_AUTOCAST
        dtype = torch.bfloat16 if precision == "bf16" else torch.float16
        return torch.autocast(device_type="cuda", dtype=dtype)

    def _grad_scaler(self):
        if self.device.type == "cuda" and self.config.train.precision == "fp16":
            return torch.amp.GradScaler("cuda")
        return None
