"""Model factories: linear, MLP, small CNN, and a user plugin file (``plugins.py``)."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.training.plugins import build_plugin_model

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
    return build_plugin_model(Path(config.model.plugin), config.to_dict(), input_shape,
                              output_dim)


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
