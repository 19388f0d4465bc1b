"""Checks that need the model: run before a run row exists, so a config that cannot
train is refused with a message instead of leaving a failed run behind.

- the model must fit in memory: built on torch's ``meta`` device (shapes only, nothing
  allocated), its parameters plus gradients and optimizer state are compared with the
  memory free on the run's device;
- a plugin's model must take a batch of the data and give one output per class (or one
  value for regression): one forward pass on two real samples;
- the precision must be one the device trains in, and the thread count one the CPU has.
"""

from __future__ import annotations

import os
from pathlib import Path

import psutil
import torch

from dlstudio.config import RunConfig
from dlstudio.data.dataset import DataSplits
from dlstudio.data.streamed_splits import StreamedSplits
from dlstudio.errors import ConfigError
from dlstudio.training.models import build_model
from dlstudio.training.plugins import plugin_hooks

# Weights, gradients and up to two optimizer moments (Adam), all float32.
BYTES_PER_PARAMETER = 4 * 4


def check_device_settings(config: RunConfig, device: torch.device) -> None:
    """``train.precision`` and ``train.threads`` that this device can honour."""
    precision = config.train.precision
    if precision != "fp32" and device.type != "cuda":
        raise ConfigError(f"train.precision: {precision} needs a CUDA GPU; this run would "
                          f"train on {device.type}, in fp32. Use train.precision=fp32")
    cores = os.cpu_count() or 1
    if device.type == "cpu" and config.train.threads > cores:
        raise ConfigError(f"train.threads: got {config.train.threads}, expected 0 (automatic) "
                          f"or at most {cores}, the CPU cores of this machine")


def check_model(config: RunConfig, splits: DataSplits | StreamedSplits,
                device: torch.device) -> None:
    """Refuse a model that does not fit in memory or (a plugin) does not fit the data."""
    dataset = splits.dataset
    input_shape = tuple(dataset.image_shape or (dataset.n_features,))
    if config.model.name == "plugin":
        model = build_model(config, input_shape, dataset.output_dim)
        _check_fits(config, _parameter_count(model), device)
        # A plugin with a loss of its own decides what its outputs look like.
        own_loss = plugin_hooks(Path(config.model.plugin)).loss is not None
        _check_forward(config, model, splits, None if own_loss else dataset.output_dim)
        return
    try:
        with torch.device("meta"):
            model = build_model(config, input_shape, dataset.output_dim)
    except RuntimeError as exc:  # a size no tensor can have
        raise ConfigError(f"{_size_key(config)}: cannot build this model: {exc}") from exc
    _check_fits(config, _parameter_count(model), device)


def _parameter_count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def _size_key(config: RunConfig) -> str:
    return {"mlp": "model.hidden", "cnn": "model.channels", "plugin": "model.plugin"}.get(
        config.model.name, "model.name")


def _check_fits(config: RunConfig, parameters: int, device: torch.device) -> None:
    needed = parameters * BYTES_PER_PARAMETER
    if device.type == "cuda":
        free = torch.cuda.mem_get_info(device)[0]
    else:
        free = psutil.virtual_memory().available
    if needed > free:
        raise ConfigError(
            f"{_size_key(config)}: the model has {parameters:,} parameters, about "
            f"{needed / 2**30:,.1f} GiB with gradients and optimizer state; {device.type} has "
            f"{free / 2**30:,.1f} GiB free. Use smaller layers")


def _check_forward(config: RunConfig, model: torch.nn.Module, splits: DataSplits | StreamedSplits,
                   output_dim: int | None) -> None:
    where = f"model.plugin: the model of {config.model.plugin}"
    # Flat rows, as the trainer feeds them (image models reshape inside).
    batch = torch.as_tensor(splits.train_head(2), dtype=torch.float32)
    model.eval()
    try:
        with torch.no_grad():
            outputs = model(batch)
    except Exception as exc:
        raise ConfigError(f"{where} fails on a batch of shape {tuple(batch.shape)}: "
                          f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(outputs, torch.Tensor):
        raise ConfigError(f"{where} returned {type(outputs).__name__}, expected a tensor")
    if output_dim is None:
        return
    expected = [(len(batch), output_dim)]
    if output_dim == 1:  # regression: one value per sample, with or without the axis
        expected.append((len(batch),))
    if tuple(outputs.shape) not in expected:
        raise ConfigError(f"{where} gives outputs of shape {tuple(outputs.shape)} for a batch "
                          f"of {len(batch)}; expected {expected[0]} (one output per "
                          f"{'class' if output_dim > 1 else 'sample'})")
