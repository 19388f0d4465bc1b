"""Resuming a stopped, interrupted or failed run from its last checkpoint, from the GUI.

``resume_problem`` says why a run cannot be resumed ("" when it can; the rule is the
core's ``training.resumable``), so the Runs panel's Resume button is enabled only when
it would work and otherwise says why. ``resume_run`` hands the run to the window's
``TrainingController``: it starts now, or waits in the queue while its device is busy
(one job per device). The training itself is the core's ``execute_run(resume=True)``,
which loads ``last.pt`` and trains the remaining epochs.
"""

from __future__ import annotations

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.gui.common import run_format as fmt
from dlstudio.gui.workers.training_controller import device_key
from dlstudio.training.resumable import resume_problem as core_resume_problem


def resume_problem(run: dict) -> str:
    """Why ``run`` cannot be resumed, with what to do instead; "" when it can."""
    problem = core_resume_problem(run, label=fmt.run_label(run))
    if problem:
        return f"{problem}. Use 'Run again with changes' to train its config anew."
    return ""


def resume_run(controller, run_id: int) -> str:
    """Continue ``run_id`` on its device, now or after the queue; returns what to tell
    the user.

    Raises ``ConfigError`` saying why not: the run is not resumable (any more), is
    already queued, or its stored config no longer loads.
    """
    run = controller.store.get_run(run_id)
    problem = resume_problem(run)
    if problem:
        raise ConfigError(problem)
    if run_id in controller.queue:
        raise ConfigError(f"Run #{run_id} is already queued to resume.")
    device = device_key(RunConfig.from_dict(run["config"]))
    if controller.resume(run_id, device, run.get("name") or ""):
        return f"Run #{run_id} continues from its last checkpoint on {device}."
    return (f"{device} is busy: run #{run_id} waits in the queue and continues from its "
            "last checkpoint when its turn comes.")
