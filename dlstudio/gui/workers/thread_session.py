"""``ThreadSession``: a worker QObject on its own QThread, owned from the GUI thread.

The wiring STYLE.md asks for, in one place: the worker moves to a new thread,
``started`` runs it, the worker's ``finished`` quits the thread, and when the thread
has finished the worker is deleted and the thread let go. A worker must have a ``run()``
slot and a ``finished`` signal it always emits (from ``finally:``). Subclasses connect
their own worker signals and say what the end means in ``_thread_ended``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Slot

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)


class ThreadSession(QObject):
    """``worker`` on the thread ``name``; ``done`` once the thread ended and was let go."""

    def __init__(self, worker: QObject, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.worker: QObject | None = worker
        self.thread: QThread | None = QThread()
        self.thread.setObjectName(name)
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.run)
        worker.finished.connect(self.thread.quit)
        self.thread.finished.connect(worker.deleteLater)
        self.thread.finished.connect(self._on_thread_finished)
        self.done = False

    def start(self) -> None:
        self.thread.start()

    def shutdown(self) -> None:
        """Quit and wait for the thread (never terminate); sessions that can stop their
        loop stop it first."""
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()

    def _thread_ended(self) -> None:
        """Called once, in the GUI thread, after the thread ended and was let go."""

    @Slot()
    def _on_thread_finished(self) -> None:
        # Returns at once: finished is the thread's last act. Waiting first means the
        # worker's deferred delete has run before the Python references go. The thread is
        # deleted here, not by a deleteLater connected to finished: that deferred delete
        # can run before this queued slot, which would then touch a deleted QThread.
        self.thread.wait()
        self.thread.deleteLater()
        self.worker = self.thread = None
        self.done = True
        self._thread_ended()
