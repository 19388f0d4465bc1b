"""The real datasets that scikit-learn ships inside its package (nothing is downloaded).

Each loader runs once per process (the form's preview asks on every change) and hands
out copies, so a caller that scales ``X`` in place cannot change the next run's data.
"""

from __future__ import annotations

import functools

import numpy as np

from dlstudio.data.dataset import Dataset

# scikit-learn's loader per name, with keyword arguments. Diabetes comes in raw units
# (age in years, sex 1/2, ...) rather than pre-scaled: the splits standardize with train
# statistics anyway, and the preview reads better.
_LOADERS = {
    "digits": ("load_digits", {}),
    "wine": ("load_wine", {}),
    "breast_cancer": ("load_breast_cancer", {}),
    "iris": ("load_iris", {}),
    "diabetes": ("load_diabetes", {"scaled": False}),
}
REGRESSION = ("diabetes",)
DIGITS_IMAGE_SHAPE = (1, 8, 8)


def load_builtin(name: str, images: bool = False) -> Dataset:
    """A fresh copy of built-in dataset ``name``; ``images`` sets digits' image shape."""
    dataset = _load_cached(name).copy()
    if name == "digits" and images:
        dataset.image_shape = DIGITS_IMAGE_SHAPE
    return dataset


@functools.lru_cache(maxsize=None)
def _load_cached(name: str) -> Dataset:
    # Imported here: scikit-learn takes about a second to import, which the GUI's start
    # and every CLI command that never loads a built-in should not pay.
    from sklearn import datasets

    loader, options = _LOADERS[name]
    bunch = getattr(datasets, loader)(**options)
    X = np.asarray(bunch.data, dtype=np.float32)
    names = [str(feature) for feature in bunch.feature_names]
    if name in REGRESSION:
        return Dataset(name, X, np.asarray(bunch.target, dtype=np.float32), "regression", names)
    classes = [str(label) for label in bunch.target_names]
    return Dataset(name, X, np.asarray(bunch.target, dtype=np.int64), "classification", names,
                   classes)
