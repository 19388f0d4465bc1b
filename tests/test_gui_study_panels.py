"""The study tabs inside the main window: built on first open, wired to the form."""

from __future__ import annotations

from tests.gui_helpers import *  # noqa: F401,F403 - fixtures
from tests.gui_helpers import fill_form


def _open(window, title: str):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    window.tabs.setCurrentIndex(titles.index(title))
    return window.study_panels.panels


def test_panels_are_built_when_their_tab_opens(main_window):
    assert main_window.study_panels.panels == {}
    for title, key, class_name in (("Sweeps", "sweeps", "SweepPanel"),
                                   ("LR finder", "lr_finder", "LRFinderPanel"),
                                   ("Diagnosis", "diagnosis", "DiagnosisPanel"),
                                   ("Optimizer lab", "optimizer_lab", "OptimizerLabPanel")):
        panels = _open(main_window, title)
        assert type(panels[key]).__name__ == class_name


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
    from dlstudio.training.sweep_setup import create_sweep
    from tests.gui_helpers import LONG, read_store

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
