"""Where a sweep's runs train: ``local`` threads of this process, or ``ray`` tasks.

The runner decides what to train next (its strategy asks); an executor only trains the
jobs it is given: ``submit(job)``, then ``finished(timeout)`` yields the jobs that have
ended with their ``RunEnded``, and after a stop ``settle()`` waits for the rest. A run
whose Ray worker died ends ``interrupted``; the runner queues it again from its last
checkpoint. Ray does the scheduling of its tasks onto nodes; nothing here schedules.

``ray`` is an optional extra: ``executor_kinds()`` says which kinds this installation
offers (what a sweep form should list) without importing Ray.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.search.executor_spec import ExecutorSpec
from dlstudio.data.dataset import DataSplits
from dlstudio.data.streamed_splits import StreamedSplits
from dlstudio.store import Store
from dlstudio.training.events import RunEnded
from dlstudio.training.run_job import check_config
from dlstudio.training.sweeps.events import SweepEvent
from dlstudio.training.sweeps.jobs import Job, worker_overrides

RAY_MISSING = ('executor ray: Ray is not installed; install it with  '
               'pip install "dlstudio[ray]"')


class Executor(Protocol):
    """What ``SweepRunner`` drives (see the module docstring)."""

    @property
    def running(self) -> int: ...

    def submit(self, job: Job) -> None: ...

    def finished(self, timeout: float) -> Iterator[tuple[Job, RunEnded]]: ...

    def settle(self) -> Iterator[tuple[Job, RunEnded]]: ...

    def close(self) -> None: ...


@dataclass
class ExecutorContext:
    """The sweep an executor trains for, as the runner holds it."""

    db_path: Path
    sweep_id: int
    store: Store  # the runner's connection: the only writer of the database
    workers: int
    notify: Callable[[SweepEvent], None]
    stop: threading.Event
    pause: threading.Event
    checkpoints: str | None  # the sweep's checkpoint folder (None: beside the database)


def executor_kinds() -> tuple[str, ...]:
    """The executor kinds this installation can run: ``local``, and ``ray`` when the
    ``dlstudio[ray]`` extra is installed."""
    return ("local", "ray") if importlib.util.find_spec("ray") is not None else ("local",)


def check_executor(spec: ExecutorSpec) -> None:
    """ConfigError (one line, how to install it) when ``spec`` needs Ray and it is absent."""
    if spec.kind == "ray" and "ray" not in executor_kinds():
        raise ConfigError(RAY_MISSING)


def check_trial_config(config: RunConfig, spec: ExecutorSpec) -> DataSplits | StreamedSplits:
    """``check_config`` as the driver can do it; returns the splits.

    A Ray trial trains on the devices Ray gives its worker (it sets the GPUs the worker
    sees), so a driver without a GPU can run a GPU sweep: the driver checks the rest of
    the config on its CPU, and only a device a worker could not have is refused here.
    """
    if spec.kind == "ray":
        device = config.train.device
        if device not in ("auto", "cpu", "cuda"):
            raise ConfigError(f"train.device: {device!r} names one device, but a Ray trial "
                              "trains on the GPUs Ray gives it; use auto, cuda or cpu")
        if device == "cuda" and spec.gpus_per_trial == 0:
            raise ConfigError("train.device: cuda, but executor.gpus_per_trial is 0; ask "
                              "for GPUs (gpus_per_trial: 1) or use auto")
        config = config.replace(**{"train.device": "cpu"})
    return check_config(config)


def executor_overrides(spec: ExecutorSpec, base: RunConfig,
                       workers: int) -> list[dict[str, Any]]:
    """Per worker slot, the config values a run gets from where it trains.

    Local threads share this machine (``worker_overrides``). A Ray task gets its own
    CPUs and GPUs from Ray (which sets ``CUDA_VISIBLE_DEVICES``), so only an automatic
    thread count becomes the task's CPUs.
    """
    if spec.kind == "local":
        return worker_overrides(base, workers)
    if base.train.threads > 0:
        return [{} for _ in range(workers)]
    return [{"train.threads": max(1, int(spec.cpus_per_trial))} for _ in range(workers)]


def open_executor(spec: ExecutorSpec, context: ExecutorContext) -> Executor:
    """The executor ``spec`` names, ready to take jobs (Ray connected or started)."""
    check_executor(spec)
    if spec.kind == "ray":
        from dlstudio.training.sweeps.executors.ray_executor import RayExecutor

        return RayExecutor(spec, context)
    from dlstudio.training.sweeps.executors.local_threads import LocalThreads

    return LocalThreads(context)
