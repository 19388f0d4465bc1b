"""Device choice and CPU thread budget."""

from __future__ import annotations

import os

import torch

from dlstudio.errors import ConfigError


def available_devices() -> list[tuple[str, str]]:
    """``[(device_id, label)]`` for every device found, best first; CPU always last."""
    found: list[tuple[str, str]] = []
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            found.append((f"cuda:{index}", f"cuda:{index} ({torch.cuda.get_device_name(index)})"))
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        found.append(("mps", "mps (Apple GPU)"))
    found.append(("cpu", f"cpu ({os.cpu_count() or 1} cores)"))
    return found


def resolve_device(name: str) -> torch.device:
    """``auto`` picks CUDA, then MPS, then CPU; an explicit device must exist."""
    if name == "auto":
        return torch.device(available_devices()[0][0])
    ids = [device_id for device_id, _ in available_devices()]
    wanted = "cuda:0" if name == "cuda" else name
    if wanted not in ids:
        raise ConfigError(f"train.device: {name!r} is not available here; found {', '.join(ids)}")
    return torch.device(wanted)


def cpu_threads(setting: int) -> int:
    """Intra-op threads for CPU training: the setting, else cores - 1 (at least 1).

    Measured on a 2-core machine: torch's default of one thread per core made epochs
    60-115x slower as soon as another thread (the GUI's) was busy.
    """
    if setting > 0:
        return setting
    return max(1, (os.cpu_count() or 1) - 1)
