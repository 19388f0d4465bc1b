"""Standardization at float32's edges: a hypothesis fuzz of CSV files found a column
whose train values spread by less than float32's smallest normal number (0 and
1.17549e-38); dividing by that spread overflowed ("RuntimeWarning: overflow encountered
in divide") instead of training or giving a message."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dlstudio.config import RunConfig, SplitConfig
from dlstudio.data import make_splits, split_indices
from dlstudio.data.csv_file import load_csv
from dlstudio.errors import ConfigError
from dlstudio.training.run_job import check_config


def _csv(path: Path, column: list[float]) -> Path:
    labels = ["a", "b"] * (len(column) // 2)
    rows = [f"{value:g},{label}" for value, label in zip(column, labels)]
    path.write_text("x,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_spread_below_float32s_normal_range_counts_as_constant(tmp_path):
    path = _csv(tmp_path / "tiny.csv", [0.0, 1.17549e-38] * 20)
    config = RunConfig.from_dict({"data": {"name": "csv", "path": str(path)},
                                  "train": {"device": "cpu"}})
    check_config(config)  # before: overflow in divide
    splits = make_splits(load_csv(path), SplitConfig(), 0)
    assert splits.std[0] == 1.0
    assert np.isfinite(splits.X_dev).all()


def test_a_dev_value_beyond_a_tiny_train_spread_is_refused_naming_the_column(tmp_path):
    column = [0.0, 1e-30] * 20 + [3e38, 0.0]
    path = _csv(tmp_path / "far.csv", column)
    dataset = load_csv(path)
    far = len(column) - 2
    seed = next(s for s in range(100)
                if far in split_indices(dataset, SplitConfig(), s).dev)
    with pytest.raises(ConfigError, match=rf"data.path: {path}: column x cannot be "
                                          r"standardized: .* its dev values"):
        make_splits(dataset, SplitConfig(), seed)
