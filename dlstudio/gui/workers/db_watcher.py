"""``DatabaseWatcher``: notices that another connection wrote to the database.

Runs trained by another process (the command line, a script calling the API) and the
app's own worker threads commit on connections of their own. SQLite's
``PRAGMA data_version`` on the GUI thread's connection changes exactly when some other
connection committed, so one cheap query on a timer (every 500 ms) says whether there is
anything to re-read; tabs subscribe to ``changed`` and read only what is new.
"""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QObject, QTimer, Signal

POLL_MS = 500


class DatabaseWatcher(QObject):
    """Emits ``changed`` (in the GUI thread) after another connection committed."""

    changed = Signal()

    def __init__(self, store, interval_ms: int = POLL_MS, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self._version = self._data_version()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> bool:
        """Look now; True (and ``changed`` emitted) when another connection committed."""
        version = self._data_version()
        if version is None or version == self._version:
            return False
        self._version = version
        self.changed.emit()
        return True

    def stop(self) -> None:
        self.timer.stop()

    def _data_version(self) -> int | None:
        try:
            return int(self.store.db.conn.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:  # closed while the timer fired: nothing to watch any more
            return None
