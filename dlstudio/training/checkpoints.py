"""Checkpoints: model, optimizer, schedule, epoch and RNG state in one file."""

from __future__ import annotations

import io
import os
import pickle
import warnings
from pathlib import Path
from typing import Any

import torch

from dlstudio.errors import ConfigError
from dlstudio.store.paths import PRIVATE_FILE, make_private_folder

LAST = "last.pt"
BEST = "best.pt"


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write atomically: a crash mid-write leaves the previous checkpoint intact.

    The state is serialized in memory first and written with plain file calls, so a
    full disk raises ``OSError(ENOSPC)`` naming the file (torch's own writer reports
    only "file write failed"); a failed write removes its partial file.
    """
    make_private_folder(path.parent)
    buffer = io.BytesIO()
    torch.save(state, buffer)
    partial = path.with_suffix(".partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with open(fd, "wb") as handle:
            handle.write(buffer.getbuffer())
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        if exc.filename is None:
            exc.filename = str(path)
        raise


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Load with ``weights_only=True``: a checkpoint file never runs code.

    A file holding anything but tensors and plain containers (a pickle that would call
    a function when loaded, say) raises ``ConfigError`` naming it.
    """
    try:
        with warnings.catch_warnings():
            # Its "unsupported pickle protocol" warning only adds noise to the refusal.
            warnings.simplefilter("ignore", UserWarning)
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        reason = str(exc).rsplit("WeightsUnpickler error:", 1)[-1].strip().splitlines()[0]
        raise ConfigError(f"checkpoint {path}: refused: it holds more than weights (loading "
                          f"it could run code it carries; {reason})") from None


def rng_state() -> dict[str, Any]:
    state = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
