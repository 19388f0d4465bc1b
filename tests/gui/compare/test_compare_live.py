"""Issue 12: a run another process is still logging grows in the Compare tab by itself."""

from __future__ import annotations

import os
import subprocess
import sys

from dlstudio.gui.compare.compare_panel import ComparePanel
from tests.gui.helpers import read_store

# A script's own loop: logs a point every 20 ms until the test drops the stop file.
SCRIPT = """
import pathlib, sys, time
import dlstudio
stop = pathlib.Path(sys.argv[2])
with dlstudio.start_run({"lr": 0.1}, name="live script", db=sys.argv[1]) as run:
    step = 0
    while not stop.exists():
        run.log({"train/loss": 1.0 / (step + 1)}, step=step)
        step += 1
        time.sleep(0.02)
"""


def _shown_points(panel: ComparePanel, run_id: int) -> int:
    curve = panel.curves_plot.curves.get(run_id)
    return 0 if curve is None else len(curve.step)


def test_a_running_script_run_streams_into_compare_without_reload(qtbot, db_path, app_context,
                                                                  tmp_path):
    stop = tmp_path / "stop"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, str(db_path), str(stop)],
                               env=env, stderr=subprocess.PIPE)
    try:
        def logged_run() -> int | None:
            runs = app_context.store.list_runs(status="running")
            if runs and app_context.store.metric_keys(runs[0]["id"]):
                return runs[0]["id"]
            return None

        qtbot.waitUntil(lambda: logged_run() is not None, timeout=60_000)
        run_id = logged_run()
        panel = ComparePanel(app_context)
        qtbot.addWidget(panel)
        panel.show()
        panel.set_runs([run_id])
        panel.set_metric("train/loss")
        first = _shown_points(panel, run_id)
        qtbot.waitUntil(lambda: _shown_points(panel, run_id) > first, timeout=30_000)
        assert panel.runs[0]["status"] == "running"
        stop.touch()
        qtbot.waitUntil(lambda: panel.runs[0]["status"] == "finished", timeout=60_000)
    finally:
        stop.touch()
        process.wait(timeout=60)
    assert process.returncode == 0, process.stderr.read().decode()
    with read_store(db_path) as store:
        stored = store.read_curve(run_id, "train/loss")
    assert panel.metric == "train/loss"  # the user's choice survives the re-reads
    assert _shown_points(panel, run_id) == len(stored["step"])  # every point, once


def test_a_comparison_of_finished_runs_is_not_read_again(qtbot, db_path, app_context):
    """Only running runs are followed: another process's writes leave a finished
    comparison alone (its curves are not re-read on every commit)."""
    import dlstudio

    with dlstudio.start_run({"lr": 0.1}, name="done", db=db_path) as run:
        run.log({"train/loss": 1.0}, step=0)
    panel = ComparePanel(app_context)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_runs([run.id])
    reads = []
    panel.curves_plot.show_curves = lambda *args, **kwargs: reads.append(args)
    with dlstudio.start_run({"lr": 0.2}, name="another", db=db_path) as other:
        other.log({"train/loss": 2.0}, step=0)
    qtbot.waitUntil(lambda: app_context.watcher.check() is False)  # the change was seen
    assert not panel.live.timer.isActive()
    assert reads == []
