"""The run queue: order, reorder, remove, one run per device, restore after a restart."""

from __future__ import annotations

from tests.gui.helpers import FAST, fill_form, read_store

from dlstudio.config import RunConfig
from dlstudio.gui.workers.run_queue import RunQueue


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
    from dlstudio.gui.train.queue_view import QueueView

    queue = RunQueue()
    panel = QueueView(queue)
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
    main_window.queue_view.hold_button.click()
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
        main_window.queue_view.hold_button.click()  # start the queue


def test_runs_and_sweeps_left_queued_come_back_held(qtbot, db_path, qt_settings):
    from dlstudio.gui.context import AppContext
    from dlstudio.gui.main_window import MainWindow
    from dlstudio.training.run_job import create_run

    from dlstudio.training.sweeps.setup import create_sweep

    with read_store(db_path) as store:
        ids = [create_run(store, RunConfig.from_dict(FAST)) for _ in range(2)]
        sweep_id = create_sweep(store, {
            "method": "random", "metric": {"name": "dev_loss"}, "budget": {"trials": 1},
            "parameters": {"optim.lr": {"values": [0.01]}},
            "base": RunConfig.from_dict(FAST).to_dict()}, workers=2)
    window = MainWindow(AppContext.open(db_path, qt_settings))
    qtbot.addWidget(window)
    try:
        assert window.controller.queue.keys() == [("run", ids[0]), ("run", ids[1]),
                                                  ("sweep", sweep_id)]
        # with as many workers as it was created with, not 1
        assert window.controller.queue.entries()[2].workers == 2
        assert window.controller.held and window.queue_view.hold_button.isChecked()
        assert not window.controller.sessions
        assert "Start queue" in window.statusBar().currentMessage()
    finally:
        window.close()


def test_sweeps_wait_in_the_same_queue_and_hold_all_their_devices(qtbot):
    queue = RunQueue()
    queue.enqueue_sweep(1, ["cuda:0", "cuda:1"], "two-gpu sweep", workers=2)
    queue.enqueue(1, "cuda:1")  # run 1 and sweep 1 are different entries
    queue.enqueue(2, "cpu")
    assert queue.keys() == [("sweep", 1), ("run", 1), ("run", 2)] and queue.ids() == [1, 2]
    assert queue.next(busy_devices={"cuda:1"}).key == ("run", 2)  # the sweep needs cuda:1 too
    assert queue.move_down(("sweep", 1)) and queue.keys() == [("run", 1), ("sweep", 1)]
    with qtbot.waitSignal(queue.sweep_removed) as blocker:
        assert queue.remove(("sweep", 1))
    assert blocker.args == [1] and queue.keys() == [("run", 1)]


def test_queue_panel_lists_sweeps_beside_runs(qtbot):
    from dlstudio.gui.train.queue_view import QueueView

    queue = RunQueue()
    panel = QueueView(queue)
    qtbot.addWidget(panel)
    queue.enqueue(4, "cpu", "mlp run")
    queue.enqueue_sweep(2, ["cpu"], "sweep: lr search")
    assert "Sweep #2" in panel.list.item(1).text() and "#4" in panel.list.item(0).text()
    panel.list.setCurrentRow(1)
    assert panel.selected_key() == ("sweep", 2) and panel.selected_run() is None
    assert "stays stored" in panel.remove_button.toolTip()
    panel.up_button.click()
    assert queue.keys() == [("sweep", 2), ("run", 4)]


def test_a_sweep_waits_for_the_training_run_and_runs_then_block_the_device(
        qtbot, main_window, db_path):
    """One queue: a sweep started while a run trains waits; runs queued meanwhile wait
    for the sweep; the queue panel shows both, in order."""
    from dlstudio.training.sweeps.setup import create_sweep

    controller = main_window.controller
    fill_form(main_window, {**FAST, "train.epochs": "3"})
    main_window.form.queue_button.click()  # trains now
    assert len(controller.sessions) == 1
    sweep_panel = main_window.tabs.panel("sweeps")
    with read_store(db_path) as store:
        sweep_id = create_sweep(store, {
            "method": "random", "metric": {"name": "dev_loss"}, "budget": {"trials": 2},
            "parameters": {"optim.lr": {"values": [0.01, 0.02]}},
            "base": RunConfig.from_dict(FAST).to_dict()})
    sweep_panel.resume_sweep(sweep_id)
    assert not controller.sweep_sessions and ("sweep", sweep_id) in controller.queue
    assert "queued (position 1)" in sweep_panel.message.text()
    fill_form(main_window, {**FAST, "name": "after the sweep"})
    main_window.form.queue_button.click()
    texts = [main_window.queue_view.list.item(i).text() for i in range(2)]
    assert f"Sweep #{sweep_id}" in texts[0] and "after the sweep" in texts[1]

    qtbot.waitUntil(lambda: sweep_id in controller.sweep_sessions, timeout=60_000)
    assert not controller.sessions  # the sweep holds the cpu: the queued run waits
    assert "Sweep #" in controller.busy_reason(RunConfig.from_dict(FAST))
    assert f"Sweep #{sweep_id} on cpu" in main_window.status.activity.text()
    assert not main_window.form.run_button.isEnabled()
    with qtbot.waitSignal(sweep_panel.sweep_finished, timeout=60_000) as ended:
        pass
    assert ended.args == [sweep_id, "finished"]
    qtbot.waitUntil(lambda: not controller.sessions and not len(controller.queue),
                    timeout=60_000)
    with read_store(db_path) as store:
        later = [r for r in store.list_runs(sort_by="id", descending=False)
                 if r["name"] == "after the sweep"]
        trial_runs = store.list_runs(sweep_id=sweep_id)
    assert later[0]["status"] == "finished"
    assert later[0]["started"] > max(r["started"] for r in trial_runs)
