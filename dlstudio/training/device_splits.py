"""The splits as the trainer reads them: batches of (inputs, targets) on the device.

``DeviceSplits`` is the fast path: every split standardized in memory and held on the
device whole; a batch is an index into it and evaluation is one forward pass.
``streamed_batches.StreamedBatches`` gives the same batches for data that does not fit
(see ``placement``). ``to_device`` picks the one that matches the splits.
"""

from __future__ import annotations

from typing import Callable, Iterator

import numpy as np
import torch

from dlstudio.data.dataset import DataSplits
from dlstudio.data.streamed_splits import StreamedSplits

Targets = Callable[[np.ndarray], torch.Tensor]  # a split's y as the loss takes it (CPU)


class DeviceSplits:
    """Every split's standardized X and y as tensors on the device."""

    def __init__(self, splits: DataSplits, device: torch.device, targets: Targets):
        self.device = device

        def x(array: np.ndarray) -> torch.Tensor:
            return torch.as_tensor(np.ascontiguousarray(array), dtype=torch.float32, device=device)

        self._X = {"train": x(splits.X_train), "dev": x(splits.X_dev), "test": x(splits.X_test)}
        self._y = {split: targets(getattr(splits, f"y_{split}")).to(device)
                   for split in self._X}
        self.y_train = self._y["train"]
        self.n_train = len(self.y_train)

    def train_batches(self, order: torch.Tensor, batch_size: int
                      ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The epoch's batches: ``order`` (positions in train) cut into ``batch_size``."""
        order = order.to(self.device)
        for start in range(0, len(order), batch_size):
            yield self.train_batch(order[start:start + batch_size])

    def train_batch(self, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        positions = positions.to(self.device)
        return self._X["train"][positions], self.y_train[positions]

    def eval_inputs(self, split: str) -> Iterator[torch.Tensor]:
        """``split``'s inputs in order, in as few batches as fit: here one."""
        yield self._X[split]

    def targets(self, split: str) -> torch.Tensor:
        return self._y[split]


def to_device(splits: DataSplits | StreamedSplits, device: torch.device, targets: Targets):
    """``DeviceSplits`` for in-memory splits, ``StreamedBatches`` for streamed ones."""
    if isinstance(splits, StreamedSplits):
        from dlstudio.training.streamed_batches import StreamedBatches

        return StreamedBatches(splits, device, targets)
    return DeviceSplits(splits, device, targets)
