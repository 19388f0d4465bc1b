"""File > Check database: the check runs beside the window and says what it found."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtWidgets import QMessageBox

from dlstudio.gui.check_dialog import SHOWN_PROBLEMS, CheckDialog
from dlstudio.gui.workers.store_job import StoreJob
from dlstudio.store import Store
from dlstudio.store.health import check_database
from tests.damaged_files import database_with_points, metrics_root_page, overwrite_page


@pytest.fixture
def damaged(db_path) -> int:
    """A database whose metrics tree has a zeroed top page (opening does not notice)."""
    database_with_points(db_path, runs=5)
    root = metrics_root_page(db_path)
    overwrite_page(db_path, root, b"\x00")
    return root


def check_from_the_menu(qtbot, window):
    window.menus.check.trigger()
    box = window.findChild(QMessageBox)
    assert box.text().startswith("Reading every page of ")
    # The result arrives through the event loop, which only the wait below runs.
    with qtbot.waitSignal(box.checked, timeout=30_000) as blocker:
        pass
    assert box.isVisible()
    return box, blocker.args[0]


def test_an_intact_database_is_said_intact(qtbot, main_window, db_path):
    box, health = check_from_the_menu(qtbot, main_window)
    assert health.ok
    assert box.text() == "<b>The database is intact.</b>"
    assert box.informativeText() == (f"<p>database {db_path}: intact (check of "
                                     f"{health.size_bytes // 1024}.0 KB, 0 runs)</p>")
    assert box.icon() == QMessageBox.Icon.Information


def test_a_damaged_page_is_listed_with_the_way_to_recover(qtbot, damaged, main_window, db_path):
    box, health = check_from_the_menu(qtbot, main_window)
    assert not health.ok and box.icon() == QMessageBox.Icon.Critical
    assert box.text() == "<b>The database is damaged.</b>"
    assert box.informativeText().startswith(f"<p>database {db_path}: damaged, ")
    assert f"Page {damaged}: " in box.informativeText()
    assert "sqlite3 tool" in box.informativeText()
    # A few of the problems in the box (it must fit a small screen), all of them under
    # Show Details.
    assert f"and {len(health.problems) - SHOWN_PROBLEMS} more" in box.informativeText()
    assert box.detailedText().splitlines() == health.problems
    # The app keeps working on what is readable: the runs are listed.
    main_window.runs_panel.refresh()
    assert main_window.runs_panel.proxy.rowCount() == 5


def test_an_interrupted_check_stops_and_is_not_called_damage(db_path):
    database_with_points(db_path, runs=2, points=10)
    job = StoreJob(db_path, check_database)
    job.interrupt()  # the window closed before the check began
    with pytest.raises(InterruptedError):
        job()
    with Store(db_path, mark_orphans=False) as store:
        # SQLITE_INTERRUPT mid-check, as Connection.interrupt() from the GUI thread gives.
        store.db.conn.set_progress_handler(lambda: 1, 100)
        with pytest.raises(sqlite3.OperationalError, match="interrupt"):
            check_database(store)


def test_a_file_that_cannot_be_checked_says_why(qtbot, tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"name,value\n" * 500)
    box = CheckDialog(path)
    qtbot.addWidget(box)
    with qtbot.waitSignal(box.check_failed, timeout=30_000) as blocker:
        box.open()
    assert box.icon() == QMessageBox.Icon.Critical
    assert box.text() == f"database {path}: could not be checked"
    assert str(path) in blocker.args[0] and box.informativeText()
    qtbot.waitUntil(lambda: not box.running)
