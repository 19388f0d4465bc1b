"""Several runs' curves as one long CSV, and the mean/band of a group of curves."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest

from dlstudio.errors import ConfigError
from dlstudio.gui.compare.curve_bands import band, group_runs
from dlstudio.store import Store
from dlstudio.store.curves_csv import LONG_HEADER, write_curves_long_csv


def test_every_point_of_every_run_in_long_format(db_path):
    with Store(db_path) as store:
        first = store.create_run({"lr": 0.1}, name="a, with comma")
        second = store.create_run({"lr": 0.2})
        store.start_run(first)
        store.write_metrics([(first, "loss", s, 0, 1.0 / s, 0.5 * s) for s in range(1, 6)]
                            + [(first, "lr", 1, 0, 0.1, 0.5), (first, "loss", 6, 0, math.nan, 3.0)]
                            + [(second, "loss", 1, 0, 2.0, 0.1)])
        buffer = io.StringIO()
        lines = write_curves_long_csv(store, [first, second], buffer)
        started = store.get_run(first)["started"]
        with pytest.raises(ConfigError, match="run 99: not found"):
            write_curves_long_csv(store, [99], io.StringIO())
        only_lr = io.StringIO()
        assert write_curves_long_csv(store, [first], only_lr, keys=["lr"]) == 1
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert tuple(rows[0]) == LONG_HEADER and lines == len(rows) - 1 == 8
    assert rows[1][:5] == [str(first), "a, with comma", "loss", "1", "0"]
    assert float(rows[1][6]) == pytest.approx(started + 0.5)
    assert rows[6][2:4] == ["loss", "6"] and rows[6][7] == ""  # NaN: an empty cell
    assert rows[8][0] == str(second) and rows[8][6] == ""  # never started: no wall time


def test_band_over_runs_of_different_lengths():
    summary = band([(np.array([1, 2, 3]), np.array([1.0, 2.0, 3.0])),
                    (np.array([1, 2]), np.array([3.0, 4.0]))])
    np.testing.assert_allclose(summary.x, [1, 2, 3])
    np.testing.assert_allclose(summary.mean, [2.0, 3.0, 3.0])
    np.testing.assert_allclose(summary.low, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(summary.high, [3.0, 4.0, 3.0])
    np.testing.assert_allclose(summary.sd, [1.0, 1.0, 0.0])
    assert summary.count.tolist() == [2, 2, 1]


def test_seeds_of_one_config_group_together_and_tags_group_folds():
    runs = [{"id": i, "name": f"r{i}", "tags": tags} for i, tags in
            enumerate([["cv-1"], ["cv-1"], [], ["cv-2"]])]
    flats = [{"optim.lr": 0.1, "train.seed": 0}, {"optim.lr": 0.1, "train.seed": 1},
             {"optim.lr": 0.2, "train.seed": 0}, {"lr": 3e-4, "model": "resnet18"}]
    groups = group_runs(runs, flats, "config")
    assert [members for _, members in groups] == [[0, 1], [2], [3]]
    # Labels name the keys whose values differ among the runs that have them: a script's
    # free-form config beside the app's does not list every key one of them lacks.
    assert [label for label, _ in groups] == ["optim.lr=0.1", "optim.lr=0.2", "r3"]
    assert [m for _, m in group_runs(runs, flats, "tag")] == [[0, 1], [2], [3]]
    assert [m for _, m in group_runs(runs, flats, "none")] == [[0], [1], [2], [3]]


def test_seeds_of_one_config_group_together_whatever_each_run_is_named():
    runs = [{"id": i, "name": name, "tags": []} for i, name in
            enumerate(["seed 1", "seed 2", "wider", "resnet run"])]
    flats = [{"name": "seed 1", "optim.lr": 0.1, "train.seed": 1},
             {"name": "seed 2", "optim.lr": 0.1, "train.seed": 2},
             {"name": "wider", "optim.lr": 0.2, "train.seed": 1},
             {"name": "resnet18", "lr": 3e-4}]  # a script's own "name" is a setting
    groups = group_runs(runs, flats, "config")
    assert [members for _, members in groups] == [[0, 1], [2], [3]]
    assert [label for label, _ in groups] == ["optim.lr=0.1", "optim.lr=0.2", "resnet run"]
