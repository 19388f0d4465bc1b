"""Load a user's ``.npz`` archive holding arrays ``X`` and ``y``.

``X`` is (n, features), or images: (n, H, W) becomes one channel, (n, C, H, W) is taken
as channels-first unless its second axis is large (> 4) and its last axis small (<= 4),
which is the channels-last layout (n, H, W, C) of most image libraries and is
transposed. Images are flattened to rows and ``image_shape`` says how to undo it.
An optional ``feature_names`` array names the columns of a 2-D ``X``.
``y`` is 1-D (or (n, 1)) numbers or text labels. Archives are opened without pickle, so
a file cannot run code.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from dlstudio.data.dataset import Dataset
from dlstudio.data.targets import encode_target, first_nonfinite, nonfinite_kind
from dlstudio.errors import ConfigError

MAX_CHANNELS = 4
NPY_MAGIC = b"\x93NUMPY"


def load_npz(path: Path, task: str = "auto") -> Dataset:
    """Read ``path`` into a Dataset; ``ConfigError`` names the file and the array."""
    where = f"data.path: {path}"
    X, y, names = _read_arrays(path, where)
    X, image_shape = _features(X, where)
    y = _target(y, where)
    if len(X) != len(y):
        raise ConfigError(f"{where}: X has {len(X):,} rows but y has {len(y):,}; they must "
                          "match")
    if len(X) == 0:
        raise ConfigError(f"{where}: X and y are empty; expected at least one sample")
    with np.errstate(over="ignore"):  # the model's precision: a value beyond it becomes Inf
        X = X.astype(np.float32)
    problems = [p for p in (_nonfinite(X, "X", where), _nonfinite(y, "y", where)) if p]
    if problems:
        raise ConfigError(problems)
    if names is None or len(names) != X.shape[1] or image_shape is not None:
        names = [f"x{i}" for i in range(X.shape[1])]
    encoded = encode_target(y, task, f"array y of {path}")
    return Dataset(name=path.stem, X=X, y=encoded.y, task=encoded.task,
                   feature_names=names, classes=encoded.classes, image_shape=image_shape)


def _read_arrays(path: Path, where: str) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    _check_is_archive(path, where)
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [key for key in ("X", "y") if key not in archive.files]
            if missing:
                held = ", ".join(archive.files) or "no arrays"
                raise ConfigError(f"{where}: no array {' or '.join(missing)}; it holds {held} "
                                  "(expected X and y)")
            names = archive["feature_names"] if "feature_names" in archive.files else None
            return archive["X"], archive["y"], None if names is None else [str(n) for n in names]
    except ConfigError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ConfigError(f"{where}: cannot read it as a .npz archive: {exc}") from exc


def _check_is_archive(path: Path, where: str) -> None:
    # np.load falls back to unpickling anything that is neither .npy nor .npz, and its
    # message about pickles would only confuse someone who picked the wrong file.
    try:
        with open(path, "rb") as handle:
            magic = handle.read(6)
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read it: {exc}") from exc
    if magic == NPY_MAGIC:
        raise ConfigError(f"{where}: holds a single array, not an archive; save X and y with "
                          "numpy.savez(path, X=X, y=y)")
    if not zipfile.is_zipfile(path):
        raise ConfigError(f"{where}: not a .npz archive; save X and y with "
                          "numpy.savez(path, X=X, y=y)")


def _features(X: np.ndarray, where: str) -> tuple[np.ndarray, tuple[int, int, int] | None]:
    if X.dtype.kind not in "biuf":
        raise ConfigError(f"{where}: X holds {X.dtype} values; expected numbers")
    if X.ndim == 0 or X.size == 0:
        raise ConfigError(f"{where}: X has shape {X.shape}; expected at least one sample "
                          "with at least one feature")
    if X.ndim == 1:
        return X.reshape(-1, 1), None  # a single feature
    if X.ndim == 2:
        return X, None
    if X.ndim == 3:
        return X.reshape(len(X), -1), (1, X.shape[1], X.shape[2])
    if X.ndim == 4:
        if X.shape[1] > MAX_CHANNELS and X.shape[3] <= MAX_CHANNELS:
            X = X.transpose(0, 3, 1, 2)
        return X.reshape(len(X), -1), (X.shape[1], X.shape[2], X.shape[3])
    raise ConfigError(f"{where}: X has shape {X.shape}; expected (n, features), (n, H, W) or "
                      "(n, C, H, W)")


def _target(y: np.ndarray, where: str) -> np.ndarray:
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.reshape(-1)
    if y.ndim != 1:
        raise ConfigError(f"{where}: y has shape {y.shape}; expected one label or value per "
                          "sample, shape (n,) (one-hot labels: save y.argmax(1))")
    if y.dtype.kind == "S":
        y = np.char.decode(y, "utf-8")
    if y.dtype.kind not in "biufU":
        raise ConfigError(f"{where}: y holds {y.dtype} values; expected numbers or text labels")
    return y


def _nonfinite(values: np.ndarray, name: str, where: str) -> str | None:
    found = first_nonfinite(values)
    if found is None:
        return None
    index, count = found
    at = f"{name}[{', '.join(str(i) for i in index)}]"
    more = f" (the first of {count:,} values)" if count > 1 else ""
    return (f"{where}: {name} has {nonfinite_kind(values[index])} at {at} (row {index[0]})"
            f"{more}; fix or drop those samples")
