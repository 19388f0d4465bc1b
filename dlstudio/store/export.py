"""A run's metrics as CSV or plain lists: what ``dlstudio export`` and the app's
"Export CSV" both write, so the two files never differ; and writing such a file without
ever overwriting the database or following a link."""

from __future__ import annotations

import csv
import math
import os
import tempfile
from pathlib import Path
from typing import Any, TextIO

from dlstudio.errors import ConfigError
from dlstudio.store.paths import checkpoint_root

CSV_HEADER = ("key", "step", "epoch", "value", "time")


def write_metrics_csv(store, run_id: int, handle: TextIO) -> int:
    """Every point of every metric (never downsampled), keys sorted, steps in order.

    A NaN value (a diverged step) is an empty cell. Returns the rows written.
    """
    store.get_run(run_id)  # raises ConfigError("run N: not found")
    writer = csv.writer(handle)
    writer.writerow(CSV_HEADER)
    rows = 0
    for key in store.metric_keys(run_id):
        curve = store.read_curve(run_id, key)
        values = ["" if math.isnan(v) else repr(v) for v in curve["value"].tolist()]
        times = [repr(t) for t in curve["time"].tolist()]
        writer.writerows(zip([key] * len(values), curve["step"].tolist(),
                             curve["epoch"].tolist(), values, times))
        rows += len(values)
    return rows


def metrics_as_lists(store, run_id: int) -> dict[str, dict[str, list[Any]]]:
    """``{key: {"step": [...], "epoch": [...], "value": [...], "time": [...]}}``; NaN -> None."""
    out = {}
    for key in store.metric_keys(run_id):
        curve = store.read_curve(run_id, key)
        out[key] = {column: curve[column].tolist() for column in ("step", "epoch", "time")}
        out[key]["value"] = [None if math.isnan(v) else v for v in curve["value"].tolist()]
    return out


def check_export_target(path: str | Path, *, database: str | Path,
                        force: bool = False) -> Path:
    """``path`` if an export may be written there; else ``ConfigError`` saying why.

    Never the database itself (nor its ``-wal`` / ``-shm`` files or checkpoints), even
    with ``force``; an existing file only with ``force``; never through a symbolic link
    (``force`` replaces the link itself, not the file it points to).
    """
    path = Path(path)
    where = f"-o {path}"
    if path.is_dir() and not path.is_symlink():
        raise ConfigError(f"{where}: is a folder; give a file name inside it")
    if not path.parent.is_dir():
        raise ConfigError(f"{where}: folder {path.parent} does not exist")
    if _same_file_as_database(path, Path(database)):
        raise ConfigError(f"{where}: is the database being exported from (or one of its "
                          "files); choose another file name")
    if path.is_symlink() and not force:
        raise ConfigError(f"{where}: is a symbolic link (to {os.readlink(path)}); writing "
                          "would change the file it points to. Pass --force to replace "
                          "the link itself")
    if path.exists() and not force:
        raise ConfigError(f"{where}: already exists; pass --force to overwrite it")
    return path


def write_export_file(path: str | Path, text: str, *, database: str | Path,
                      force: bool = False) -> Path:
    """Write ``text`` to ``path`` after ``check_export_target``; returns the path.

    The text goes to a temporary file in the same folder first and is renamed over the
    target, so a failed write (a full disk) leaves any old file as it was.
    """
    path = check_export_target(path, database=database, force=force)
    where = f"-o {path}"
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    except OSError as exc:
        raise ConfigError(f"{where}: cannot write in {path.parent}: "
                          f"{exc.strerror or exc}") from exc
    try:
        with open(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's 0600 is for the temporary
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ConfigError(f"{where}: cannot write: {exc.strerror or exc}") from exc
    return path


def _same_file_as_database(path: Path, database: Path) -> bool:
    if str(database) == ":memory:":
        return False
    target = Path(os.path.realpath(path))
    db = Path(os.path.realpath(database))
    if target in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal")):
        return True
    if target.exists() and db.exists() and os.path.samefile(target, db):  # a hard link
        return True
    return Path(os.path.realpath(checkpoint_root(database))) in target.parents


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it; restored at once
    os.umask(mask)
    return mask
