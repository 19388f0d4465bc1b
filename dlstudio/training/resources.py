"""CPU, RAM and GPU use sampled every few seconds while a run trains."""

from __future__ import annotations

import time
from typing import Callable

import torch

from dlstudio import process_use
from dlstudio.training.events import Event, RunEnded, StepEvent
from dlstudio.training.gpu_stats import gpu_sample


def sample_resources(device: torch.device | None = None) -> dict[str, float]:
    """One reading: the machine's CPU %, this process's RAM (MB), and GPU memory /
    utilisation."""
    sample = process_use.cpu_and_ram()
    if device is not None and device.type == "cuda":
        sample.update(gpu_sample(device))
    return sample


class ResourceMonitor:
    """A subscriber that samples at most every ``interval`` seconds, between steps.

    Sampling rides on the training loop's own events instead of a timer thread, so it
    costs nothing while paused and needs no extra thread on a 2-core machine.
    """

    def __init__(self, on_sample: Callable[[int, int, float, dict[str, float]], None],
                 device: torch.device | None = None, interval: float = 2.0):
        self.on_sample = on_sample
        self.device = device
        self.interval = interval
        self._last = time.monotonic()
        process_use.prime_cpu_percent()

    def __call__(self, event: Event) -> None:
        if isinstance(event, StepEvent):
            now = time.monotonic()
            if now - self._last >= self.interval:
                self._last = now
                self.on_sample(event.step, event.epoch, event.time, sample_resources(self.device))
        elif isinstance(event, RunEnded):
            self._last = time.monotonic()
