"""Train / dev / test splits whose rows are read and standardized a batch at a time.

The streamed counterpart of ``DataSplits``, for data too large to hold (or to hold on
the device) whole: the same ``split_indices`` and the same train statistics
(``standardize``, in blocks over the train rows only), but no standardized copies;
``rows(split, positions)`` reads just the rows a batch needs. ``y`` of every split is
held: one number a sample.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dlstudio.config import SplitConfig
from dlstudio.data.dataset import Dataset
from dlstudio.data.splits import SPLITS, split_indices
from dlstudio.data.standardize import standardized, train_statistics


@dataclass
class StreamedSplits:
    """Row numbers, targets and train statistics of each split; X stays in ``dataset``."""

    dataset: Dataset
    y_train: np.ndarray
    y_dev: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    indices: dict[str, np.ndarray] = field(default_factory=dict)
    stratified: bool = False

    def sizes(self) -> dict[str, int]:
        return {split: len(self.indices[split]) for split in SPLITS}

    def rows(self, split: str, positions: np.ndarray) -> np.ndarray:
        """Standardized float32 rows at ``positions`` (0-based within ``split``)."""
        # Indexing by an array copies: the rows can be scaled where they lie.
        return standardized(self.dataset.X[self.indices[split][positions]], self.mean,
                            self.std, in_place=True)

    def train_head(self, count: int) -> np.ndarray:
        """The first ``count`` standardized train rows (a model's trial batch)."""
        return self.rows("train", np.arange(min(count, len(self.y_train))))


def stream_splits(dataset: Dataset, split_cfg: SplitConfig, seed: int) -> StreamedSplits:
    """``make_splits``' partition and statistics for ``dataset``, without copying X."""
    index = split_indices(dataset, split_cfg, seed)
    mean, std = train_statistics(dataset.X, index.train, dataset.image_shape)
    return StreamedSplits(dataset=dataset, y_train=dataset.y[index.train],
                          y_dev=dataset.y[index.dev], y_test=dataset.y[index.test],
                          mean=mean, std=std, indices=index.as_dict(),
                          stratified=index.stratified)
