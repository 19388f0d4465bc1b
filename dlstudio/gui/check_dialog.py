"""File > Check database: every page of the database read on a worker thread, as
``dlstudio check`` does, and the verdict in a box whose text can be copied.

The window stays usable meanwhile. Closing the box lets the check finish unseen;
closing the window interrupts it (SQLite's ``interrupt``, safe from any thread).
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.database_job_box import DatabaseJobBox
from dlstudio.store.health import RECOVER, Health, check_database

TITLE = "Check database"
SHOWN_PROBLEMS = 6


class CheckDialog(DatabaseJobBox):
    """Starts the check of ``db_path`` when made; ``checked`` carries its ``Health``,
    ``check_failed`` the message of a file that could not be checked."""

    checked = Signal(object)
    check_failed = Signal(str)

    def __init__(self, db_path: Path, parent: QWidget | None = None):
        super().__init__(db_path, check_database, TITLE,
                         f"Reading every page of {html.escape(str(db_path))} …",
                         QMessageBox.StandardButton.Close, parent)
        self.setDefaultButton(QMessageBox.StandardButton.Close)  # not Show Details

    @Slot(object)
    def _on_done(self, health: Health) -> None:
        self.setText("<b>The database is intact.</b>" if health.ok
                     else "<b>The database is damaged.</b>")
        lines = [html.escape(health.verdict(self.db_path))]
        if not health.ok:
            self.setIcon(QMessageBox.Icon.Critical)
            # Up to 100 problems: the first few here, all of them under Show Details
            # (it scrolls), so that the box fits a small screen.
            lines += [html.escape(problem) for problem in health.problems[:SHOWN_PROBLEMS]]
            more = len(health.problems) - SHOWN_PROBLEMS
            if more > 0:
                lines.append(f"… and {more} more (Show Details…)")
            lines += ["", html.escape(RECOVER.format(path=self.db_path))]
            self.setDetailedText("\n".join(health.problems))
        self.setInformativeText(f"<p>{'<br>'.join(lines)}</p>")
        self.checked.emit(health)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.setIcon(QMessageBox.Icon.Critical)
        self.setText(f"database {html.escape(str(self.db_path))}: could not be checked")
        self.setInformativeText(f"<p>{html.escape(message)}</p>")
        self.check_failed.emit(message)
