"""Model factories: linear, MLP, small CNN, and a user plugin file."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import Any

import torch
from torch import nn

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError

_ACTIVATIONS = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU,
    "leaky_relu": nn.LeakyReLU, "elu": nn.ELU,
}


def build_model(config: RunConfig, input_shape: tuple[int, ...], output_dim: int) -> nn.Module:
    """The model named by ``config.model``; ``input_shape`` excludes the batch axis."""
    name = config.model.name
    if name == "linear":
        return nn.Linear(math.prod(input_shape), output_dim)
    if name == "mlp":
        return _mlp(config, math.prod(input_shape), output_dim)
    if name == "cnn":
        return _cnn(config, input_shape, output_dim)
    return load_plugin_model(Path(config.model.plugin), config.to_dict(), input_shape, output_dim)


def _mlp(config: RunConfig, n_inputs: int, output_dim: int) -> nn.Module:
    m = config.model
    layers: list[nn.Module] = []
    width = n_inputs
    for hidden in m.hidden:
        layers.append(nn.Linear(width, hidden))
        if m.batch_norm:
            layers.append(nn.BatchNorm1d(hidden))
        layers.append(_ACTIVATIONS[m.activation]())
        if m.dropout > 0:
            layers.append(nn.Dropout(m.dropout))
        width = hidden
    layers.append(nn.Linear(width, output_dim))
    return nn.Sequential(*layers)


class _Reshape(nn.Module):
    def __init__(self, shape: tuple[int, ...]):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)


def _cnn(config: RunConfig, input_shape: tuple[int, ...], output_dim: int) -> nn.Module:
    """Conv-(BN)-act blocks, each halving the image while it is at least 4 pixels wide."""
    if len(input_shape) != 3:
        raise ConfigError("model.name: cnn needs image data (channels, height, width); "
                          f"this dataset has flat features of shape {input_shape}")
    m = config.model
    layers: list[nn.Module] = []
    channels, size = input_shape[0], min(input_shape[1:])
    for out_channels in m.channels:
        layers.append(nn.Conv2d(channels, out_channels, kernel_size=3, padding=1))
        if m.batch_norm:
            layers.append(nn.BatchNorm2d(out_channels))
        layers.append(_ACTIVATIONS[m.activation]())
        if size >= 4:
            layers.append(nn.MaxPool2d(2))
            size //= 2
        channels = out_channels
    layers.append(nn.Flatten())
    if m.dropout > 0:
        layers.append(nn.Dropout(m.dropout))
    features = nn.Sequential(*layers)
    with torch.no_grad():
        n_features = features(torch.zeros(1, *input_shape)).shape[1]
    return nn.Sequential(_Reshape(input_shape), features, nn.Linear(n_features, output_dim))


# Imported plugin modules by (path, modification time, size): a plugin's top-level
# code runs once per process and version of the file, not once per model built (the
# config check and the trainer both build one).
_PLUGINS: dict[tuple[str, int, int], Any] = {}


def load_plugin_model(path: Path, config: dict[str, Any], input_shape: tuple[int, ...],
                      output_dim: int) -> nn.Module:
    """Import a user's ``.py`` and call its ``build_model(config, input_shape, output_dim)``."""
    key = "model.plugin"
    module = _import_plugin(path)
    builder = getattr(module, "build_model", None)
    if not callable(builder):
        raise ConfigError(f"{key}: {path} defines no build_model(config, input_shape, output_dim)")
    try:
        model = builder(config, tuple(input_shape), output_dim)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # the user's code may raise anything, even SystemExit
        raise ConfigError(f"{key}: build_model in {path} {_raised(exc)}") from exc
    if not isinstance(model, nn.Module):
        raise ConfigError(f"{key}: build_model in {path} returned {type(model).__name__}, "
                          "expected a torch.nn.Module")
    return model


def _import_plugin(path: Path) -> Any:
    key = "model.plugin"
    if not path.is_file():
        raise ConfigError(f"{key}: file {path} not found")
    stat = path.stat()
    cache_key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if cache_key in _PLUGINS:
        return _PLUGINS[cache_key]
    spec = importlib.util.spec_from_file_location(f"dlstudio_plugin_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"{key}: {path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a syntax error, an exception, even sys.exit()
        raise ConfigError(f"{key}: importing {path} {_raised(exc)}") from exc
    _PLUGINS[cache_key] = module
    return module


def _raised(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r}); a plugin must return a model, not exit"
    return f"raised {type(exc).__name__}: {exc}"
