"""Sweep jobs: the run a worker trains for a trial or a final-seed re-run, and where
it starts from.

A trial's run config is the sweep's base config with the trial's values and
``train.epochs = trial.epochs``. A promoted trial starts from the earlier trial's last
checkpoint (``init_from``), so a promotion from 3 to 9 epochs trains 6 (KerasTuner #372
retrained from zero). A trial whose run was stopped or killed continues from its own
last checkpoint; without one it starts over from where it first started.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from dlstudio.config import RunConfig
from dlstudio.search import Trial
from dlstudio.training import checkpoints
from dlstudio.training.device import available_devices, resolve_device
from dlstudio.training.events import Event, RunEnded
from dlstudio.training.run_job import checkpoint_dir_for, execute_run
from dlstudio.training.sweeps.events import RunEvent, SweepEvent

# Run statuses after which a trial has its result: told, never trained again.
ENDED = ("finished", "diverged", "failed")


@dataclass(frozen=True)
class Job:
    """One run for a worker: a strategy trial's or a final-seed re-run's."""

    run_id: int
    slot: int  # the worker slot (device / threads) it runs on
    trial: Trial | None = None
    final_index: int | None = None  # index into the sweep state's final jobs
    resume: bool = False  # continue the run's own last checkpoint
    init_from: Path | None = None  # or another run's checkpoint (a promotion)
    start_epoch: int = 0  # epochs already trained when it starts


def run_config(base: RunConfig, values: dict[str, Any], epochs: int,
               overrides: dict[str, Any]) -> RunConfig:
    """Base config + a trial's dotted values, trained to ``epochs`` in all; validated."""
    return base.replace(**{**values, "train.epochs": epochs, **overrides})


def spread_gpus(base: RunConfig) -> list[str]:
    """The GPUs a sweep's workers spread over: every visible CUDA GPU when the base
    config trains on ``auto`` or ``cuda`` and there are several; else none (one device
    named, or a single GPU)."""
    if base.train.device not in ("auto", "cuda"):
        return []
    gpus = [d for d, _ in available_devices() if d.startswith("cuda")]
    return gpus if len(gpus) > 1 else []


def default_workers(base: RunConfig, executor: str = "local") -> int:
    """Trials trained at once when nobody said: on local threads one per GPU on a
    machine with several (``spread_gpus``), else 1 (a Ray cluster's GPUs are not this
    machine's: a Ray sweep says its workers)."""
    return max(1, len(spread_gpus(base))) if executor == "local" else 1


def gpu_share(workers: int, gpus: list[str]) -> str:
    """How ``workers`` sit on the GPUs they spread over, for people: ``one per GPU``
    (empty when they do not spread over GPUs)."""
    gpus = list(dict.fromkeys(gpus))
    if len(gpus) < 2:
        return ""
    return "one per GPU" if workers == len(gpus) else f"over {len(gpus)} GPUs"


def worker_overrides(base: RunConfig, workers: int) -> list[dict[str, Any]]:
    """Per worker slot: its own GPU when there are several, else a share of the CPU.

    CPU workers split ``cores - 1`` threads between them (at least 1 each): torch's
    default of one thread per core makes parallel CPU runs fight each other.
    """
    if workers == 1:
        return [{}]
    gpus = spread_gpus(base)
    if gpus:
        return [{"train.device": gpus[slot % len(gpus)]} for slot in range(workers)]
    device = resolve_device(base.train.device)
    if device.type == "cpu":
        share = max(1, ((os.cpu_count() or 1) - 1) // workers)
        threads = min(base.train.threads, share) if base.train.threads > 0 else share
        return [{"train.threads": threads} for _ in range(workers)]
    return [{} for _ in range(workers)]


def sweep_devices(base: RunConfig, workers: int) -> list[str]:
    """The devices a sweep's workers train on (what it holds while it runs), in order."""
    default = str(resolve_device(base.train.device))
    found = [o.get("train.device", default) for o in worker_overrides(base, workers)]
    return list(dict.fromkeys(found))


def last_checkpoint(db_path: Path, run_id: int, root: str | Path | None = None) -> Path:
    """Where a run's last checkpoint is (it may not exist); ``root``: the sweep's
    checkpoint folder (None: beside the database)."""
    return checkpoint_dir_for(db_path, run_id, root) / checkpoints.LAST


def checkpoint_epoch(path: Path) -> int:
    """Epochs trained in a checkpoint file."""
    return int(checkpoints.load_checkpoint(path)["epoch"])


def continue_job(db_path: Path, run_id: int, slot: int, *, trial: Trial | None = None,
                 final_index: int | None = None, init_from: Path | None = None,
                 start_epoch: int = 0, root: str | Path | None = None) -> Job:
    """A job for a run that was stopped or killed: its own checkpoint when it has one."""
    own = last_checkpoint(db_path, run_id, root)
    if own.is_file():
        return Job(run_id, slot, trial, final_index, resume=True,
                   start_epoch=checkpoint_epoch(own))
    return Job(run_id, slot, trial, final_index, init_from=init_from,
               start_epoch=start_epoch)


def last_line(error: str) -> str:
    """The last line of a stored error (a traceback ends with the exception)."""
    lines = (error or "").strip().splitlines()
    return lines[-1] if lines else ""


def execute_job(db_path: Path, sweep_id: int, job: Job,
                notify: Callable[[SweepEvent], None], stop: threading.Event,
                pause: threading.Event, root: str | Path | None = None) -> RunEnded:
    """Train the job's run on this (worker) thread; its events go out tagged."""
    trial_id = job.trial.id if job.trial is not None else None

    def forward(event: Event) -> None:
        notify(RunEvent(sweep_id, job.run_id, trial_id, event))

    return execute_run(db_path, job.run_id, subscribers=[forward], stop=stop, pause=pause,
                       resume=job.resume, init_from=job.init_from, checkpoint_root=root)
