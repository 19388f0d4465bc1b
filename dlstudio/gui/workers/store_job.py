"""A job on the database for a worker thread, on a connection of its own, that another
thread can interrupt (SQLite's ``interrupt``: the statement running stops, its
transaction rolls back)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dlstudio.store import Store


class StoreJob:
    """``work(store)`` on ``Store(path)`` when called; ``interrupt`` (any thread) stops
    it: before it began it raises ``InterruptedError``, during it SQLite's
    ``OperationalError`` ("interrupted")."""

    def __init__(self, path: Path, work: Callable[[Store], Any]):
        self.path = path
        self.work = work
        self._lock = threading.Lock()  # the connection is closed under it, never mid-interrupt
        self._connection: sqlite3.Connection | None = None
        self._interrupted = False

    def __call__(self) -> Any:
        with Store(self.path, mark_orphans=False) as store:
            with self._lock:
                if self._interrupted:
                    raise InterruptedError("interrupted before it began")
                self._connection = store.db.conn
            try:
                return self.work(store)
            finally:
                with self._lock:
                    self._connection = None

    def interrupt(self) -> None:
        with self._lock:
            self._interrupted = True
            if self._connection is not None:
                self._connection.interrupt()
