"""Runs a script logged through the Python API in the Runs tab: listed with their
free-form configs, but never offered to resume or run again (the actions are absent)."""

from __future__ import annotations

import dlstudio
from dlstudio.config import RunConfig
from dlstudio.store import Store
from dlstudio.training.resumable import resume_problem
from tests.gui.runs.test_runs_panel import make_panel, select


def test_a_script_run_has_no_resume_or_run_again(qtbot, db_path, app_context):
    try:
        with dlstudio.start_run(config={"lr": 3e-4, "model": "my-resnet"}, name="script",
                                db=db_path) as run:
            run.log({"train/loss": 1.0}, step=1)
            raise KeyboardInterrupt  # Ctrl+C: the run ends stopped
    except KeyboardInterrupt:
        pass
    with Store(db_path) as store:
        trained = store.create_run(RunConfig().to_dict(), name="trained", status="stopped")
        script_row = store.get_run(run.id)
    assert script_row["status"] == "stopped"
    assert resume_problem(script_row) == (
        f"run {run.id} was logged by a script, not trained by dlstudio: the script "
        f"continues it with dlstudio.start_run(..., resume={run.id})")

    panel = make_panel(qtbot, app_context)
    panel.refresh()
    select(panel, [run.id])
    assert panel.selected_run_ids() == [run.id]
    assert panel.run_again_button.isHidden() and panel.resume_button.isHidden()
    assert not any("Run again" in a.text() or a.text() == "Resume"
                   for a in panel.context_menu().actions())
    select(panel, [trained])
    assert not panel.run_again_button.isHidden() and not panel.resume_button.isHidden()


def test_a_runs_tooltip_says_where_it_came_from_and_lists_its_files(qtbot, db_path,
                                                                    app_context):
    from dlstudio.gui.runs.runs_model import run_tooltip

    with dlstudio.start_run(config={"lr": 1e-3}, name="with files", db=db_path) as run:
        run.log({"loss": 0.5}, step=1)
        run.save_checkpoint({"w": [1.0, 2.0]}, "final.pt")
    with Store(db_path) as store:
        row = store.get_run(run.id)
    tip = run_tooltip(row)
    assert "Versions: python " in tip and "torch " in tip
    assert "host " in tip and "Files: final.pt" in tip
