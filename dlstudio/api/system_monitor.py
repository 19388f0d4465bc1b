"""What a script's run used: CPU, RAM and, when the script trains on a GPU through torch,
the GPU: sampled by the run's background writer thread every ``INTERVAL`` seconds and
once more at the end (so a run of a second has a reading too), as the trainer samples
its own runs; peaks and CPU time go into the run's summary when it finishes.

torch is never imported here: the GPU is read only once the script has loaded torch and
initialised CUDA itself.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from dlstudio import process_use

INTERVAL = 2.0  # seconds, as the trainer's ResourceMonitor

log = logging.getLogger(__name__)


class SystemMonitor:
    """The readings of one run; ``rows`` runs in the writer thread, ``summary`` in the
    thread that started the run."""

    def __init__(self, run_id: int, position: Callable[[], tuple[int, int, float]],
                 interval: float = INTERVAL):
        """``position``: a bound method of the run giving (step, epoch, seconds since the
        start) for a reading made now; held weakly (the run holds its buffer, which holds
        this), so the readings stop once the run is gone."""
        self._run_id = run_id
        self._position = weakref.WeakMethod(position)
        self._interval = interval
        self._due = time.monotonic()  # the first reading comes at once
        self._thread = threading.get_ident()
        self._cpu_start = time.thread_time()
        self._broken = False
        process_use.prime_cpu_percent()

    def rows(self, final: bool = False) -> list[tuple]:
        """Metric rows of one reading when one is due (always when ``final``)."""
        now = time.monotonic()
        position = self._position()
        if self._broken or position is None or not (final or now >= self._due):
            return []
        self._due = now + self._interval
        try:
            sample = process_use.cpu_and_ram()
            device = _cuda_device()
            if device is not None:
                from dlstudio.training.gpu_stats import gpu_sample

                sample.update(gpu_sample(device))
        except Exception as exc:  # a reading must never stop the points being written
            self._broken = True
            log.warning("dlstudio: system metrics of run %s no longer sampled: %s",
                        self._run_id, exc)
            return []
        step, epoch, elapsed = position()
        return [(self._run_id, key, step, epoch, value, elapsed)
                for key, value in sample.items()]

    def summary(self) -> dict[str, Any]:
        """Device, GPU peaks and the starting thread's CPU time, for the run's summary."""
        values: dict[str, Any] = {}
        if threading.get_ident() == self._thread:  # another thread's clock means nothing
            values["cpu_time"] = time.thread_time() - self._cpu_start
        device = _cuda_device()
        if device is not None:
            from dlstudio.training.gpu_stats import gpu_summary

            values["device"] = str(device)
            values.update(gpu_summary(device))
        return values


def _cuda_device() -> Any:
    """The current CUDA device once the script has initialised CUDA, else None."""
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_initialized():
        return None
    return torch.device("cuda", torch.cuda.current_device())
