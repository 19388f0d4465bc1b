"""Checkpoints: model, optimizer, schedule, epoch and RNG state in one file."""

from __future__ import annotations

import os
import pickle
import warnings
from pathlib import Path
from typing import Any

import torch

from dlstudio.errors import ConfigError

LAST = "last.pt"
BEST = "best.pt"


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write atomically: a crash mid-write leaves the previous checkpoint intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    torch.save(state, partial)
    os.replace(partial, path)


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
