"""Train / dev / test splits and k-fold cross-validation, standardized on train only.

Sizes: the test split is ``round(split.test * n)`` samples; of the rest, the dev split is
``round(split.dev * rest)`` and train keeps what remains (the course rule for small data
is the default: 20 % test, then 70/30 train/dev). With ``split.k_folds = k >= 2`` the
same test split is held out, the rest is dealt into k folds of equal size (within one
sample), fold ``split.fold`` is dev and the others are train. A split that would be
empty is refused with a ``ConfigError`` naming ``split.test``, ``split.dev`` or
``split.k_folds`` and the sizes.

Stratification (classification with ``split.stratify``) never fails and needs no
fallback: each class's share of a split is its exact share rounded by the largest
remainder method, so every class is within one sample of its proportion in every split
(and fold). A class too rare to reach every split simply lands where the rounding puts
it; ``describe`` warns when a class is missing from train or dev. Regression targets
are not stratified.

Standardization: ``(X - mean) / std`` with the train split's statistics only, per
feature, or per channel for images; constant features get std 1 (see ``standardize``).

Seeds: the test holdout draws from ``(seed, 0)`` and the dev / fold assignment from
``(seed, 1)``, so every fold of one seed, and the plain split, share one test set.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from dlstudio.config import SplitConfig
from dlstudio.data.dataset import DataSplits, Dataset
from dlstudio.data.standardize import standardized, train_statistics
from dlstudio.errors import ConfigError

SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class SplitIndices:
    """Sorted row numbers of each split; cheap to compute, for previews and checks."""

    train: np.ndarray
    dev: np.ndarray
    test: np.ndarray
    stratified: bool

    def as_dict(self) -> dict[str, np.ndarray]:
        return {"train": self.train, "dev": self.dev, "test": self.test}


def split_indices(dataset: Dataset, split_cfg: SplitConfig, seed: int) -> SplitIndices:
    """Which rows go to train, dev and test (see the module rules); no data is copied."""
    n, k = dataset.n_samples, split_cfg.k_folds
    _check_shares(split_cfg)
    n_test = _rounded(split_cfg.test * n)
    rest_size = n - n_test
    sizes = {"test": n_test}
    if k >= 2:
        sizes["dev"] = rest_size // k + (split_cfg.fold < rest_size % k)
    else:
        sizes["dev"] = _rounded(split_cfg.dev * rest_size)
    sizes["train"] = rest_size - sizes["dev"]
    _check_sizes(split_cfg, n, sizes)

    stratified = split_cfg.stratify and dataset.task == "classification"
    labels = dataset.y if stratified else None
    test, rest = _hold_out(np.arange(n), labels, n_test, _rng(seed, 0))
    if k >= 2:
        folds = _deal_folds(rest, labels, k, _rng(seed, 1))
        dev, train = rest[folds == split_cfg.fold], rest[folds != split_cfg.fold]
    else:
        dev, train = _hold_out(rest, labels, sizes["dev"], _rng(seed, 1))
    if split_cfg.train_fraction < 1.0:
        # A learning curve: fewer training rows, the same dev and test rows.
        keep = max(1, _rounded(split_cfg.train_fraction * len(train)))
        train, _ = _hold_out(train, labels, keep, _rng(seed, 2))
    return SplitIndices(train, dev, test, stratified)


def _check_scaled(X: np.ndarray, split: str, dataset: Dataset, std: np.ndarray) -> None:
    """Scaled values beyond float32 (a dev or test value far outside a column's tiny
    train spread) are refused, naming the column, rather than trained on as inf."""
    finite = np.isfinite(X)
    if finite.all():
        return
    column = int(np.argmin(finite.all(axis=0)))
    name = dataset.feature_names[column] if column < len(dataset.feature_names) else column
    where = f"data.path: {dataset.source}" if dataset.source else f"data.name: {dataset.name}"
    raise ConfigError(f"{where}: column {name} cannot be standardized: its train values "
                      f"spread by {float(std[column]):.3g}, so its {split} values scale past "
                      "float32's range; rescale or drop that column")


def make_splits(dataset: Dataset, split_cfg: SplitConfig, seed: int) -> DataSplits:
    """Split ``dataset`` by ``split_cfg`` and ``seed``; features scaled by train statistics."""
    index = split_indices(dataset, split_cfg, seed)
    X_train = dataset.X[index.train]
    mean, std = train_statistics(X_train, None, dataset.image_shape)

    def scaled(rows: np.ndarray, split: str) -> np.ndarray:
        with np.errstate(over="ignore"):
            X = standardized(X_train if rows is index.train else dataset.X[rows], mean, std)
        _check_scaled(X, split, dataset, std)
        return X

    return DataSplits(
        dataset=dataset,
        X_train=scaled(index.train, "train"), y_train=dataset.y[index.train],
        X_dev=scaled(index.dev, "dev"), y_dev=dataset.y[index.dev],
        X_test=scaled(index.test, "test"), y_test=dataset.y[index.test],
        mean=mean, std=std, indices=index.as_dict(), stratified=index.stratified,
    )


def kfold_splits(dataset: Dataset, split_cfg: SplitConfig, seed: int) -> list[DataSplits]:
    """All ``split.k_folds`` folds in order: fold i is dev in the i-th ``DataSplits``."""
    if split_cfg.k_folds < 2:
        raise ConfigError(f"split.k_folds: got {split_cfg.k_folds}, expected at least 2 for "
                          "cross-validation")
    return [make_splits(dataset, dataclasses.replace(split_cfg, fold=fold), seed)
            for fold in range(split_cfg.k_folds)]


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


def _rounded(value: float) -> int:
    # Half up, not Python's half-to-even: 2.5 samples of test share should give 3.
    return int(math.floor(value + 0.5))


def _check_shares(split_cfg: SplitConfig) -> None:
    problems = [f"split.{key}: got {share}, expected a number in [0, 1)"
                for key, share in (("test", split_cfg.test), ("dev", split_cfg.dev))
                if not 0.0 <= share < 1.0]
    k = split_cfg.k_folds
    if k == 1 or k < 0:
        problems.append(f"split.k_folds: got {k}, expected 0 (off) or at least 2")
    elif k and not 0 <= split_cfg.fold < k:
        problems.append(f"split.fold: got {split_cfg.fold}, expected 0..{k - 1}")
    if problems:
        raise ConfigError(problems)


def _check_sizes(split_cfg: SplitConfig, n: int, sizes: dict[str, int]) -> None:
    shown = f"train {sizes['train']}, dev {sizes['dev']}, test {sizes['test']} of {n} samples"
    problems = []
    if sizes["test"] == 0:
        problems.append(f"split.test: {split_cfg.test} leaves the test split empty ({shown}); "
                        "expected a larger share")
    if split_cfg.k_folds >= 2 and n - sizes["test"] < split_cfg.k_folds:
        problems.append(f"split.k_folds: {split_cfg.k_folds} folds of the "
                        f"{n - sizes['test']} samples left after the test share would leave "
                        "folds empty; use fewer folds or a smaller split.test")
    elif sizes["dev"] == 0:
        problems.append(f"split.dev: {split_cfg.dev} leaves the dev split empty ({shown}); "
                        "expected a larger share")
    elif sizes["train"] == 0:
        problems.append(f"split.test / split.dev: {split_cfg.test} / {split_cfg.dev} leave "
                        f"no training samples ({shown}); expected smaller shares")
    if problems:
        raise ConfigError(problems)


def _hold_out(pool: np.ndarray, labels: np.ndarray | None, count: int,
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``count`` rows of ``pool`` drawn at random (per class when ``labels``), and the rest."""
    if labels is None:
        picked = rng.permutation(pool)[:count]
    else:
        pool_labels = labels[pool]
        classes, per_class = np.unique(pool_labels, return_counts=True)
        quotas = _apportion(per_class, count, rng)
        picked = np.concatenate([rng.permutation(pool[pool_labels == cls])[:quota]
                                 for cls, quota in zip(classes, quotas)])
    chosen = np.isin(pool, picked)
    return pool[chosen], pool[~chosen]


def _apportion(per_class: np.ndarray, total: int, rng: np.random.Generator) -> np.ndarray:
    """Split ``total`` over classes in proportion, by largest remainder (ties at random)."""
    n = int(per_class.sum())
    scaled = per_class.astype(np.int64) * total  # integers: the rounding stays exact
    quotas, remainders = scaled // n, scaled % n
    short = total - int(quotas.sum())
    order = np.lexsort((rng.random(len(per_class)), -remainders))
    quotas[order[:short]] += 1
    return quotas


def _deal_folds(pool: np.ndarray, labels: np.ndarray | None, k: int,
                rng: np.random.Generator) -> np.ndarray:
    """The fold number of each row of ``pool``, dealt round-robin like cards.

    Rows are shuffled (within their class when stratified) and laid out class after
    class; dealing position ``i`` to fold ``i % k`` then gives every fold, and every
    class in it, the same count within one.
    """
    if labels is None:
        order = rng.permutation(len(pool))
    else:
        pool_labels = labels[pool]
        order = np.concatenate([rng.permutation(np.flatnonzero(pool_labels == cls))
                                for cls in np.unique(pool_labels)])
    folds = np.empty(len(pool), dtype=np.int64)
    folds[order] = np.arange(len(pool)) % k
    return folds
