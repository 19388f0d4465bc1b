"""File > Compact database: deleted runs' space given back behind a modal box, never
while this window trains or holds a queue."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from dlstudio.config import RunConfig
from dlstudio.gui.compact_dialog import BUSY_TO_COMPACT, CompactDialog
from dlstudio.store import Store
from tests.damaged_files import database_with_points
from tests.gui.helpers import FAST, fill_form


def test_deleted_runs_space_is_given_back(qtbot, db_path, main_window):
    database_with_points(db_path, runs=10, points=2000)
    with Store(db_path) as store:
        for run_id in range(1, 9):
            store.delete_run(run_id)
    before = db_path.stat().st_size
    main_window.menus.compact.trigger()
    box = main_window.findChild(CompactDialog)
    assert box.windowModality() == Qt.WindowModality.WindowModal  # the window waits
    with qtbot.waitSignal(box.compacted, timeout=30_000) as blocker:
        pass
    result = blocker.args[0]
    assert result.before >= before > result.after
    assert box.text() == html.escape(result.summary(db_path)) and "given back" in box.text()
    assert box.textFormat() == Qt.TextFormat.RichText  # "->" shows as such
    qtbot.waitUntil(lambda: not box.running)
    assert box.standardButtons() == QMessageBox.StandardButton.Close
    with Store(db_path) as store:
        assert [run["id"] for run in store.list_runs(sort_by="id", descending=False)] == [9, 10]
        assert len(store.metric_keys(9)) == 1


def test_not_while_this_window_holds_a_queue(qtbot, db_path, main_window):
    main_window.controller.set_held(True)
    fill_form(main_window, FAST)
    main_window.form.queue_button.click()
    assert len(main_window.controller.queue) == 1
    box = main_window.compact_database()
    assert box.text() == BUSY_TO_COMPACT and not isinstance(box, CompactDialog)
    assert main_window.findChild(CompactDialog) is None
    box.close()


def test_not_while_an_lr_range_test_runs(qtbot, db_path, main_window):
    # Its result is written when it ends: the rewrite would hold that write up.
    panel = main_window.tabs.panel("lr_finder")
    panel.set_config(RunConfig.from_dict({"data": {"name": "digits"}, "model": {"hidden": [32]},
                                          "train": {"device": "cpu", "batch_size": 1}}))
    panel.run_button.click()
    assert panel.running
    box = main_window.compact_database()
    assert box.text() == BUSY_TO_COMPACT and not isinstance(box, CompactDialog)
    box.close()
    panel.stop_button.click()
    qtbot.waitUntil(lambda: not panel.running, timeout=30_000)
    again = main_window.compact_database()
    assert isinstance(again, CompactDialog)
    qtbot.waitUntil(lambda: not again.running, timeout=30_000)
