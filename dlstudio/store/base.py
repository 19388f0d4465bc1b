"""The connection that every part of the store shares: one per ``Store``, per thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from dlstudio.store.paths import create_private_file
from dlstudio.store.read_only import on_read_only_file_system, open_read_only
from dlstudio.store.schema import open_database


class StoreBase:
    """Owns one SQLite connection to ``path``; the mixins of ``Store`` build on it.

    A connection may only be used by the thread that opened it (sqlite3 raises
    otherwise), so a worker thread opens its own ``Store(store.path)``.
    """

    def __init__(self, path: str | Path, *, busy_timeout: float = 5.0):
        self._path = Path(path)
        self.read_only = on_read_only_file_system(self._path)
        if self.read_only:  # nothing can change the file: reads only, without locks
            self.db: Database = open_read_only(self._path)
        else:
            create_private_file(self._path)
            self.db = open_database(self._path, busy_timeout=busy_timeout)

    @property
    def path(self) -> Path:
        """The database file; pass it to ``Store`` to open another connection."""
        return self._path

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self._path)!r})"

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Several store calls as one write transaction (they join it)."""
        with self._write():
            yield

    # -- helpers for the mixins ----------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; nested uses join the outer one.

        ``BEGIN IMMEDIATE`` takes the write lock up front, so a read-modify-write
        (merging a summary) cannot be overtaken by another connection's commit, and
        a busy file is waited for (busy timeout) instead of failing mid-way.
        """
        conn = self.db.conn
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            # Also after a failed COMMIT: a transaction left open would silently
            # swallow every later write of this connection.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict]:
        cursor = self.db.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
