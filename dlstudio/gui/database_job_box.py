"""A message box that works on the database while it is open: ``work(store)`` runs on a
worker thread with a connection of its own (``StoreJob``) from the moment the box is made,
and the box then says how it went. Check database and Compact database are two."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.workers.job_worker import JobSession
from dlstudio.gui.workers.store_job import StoreJob
from dlstudio.store import Store


class DatabaseJobBox(QMessageBox):
    """Runs ``work`` on ``db_path``; a subclass says the outcome in ``_on_done`` (the
    result) and ``_on_failed`` (the message). Texts are rich text, escaped by the caller:
    Qt takes a text without a tag as plain, and showed "->" as "-&gt;"."""

    def __init__(self, db_path: Path, work: Callable[[Store], Any], title: str, text: str,
                 buttons: QMessageBox.StandardButton, parent: QWidget | None = None):
        super().__init__(QMessageBox.Icon.Information, title, text, buttons, parent)
        self.db_path = db_path
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.job = StoreJob(db_path, work)
        self.session: JobSession | None = JobSession(self.job, f"dlstudio-{work.__name__}",
                                                     self)
        self.session.job_done.connect(self._on_done)
        self.session.job_failed.connect(self._on_failed)
        self.session.session_ended.connect(self._on_session_ended)
        self.session.start()

    @property
    def running(self) -> bool:
        return self.session is not None

    def shutdown(self) -> None:
        """Interrupt the work and wait for its thread (the window is closing)."""
        if self.session is not None:
            self.job.interrupt()
            self.session.shutdown()

    @Slot(object)
    def _on_done(self, result: Any) -> None:
        raise NotImplementedError

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        raise NotImplementedError

    @Slot()
    def _on_session_ended(self) -> None:
        self.session = None
