"""The schema, its migrations, and opening a database file safely.

The schema version lives in ``PRAGMA user_version``; ``MIGRATIONS[i]`` takes a file from
version ``i`` to ``i + 1`` and all pending ones run in order inside one transaction, so
an upgrade either completes or leaves the file as it was. ``PRAGMA application_id``
marks the file as ours, so pointing ``--db`` at some other program's SQLite file is
refused instead of silently adding tables to it.

Version 1 holds the tracking core (runs, metrics, tags, sweeps, trials); version 2 adds
LR range tests and the ``runs.resources`` column; version 3 the ``runs.environment``
column (what reproducing a run needs). The split is deliberate: it keeps the
upgrade path exercised by a test from the first release.

A file that is not SQLite, is not ours, or has a newer version is refused with a
``ConfigError`` before SQLite opens it for writing: the 100-byte file header is read
directly, because even a read-only SQLite connection leaves ``-wal`` / ``-shm`` files
next to a WAL database.

That direct read happens only while this process holds no SQLite connection to the
file. POSIX advisory locks belong to a process and an inode, not to a descriptor:
closing *any* descriptor of the file drops every lock the process holds on it, SQLite's
included. Another process then believes it is the last user, checkpoints and deletes
the ``-wal`` / ``-shm`` files under our open connections, and our next statement fails
with "disk I/O error" after losing the commits in that WAL (SQLite's "How To Corrupt
An SQLite Database File", section 2.2). So every file this process has connected to is
remembered by inode, and later opens check it through SQLite alone.
"""

from __future__ import annotations

import sqlite3
import struct
import threading
import time
from pathlib import Path

from sqlite_utils import Database

from dlstudio.errors import ConfigError

APPLICATION_ID = 0x646C7374  # "dlst"
MEMORY = ":memory:"
_HEADER_MAGIC = b"SQLite format 3\x00"

_V1 = (
    """CREATE TABLE sweeps (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'queued',
        created REAL NOT NULL,
        spec TEXT NOT NULL DEFAULT '{}',
        state TEXT NOT NULL DEFAULT '{}'
    )""",
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'queued',
        created REAL NOT NULL,
        started REAL,
        ended REAL,
        config TEXT NOT NULL DEFAULT '{}',
        summary TEXT NOT NULL DEFAULT '{}',
        error TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        sweep_id INTEGER REFERENCES sweeps(id) ON DELETE SET NULL,
        trial_id INTEGER,
        checkpoint_dir TEXT,
        owner_pid INTEGER,
        owner_host TEXT
    )""",
    "CREATE INDEX runs_status ON runs(status)",
    "CREATE INDEX runs_sweep ON runs(sweep_id)",
    # WITHOUT ROWID: the primary key is the table, so a curve is one contiguous range,
    # each point is stored once (~40 bytes; a rowid table plus a covering index takes
    # ~80 for the same ingest and read speed, see benchmarks/store_ingest.py) and a
    # re-logged step replaces the old point instead of duplicating it. ``value`` may be
    # NULL because SQLite stores a float NaN as NULL, and diverged runs log NaN.
    """CREATE TABLE metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        step INTEGER NOT NULL,
        epoch INTEGER NOT NULL DEFAULT 0,
        value REAL,
        time REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, key, step)
    ) WITHOUT ROWID""",
    """CREATE TABLE tags (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (run_id, tag)
    ) WITHOUT ROWID""",
    "CREATE INDEX tags_tag ON tags(tag)",
    # resume_from has no declared type on purpose: a run id or a checkpoint path.
    """CREATE TABLE trials (
        id INTEGER PRIMARY KEY,
        sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
        run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        status TEXT NOT NULL DEFAULT 'queued',
        config TEXT NOT NULL DEFAULT '{}',
        epochs INTEGER NOT NULL DEFAULT 0,
        resume_from,
        score REAL,
        bracket INTEGER,
        rung INTEGER,
        created REAL NOT NULL
    )""",
    "CREATE INDEX trials_sweep ON trials(sweep_id)",
    # Deleting a run sets trials.run_id to NULL; without this index every delete
    # would scan the trials table.
    "CREATE INDEX trials_run ON trials(run_id)",
)

_V2 = (
    "ALTER TABLE runs ADD COLUMN resources TEXT",
    """CREATE TABLE lr_tests (
        id INTEGER PRIMARY KEY,
        created REAL NOT NULL,
        config TEXT NOT NULL DEFAULT '{}',
        lrs TEXT NOT NULL DEFAULT '[]',
        losses TEXT NOT NULL DEFAULT '[]',
        suggestions TEXT NOT NULL DEFAULT '{}',
        details TEXT NOT NULL DEFAULT '{}'
    )""",
)

# The environment a run ran in (versions, git commit, command line, file hashes): what
# reproducing it needs, recorded for every run whoever started it.
_V3 = ("ALTER TABLE runs ADD COLUMN environment TEXT",)

# Append only: a released migration is never edited. Steps that rebuild a table must
# not rely on foreign keys being off (the pragma is ignored inside a transaction).
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3)
SCHEMA_VERSION = len(MIGRATIONS)

# (st_dev, st_ino) of every database file this process has opened a connection to. The
# lock makes "read the header, then connect, then remember" one step, so no thread reads
# a header while another thread of this process holds a connection to the same file.
_CONNECTED: set[tuple[int, int]] = set()
_CONNECTING = threading.Lock()


def connected_here(path: str | Path) -> bool:
    """True when this process has opened a SQLite connection to the file at ``path``.

    Any code that would ``open()`` such a file directly must not: closing that
    descriptor would drop this process's SQLite locks (see the module docstring).
    """
    try:
        return _file_identity(Path(path)) in _CONNECTED
    except OSError:
        return False


def _file_identity(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_dev, stat.st_ino


def open_database(path: str | Path, busy_timeout: float = 5.0) -> Database:
    """Open (creating or upgrading) the database at ``path``; ``":memory:"`` works too.

    Raises ``ConfigError`` naming the file when it is not SQLite, belongs to another
    program, was written by a newer dlstudio, or cannot be opened; the file is left
    byte-for-byte unchanged in those cases.
    """
    path = Path(path)
    memory = str(path) == MEMORY
    conn = _connect_memory(busy_timeout) if memory else _connect_file(path, busy_timeout)
    try:
        db = Database(conn, execute_plugins=False)
        conn.execute("PRAGMA foreign_keys = ON")
        version = _check_contents(conn, path)
        if version == 0 and not memory:
            db.enable_wal()  # persists in the file, so only when we create the schema
        # Safe under WAL (no corruption on power loss, only the last commits may roll
        # back) and it keeps a metric flush from waiting on an fsync.
        conn.execute("PRAGMA synchronous = NORMAL")
        if version < SCHEMA_VERSION:
            if version > 0 and not memory:
                _write_backup(conn, path, version)
            _migrate(conn)
    except ConfigError:
        conn.close()
        raise
    except sqlite3.OperationalError as exc:  # locked past the busy timeout, disk errors
        conn.close()
        raise ConfigError(f"database {path}: cannot be used now: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ConfigError(f"database {path}: unreadable or corrupt: {exc}") from exc
    return db


def _connect_memory(busy_timeout: float) -> sqlite3.Connection:
    return sqlite3.connect(MEMORY, timeout=busy_timeout, isolation_level=None)


def _connect_file(path: Path, busy_timeout: float) -> sqlite3.Connection:
    with _CONNECTING:
        if path.exists() and path.stat().st_size > 0 and not connected_here(path):
            _check_header(path)
        try:
            conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise ConfigError(f"database {path}: cannot open: {exc}") from exc
        try:
            # A first statement makes sure the file exists, opened by SQLite, before
            # its identity is remembered.
            conn.execute("PRAGMA schema_version").fetchone()
            _CONNECTED.add(_file_identity(path))
        except BaseException as exc:
            conn.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise ConfigError(f"database {path}: unreadable or corrupt: {exc}") from exc
            raise
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's ``PRAGMA user_version``."""
    return conn.execute("PRAGMA user_version").fetchone()[0]


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise ConfigError(f"database {path}: cannot read: {exc}") from exc
    if len(header) < 100 or not header.startswith(_HEADER_MAGIC):
        raise ConfigError(f"database {path}: not a SQLite database file")
    user_version, application_id = struct.unpack(">i4xi", header[60:72])
    _check_identity(path, user_version, application_id)


def _check_identity(path: Path, user_version: int, application_id: int) -> None:
    if application_id != APPLICATION_ID and (application_id or user_version):
        raise ConfigError(f"database {path}: not a dlstudio database (another program's "
                          "SQLite file); choose another file with --db")
    if user_version > SCHEMA_VERSION:
        raise ConfigError(
            f"database {path}: written by a newer dlstudio (schema version "
            f"{user_version}, this one reads up to {SCHEMA_VERSION}); upgrade dlstudio "
            "or choose another file with --db"
        )


def _check_contents(conn: sqlite3.Connection, path: Path) -> int:
    # Checked again through SQLite: the file header may be stale while a WAL is pending.
    # One read transaction: a process creating the file commits its tables and its
    # user_version together, and separate reads could straddle that commit (version 0
    # read before it, the tables after: "not a dlstudio database").
    conn.execute("BEGIN")
    try:
        version = schema_version(conn)
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        # Reading the schema also finds a damaged first page before anything else runs.
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")
    _check_identity(path, version, application_id)
    if version == 0 and tables:
        raise ConfigError(f"database {path}: not a dlstudio database (it already holds "
                          "other tables); choose another file with --db")
    return version


def backup_path(path: Path, version: int) -> Path:
    """Where the copy of a version-``version`` file is kept before it is upgraded."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.name}.v{version}-{stamp}.bak")


def _write_backup(conn: sqlite3.Connection, path: Path, version: int) -> None:
    # VACUUM INTO copies through SQLite: a consistent snapshot (WAL included) without
    # opening the file directly, which would drop this process's locks on it.
    target = backup_path(path, version)
    if target.exists():  # two processes upgrading the same file within a second
        return
    try:
        conn.execute("VACUUM INTO ?", (str(target),))
    except sqlite3.Error as exc:
        raise ConfigError(f"database {path}: schema version {version} needs an upgrade, "
                          f"and its backup {target} could not be written first: {exc}; "
                          "nothing was changed") from exc


def _migrate(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have upgraded the file while we waited for the lock.
        for steps in MIGRATIONS[schema_version(conn):]:
            for statement in steps:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
