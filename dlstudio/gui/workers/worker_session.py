"""``WorkerSession``: a worker QObject on its own QThread, owned from the GUI thread.

The thread wiring, in one place: the worker moves to a new thread, ``started`` runs it,
the worker's ``finished`` quits the thread, and when the thread has finished the worker
is deleted and the thread let go. A worker must have a ``run()`` slot and a ``finished``
signal it always emits (from ``finally:``).

A subclass lists in ``relays`` which worker signals reach the GUI thread as which of
its own signals (or of the ``relay_to`` object's): each is a signal-to-signal
connection, queued because the receiving signal's object lives in the GUI thread, so
no session re-emits by hand. ``_thread_ended`` says what the end means.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Slot

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)


class WorkerSession(QObject):
    """``worker`` on the thread ``name``; ``done`` once the thread ended and was let go."""

    relays: dict[str, str] = {}  # worker signal -> signal of the session (or relay_to)

    def __init__(self, worker: QObject, name: str, parent: QObject | None = None,
                 relay_to: QObject | None = None):
        super().__init__(parent)
        target = self if relay_to is None else relay_to
        for source, destination in self.relays.items():
            getattr(worker, source).connect(getattr(target, destination))
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
