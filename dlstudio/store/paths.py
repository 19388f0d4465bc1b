"""Where the database file and its checkpoints live.

The file: ``--db``, then ``DLSTUDIO_DB``, then the user data folder. Checkpoints live
beside it, in ``<stem>-checkpoints/run-<id>/``; rows store that folder relative to the
database, so a database moved together with its checkpoint folder still finds them.
Both are private to the user (0600 / 0700): runs hold configs, data paths and weights.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from dlstudio.errors import ConfigError
from dlstudio.store.schema import MEMORY

DB_ENV = "DLSTUDIO_DB"
DB_FILENAME = "dlstudio.db"
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def default_db_path() -> Path:
    """The per-user default: ``<user data dir>/dlstudio/dlstudio.db``."""
    return Path(platformdirs.user_data_dir("dlstudio")) / DB_FILENAME


def resolve_db_path(cli_value: str | None = None, *, existing: bool = False) -> Path:
    """The database file to use.

    ``cli_value`` (the ``--db`` option) wins, then the ``DLSTUDIO_DB`` environment
    variable, then ``default_db_path()``. ``~`` is expanded; an empty string counts as
    not given. Commands that create runs get the parent folder created; read-only
    commands pass ``existing=True`` and get a ``ConfigError`` when the file is missing,
    instead of a new empty database (and folders) made on the way.
    """
    chosen = cli_value or os.environ.get(DB_ENV) or ""
    path = Path(chosen).expanduser() if chosen else default_db_path()
    if str(path) == MEMORY:
        return path
    _check_folder(path)
    if existing:
        if not path.exists():
            raise ConfigError(f"database {path}: file does not exist (nothing has been "
                              "recorded there yet); check --db or $DLSTUDIO_DB")
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"database {path}: cannot create its folder {path.parent}: "
                          f"{exc.strerror or exc}") from exc
    return path


def _check_folder(path: Path) -> None:
    for folder in (path.parent, *path.parent.parents):
        if folder.exists() or folder.is_symlink():
            if not folder.is_dir():
                raise ConfigError(f"database {path}: {folder} is a file, not a folder; "
                                  "choose another path with --db")
            return


def create_private_file(path: Path) -> None:
    """Create an empty database file readable by its owner only, if none exists yet.

    SQLite creates ``-wal`` / ``-shm`` files with the permissions of the database file,
    so they are private too.
    """
    if str(path) == MEMORY or path.exists():
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:  # another process created it first: fine
        return
    except OSError as exc:
        raise ConfigError(f"database {path}: cannot create: {exc.strerror or exc}") from exc
    os.close(fd)


def checkpoint_root(db_path: str | Path) -> Path:
    """The folder holding every run's checkpoints: ``<db folder>/<stem>-checkpoints``."""
    db_path = Path(db_path)
    return db_path.parent / f"{db_path.stem}-checkpoints"


def run_checkpoint_dir(db_path: str | Path, run_id: int) -> Path:
    """Where run ``run_id`` of the database at ``db_path`` keeps its checkpoints."""
    return checkpoint_root(db_path) / f"run-{run_id}"


def storable_checkpoint_dir(db_path: str | Path, folder: str | Path) -> str:
    """A checkpoint folder as a row stores it: relative to the database's folder when it
    lies in the database's own checkpoint folder, else as given."""
    root = checkpoint_root(db_path)
    try:
        inside = Path(folder).absolute().relative_to(root.absolute())
    except ValueError:
        return str(folder)
    return str(Path(root.name) / inside)


def resolve_checkpoint_dir(db_path: str | Path, stored: str | None) -> Path | None:
    """A row's ``checkpoint_dir`` as a path: relative ones (written since rows store
    them so) are taken from the database's folder, absolute ones (older rows) as they
    are."""
    if not stored:
        return None
    path = Path(stored)
    return path if path.is_absolute() else Path(db_path).parent / path


def make_private_folder(path: Path) -> None:
    """``mkdir -p`` with the folders it creates readable by the owner only."""
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:
            pass


def run_files(directory: str | Path | None) -> list[tuple[str, int]]:
    """``(path relative to the run's folder, bytes)`` of every file in it, sorted;
    none when the folder is missing. Half-written files (``*.partial``) are left out."""
    if not directory or not Path(directory).is_dir():
        return []
    root = Path(directory)
    return sorted((str(p.relative_to(root)), p.stat().st_size) for p in root.rglob("*")
                  if p.is_file() and p.suffix != ".partial")
