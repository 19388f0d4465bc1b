"""Plain progress events the trainer sends to its subscribers (no torch, no Qt)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Union


@dataclass(frozen=True, slots=True)
class RunStarted:
    epochs: int
    steps_per_epoch: int
    start_epoch: int  # > 0 when resumed
    start_step: int
    metric_name: str  # "accuracy" (classification) or "rmse" (regression)
    sizes: dict[str, int]
    device: str


@dataclass(frozen=True, slots=True)
class StepEvent:
    step: int  # global optimizer step, counted from 1
    epoch: int  # 1-based epoch this step belongs to
    loss: float
    lr: float
    time: float  # seconds since the run (or its resume) started
    momentum: float | None = None


@dataclass(frozen=True, slots=True)
class EpochEvent:
    epoch: int
    step: int
    train_loss: float
    train_metric: float
    dev_loss: float
    dev_metric: float
    time: float
    lr: float = 0.0
    checkpoint: bool = False  # checkpoint files are written right after this event
    extra: dict[str, float] = field(default_factory=dict)  # a plugin's dev metrics, by name


@dataclass(frozen=True, slots=True)
class RunEnded:
    status: str  # finished | stopped | diverged | failed
    summary: dict[str, Any] = field(default_factory=dict)
    error: str = ""


Event = Union[RunStarted, StepEvent, EpochEvent, RunEnded]
Subscriber = Callable[[Event], None]
