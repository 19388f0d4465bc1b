"""The tabs inside the main window: the study tabs are built on first open, and every
request one tab makes of another goes through its signals to the right tab."""

from __future__ import annotations

import pytest

from dlstudio.config import RunConfig
from dlstudio.store import Store
from tests.gui.helpers import fill_form
from tests.gui.runs.test_runs_panel import select

STUDY_TABS = (("Runs", "runs", "RunsPanel"), ("Compare", "compare", "ComparePanel"),
              ("Sweeps", "sweeps", "SweepPanel"), ("LR finder", "lr_finder", "LRFinderPanel"),
              ("Diagnosis", "diagnosis", "DiagnosisPanel"),
              ("Optimizer lab", "optimizer_lab", "OptimizerLabPanel"))


def _open(window, title: str):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    window.tabs.setCurrentIndex(titles.index(title))
    return window.tabs.panels


def stored_runs(db_path, count: int) -> list[int]:
    with Store(db_path) as store:
        return [store.create_run(RunConfig.from_dict({"optim": {"name": "rmsprop",
                                                                "lr": 0.004 * (i + 1)}}
                                                     ).to_dict(), status="finished")
                for i in range(count)]


def test_panels_are_built_when_their_tab_opens(main_window):
    assert set(main_window.tabs.panels) == {"train"}  # the Runs table reads nothing yet
    for title, key, class_name in STUDY_TABS:
        panels = _open(main_window, title)
        assert type(panels[key]).__name__ == class_name


def test_run_again_fills_the_form_and_shows_the_train_tab(main_window, db_path):
    run_id, _ = stored_runs(db_path, 2)
    runs = main_window.tabs.show_panel("runs")
    runs.refresh()
    select(runs, [run_id])
    runs.run_again_button.click()
    config = main_window.form.config()
    assert (config.optim.name, config.optim.lr) == ("rmsprop", 0.004)
    assert main_window.tabs.currentWidget() is main_window.train
    assert "that run's settings" in main_window.status.currentMessage()


def test_compare_selected_shows_the_runs_in_the_compare_tab(main_window, db_path):
    run_ids = stored_runs(db_path, 3)
    runs = main_window.tabs.show_panel("runs")
    runs.refresh()
    select(runs, run_ids[:2])
    runs.compare_button.click()
    assert main_window.tabs.current_panel() is main_window.compare_panel
    assert sorted(run["id"] for run in main_window.compare_panel.runs) == run_ids[:2]


def test_a_panel_that_cannot_build_is_an_error_not_a_placeholder(main_window, monkeypatch):
    from dlstudio.gui.lab.optimizer_lab_panel import OptimizerLabPanel

    def broken(self, context, parent=None):
        raise AttributeError("no such widget")

    monkeypatch.setattr(OptimizerLabPanel, "__init__", broken)
    with pytest.raises(AttributeError, match="no such widget"):
        main_window.tabs.panel("optimizer_lab")


def test_lr_finder_gets_the_form_config_and_fills_the_form_back(main_window):
    fill_form(main_window, {"optim.name": "sgd", "optim.lr": "0.02"})
    finder = _open(main_window, "LR finder")["lr_finder"]
    assert finder.config.optim.name == "sgd"
    finder.lr_chosen.emit(0.0123, False)
    assert main_window.form.config().optim.lr == 0.0123
    assert main_window.tabs.currentIndex() == 0
    finder.lr_chosen.emit(0.3, True)
    config = main_window.form.config()
    assert (config.schedule.name, config.optim.lr) == ("onecycle", 0.3)


def test_sweep_panel_starts_from_the_form(main_window):
    fill_form(main_window, {"data.name": "wine"})
    sweeps = _open(main_window, "Sweeps")["sweeps"]
    assert sweeps.form.base.data.name == "wine"


def test_closing_the_window_while_a_sweep_runs_asks_then_stops_it(qtbot, main_window, db_path,
                                                                   stop_answer):
    from dlstudio.training.sweeps.setup import create_sweep
    from tests.gui.helpers import LONG, read_store

    from dlstudio.config import RunConfig

    sweeps = _open(main_window, "Sweeps")["sweeps"]
    with read_store(db_path) as store:
        sweep_id = create_sweep(store, {
            "method": "random", "metric": {"name": "dev_loss"}, "budget": {"trials": 2},
            "parameters": {"optim.lr": {"values": [0.01, 0.02]}},
            "base": RunConfig.from_dict(LONG).to_dict()})
    with qtbot.waitSignal(sweeps.sweep_started, timeout=10_000):
        sweeps.resume_sweep(sweep_id)
    assert main_window.controller.running_count() == 1
    stop_answer.answer = False
    main_window.close()  # "stop the running work?" -> no: the window stays
    assert stop_answer.calls == 1 and main_window.isVisible()
    stop_answer.answer = True
    main_window.close()
    assert not main_window.isVisible()
    sessions = main_window.controller.sweep_sessions.values()
    assert all(s.thread is None or s.thread.isFinished() for s in sessions)  # joined
    with read_store(db_path) as store:
        assert store.get_sweep(sweep_id)["status"] == "paused"


def test_a_sweep_deleted_in_the_sweeps_tab_leaves_the_runs_tab(main_window, db_path):
    with Store(db_path) as store:
        sweep_id = store.create_sweep("old", {}, status="finished")
        store.create_run({}, status="finished", sweep_id=sweep_id)
        other = store.create_run({}, status="finished")
    runs = main_window.tabs.show_panel("runs")
    runs.refresh()
    assert runs.proxy.rowCount() == 2
    sweeps = main_window.tabs.show_panel("sweeps")
    sweeps.prompts.confirm = lambda parent, title, question: True
    sweeps.sweep_list.select(sweep_id)
    sweeps.delete_button.click()
    main_window.tabs.show_panel("runs")
    select(runs, [other])
    assert runs.proxy.rowCount() == 1 and runs.selected_run_ids() == [other]
