"""``load_dataset``: one entry point from a ``DataConfig`` to a ``Dataset``.

Files are cached by path, size and modification time (a few at a time), so the form's
preview can reload on every change without re-reading a large CSV, while an edited file
is read again. Every cache hands out copies (a mapped X, read-only, is shared).
"""

from __future__ import annotations

import functools
from pathlib import Path

from dlstudio.config import BUILTIN_DATASETS, FILE_DATASETS, SYNTHETIC_DATASETS, DataConfig
from dlstudio.data.builtin import REGRESSION, load_builtin
from dlstudio.data.csv_file import load_csv
from dlstudio.data.dataset import Dataset
from dlstudio.data.npz_file import load_npz, x_member
from dlstudio.data.npz_member import NpyMember
from dlstudio.data.synthetic import make_synthetic
from dlstudio.errors import ConfigError
from dlstudio.store.schema import connected_here

FILE_CACHE_SIZE = 4


def load_dataset(cfg: DataConfig, mapped: bool = False) -> Dataset:
    """The dataset ``cfg`` names, with ``X`` float32 (n, features) and encoded ``y``.

    ``mapped``: an uncompressed ``.npz`` file's X stays on disk (``MappedRows``); every
    other dataset is read into memory either way.
    Raises ``ConfigError`` naming the key or file for anything wrong with the input.
    """
    if cfg.name in BUILTIN_DATASETS:
        dataset = load_builtin(cfg.name, images=cfg.images)
    elif cfg.name in SYNTHETIC_DATASETS:
        dataset = make_synthetic(cfg.name, cfg.n_samples, cfg.noise)
    elif cfg.name in FILE_DATASETS:
        return _load_file(cfg, mapped)
    else:
        known = ", ".join(BUILTIN_DATASETS + SYNTHETIC_DATASETS + FILE_DATASETS)
        raise ConfigError(f"data.name: unknown {cfg.name!r}; expected one of {known}")
    _check_task(cfg, dataset.task)
    return dataset


def _check_task(cfg: DataConfig, task: str) -> None:
    # A built-in set has one meaning; regressing on iris class numbers would only
    # produce a plausible-looking but meaningless run.
    if cfg.task not in ("auto", task):
        kind = "a regression" if cfg.name in REGRESSION else "a classification"
        raise ConfigError(f"data.task: {cfg.name} is {kind} dataset; use auto or {task}")


def npz_x_member(cfg: DataConfig) -> NpyMember | None:
    """Where the X of ``cfg``'s ``.npz`` file lies (its shape, type and whether it is
    compressed), read from its headers; None when the file has no X."""
    return x_member(_checked_path(cfg))


def _load_file(cfg: DataConfig, mapped: bool) -> Dataset:
    path = _checked_path(cfg)
    stat = path.stat()
    target = cfg.target if cfg.name == "csv" else ""
    return _load_file_cached(cfg.name, str(path.resolve()), stat.st_size, stat.st_mtime_ns,
                             target, cfg.task, mapped and cfg.name == "npz").copy()


def _checked_path(cfg: DataConfig) -> Path:
    if not cfg.path:
        raise ConfigError(f"data.path: required for data.name={cfg.name} (the .{cfg.name} file)")
    path = Path(cfg.path).expanduser()
    if not path.exists():
        raise ConfigError(f"data.path: file {path} not found")
    if not path.is_file():
        raise ConfigError(f"data.path: {path} is a folder; expected a .{cfg.name} file")
    if connected_here(path):
        # Reading it would also close a descriptor of it and drop our SQLite locks.
        raise ConfigError(f"data.path: {path} is the run database; expected a "
                          f".{cfg.name} file")
    return path


@functools.lru_cache(maxsize=FILE_CACHE_SIZE)
def _load_file_cached(kind: str, path: str, size: int, mtime_ns: int, target: str,
                      task: str, mapped: bool) -> Dataset:
    # size and mtime_ns are only part of the cache key: a changed file is a new entry.
    if kind == "csv":
        return load_csv(Path(path), target, task)
    return load_npz(Path(path), task, mapped)
