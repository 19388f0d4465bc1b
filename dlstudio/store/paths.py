"""Where the database file lives: ``--db``, then ``DLSTUDIO_DB``, then the data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DB_ENV = "DLSTUDIO_DB"
DB_FILENAME = "dlstudio.db"


def default_db_path() -> Path:
    """The per-user default: ``<user data dir>/dlstudio/dlstudio.db``."""
    return Path(platformdirs.user_data_dir("dlstudio")) / DB_FILENAME


def resolve_db_path(cli_value: str | None = None) -> Path:
    """The database file to use, with its parent folder created.

    ``cli_value`` (the ``--db`` option) wins, then the ``DLSTUDIO_DB`` environment
    variable, then ``default_db_path()``. ``~`` is expanded; an empty string counts as
    not given.
    """
    chosen = cli_value or os.environ.get(DB_ENV) or ""
    path = Path(chosen).expanduser() if chosen else default_db_path()
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


def run_dir(db_path: str | Path, run_id: int) -> Path:
    """A run's files (checkpoints, artifacts) live beside the database:
    ``<db folder>/<db name>-checkpoints/run-<id>/``; deleting the run removes it."""
    db_path = Path(db_path)
    return db_path.parent / f"{db_path.stem}-checkpoints" / f"run-{run_id}"


def run_files(directory: str | Path | None) -> list[tuple[str, int]]:
    """``(path relative to the run's folder, bytes)`` of every file in it, sorted;
    none when the folder is missing. Half-written files (``*.partial``) are left out."""
    if not directory or not Path(directory).is_dir():
        return []
    root = Path(directory)
    return sorted((str(p.relative_to(root)), p.stat().st_size) for p in root.rglob("*")
                  if p.is_file() and p.suffix != ".partial")
