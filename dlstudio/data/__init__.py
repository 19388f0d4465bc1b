"""Datasets and splits: built-in, generated and user data, train / dev / test, k-fold.

No Qt and no torch here: numpy and scikit-learn only, so the GUI's preview, the CLI and
the trainer all share one loader.
"""

from dlstudio.data.catalog import DATASET_INFO, HUMAN_LEVEL
from dlstudio.data.dataset import DataSplits, Dataset
from dlstudio.data.loading import load_dataset
from dlstudio.data.preview import describe
from dlstudio.data.splits import SplitIndices, kfold_splits, make_splits, split_indices

__all__ = [
    "DATASET_INFO", "HUMAN_LEVEL", "DataSplits", "Dataset", "SplitIndices", "describe",
    "kfold_splits", "load_dataset", "make_splits", "split_indices",
]
