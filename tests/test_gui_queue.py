"""The run queue: order, reorder, remove, one run per device, restore after a restart."""

from __future__ import annotations

from tests.gui_helpers import *  # noqa: F401,F403 - fixtures
from tests.gui_helpers import FAST, fill_form, read_store

from dlstudio.config import RunConfig
from dlstudio.gui.run_queue import RunQueue


def test_queue_order_reorder_remove(qtbot):
    queue = RunQueue()
    for run_id in (1, 2, 3):
        queue.enqueue(run_id, "cpu")
    queue.enqueue(2, "cpu")  # already there: stays put
    assert queue.ids() == [1, 2, 3]
    assert queue.move_up(3) and queue.ids() == [1, 3, 2]
    assert queue.move_down(1) and queue.ids() == [3, 1, 2]
    assert not queue.move_up(3) and not queue.move_down(2) and not queue.move_up(99)
    with qtbot.waitSignal(queue.run_removed) as blocker:
        assert queue.remove(1)
    assert blocker.args == [1] and queue.ids() == [3, 2]
    assert not queue.remove(1)


def test_next_skips_runs_whose_device_is_busy():
    queue = RunQueue()
    queue.enqueue(1, "cuda:0")
    queue.enqueue(2, "cpu")
    queue.enqueue(3, "cuda:0")
    assert queue.next(busy_devices={"cuda:0"}).run_id == 2
    assert queue.next(busy_devices={"cuda:0", "cpu"}) is None
    assert queue.next().run_id == 1
    assert queue.ids() == [3] and len(queue) == 1 and 3 in queue


def test_queue_panel_buttons_edit_the_queue(qtbot):
    from dlstudio.gui.queue_panel import QueuePanel

    queue = RunQueue()
    panel = QueuePanel(queue)
    qtbot.addWidget(panel)
    assert panel.empty.isVisibleTo(panel) and not panel.up_button.isEnabled()
    for run_id in (7, 8, 9):
        queue.enqueue(run_id, "cpu", f"run {run_id}")
    assert panel.list.count() == 3 and "3 waiting" in panel.title.text()
    panel.list.setCurrentRow(0)
    panel.down_button.click()
    assert queue.ids() == [8, 7, 9] and panel.selected_run() == 7
    panel.up_button.click()
    assert queue.ids() == [7, 8, 9]
    panel.list.setCurrentRow(1)
    panel.remove_button.click()
    assert queue.ids() == [7, 9]
    with qtbot.waitSignal(panel.hold_toggled) as blocker:
        panel.hold_button.click()
    assert blocker.args == [True] and panel.hold_button.text() == "Start queue"


def test_queued_runs_train_one_after_another(qtbot, main_window, db_path):
    started = []
    main_window.run_started.connect(started.append)
    fill_form(main_window, FAST)
    main_window.form.queue_button.click()  # idle device: starts at once
    fill_form(main_window, {**FAST, "name": "second"})
    main_window.form.queue_button.click()
    controller = main_window.controller
    assert len(controller.sessions) == 1 and len(controller.queue) == 1
    assert not main_window.form.run_button.isEnabled()  # cpu busy
    assert "Queue" in main_window.form.hint.text()
    qtbot.waitUntil(lambda: len(started) == 2 and not controller.sessions, timeout=60_000)
    assert started == sorted(started)
    with read_store(db_path) as store:
        runs = {run["id"]: run for run in store.list_runs()}
    assert [runs[run_id]["status"] for run_id in started] == ["finished", "finished"]
    assert runs[started[1]]["name"] == "second"
    assert main_window.form.run_button.isEnabled()


def test_remove_from_held_queue_deletes_the_row(qtbot, main_window, db_path):
    main_window.queue_panel.hold_button.click()
    fill_form(main_window, FAST)
    main_window.form.queue_button.click()
    main_window.form.queue_button.click()
    queue = main_window.controller.queue
    assert len(queue) == 2 and not main_window.controller.sessions
    assert "2 queued (held)" in main_window.status.activity.text()
    first, second = queue.ids()
    queue.remove(first)
    with read_store(db_path) as store:
        assert [run["id"] for run in store.list_runs()] == [second]
        assert store.get_run(second)["status"] == "queued"
    with qtbot.waitSignal(main_window.run_finished, timeout=30_000):
        main_window.queue_panel.hold_button.click()  # start the queue


def test_runs_left_queued_come_back_held(qtbot, db_path, qt_settings):
    from dlstudio.gui.main_window import MainWindow
    from dlstudio.training.run_job import create_run

    with read_store(db_path) as store:
        ids = [create_run(store, RunConfig.from_dict(FAST)) for _ in range(2)]
    window = MainWindow(db_path, settings=qt_settings)
    qtbot.addWidget(window)
    try:
        assert window.controller.queue.ids() == ids
        assert window.controller.held and window.queue_panel.hold_button.isChecked()
        assert not window.controller.sessions
        assert "Start queue" in window.statusBar().currentMessage()
    finally:
        window.close()
