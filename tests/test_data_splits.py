"""Splits: sizes, stratification, seeds, partition, standardization, k-fold, describe."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlstudio.config import DataConfig, SplitConfig
from dlstudio.data import Dataset, describe, kfold_splits, load_dataset, make_splits
from dlstudio.errors import ConfigError


def _dataset(y, task="classification", n_features=3, seed=0) -> Dataset:
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(len(y), n_features)) * [1, 10, 100][:n_features] + 5).astype(np.float32)
    classes = [str(c) for c in range(int(y.max()) + 1)] if task == "classification" else []
    return Dataset("toy", X, y, task, [f"f{i}" for i in range(n_features)], classes)


def _imbalanced(n=200):
    return _dataset(np.repeat([0, 1, 2], [n // 2, n * 3 // 10, n - n // 2 - n * 3 // 10]))


def _all_rows(splits) -> np.ndarray:
    return np.concatenate([splits.indices[s] for s in ("train", "dev", "test")])


# -- sizes, partition, seeds ---------------------------------------------------------
def test_sizes_follow_the_fractions():
    splits = make_splits(_imbalanced(200), SplitConfig(test=0.2, dev=0.3), seed=0)
    assert splits.sizes() == {"train": 112, "dev": 48, "test": 40}
    assert splits.X_train.shape == (112, 3) and splits.X_train.dtype == np.float32


def test_same_seed_same_split_other_seed_other_split():
    dataset = _imbalanced()
    first = make_splits(dataset, SplitConfig(), seed=3)
    again = make_splits(dataset, SplitConfig(), seed=3)
    other = make_splits(dataset, SplitConfig(), seed=4)
    for split in ("train", "dev", "test"):
        np.testing.assert_array_equal(first.indices[split], again.indices[split])
    np.testing.assert_array_equal(first.X_dev, again.X_dev)
    assert not np.array_equal(first.indices["test"], other.indices["test"])


def test_rows_match_the_dataset():
    dataset = _imbalanced()
    splits = make_splits(dataset, SplitConfig(), seed=1)
    rows = splits.indices["dev"]
    np.testing.assert_array_equal(splits.y_dev, dataset.y[rows])
    np.testing.assert_allclose(splits.X_dev, (dataset.X[rows] - splits.mean) / splits.std,
                               rtol=1e-5, atol=1e-5)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(30, 300), test=st.floats(0.05, 0.5), dev=st.floats(0.05, 0.5),
       n_classes=st.integers(2, 5), stratify=st.booleans(), seed=st.integers(0, 2**31))
def test_split_invariants(n, test, dev, n_classes, stratify, seed):
    labels = np.random.default_rng(seed).integers(0, n_classes, n)
    labels[:n_classes] = np.arange(n_classes)  # every class present
    dataset = _dataset(labels)
    splits = make_splits(dataset, SplitConfig(test=test, dev=dev, stratify=stratify), seed)
    rows = _all_rows(splits)
    assert len(rows) == len(set(rows.tolist())) == n  # no overlap, nothing lost
    sizes = splits.sizes()
    assert abs(sizes["test"] - test * n) <= 0.5 + 1e-9
    assert abs(sizes["dev"] - dev * (n - sizes["test"])) <= 0.5 + 1e-9
    assert min(sizes.values()) >= 1
    if stratify:
        _assert_stratified(labels, splits.indices["test"], np.arange(n), test)
        rest = np.concatenate([splits.indices["train"], splits.indices["dev"]])
        _assert_stratified(labels, splits.indices["dev"], rest, dev)


def _assert_stratified(labels, part, whole, share):
    """Every class's count in ``part`` is within one sample of its share of ``whole``."""
    for cls in np.unique(labels):
        expected = share * np.sum(labels[whole] == cls)
        assert abs(np.sum(labels[part] == cls) - expected) < 1


def test_stratification_keeps_class_proportions():
    dataset = _imbalanced(200)  # 100 / 60 / 40
    splits = make_splits(dataset, SplitConfig(test=0.2, dev=0.3), seed=7)
    assert splits.stratified
    assert np.bincount(splits.y_test).tolist() == [20, 12, 8]
    assert np.bincount(splits.y_dev).tolist() == [24, 14, 10]  # 80/48/32 x 0.3, rounded


def test_rare_class_never_breaks_stratification():
    dataset = _dataset(np.array([0] * 50 + [1] * 49 + [2]))  # class 2 has one sample
    splits = make_splits(dataset, SplitConfig(), seed=0)
    assert splits.stratified and sum(splits.sizes().values()) == 100


def test_regression_is_not_stratified():
    dataset = _dataset(np.linspace(0, 1, 50).astype(np.float32), task="regression")
    splits = make_splits(dataset, SplitConfig(), seed=0)
    assert not splits.stratified and splits.y_train.dtype == np.float32


# -- standardization -----------------------------------------------------------------
def test_standardization_uses_train_statistics_only():
    dataset = _imbalanced(400)
    splits = make_splits(dataset, SplitConfig(), seed=2)
    np.testing.assert_allclose(splits.X_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(splits.X_train.std(axis=0), 1, atol=1e-4)
    train_rows = dataset.X[splits.indices["train"]]
    np.testing.assert_allclose(splits.mean, train_rows.mean(axis=0), rtol=1e-5)
    for X in (splits.X_dev, splits.X_test):
        assert np.abs(X.mean(axis=0)).max() > 1e-3  # not re-centred on its own
        assert np.abs(X.std(axis=0) - 1).max() > 1e-3
    assert splits.mean.dtype == splits.std.dtype == np.float32


def test_constant_feature_gets_std_one():
    dataset = _imbalanced()
    dataset.X[:, 1] = 3.3
    splits = make_splits(dataset, SplitConfig(), seed=0)
    assert splits.std[1] == 1.0
    assert np.all(splits.X_train[:, 1] == 0) and np.all(np.isfinite(splits.X_test))


def test_images_are_standardized_per_channel():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(10, 2, (60, 4)), rng.normal(-5, 0.5, (60, 4))], axis=1)
    dataset = Dataset("rgb", X.astype(np.float32), np.arange(60) % 2, "classification",
                      [f"x{i}" for i in range(8)], ["0", "1"], image_shape=(2, 2, 2))
    splits = make_splits(dataset, SplitConfig(), seed=0)
    assert len(set(splits.mean[:4].tolist())) == 1 and len(set(splits.std[4:].tolist())) == 1
    channels = splits.X_train.reshape(-1, 2, 4)
    np.testing.assert_allclose(channels.mean(axis=(0, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(channels.std(axis=(0, 2)), 1, atol=1e-4)
    flat = make_splits(load_dataset(DataConfig(name="digits")), SplitConfig(), seed=0)
    assert len(set(flat.mean.tolist())) > 10  # tabular digits: one statistic per pixel


# -- empty splits --------------------------------------------------------------------
@pytest.mark.parametrize("split, key", [
    (SplitConfig(test=0.0), "split.test"),
    (SplitConfig(test=0.001), "split.test"),
    (SplitConfig(dev=0.001), "split.dev"),
    (SplitConfig(test=0.5, dev=0.99), "split.test / split.dev"),
    (SplitConfig(test=0.9, k_folds=25), "split.k_folds"),
    (SplitConfig(k_folds=3, fold=3), "split.fold"),
])
def test_empty_splits_are_refused(split, key):
    with pytest.raises(ConfigError) as caught:
        make_splits(_dataset(np.arange(40) % 2), split, seed=0)
    assert str(caught.value).startswith(key)


def test_empty_split_message_shows_sizes():
    with pytest.raises(ConfigError, match=r"train 28, dev 12, test 0 of 40 samples"):
        make_splits(_dataset(np.arange(40) % 2), SplitConfig(test=0.0), seed=0)


# -- k-fold --------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(n=st.integers(40, 200), k=st.integers(2, 7), stratify=st.booleans(),
       seed=st.integers(0, 2**31))
def test_kfold_partitions_the_non_test_rows(n, k, stratify, seed):
    labels = np.arange(n) % 3
    dataset = _dataset(labels)
    folds = kfold_splits(dataset, SplitConfig(k_folds=k, stratify=stratify), seed)
    assert len(folds) == k
    test = folds[0].indices["test"]
    for splits in folds:
        np.testing.assert_array_equal(splits.indices["test"], test)  # one shared test set
        assert len(_all_rows(splits)) == n
        assert not set(splits.indices["dev"]) & set(splits.indices["train"])
    devs = np.concatenate([splits.indices["dev"] for splits in folds])
    rest = np.setdiff1d(np.arange(n), test)
    np.testing.assert_array_equal(np.sort(devs), rest)  # every non-test row in one dev fold
    dev_sizes = [len(splits.indices["dev"]) for splits in folds]
    assert max(dev_sizes) - min(dev_sizes) <= 1
    if stratify:
        for splits in folds:
            _assert_stratified(labels, splits.indices["dev"], rest, 1 / k)


def test_kfold_shares_the_plain_split_test_set():
    dataset = _imbalanced()
    plain = make_splits(dataset, SplitConfig(), seed=5)
    fold = make_splits(dataset, SplitConfig(k_folds=4, fold=1), seed=5)
    np.testing.assert_array_equal(plain.indices["test"], fold.indices["test"])


def test_kfold_splits_needs_folds():
    with pytest.raises(ConfigError, match="split.k_folds"):
        kfold_splits(_imbalanced(), SplitConfig(), seed=0)


# -- describe ------------------------------------------------------------------------
def test_describe_classification():
    summary = describe(DataConfig(name="iris"), SplitConfig(), seed=0)
    assert summary["task"] == "classification" and summary["n_samples"] == 150
    assert summary["n_features"] == 4 and summary["n_classes"] == 3
    assert summary["splits"] == {"train": 84, "dev": 36, "test": 30}
    assert summary["class_counts"] == {"setosa": 50, "versicolor": 50, "virginica": 50}
    assert summary["split_class_counts"]["test"] == {"setosa": 10, "versicolor": 10,
                                                     "virginica": 10}
    assert summary["human_level"] == 98.0 and summary["description"]
    assert summary["warnings"] == [] and summary["target_range"] is None


def test_describe_regression_images_and_copies():
    summary = describe(DataConfig(name="diabetes"), SplitConfig(k_folds=5, fold=0), seed=0)
    assert summary["task"] == "regression" and summary["class_counts"] == {}
    assert summary["k_folds"] == 5 and summary["human_level"] is None
    assert summary["target_range"]["min"] < summary["target_range"]["mean"]
    digits = describe(DataConfig(name="digits", images=True), SplitConfig(), seed=0)
    assert digits["image_shape"] == (1, 8, 8)
    digits["classes"].append("x")
    assert describe(DataConfig(name="digits"), SplitConfig(), seed=0)["n_classes"] == 10


def test_describe_warns_about_a_class_missing_from_train(tmp_path):
    path = tmp_path / "rare.csv"
    path.write_text("x,y\n" + "".join(f"{i},{'ab'[i % 2]}\n" for i in range(40)) + "99,c\n")
    summary = describe(DataConfig(name="csv", path=str(path)), SplitConfig(), seed=0)
    assert summary["class_counts"]["c"] == 1
    assert len(summary["warnings"]) == 1 and "'c'" in summary["warnings"][0]


def test_splits_of_a_loaded_dataset_feed_the_trainer_shapes():
    dataset = load_dataset(DataConfig(name="digits", images=True))
    splits = make_splits(dataset, SplitConfig(), seed=0)
    assert splits.X_train.shape[1] == 64 and splits.dataset.image_shape == (1, 8, 8)
    assert splits.y_train.dtype == np.int64


def test_train_fraction_subsamples_train_only():
    from dlstudio.config import DataConfig, SplitConfig
    from dlstudio.data import load_dataset, split_indices

    dataset = load_dataset(DataConfig(name="digits"))
    full = split_indices(dataset, SplitConfig(), seed=3)
    part = split_indices(dataset, SplitConfig(train_fraction=0.25), seed=3)
    assert np.array_equal(full.dev, part.dev) and np.array_equal(full.test, part.test)
    assert set(part.train) <= set(full.train)
    assert len(part.train) == round(0.25 * len(full.train))
    counts = np.bincount(dataset.y[part.train], minlength=10)
    assert counts.min() >= 0.2 * len(part.train) / 10  # still stratified
