"""From a raw target column to class indices or regression values.

Shared by the CSV and NPZ loaders so both infer the task and name classes the same way.

Task inference for ``data.task = auto`` (``infer_task``):

- a text target is classification;
- a numeric target whose values are not all whole numbers is regression;
- a whole-number target with exactly 2 distinct values is classification (a 0/1 flag);
- a whole-number target with at most 20 distinct values *and* at least 10 rows per
  distinct value on average is classification (labels such as 0..9 in a real table);
- anything else is regression (counts, ages, prices, ids).

The 10-rows-per-value part keeps small integer-valued measurements such as "rooms" in
a 60-row table from becoming 6 classes of 10 rows by accident; the user can always set
``data.task`` to overrule it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlstudio.errors import ConfigError

MAX_AUTO_CLASSES = 20
MIN_ROWS_PER_AUTO_CLASS = 10


@dataclass
class Target:
    """An encoded target: ``y`` int64 class indices or float32 values."""

    y: np.ndarray
    task: str
    classes: list[str]


def is_numeric(values: np.ndarray) -> bool:
    return values.dtype.kind in "biuf"


def infer_task(values: np.ndarray) -> str:
    """``classification`` or ``regression`` for a 1-D target (see the module rule)."""
    if not is_numeric(values) or values.dtype.kind == "b":
        return "classification"
    distinct = np.unique(values)
    if values.dtype.kind == "f" and not np.array_equal(distinct, np.round(distinct)):
        return "regression"
    if len(distinct) == 2:
        return "classification"
    few = len(distinct) <= MAX_AUTO_CLASSES
    enough_rows = len(values) >= MIN_ROWS_PER_AUTO_CLASS * len(distinct)
    return "classification" if few and enough_rows else "regression"


def encode_target(values: np.ndarray, task: str, source: str) -> Target:
    """Encode a finite 1-D target for ``task`` (auto, classification or regression).

    ``source`` names the target in messages, e.g. ``"column 'label' of data.csv"``.
    Classes are the sorted distinct labels as text: numbers sort as numbers (2 before
    10) and whole numbers print without a decimal point.
    """
    if task == "auto":
        task = infer_task(values)
    if task == "regression":
        if not is_numeric(values):
            example = str(values[0]) if len(values) else ""
            raise ConfigError(f"data.task: regression needs a numeric target, but {source} "
                              f"holds text such as {example!r}; use classification or auto")
        with np.errstate(over="ignore"):
            y = values.astype(np.float32)
        if not np.all(np.isfinite(y)):
            raise ConfigError(f"data.target: {source} has a value too large for float32 at "
                              f"row {int(np.argmin(np.isfinite(y)))}")
        return Target(y, "regression", [])
    if task != "classification":
        raise ConfigError(f"data.task: unknown {task!r}; expected auto, classification or "
                          "regression")
    return _encode_classes(values, source)


def _encode_classes(values: np.ndarray, source: str) -> Target:
    if values.dtype.kind == "b":
        values = values.astype(np.int64)
    distinct, codes = np.unique(values, return_inverse=True)
    classes = [_label(value) for value in distinct]
    if len(classes) < 2:
        only = f" ({classes[0]!r})" if classes else ""
        raise ConfigError(f"data.target: {source} has a single class{only}; classification "
                          "needs at least 2")
    n = len(values)
    if len(classes) > max(MAX_AUTO_CLASSES, n // 2):
        raise ConfigError(f"data.task: classification, but {source} has {len(classes):,} "
                          f"distinct values in {n:,} rows; use regression or auto")
    return Target(codes.reshape(-1).astype(np.int64), "classification", classes)


def _label(value: object) -> str:
    if isinstance(value, (np.floating, float)):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, (np.integer, int)):
        return str(int(value))
    return str(value)


def first_nonfinite(values: np.ndarray) -> tuple[tuple[int, ...], int] | None:
    """``(index of the first NaN/Inf, how many)`` in a numeric array, or None."""
    if values.dtype.kind != "f":
        return None
    bad = ~np.isfinite(values)
    count = int(bad.sum())
    if not count:
        return None
    first = np.unravel_index(int(np.argmax(bad.reshape(-1))), values.shape)
    return tuple(int(i) for i in first), count


def nonfinite_kind(value: float) -> str:
    return "NaN" if np.isnan(value) else "Inf"
