"""``LiveRefresh``: compared runs that are still training grow in the Compare tab.

The ``DatabaseWatcher`` says when another connection committed (a script logging
through the API, a command-line training, the app's own worker threads). While one of
the compared runs is ``running`` the comparison is read again, at most once a second:
curves come downsampled in SQL, so a re-read costs milliseconds a run, and a comparison
of finished runs is never re-read. Behind another tab nothing is read; the tab catches
up when it is shown.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Slot
from PySide6.QtWidgets import QWidget

INTERVAL_MS = 1000


class LiveRefresh(QObject):
    """Calls ``refresh`` after the database changed while ``has_running()`` is true."""

    def __init__(self, widget: QWidget, watcher, has_running: Callable[[], bool],
                 refresh: Callable[[], None]):
        super().__init__(widget)
        self.widget = widget
        self.has_running = has_running
        self.refresh = refresh
        self.stale = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self._on_timeout)
        watcher.changed.connect(self._on_database_changed)
        widget.installEventFilter(self)

    @Slot()
    def _on_database_changed(self) -> None:
        if self.has_running() and not self.timer.isActive():
            self.timer.start()

    @Slot()
    def _on_timeout(self) -> None:
        if not self.widget.isVisible():
            self.stale = True
        elif self.has_running():
            self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802  (Qt's name)
        if watched is self.widget and event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self.refresh()
        return False
