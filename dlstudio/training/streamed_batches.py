"""Batches of streamed splits through ``torch.utils.data``: read, scaled, copied per batch.

A ``DataLoader`` over ``SplitRows`` (one split's rows, read by ``StreamedSplits.rows``:
from the memory-mapped file in file order, standardized with the train statistics) with
``EpochBatches`` as its sampler: the positions of the epoch's permutation cut into
batches exactly as the in-memory path cuts them, so a seed gives the same batches, in
the same order, with the same rows in each. On CUDA batches are pinned and copied
without blocking, so the copy overlaps the previous step.

Evaluation reads a split in blocks of ``EVAL_BATCH_BYTES`` of inputs and keeps only
the outputs (one row of ``output_dim`` numbers a sample). A split within one block is
one forward pass, as in memory; a larger one is several, whose outputs can differ from
one big pass by float rounding.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
import torch
from torch.utils import data

from dlstudio.data.streamed_splits import StreamedSplits
from dlstudio.training.device_splits import Targets

EVAL_BATCH_BYTES = 8 * 2**20


class SplitRows(data.Dataset):
    """One split's standardized rows and targets; an item is a whole batch of positions."""

    def __init__(self, splits: StreamedSplits, split: str, targets: torch.Tensor):
        self.splits, self.split, self.targets = splits, split, targets

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, positions: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        rows = torch.from_numpy(self.splits.rows(self.split, positions))
        return rows, self.targets[torch.from_numpy(positions)]


class EpochBatches(data.Sampler):
    """``order`` cut into consecutive batches of ``batch_size`` positions."""

    def __init__(self, order: np.ndarray, batch_size: int):
        self.order, self.batch_size = order, batch_size

    def __len__(self) -> int:
        return -(-len(self.order) // self.batch_size)

    def __iter__(self) -> Iterator[np.ndarray]:
        for start in range(0, len(self.order), self.batch_size):
            yield self.order[start:start + self.batch_size]


class StreamedBatches:
    """``DeviceSplits``' interface over streamed splits (see the module)."""

    def __init__(self, splits: StreamedSplits, device: torch.device, targets: Targets):
        self.splits, self.device = splits, device
        self._cpu_y = {split: targets(getattr(splits, f"y_{split}"))
                       for split in ("train", "dev", "test")}
        self._y = {split: y.to(device) for split, y in self._cpu_y.items()}
        self.y_train = self._y["train"]
        self.n_train = len(self.y_train)
        self._pin = device.type == "cuda"
        features = splits.dataset.n_features
        self.eval_batch_size = max(1, EVAL_BATCH_BYTES // (4 * features))

    def train_batches(self, order: torch.Tensor, batch_size: int
                      ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for X, y in self._loader("train", order.cpu().numpy(), batch_size):
            yield self._moved(X), self._moved(y)

    def train_batch(self, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        X, y = SplitRows(self.splits, "train", self._cpu_y["train"])[positions.cpu().numpy()]
        return self._moved(X), self._moved(y)

    def eval_inputs(self, split: str) -> Iterator[torch.Tensor]:
        positions = np.arange(len(self._cpu_y[split]))
        for X, _ in self._loader(split, positions, self.eval_batch_size):
            yield self._moved(X)

    def targets(self, split: str) -> torch.Tensor:
        return self._y[split]

    def _loader(self, split: str, order: np.ndarray, batch_size: int) -> data.DataLoader:
        # batch_size=None: the sampler hands whole batches of positions to the dataset,
        # which reads them in one go instead of a row at a time.
        return data.DataLoader(SplitRows(self.splits, split, self._cpu_y[split]),
                               sampler=EpochBatches(order, batch_size), batch_size=None,
                               pin_memory=self._pin)

    def _moved(self, tensor: torch.Tensor) -> torch.Tensor:
        return tensor.to(self.device, non_blocking=self._pin)
