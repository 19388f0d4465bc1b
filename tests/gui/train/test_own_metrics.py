"""Issue 12: a script that names its own metrics (``train/loss``) is not an empty plot in
the Train tab: the tab says so and opens the run in Compare, which follows it live."""

from __future__ import annotations

import os
import subprocess
import sys

import dlstudio
from PySide6.QtCore import Qt

from tests.gui.compare.test_compare_live import SCRIPT, _shown_points


def test_a_scripts_own_metrics_are_named_and_watched_in_compare(qtbot, main_window, db_path,
                                                                tmp_path):
    live = main_window.live_view
    stop = tmp_path / "stop"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, str(db_path), str(stop)],
                               env=env, stderr=subprocess.PIPE)
    try:
        qtbot.waitUntil(lambda: live.own_metrics.isVisible(), timeout=60_000)
        run_id = live.shown
        assert run_id in live.external
        text = live.own_metrics.label.text()
        assert "train/loss" in text and "stay empty" in text
        qtbot.mouseClick(live.own_metrics.compare_button, Qt.MouseButton.LeftButton)
        compare = main_window.tabs.panels["compare"]
        assert main_window.tabs.current_panel() is compare
        assert compare.run_ids == [run_id] and compare.metric == "train/loss"
        first = _shown_points(compare, run_id)
        qtbot.waitUntil(lambda: _shown_points(compare, run_id) > first, timeout=30_000)
    finally:
        stop.touch()
        process.wait(timeout=60)
    assert process.returncode == 0, process.stderr.read().decode()
    qtbot.waitUntil(lambda: compare.runs[0]["status"] == "finished", timeout=30_000)


def test_a_saved_run_with_both_kinds_of_keys_lists_only_the_scripts(qtbot, main_window,
                                                                    db_path):
    with dlstudio.start_run({"lr": 0.1}, name="mixed", db=db_path) as run:
        for step in range(5):
            run.log({"loss": 1.0 / (step + 1), "val/acc": 0.5, "sys.cpu": 10.0}, step=step)
    main_window.tabs.panels["train"].open_run(run.id)
    live = main_window.live_view
    assert live.own_metrics.isVisible()
    text = live.own_metrics.label.text()
    assert "val/acc" in text and "sys.cpu" not in text
    assert "stay empty" not in text  # its loss is drawn
    assert live.plots.curves["loss"].getOriginalDataset()[0] is not None


def test_a_run_of_dlstudios_own_keys_shows_no_note(qtbot, main_window, db_path):
    with dlstudio.start_run({"lr": 0.1}, name="plain", db=db_path) as run:
        run.log({"loss": 1.0, "dev_loss": 1.2}, step=0)
    main_window.tabs.panels["train"].open_run(run.id)
    assert not main_window.live_view.own_metrics.isVisible()


def test_a_scripts_run_shows_how_far_it_logged(qtbot, main_window, db_path):
    with dlstudio.start_run({"lr": 0.1}, name="own only", db=db_path) as run:
        for step in range(10):
            run.log({"train/loss": 1.0 / (step + 1)}, step=step * 3)
    main_window.tabs.panels["train"].open_run(run.id)
    details = main_window.live_view.progress.details.text()
    assert details.startswith("step 27 · ") and details.endswith(" in all"), details
