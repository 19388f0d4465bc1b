"""Opening a database on a read-only file system (a read-only mount, a CD, a snapshot).

A WAL database needs its ``-shm`` file to be read, and SQLite cannot create one where
nothing may be written, so a normal open failed ("unable to open database file") even
for ``dlstudio runs``. Nothing can change a file on a read-only file system, so it is
opened as immutable: SQLite then reads it without ``-shm`` or locks. Writes fail with
"attempt to write a readonly database", which ``faults.storage_problem`` explains.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from dlstudio.errors import ConfigError
from dlstudio.store.schema import MEMORY, SCHEMA_VERSION, schema_version


def on_read_only_file_system(path: Path) -> bool:
    """True when ``path`` exists on a file system mounted read-only."""
    if str(path) == MEMORY or not path.exists():
        return False
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        return False


def open_read_only(path: Path) -> Database:
    """An immutable, read-only connection; ``ConfigError`` when it cannot be read."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        version = schema_version(conn)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise ConfigError(f"database {path}: on a read-only file system and unreadable: "
                          f"{exc}") from exc
    if version != SCHEMA_VERSION:
        conn.close()
        raise ConfigError(f"database {path}: on a read-only file system, and its schema "
                          f"version is {version} where this dlstudio needs {SCHEMA_VERSION}; "
                          "copy it to a writable folder to open it")
    return Database(conn, execute_plugins=False)
