"""``AppContext``: what every tab is built from.

One per window: the database path, the GUI thread's one ``Store`` connection (worker
threads open their own: a SQLite connection belongs to one thread), the
``TrainingController`` that owns every training and sweep thread, the ``QSettings``
for the window state, and the ``DatabaseWatcher`` whose ``changed`` signal tells tabs
that another connection (another process, a worker thread) wrote to the file. ``open`` makes it, ``close`` stops and joins the controller's
threads and closes the store; tabs never open or close a store of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings

from dlstudio.gui.workers.db_watcher import DatabaseWatcher
from dlstudio.gui.workers.training_controller import TrainingController
from dlstudio.store import Store


@dataclass
class AppContext:
    db_path: Path
    store: Store
    controller: TrainingController
    settings: QSettings
    watcher: DatabaseWatcher | None = None  # ``changed``: another connection wrote
    closed: bool = False

    def __post_init__(self) -> None:
        if self.watcher is None:
            self.watcher = DatabaseWatcher(self.store)

    @classmethod
    def open(cls, db_path: Path, settings: QSettings | None = None) -> AppContext:
        """Open the database (``ConfigError`` when it is newer or not a database)."""
        db_path = Path(db_path)
        store = Store(db_path)  # the app's connection: marks dead processes' runs interrupted
        return cls(db_path, store, TrainingController(db_path, store),
                   settings if settings is not None else QSettings("dlstudio", "dlstudio"))

    def close(self) -> None:
        """Stop and join every training and sweep thread, then close the store (once)."""
        if self.closed:
            return
        self.closed = True
        self.watcher.stop()
        self.controller.shutdown()
        self.store.close()
