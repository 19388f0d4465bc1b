"""``LiveRefresh``: compared runs that are still training grow in the Compare tab.

The ``DatabaseWatcher`` says when another connection committed (a script logging
through the API, a command-line training, the app's own worker threads). While one of
the compared runs is ``running`` the comparison is read again, at most once a second:
curves come downsampled in SQL, so a re-read costs milliseconds a run, and a comparison
of finished runs is never re-read. Behind another tab nothing is read; the tab catches
up when it is shown.

It holds no Python reference to its widget (it is the widget's Qt child and says
``due``): a reference back made a cycle, so a dropped panel was freed only by a later
run of the cyclic garbage collector, at any moment, once inside Qt's own event
processing of the panel's plots, which crashed.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

INTERVAL_MS = 1000


class LiveRefresh(QObject):
    """Emits ``due`` after the database changed while ``following`` is true (set it while
    a compared run is running), at most once per ``INTERVAL_MS``; while ``widget`` is
    hidden it waits, and emits when the widget is shown again."""

    due = Signal()

    def __init__(self, widget: QWidget, watcher):
        super().__init__(widget)
        self.following = False
        self.stale = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self._on_timeout)
        watcher.changed.connect(self._on_database_changed)
        widget.installEventFilter(self)

    @Slot()
    def _on_database_changed(self) -> None:
        if self.following and not self.timer.isActive():
            self.timer.start()

    @Slot()
    def _on_timeout(self) -> None:
        if not self.parent().isVisible():
            self.stale = True
        elif self.following:
            self.due.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802  (Qt's name)
        # Installed on the widget only, so every event here is the widget's.
        if event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self.due.emit()
        return False
