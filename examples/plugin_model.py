"""A model plugin for dlstudio's built-in trainer: your own model, loss and metrics.

    dlstudio train --db runs.db --set data.name=digits --set data.images=true \\
        --set model.name=plugin --set model.plugin=examples/plugin_model.py

(the app's form takes the same file under Model -> plugin). Image data reaches the model
as (N, C, H, W) batches; ``loss`` and ``metrics`` are optional. Their dev values are
stored each epoch as ``dev_<name>`` and the final ones in the run's summary.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def build_model(config: dict, input_shape: tuple[int, ...], output_dim: int) -> nn.Module:
    """A small CNN for any image size; ``input_shape`` is (C, H, W) for images."""
    channels = input_shape[0] if len(input_shape) == 3 else 1
    return nn.Sequential(
        nn.Conv2d(channels, 16, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(32 * 2 * 2, output_dim))


def loss(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy with label smoothing (targets are class indices)."""
    return F.cross_entropy(outputs, targets, label_smoothing=0.1)


def metrics(outputs: torch.Tensor, targets: torch.Tensor) -> dict[str, float]:
    """Top-2 accuracy and the mean confidence of the predicted class."""
    top2 = outputs.topk(2, dim=1).indices
    return {"top2_accuracy": (top2 == targets[:, None]).any(dim=1).float().mean(),
            "confidence": outputs.softmax(dim=1).max(dim=1).values.mean()}
