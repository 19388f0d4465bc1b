"""The one rule for where a run's data lives: whole on the device, or streamed.

Small data keeps the fast path: every split standardized in memory and held on the
device as tensors, batches taken by index. Data whose X (as float32) is over
``DEVICE_SHARE`` of the GPU's free memory, or over ``HOST_SHARE`` of the available RAM
(the fast path holds X and its standardized copy in RAM, on a GPU too), is streamed:
batches are read from disk (a ``.npz`` saved with ``numpy.savez``, memory-mapped) or
from RAM (any other data) and copied to the device one at a time.

``data.in_memory`` overrides the rule: ``always`` keeps the fast path, ``never`` always
streams. A compressed ``.npz`` (``numpy.savez_compressed``) cannot be mapped: streamed,
it is read into RAM, and one too large for that is refused up front.
"""

from __future__ import annotations

import math

import psutil
import torch

from dlstudio.config import BUILTIN_DATASETS, SYNTHETIC_DATASETS, RunConfig
from dlstudio.data.loading import load_dataset, npz_x_member
from dlstudio.data.npz_member import NpyMember
from dlstudio.errors import ConfigError

DEVICE_SHARE = 0.5  # the model, its activations and optimizer state need the rest
HOST_SHARE = 0.25
HOLD_SHARE = 0.5  # of available RAM a compressed X may take when it must be read whole


def streams(config: RunConfig, device: torch.device) -> bool:
    """Whether ``config``'s data is streamed in batches on ``device`` (see the module)."""
    setting = config.data.in_memory
    if setting == "always":
        return False
    member = npz_x_member(config.data) if config.data.name == "npz" else None
    if config.data.name == "npz" and member is None:
        return False  # no X: the loader says so, naming the file
    nbytes = _x_bytes(config, member)
    stream = setting == "never" or not fits_in_memory(nbytes, device)
    if stream and member is not None and member.compressed:
        _check_holds(config, nbytes)
    return stream


def fits_in_memory(nbytes: int, device: torch.device) -> bool:
    """Whether an X of ``nbytes`` (float32) takes the fast path on ``device``."""
    if nbytes > HOST_SHARE * psutil.virtual_memory().available:
        return False
    if device.type == "cuda":
        return nbytes <= DEVICE_SHARE * torch.cuda.mem_get_info(device)[0]
    return True  # the CPU's memory is the RAM; MPS shares it


def _check_holds(config: RunConfig, nbytes: int) -> None:
    available = psutil.virtual_memory().available
    if nbytes > HOLD_SHARE * available:
        raise ConfigError(
            f"data.path: {config.data.path}: X is compressed (numpy.savez_compressed), so it "
            f"cannot be read from disk in batches, and it takes {nbytes / 2**30:,.1f} GiB as "
            f"float32 with {available / 2**30:,.1f} GiB of memory available; save it with "
            "numpy.savez(path, X=X, y=y) (uncompressed) to stream it from disk")


def _x_bytes(config: RunConfig, member: NpyMember | None) -> int:
    """X's size as float32, from the file's header where there is one: the loaders are
    not run twice (a CSV is cached, so reading it here costs its load only once)."""
    if member is not None:
        return 4 * math.prod(int(size) for size in member.shape)
    if config.data.name in SYNTHETIC_DATASETS:
        return 4 * 2 * config.data.n_samples  # points in the plane
    if config.data.name in BUILTIN_DATASETS:
        return 0  # scikit-learn's bundled sets: a few hundred kB at most
    return load_dataset(config.data).X.nbytes
