"""The in-memory shapes every loader returns and the trainer consumes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dlstudio.data.mapped_rows import MappedRows


@dataclass
class Dataset:
    """A whole labelled dataset before splitting.

    ``X`` is float32 of shape (n, n_features), or ``MappedRows`` that read such rows from
    an uncompressed ``.npz`` on disk (a streamed run). ``y`` is int64 class indices for
    classification, float32 of shape (n,) for regression. ``image_shape`` (C, H, W) says
    how a row reshapes into an image, when it does.
    """

    name: str
    X: np.ndarray | MappedRows
    y: np.ndarray
    task: str  # "classification" | "regression"
    feature_names: list[str]
    classes: list[str] = field(default_factory=list)
    image_shape: tuple[int, int, int] | None = None
    source: str = ""  # the file it was read from; "" for bundled or generated data

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def output_dim(self) -> int:
        return len(self.classes) if self.task == "classification" else 1

    def copy(self) -> Dataset:
        """An independent copy: what caches hand out so callers cannot change them."""
        # Mapped rows are read-only: every copy can share them.
        X = self.X if isinstance(self.X, MappedRows) else self.X.copy()
        return Dataset(name=self.name, X=X, y=self.y.copy(), task=self.task,
                       feature_names=list(self.feature_names), classes=list(self.classes),
                       image_shape=self.image_shape, source=self.source)


@dataclass
class DataSplits:
    """Train / dev / test arrays, standardized with train-split statistics only."""

    dataset: Dataset
    X_train: np.ndarray
    y_train: np.ndarray
    X_dev: np.ndarray
    y_dev: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    # Row numbers into ``dataset.X`` per split ("train", "dev", "test"), for previews,
    # per-sample error views and tests that check the partition.
    indices: dict[str, np.ndarray] = field(default_factory=dict)
    stratified: bool = False  # whether class proportions were kept in every split

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.y_train), "dev": len(self.y_dev), "test": len(self.y_test)}

    def train_head(self, count: int) -> np.ndarray:
        """The first ``count`` standardized train rows (a model's trial batch)."""
        return self.X_train[:count]
