"""GPU use of a run: NVIDIA's management library (NVML) and torch's allocator.

NVML (the ``nvidia-ml-py`` package, imported as ``pynvml``) gives the device's
utilisation and memory as ``nvidia-smi`` shows them, across processes; torch's
allocator gives this process's tensors (allocated) and its cache (reserved). NVML
matches a torch device by UUID, so ``CUDA_VISIBLE_DEVICES`` renumbering is no trap.
"""

from __future__ import annotations

import functools
from typing import Any

import torch

MB = 2**20


@functools.lru_cache(maxsize=None)
def _nvml_handle(uuid: str) -> Any:
    import pynvml

    pynvml.nvmlInit()
    return pynvml.nvmlDeviceGetHandleByUUID(uuid)


def nvml_problem(device: torch.device) -> str | None:
    """None when NVML can read ``device``; else why not, in words."""
    try:
        _handle(device)
    except ImportError:
        return "nvidia-ml-py is not installed (pip install nvidia-ml-py)"
    except Exception as exc:  # NVMLError_* for a missing driver or library
        return f"NVML cannot read {device}: {exc}"
    return None


def _handle(device: torch.device) -> Any:
    index = device.index if device.index is not None else torch.cuda.current_device()
    return _nvml_handle(f"GPU-{torch.cuda.get_device_properties(index).uuid}")


def gpu_sample(device: torch.device) -> dict[str, float]:
    """One reading: allocator memory always; utilisation and device memory via NVML."""
    sample = {
        "sys.gpu_mem_mb": torch.cuda.memory_allocated(device) / MB,
        "sys.gpu_reserved_mb": torch.cuda.memory_reserved(device) / MB,
    }
    if nvml_problem(device) is None:
        import pynvml

        handle = _handle(device)
        sample["sys.gpu_util"] = float(pynvml.nvmlDeviceGetUtilizationRates(handle).gpu)
        sample["sys.gpu_device_mem_mb"] = pynvml.nvmlDeviceGetMemoryInfo(handle).used / MB
    return sample


def gpu_summary(device: torch.device) -> dict[str, Any]:
    """What a finished run records about its GPU: peaks, and why utilisation is absent."""
    summary: dict[str, Any] = {
        "gpu_name": torch.cuda.get_device_name(device),
        "gpu_max_mem_mb": torch.cuda.max_memory_allocated(device) / MB,
        "gpu_max_reserved_mb": torch.cuda.max_memory_reserved(device) / MB,
    }
    problem = nvml_problem(device)
    if problem:
        summary["gpu_monitor"] = problem
    return summary
