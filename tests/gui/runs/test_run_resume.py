"""Resume from the Runs panel: enabled only when it can work, continues from the
checkpoint through the window's controller, one run per device."""

from __future__ import annotations

import threading

import pytest

from tests.gui.helpers import read_store
from tests.gui.runs.test_runs_panel import FakePrompts, select
from dlstudio.config import RunConfig
from dlstudio.gui.runs.runs_panel import RunsPanel
from dlstudio.store import Store
from dlstudio.training.events import EpochEvent
from dlstudio.training.run_job import create_run, execute_run

THREE_EPOCHS = RunConfig.from_dict({"data": {"name": "digits"}, "model": {"hidden": [16]},
                                    "train": {"epochs": 3, "batch_size": 128,
                                              "device": "cpu"}})


def stopped_run(db_path, checkpoints: bool = True) -> int:
    """A run stopped by the user during its second epoch: one epoch in its checkpoint."""
    config = THREE_EPOCHS.replace(**{"train.checkpoints": checkpoints})
    with Store(db_path) as store:
        run_id = create_run(store, config)
    stop = threading.Event()

    def stop_after_first_epoch(event) -> None:
        if isinstance(event, EpochEvent):
            stop.set()

    assert execute_run(db_path, run_id, subscribers=[stop_after_first_epoch],
                       stop=stop).status == "stopped"
    return run_id


def make_panel(qtbot, context) -> RunsPanel:
    panel = RunsPanel(context, prompts=FakePrompts())
    qtbot.addWidget(panel)
    return panel


@pytest.mark.parametrize("status", ["stopped", "interrupted", "failed"])
def test_resume_is_offered_for_a_stopped_interrupted_or_failed_run(qtbot, db_path, status, app_context):
    run_id = stopped_run(db_path)
    with Store(db_path) as store:
        store.set_status(run_id, status)
    panel = make_panel(qtbot, app_context)
    select(panel, [run_id])
    assert panel.resume_button.isEnabled()
    assert "last checkpoint" in panel.resume_button.toolTip()
    resume = next(a for a in panel.context_menu().actions() if a.text() == "Resume")
    assert resume.isEnabled()
    with qtbot.waitSignal(panel.resume_requested, timeout=1000) as requested:
        panel.resume_button.click()
    assert requested.args == [run_id]


def test_resume_says_why_it_is_not_offered(qtbot, db_path, app_context):
    without_checkpoint = stopped_run(db_path, checkpoints=False)
    with Store(db_path) as store:
        finished = store.create_run(THREE_EPOCHS.to_dict())
        store.end_run(finished, "finished", {})
    panel = make_panel(qtbot, app_context)
    assert not panel.resume_button.isEnabled()  # nothing selected
    select(panel, [finished])
    assert not panel.resume_button.isEnabled()
    assert "only stopped, interrupted or failed runs" in panel.resume_button.toolTip()
    assert "is finished" in panel.resume_button.toolTip()
    select(panel, [without_checkpoint])  # it starts over from epoch 0
    assert panel.resume_button.isEnabled()


def test_a_busy_device_queues_the_resume_until_it_is_free(qtbot, main_window, db_path):
    from tests.gui.helpers import LONG, fill_form

    run_id = stopped_run(db_path)
    controller = main_window.controller
    fill_form(main_window, LONG)
    main_window.form.run_button.click()
    busy_id = next(iter(controller.sessions))
    main_window.runs_panel.resume_requested.emit(run_id)
    assert "waits in the queue" in main_window.status.currentMessage()
    assert controller.queue.entries()[0].resume and run_id not in controller.sessions
    assert "continues from its checkpoint" in main_window.queue_view.list.item(0).text()
    main_window.runs_panel.resume_requested.emit(run_id)  # twice: said, not queued twice
    assert "already queued" in main_window.status.currentMessage() and len(controller.queue) == 1
    starts: list[dict] = []
    controller.session_started.connect(
        lambda session: session.bridge.run_started.connect(
            lambda _run_id, info: starts.append(info)))
    with qtbot.waitSignal(main_window.run_finished, timeout=60_000,
                          check_params_cb=lambda i, ended: i == run_id):
        controller.stop(busy_id)
    assert [info["start_epoch"] for info in starts] == [1]  # resumed, not from scratch
    with read_store(db_path) as store:
        assert store.get_run(run_id)["summary"]["epochs_done"] == 3


def test_resume_continues_from_the_checkpoint_and_finishes(qtbot, main_window, db_path):
    run_id = stopped_run(db_path)
    panel = main_window.runs_panel
    panel.refresh()
    select(panel, [run_id])
    starts: list[dict] = []
    main_window.controller.session_started.connect(
        lambda session: session.bridge.run_started.connect(
            lambda _run_id, info: starts.append(info)))
    with qtbot.waitSignal(main_window.run_finished, timeout=60_000) as ended:
        panel.resume_button.click()
    assert ended.args[0] == run_id and ended.args[1]["status"] == "finished"
    assert [info["start_epoch"] for info in starts] == [1]  # not from scratch
    with read_store(db_path) as store:
        run = store.get_run(run_id)
        epochs = store.read_curve(run_id, "dev_metric")["epoch"]
    assert run["status"] == "finished" and run["summary"]["epochs_done"] == 3
    assert list(epochs) == [1, 2, 3]


def test_the_window_says_why_a_run_cannot_resume(qtbot, main_window, db_path):
    with Store(db_path) as store:
        run_id = store.create_run(THREE_EPOCHS.to_dict())
        store.end_run(run_id, "finished", {})
    main_window.runs_panel.resume_requested.emit(run_id)  # e.g. resumed elsewhere meanwhile
    assert "only stopped, interrupted or failed runs" in main_window.status.currentMessage()
    assert main_window.controller.sessions == {}
