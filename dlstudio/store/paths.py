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
