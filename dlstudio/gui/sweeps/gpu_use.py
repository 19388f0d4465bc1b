"""Which trial trains on which GPU and how busy that GPU is, from the ``sys.gpu_*``
samples each run records every few seconds (``training.resources``); no Qt.

A run is on a GPU when it has such samples (a CPU run has none), and the device it
names is its config's ``train.device``: the GPU a multi-GPU sweep gave its worker slot,
or ``auto`` / ``cuda`` where the run picked one itself (a single GPU, or a Ray task).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dlstudio.store import Store

UTIL_KEY = "sys.gpu_util"  # % busy, from NVML (absent without it)
MEMORY_KEY = "sys.gpu_mem_mb"  # the run's tensors, from torch's allocator


@dataclass(frozen=True)
class GpuUse:
    device: str
    trial: int
    run_id: int
    util: float | None
    memory_mb: float | None

    def text(self) -> str:
        """``cuda:1 · trial 4 (run 17) · 87 % busy · 1,234 MB``."""
        parts = [self.device, f"trial {self.trial} (run {self.run_id})"]
        if self.util is not None:
            parts.append(f"{self.util:.0f} % busy")
        if self.memory_mb is not None:
            parts.append(f"{self.memory_mb:,.0f} MB")
        return " · ".join(parts)


def gpu_use(store: Store, trials: list[dict[str, Any]]) -> list[GpuUse]:
    """The running trials (``sweep_summary`` trials) that train on a GPU now, with their
    run's latest sample, by device."""
    found = []
    for trial in trials:
        run_id = trial.get("run_id")
        if trial.get("status") != "running" or run_id is None:
            continue
        memory = store.last_value(run_id, MEMORY_KEY)
        if memory is None:  # no GPU sample (yet): a CPU run, or one just started
            continue
        run = store.get_run(run_id)
        if run["status"] != "running":
            continue
        device = str((run["config"].get("train") or {}).get("device", "cuda"))
        found.append(GpuUse(device, trial["trial"], run_id,
                            store.last_value(run_id, UTIL_KEY), memory))
    return sorted(found, key=lambda use: (use.device, use.trial))


def gpu_use_text(uses: list[GpuUse]) -> str:
    """One line per running trial on a GPU (empty when none trains on one)."""
    return "\n".join(use.text() for use in uses)
