"""File > Compact database: the space deleted runs left inside the file given back, as
``dlstudio compact`` does, on a worker thread behind a window-modal box.

The box keeps the window's buttons out of reach while the file is rewritten: the rewrite
holds the write lock longer than a run waits for it. Cancel interrupts it (SQLite's
``interrupt``: the rewrite rolls back, the file stays as it was).
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.database_job_box import DatabaseJobBox
from dlstudio.store.compaction import Compaction, compact

TITLE = "Compact database"
BUSY_TO_COMPACT = ("Runs, sweeps or an LR range test are running or queued in this "
                   "window: compact the database once they are done (the rewrite would "
                   "hold up their writes).")


class CompactDialog(DatabaseJobBox):
    """Starts compacting ``db_path`` when made; ``compacted`` carries the ``Compaction``,
    ``compact_failed`` the reason it did not happen."""

    compacted = Signal(object)
    compact_failed = Signal(str)

    def __init__(self, db_path: Path, parent: QWidget | None = None):
        super().__init__(db_path, compact, TITLE,
                         f"Rewriting {html.escape(str(db_path))} without the space deleted "
                         "runs left …", QMessageBox.StandardButton.Cancel, parent)

    def done(self, result: int) -> None:  # noqa: D102 (Cancel, Escape, the close box)
        if self.session is not None:
            self.job.interrupt()  # the box stays until the rewrite has rolled back
            return
        super().done(result)

    @Slot(object)
    def _on_done(self, result: Compaction) -> None:
        self.setText(html.escape(result.summary(self.db_path)))
        self.compacted.emit(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.setIcon(QMessageBox.Icon.Warning)
        if "interrupt" in message:
            message = "Cancelled: the file is as it was."
        self.setText(html.escape(message))
        self.compact_failed.emit(message)

    @Slot()
    def _on_session_ended(self) -> None:
        super()._on_session_ended()
        self.setStandardButtons(QMessageBox.StandardButton.Close)
