"""Small shared builders for training tests."""

from __future__ import annotations

from dlstudio.config import RunConfig
from dlstudio.training.run_job import load_splits


def config(*overrides: str) -> RunConfig:
    """A fast CPU config: digits, small MLP, 2 epochs unless overridden."""
    base = ["data.name=digits", "model.hidden=[32]", "train.epochs=2", "train.device=cpu",
            "train.batch_size=64"]
    return RunConfig.from_dict({}, base + list(overrides))


def splits_for(cfg: RunConfig):
    return load_splits(cfg)
