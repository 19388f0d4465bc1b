"""Plain progress events of a sweep (no torch, no Qt), sent to the runner's subscribers.

Subscribers are called one at a time (the runner holds a lock), from the runner's thread
for sweep and trial events and from a worker thread for ``RunEvent``: a GUI bridge
re-emits them as Qt signals, the CLI prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Union

from dlstudio.search import Trial
from dlstudio.training.events import Event


@dataclass(frozen=True)
class SweepStarted:
    sweep_id: int
    name: str
    description: str  # the strategy's describe(): what it will run
    metric: str  # what trials are scored by, e.g. dev_error
    goal: str  # minimize or maximize
    resumed: bool  # True when it continues an earlier, stopped or killed, session
    workers: int
    executor: str = "local"  # where the runs train: local (threads) or ray
    gpus: tuple[str, ...] = ()  # per worker slot, the GPU it trains on (local, several)


@dataclass(frozen=True)
class TrialStarted:
    sweep_id: int
    trial: Trial  # id, config (dotted keys), epochs (total), resume_from, bracket, rung
    run_id: int
    start_epoch: int  # epochs already trained (a promotion's earlier trial, or a resume)
    resumed: bool  # continues its own run after a stop or a crash


@dataclass(frozen=True)
class TrialFinished:
    sweep_id: int
    trial_id: int
    run_id: int | None  # None when the trial's config was refused before a run existed
    score: float | None  # the objective told to the strategy; None: failed or diverged
    status: str  # the run's status: finished, diverged, failed; not told: stopped, and
    # interrupted (its Ray worker died; the trial is queued again from its checkpoint)
    error: str = ""  # why it failed or was interrupted, when it was


@dataclass(frozen=True)
class TrialPlaced:
    """Where a run (a trial's or a final re-run's) trains under the Ray executor."""

    sweep_id: int
    run_id: int
    trial_id: int | None  # None for a final-seed re-run
    node: str  # the node's IP address
    pid: int  # the Ray worker process on that node


@dataclass(frozen=True)
class FinalRunStarted:
    sweep_id: int
    rank: int  # 1 = the sweep's best configuration
    seed: int
    run_id: int


@dataclass(frozen=True)
class FinalRunFinished:
    sweep_id: int
    rank: int
    seed: int
    run_id: int | None  # None when the configuration was refused before a run existed
    score: float | None
    status: str
    error: str = ""


@dataclass(frozen=True)
class RunEvent:
    """One of a trial's (or final re-run's) own training events, tagged with its run."""

    sweep_id: int
    run_id: int
    trial_id: int | None  # None for a final-seed re-run
    event: Event


@dataclass(frozen=True)
class SweepPaused:
    """The runner marked the sweep paused (or running again): its row says so now."""

    sweep_id: int
    paused: bool


@dataclass(frozen=True)
class SweepEnded:
    sweep_id: int
    status: str  # finished, or paused (stopped; resume continues it)
    best: dict[str, Any] | None  # trial, run_id, config, score, epochs


SweepEvent = Union[SweepStarted, TrialStarted, TrialFinished, TrialPlaced, FinalRunStarted,
                   FinalRunFinished, RunEvent, SweepPaused, SweepEnded]
SweepSubscriber = Callable[[SweepEvent], None]
