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
from dlstudio.data.mapped_rows import MappedRows
from dlstudio.data.npz_member import NpyMember, read_member
from dlstudio.data.targets import encode_target, first_nonfinite, nonfinite_kind
from dlstudio.errors import ConfigError

MAX_CHANNELS = 4
NPY_MAGIC = b"\x93NUMPY"


def load_npz(path: Path, task: str = "auto", mapped: bool = False) -> Dataset:
    """Read ``path`` into a Dataset; ``ConfigError`` names the file and the array.

    ``mapped``: when X is stored uncompressed (``numpy.savez``), ``Dataset.X`` is a
    ``MappedRows`` read from disk as needed, checked a few MB at a time; a compressed X
    is read into memory as without it.
    """
    where = f"data.path: {path}"
    member = x_member(path) if mapped else None
    if member is not None and not member.compressed:
        _check_layout(member.shape, member.dtype, where)
        _, y, names = _read_arrays(path, where, with_x=False)
        y = _target(y, where)
        _check_rows(member.shape[0], len(y), where)
        X = MappedRows(path, member, _channels_last(member.shape))
        image_shape = _image_shape(member.shape)
        x_problem = _nonfinite_in_chunks(X, where)
    else:
        X, y, names = _read_arrays(path, where)
        X, image_shape = _features(X, where)
        y = _target(y, where)
        _check_rows(len(X), len(y), where)
        with np.errstate(over="ignore"):  # the model's precision: a value beyond it becomes Inf
            X = X.astype(np.float32)
        x_problem = _nonfinite(X, "X", where)
    problems = [p for p in (x_problem, _nonfinite(y, "y", where)) if p]
    if problems:
        raise ConfigError(problems)
    if names is None or len(names) != X.shape[1] or image_shape is not None:
        names = [f"x{i}" for i in range(X.shape[1])]
    encoded = encode_target(y, task, f"array y of {path}")
    return Dataset(name=path.stem, source=str(path), X=X, y=encoded.y, task=encoded.task,
                   feature_names=names, classes=encoded.classes, image_shape=image_shape)


def _check_rows(n_x: int, n_y: int, where: str) -> None:
    if n_x != n_y:
        raise ConfigError(f"{where}: X has {n_x:,} rows but y has {n_y:,}; they must match")
    if n_x == 0:
        raise ConfigError(f"{where}: X and y are empty; expected at least one sample")


def x_member(path: Path) -> NpyMember | None:
    """Where X lies in the archive (see ``npz_member``); None when it has no X.

    Raises ``ConfigError`` naming the file when it is no readable archive.
    """
    where = f"data.path: {path}"
    _check_is_archive(path, where)
    try:
        return read_member(path, "X")
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ConfigError(f"{where}: cannot read it as a .npz archive: {exc}") from exc


def _read_arrays(path: Path, where: str, with_x: bool = True
                 ) -> tuple[np.ndarray | None, np.ndarray, list[str] | None]:
    _check_is_archive(path, where)
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [key for key in ("X", "y") if key not in archive.files]
            if missing:
                held = ", ".join(archive.files) or "no arrays"
                raise ConfigError(f"{where}: no array {' or '.join(missing)}; it holds {held} "
                                  "(expected X and y)")
            names = archive["feature_names"] if "feature_names" in archive.files else None
            X = archive["X"] if with_x else None
            return X, archive["y"], None if names is None else [str(n) for n in names]
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
    _check_layout(X.shape, X.dtype, where)
    if _channels_last(X.shape):
        X = X.transpose(0, 3, 1, 2)
    return X.reshape(len(X), -1), _image_shape(X.shape)


def _check_layout(shape: tuple[int, ...], dtype: np.dtype, where: str) -> None:
    if dtype.kind not in "biuf":
        raise ConfigError(f"{where}: X holds {dtype} values; expected numbers")
    if len(shape) == 0 or 0 in shape:
        raise ConfigError(f"{where}: X has shape {shape}; expected at least one sample "
                          "with at least one feature")
    if len(shape) > 4:
        raise ConfigError(f"{where}: X has shape {shape}; expected (n, features), (n, H, W) "
                          "or (n, C, H, W)")


def _channels_last(shape: tuple[int, ...]) -> bool:
    return len(shape) == 4 and shape[1] > MAX_CHANNELS and shape[3] <= MAX_CHANNELS


def _image_shape(shape: tuple[int, ...]) -> tuple[int, int, int] | None:
    """(C, H, W) of image rows (``shape`` as stored), or None for a table."""
    if len(shape) == 3:
        return (1, shape[1], shape[2])
    if len(shape) == 4:
        c, h, w = (shape[3], shape[1], shape[2]) if _channels_last(shape) else shape[1:]
        return (c, h, w)
    return None


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
    return _nonfinite_message(name, where, index, count, nonfinite_kind(values[index]))


def _nonfinite_in_chunks(X: MappedRows, where: str) -> str | None:
    """``_nonfinite`` for mapped rows, a few MB at a time: never the whole X at once."""
    first, kind, count = None, "", 0
    for start, block in X.chunks():
        found = first_nonfinite(block)
        if found is None:
            continue
        index, chunk_count = found
        if first is None:
            first, kind = (start + index[0], index[1]), nonfinite_kind(block[index])
        count += chunk_count
    return None if first is None else _nonfinite_message("X", where, first, count, kind)


def _nonfinite_message(name: str, where: str, index: tuple[int, ...], count: int,
                       kind: str) -> str:
    at = f"{name}[{', '.join(str(i) for i in index)}]"
    more = f" (the first of {count:,} values)" if count > 1 else ""
    return (f"{where}: {name} has {kind} at {at} (row {index[0]}){more}; fix or drop those "
            "samples")
