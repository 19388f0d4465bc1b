"""Per-step losses kept on the device and read back to the host in batches.

``float(loss)`` after every step makes the host wait until the GPU has finished that
step; the GPU then idles while Python launches the next one. So on a GPU the trainer
keeps each step's loss tensor and reads a batch of them with one copy every
``READ_EVERY`` steps (or ``READ_SECONDS`` of host time, whichever comes first): the GPU
stays ahead of the host, and a diverged loss is still seen within one read. On the CPU
a read costs nothing: the trainer reads every step at once, without this buffer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

READ_EVERY = 32
READ_SECONDS = 0.25


@dataclass(frozen=True)
class StepRecord:
    """One optimizer step as the trainer reports it, its loss read back."""

    step: int
    loss: float
    lr: float
    momentum: float | None
    time: float
    samples: int


def reads_in_batches(device: torch.device) -> bool:
    """Whether steps on ``device`` are read back in batches (everywhere but the CPU)."""
    return device.type != "cpu"


class StepReadout:
    """A buffer of steps whose losses are still on the device."""

    def __init__(self) -> None:
        self._pending: list[tuple[int, torch.Tensor, float, float | None, float, int]] = []
        self._last_read = time.monotonic()

    def add(self, step: int, loss: torch.Tensor, lr: float, momentum: float | None,
            seconds: float, samples: int) -> list[StepRecord]:
        """Keep one step; returns the steps read back now (often none on a GPU)."""
        self._pending.append((step, loss, lr, momentum, seconds, samples))
        if (len(self._pending) >= READ_EVERY
                or time.monotonic() - self._last_read >= READ_SECONDS):
            return self.read()
        return []

    def read(self) -> list[StepRecord]:
        """Every kept step, with its loss copied to the host in one transfer."""
        if not self._pending:
            return []
        pending, self._pending = self._pending, []
        self._last_read = time.monotonic()
        losses = torch.stack([item[1].float() for item in pending]).cpu().tolist()
        return [StepRecord(step, loss, lr, momentum, seconds, samples)
                for (step, _, lr, momentum, seconds, samples), loss in zip(pending, losses)]
